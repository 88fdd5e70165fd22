import type { Btf } from '../core/btf/btf';
import { Kind } from '../core/btf/kinds';

/**
 * Split BTF read against a base it was not built for still parses: its string offsets and type IDs
 * just land somewhere in the wrong base. This tells: names must start at a string start of the base
 * (the byte before is NUL), and type references must stay below the type count. Returns a sentence
 * when the base does not fit, undefined when it does.
 */
export function checkSplitAgainstBase(btf: Btf): string | undefined {
  const base = btf.base;
  if (!base) return undefined;
  const baseStrEnd = btf.startStrOff;
  let badNames = 0;
  let badRefs = 0;
  let names = 0;
  const checkName = (off: number) => {
    if (off === 0 || off >= baseStrEnd) return;
    names++;
    // Below baseStrEnd the offset is inside the base's strings: it must follow a NUL. (str(off - 1) is
    // '' without decoding anything when it does; only bad names cost a decode.)
    if (base.str(off - 1) !== '') badNames++;
  };
  const count = btf.typeCount;
  for (let id = btf.startId; id < count; id++) {
    const loc = btf.locate(id);
    if (!loc) continue;
    const v = loc.btf.view;
    checkName(v.u32(loc.off));
    const kind = btf.kind(id);
    const vlen = btf.vlen(id);
    const third = v.u32(loc.off + 8);
    switch (kind) {
      case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
      case Kind.FUNC: case Kind.FUNC_PROTO: case Kind.VAR: case Kind.DECL_TAG:
        if (third >= count) badRefs++;
        break;
      default:
        break;
    }
    if (kind === Kind.STRUCT || kind === Kind.UNION) {
      for (let i = 0; i < vlen; i++) {
        checkName(v.u32(loc.off + 12 + i * 12));
        if (v.u32(loc.off + 16 + i * 12) >= count) badRefs++;
      }
    } else if (kind === Kind.ENUM) {
      for (let i = 0; i < vlen; i++) checkName(v.u32(loc.off + 12 + i * 8));
    } else if (kind === Kind.FUNC_PROTO) {
      for (let i = 0; i < vlen; i++) {
        checkName(v.u32(loc.off + 12 + i * 8));
        if (v.u32(loc.off + 16 + i * 8) >= count) badRefs++;
      }
    } else if (kind === Kind.ARRAY) {
      if (v.u32(loc.off + 12) >= count) badRefs++;
    }
  }
  if (badNames === 0 && badRefs === 0) return undefined;
  const parts: string[] = [];
  if (badNames) parts.push(`${badNames} of ${names} names taken from the base point into the middle of its strings`);
  if (badRefs) parts.push(`${badRefs} type references point past the last type`);
  return `split BTF does not fit its base: ${parts.join(', ')}`;
}
