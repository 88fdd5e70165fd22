/**
 * Small BTF blobs for cases no compiler emits (future kinds, layout sections, hostile counts, big-endian
 * raw BTF), written by the core's writer (server/src/core/write/builder.ts). `buildBtf` takes types as raw
 * words so a fixture can say things no well-formed type says (a vlen that lies, a kind from the future);
 * fixtures of well-formed types use BtfBuilder's typed methods directly. Tests of real inputs use real files.
 */
import { BtfBuilder } from '../../server/src/core/write/builder';

export interface RawType {
  name?: string;
  kind: number;
  kflag?: boolean;
  vlen?: number;
  /** size or type */
  third: number;
  /** u32 words after btf_type */
  extra?: number[];
}

export interface BuildOptions {
  bigEndian?: boolean;
  /** Emit a 32-byte header with this layout section (entries of [info_sz, elem_sz]). */
  layout?: [number, number][];
  /** Split BTF: string offsets start here and no leading NUL is required. */
  strBase?: number;
  noLeadingNul?: boolean;
}

export function buildBtf(types: RawType[], opts: BuildOptions = {}): { bytes: Uint8Array; strOff: (s: string) => number } {
  const split = opts.noLeadingNul === true || opts.strBase !== undefined;
  const b = new BtfBuilder({
    littleEndian: !opts.bigEndian,
    layout: opts.layout,
    splitAt: split ? { typeId: 1, strOff: opts.strBase ?? 0 } : undefined,
  });
  const offs = new Map<string, number>(split ? [] : [['', 0]]);
  for (const t of types) {
    const nameOff = t.name ? b.addString(t.name) : 0;
    if (t.name) offs.set(t.name, nameOff);
    const info = ((t.kflag ? 1 : 0) << 31) | ((t.kind & 0x7f) << 24) | ((t.vlen ?? 0) & 0xffffff);
    b.addRaw([nameOff, info, t.third, ...(t.extra ?? [])]);
  }
  return { bytes: b.bytes(), strOff: (s) => offs.get(s) ?? -1 };
}
