/**
 * Hostile inputs made on the spot in a temporary directory (small on disk): decompression bombs of gzip
 * and zstd (xz ones are committed: test/fixtures/hostile/build.sh), FIFOs, device links, link loops,
 * sparse files. Shared by test/unit/io-hostile.test.ts and test/server/lsp-hostile.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixtureObj, repoRoot } from './paths';

export const hostileFixtures = join(repoRoot, 'test/fixtures/hostile');
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/**
 * An ELF header (the first 64 bytes of a real BPF object): a bomb that starts like this passes the early
 * check. Its section table, a few KB in, is zeros in a bomb: the ELF ends there. With `tableAt`, the header
 * puts the section table there instead (past the input limit: nothing tells where the ELF ends).
 */
export function elfHead(opts: { tableAt?: number } = {}): Uint8Array {
  const head = new Uint8Array(readFileSync(join(fixtureObj, 'types.bpfel.o')).subarray(0, 64));
  if (opts.tableAt !== undefined) new DataView(head.buffer).setBigUint64(0x28, BigInt(opts.tableAt), true); // e_shoff
  return head;
}

/** Past any input limit (1 TiB): where elfHead({ tableAt }) says a bomb's section table is. */
export const FAR = 2 ** 40;

/** gzip members of 16 MiB of zeros each (≈16 KB apiece), `head` first: `total` bytes once inflated. */
export function gzipBomb(total: number, head?: Uint8Array): Buffer {
  const piece = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
  const parts: Buffer[] = [];
  if (head) parts.push(gzipSync(head));
  for (let n = 0; n < total; n += 16 * MiB) parts.push(piece);
  return Buffer.concat(parts);
}

/**
 * One zstd frame of RLE blocks of zeros (4 bytes per 128 KiB), `head` as a first raw block. With
 * `declare`, the header states the content size (8 bytes), as the zstd tool writes for a file.
 */
export function zstdBomb(total: number, opts: { head?: Uint8Array; declare?: boolean } = {}): Buffer {
  const out: number[] = [0x28, 0xb5, 0x2f, 0xfd];
  const head = opts.head ?? new Uint8Array(0);
  if (opts.declare) {
    out.push(0xc0); // 8-byte content size, not single-segment
    out.push(10 << 3); // window 2^20
    const size = BigInt(head.length + total);
    for (let i = 0n; i < 8n; i++) out.push(Number((size >> (8n * i)) & 0xffn));
  } else {
    out.push(0x00, 10 << 3);
  }
  const block = (last: boolean, type: number, size: number) => {
    const h = (size << 3) | (type << 1) | (last ? 1 : 0);
    out.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff);
  };
  if (head.length) {
    block(false, 0, head.length);
    out.push(...head);
  }
  const blocks = Math.ceil(total / (128 * 1024));
  for (let i = 0; i < blocks; i++) {
    block(i === blocks - 1, 1, 128 * 1024);
    out.push(0);
  }
  return Buffer.from(out);
}

/** `bytes` as one zstd frame of raw blocks (no compression: Node has no zstd encoder), its size declared. */
export function zstdFrameOf(bytes: Uint8Array): Buffer {
  const out: Buffer[] = [];
  const header = Buffer.alloc(14);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = 0xc0; // 8-byte content size, not single-segment
  header[5] = 10 << 3; // window 2^20
  header.writeBigUInt64LE(BigInt(bytes.length), 6);
  out.push(header);
  const BLOCK = 128 * 1024;
  for (let at = 0; at < bytes.length || at === 0; at += BLOCK) {
    const piece = bytes.subarray(at, at + BLOCK);
    const last = at + BLOCK >= bytes.length;
    const h = (piece.length << 3) | (last ? 1 : 0);
    out.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), Buffer.from(piece));
    if (last) break;
  }
  return Buffer.concat(out);
}

/** mkfifo(1); false where there is none (Node has no mkfifo). */
export function mkfifo(path: string): boolean {
  const r = spawnSync('mkfifo', [path]);
  return r.status === 0;
}

/** A file of `size` bytes holding `head` and a hole: undefined when the file system stores it in full (no sparse files). */
export function sparseFile(path: string, head: Uint8Array, size: number): string | undefined {
  writeFileSync(path, head);
  truncateSync(path, size);
  const st = statSync(path);
  return st.blocks * 512 < 64 * MiB ? path : undefined;
}

/**
 * An ELF whose .BTF section header says `size` bytes at the (page-aligned) end of the real file, the file
 * extended with a hole to hold them: a section of gigabytes that costs nothing on disk.
 */
export function hugeSectionElf(src: string, path: string, size: number): string | undefined {
  const bytes = new Uint8Array(readFileSync(src));
  const dv = new DataView(bytes.buffer);
  // ELF64 little endian: e_shoff at 0x28, e_shentsize 0x3a, e_shnum 0x3c, e_shstrndx 0x3e.
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const strHdr = shoff + dv.getUint16(0x3e, true) * shentsize;
  const strOff = Number(dv.getBigUint64(strHdr + 24, true));
  const nameAt = (i: number) => {
    let o = strOff + dv.getUint32(shoff + i * shentsize, true);
    let s = '';
    while (bytes[o]) s += String.fromCharCode(bytes[o++]!);
    return s;
  };
  let btf = -1;
  for (let i = 0; i < shnum; i++) if (nameAt(i) === '.BTF') btf = i;
  if (btf < 0) throw new Error(`${src}: no .BTF section`);
  const at = shoff + btf * shentsize;
  const newOff = Math.ceil(bytes.length / 4096) * 4096;
  dv.setBigUint64(at + 24, BigInt(newOff), true);
  dv.setBigUint64(at + 32, BigInt(size), true);
  return sparseFile(path, bytes, newOff + size) && path;
}
