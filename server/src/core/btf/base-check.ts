import type { Problem } from '../util/problems';
import type { Btf } from './btf';
import { Kind } from './kinds';

/**
 * Split BTF read against a base it was not built for still parses: its string offsets and type IDs
 * just land somewhere in the wrong base. This tells: names must start at a string start of the base
 * (the byte before is NUL), and type references must stay below the type count. Returns an error
 * naming the first type that does not fit (its file offset) when the base does not fit, undefined
 * when it does. bpftool prints such a dump without a word; we print it too, and say this.
 */
export function checkSplitAgainstBase(btf: Btf): Problem | undefined {
  const base = btf.base;
  if (!base) return undefined;
  const baseStrEnd = btf.startStrOff;
  let badNames = 0;
  let badRefs = 0;
  let names = 0;
  let first = -1;
  let at = 0;
  const bad = () => {
    if (first < 0) first = at;
  };
  const checkName = (off: number) => {
    if (off === 0 || off >= baseStrEnd) return;
    names++;
    // Below baseStrEnd the offset is inside the base's strings: it must follow a NUL. (str(off - 1) is
    // '' without decoding anything when it does; only bad names cost a decode.)
    if (base.str(off - 1) !== '') {
      badNames++;
      bad();
    }
  };
  const badRef = () => {
    badRefs++;
    bad();
  };
  const count = btf.typeCount;
  for (let id = btf.startId; id < count; id++) {
    const loc = btf.locate(id);
    if (!loc) continue;
    const v = loc.btf.view;
    at = loc.off;
    checkName(v.u32(loc.off));
    const kind = btf.kind(id);
    const vlen = btf.vlen(id);
    const third = v.u32(loc.off + 8);
    switch (kind) {
      case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
      case Kind.FUNC: case Kind.FUNC_PROTO: case Kind.VAR: case Kind.DECL_TAG:
        if (third >= count) badRef();
        break;
      default:
        break;
    }
    if (kind === Kind.STRUCT || kind === Kind.UNION) {
      for (let i = 0; i < vlen; i++) {
        checkName(v.u32(loc.off + 12 + i * 12));
        if (v.u32(loc.off + 16 + i * 12) >= count) badRef();
      }
    } else if (kind === Kind.ENUM) {
      for (let i = 0; i < vlen; i++) checkName(v.u32(loc.off + 12 + i * 8));
    } else if (kind === Kind.FUNC_PROTO) {
      for (let i = 0; i < vlen; i++) {
        checkName(v.u32(loc.off + 12 + i * 8));
        if (v.u32(loc.off + 16 + i * 8) >= count) badRef();
      }
    } else if (kind === Kind.ARRAY) {
      if (v.u32(loc.off + 12) >= count) badRef();
    }
  }
  if (badNames === 0 && badRefs === 0) return undefined;
  const parts: string[] = [];
  if (badNames) parts.push(`${badNames} of ${names} names taken from the base point into the middle of its strings`);
  if (badRefs) parts.push(`${badRefs} type references point past the last type`);
  return { file: btf.file ?? '', offset: btf.fileOffset + first, severity: 'error', message: `split BTF does not fit its base: ${parts.join(', ')}`, code: 'split-wrong-base' };
}
