// The workspace the e2e suite, the UI pass and the demo open: a copy of test/workspace plus what the
// server tests make at run time (a raw .btf, a corrupt object), and the kernel BTF setting.
import fs from 'node:fs';
import path from 'node:path';
import { corpusDir } from '../../helpers/corpus-dir.mjs';

/**
 * Kernel BTF to use: the module's real base (Debian 6.1 vmlinux) from the corpus (test/helpers/corpus-dir.mjs),
 * else the machine's, else none.
 * @returns {{ kind: 'corpus-6.1' | 'sys' | 'none', path: string }}
 */
export function pickKernel(root) {
  const corpus61 = path.resolve(corpusDir(root), 'vmlinux-6.1.btf');
  if (fs.existsSync(corpus61)) return { kind: 'corpus-6.1', path: corpus61 };
  if (fs.existsSync('/sys/kernel/btf/vmlinux')) return { kind: 'sys', path: '/sys/kernel/btf/vmlinux' };
  return { kind: 'none', path: '' };
}

/**
 * Copies the fixture workspace to `ws` (which must not exist) and returns the kernel BTF it is set to.
 * `kernelSetting: false`: no .vscode/settings.json (the workspace names no `btfLens.*` key).
 */
export function prepareWorkspace(root, ws, { corrupt = true, kernel = pickKernel(root), kernelSetting = true } = {}) {
  fs.cpSync(path.join(root, 'test/workspace'), ws, { recursive: true });
  fs.mkdirSync(path.join(ws, 'btf'), { recursive: true });
  fs.copyFileSync(path.join(root, 'test/fixtures/obj/types.bpfel.btf'), path.join(ws, 'btf/types.bpfel.btf'));
  // the module's BTF alone (raw split BTF, no release in it): it goes on the kernel BTF set below
  fs.copyFileSync(path.join(root, 'test/fixtures/debian-6.1/regmap-sdw.btf'), path.join(ws, 'modules/regmap-sdw.btf'));
  // what the object needs from the kernel beyond CO-RE (attach targets, kfuncs: test/fixtures/editor-load); its kernels
  // (btf/old.btf, btf/new.btf) stay in the repository: the load suite names them in btfLens.coreTargets
  fs.copyFileSync(path.join(root, 'test/fixtures/editor-load/src/load.c'), path.join(ws, 'src/load.c'));
  fs.copyFileSync(path.join(root, 'test/fixtures/editor-load/obj/load.bpfel.o'), path.join(ws, 'build/load.bpfel.o'));
  // a truncated object: its section header table lies past the end of the file
  if (corrupt) fs.writeFileSync(path.join(ws, 'build/corrupt.bpfel.o'), fs.readFileSync(path.join(ws, 'build/core.bpfel.o')).subarray(0, 9000));
  // One time for every file, so no object looks older than its source by accident of copy order.
  const when = new Date('2024-01-01T00:00:00Z');
  for (const e of fs.readdirSync(ws, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) fs.utimesSync(path.join(e.parentPath ?? e.path, e.name), when, when);
  }
  if (!kernelSetting) return kernel;
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.vscode/settings.json'), JSON.stringify({ 'btfLens.kernelBtf': kernel.path || 'none' }, null, 2) + '\n');
  return kernel;
}
