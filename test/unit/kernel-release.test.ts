// Which kernel a module or vmlinux belongs to, as its files say (vermagic, banner, distro paths), and
// where the CLI finds a module's vmlinux by it: on the shipped Debian 6.1 files and a made-up second kernel.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Elf } from '../../server/src/core/elf/elf';
import { bannerRelease, kernelRelease, vermagicRelease } from '../../server/src/core/elf/kernel-release';
import { bufferSource } from '../../server/src/core/util/source';
import { findVmlinux, treeRootOf, vmlinuxPlaces } from '../../server/src/kernels/known-places';
import { moduleBaseFor } from '../../server/src/kernels/module-bases';
import { releaseFromPath, releaseOfFile } from '../../server/src/kernels/release';
import { readSettings } from '../../server/src/lsp/settings';
import { cStrings } from '../helpers/elf-builder';
import { OTHER_RELEASE, otherKernel } from '../helpers/other-kernel';
import { cliPath, fixtureObj, golden, repoRoot } from '../helpers/paths';

const ko = join(repoRoot, 'test/workspace/modules/regmap-sdw.ko');
const vmlinux61 = join(repoRoot, 'test/workspace/kernels/vmlinux-6.1.0-56-amd64.xz');
const REL61 = '6.1.0-56-amd64';
const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

describe('kernel release of a file', () => {
  it('a .ko: the first word of its vermagic, as kmod\'s modinfo prints it', () => {
    const elf = new Elf(bufferSource(new Uint8Array(readFileSync(ko))), ko);
    const modinfo = readFileSync(join(golden, 'lsp/regmap-sdw.vermagic.txt'), 'utf8');
    assert.deepEqual(kernelRelease(elf), { release: modinfo.split(' ')[0], from: 'vermagic' });
    assert.equal(REL61, modinfo.split(' ')[0]);
  });
  it('a vmlinux (xz-compressed ELF): its Linux version banner', async () => {
    assert.deepEqual(await releaseOfFile(vmlinux61), { release: REL61, from: 'banner' });
  });
  it('malformed or foreign strings tell nothing', () => {
    assert.equal(vermagicRelease(cStrings('license=GPL', 'vermagic=')), undefined);
    assert.equal(vermagicRelease(cStrings('xvermagic=1.2.3 SMP')), undefined);
    assert.equal(vermagicRelease(new Uint8Array([0x76, 0x65, 0x72])), undefined);
    // A format string and text inside another string are not the banner.
    assert.equal(bannerRelease(cStrings('Linux version %s (%s)')), undefined);
    assert.equal(bannerRelease(cStrings('see Linux version 5.1 (x)')), undefined);
    assert.equal(bannerRelease(cStrings('x', 'Linux version 6.6.1-arch1 (a@b) #1')), '6.6.1-arch1');
    assert.equal(bannerRelease(cStrings('Linux version 6.6.1')), undefined, 'no space after the release: cut short');
  });
  it('the places distributions keep kernels name the release', () => {
    assert.equal(releaseFromPath('/lib/modules/6.1.0-56-amd64/kernel/fs/xfs/xfs.ko'), REL61);
    assert.equal(releaseFromPath('/x/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64'), REL61);
    assert.equal(releaseFromPath('/boot/vmlinux-6.1.0-56-amd64.debug'), REL61);
    assert.equal(releaseFromPath('/work/kernels/vmlinux-6.1.btf'), undefined, 'a name alone is not a place');
    assert.equal(treeRootOf('/tmp/x/lib/modules/R/kernel/m.ko'), '/tmp/x');
    assert.equal(treeRootOf('/usr/lib/modules/R/kernel/m.ko'), '/');
    assert.deepEqual(vmlinuxPlaces('R').slice(0, 3), ['/boot/vmlinux-R', '/lib/modules/R/vmlinux-R', '/lib/modules/R/build/vmlinux']);
  });
});

describe('btfLens.moduleBases', () => {
  it('parsed from what the client sends; default {}', () => {
    assert.deepEqual(readSettings({}).moduleBases, {});
    assert.deepEqual(readSettings({ moduleBases: { 'a/**': 'k.btf', bad: 3, '': 'x' } }).moduleBases, { 'a/**': 'k.btf' });
    assert.deepEqual(readSettings({ moduleBases: ['a'] }).moduleBases, {});
  });
  it('the first glob that matches, relative to the folder holding the module; bases relative to it', () => {
    const map = { 'modules/6.1/**': 'kernels/vmlinux-6.1.btf', 'modules/**': '/abs/vmlinux', '/elsewhere/*.btf': '/k/vmlinux' };
    assert.deepEqual(moduleBaseFor('/ws/modules/6.1/a/m.btf', ['/ws'], map), { glob: 'modules/6.1/**', base: '/ws/kernels/vmlinux-6.1.btf' });
    assert.deepEqual(moduleBaseFor('/ws/modules/m.btf', ['/other', '/ws'], map), { glob: 'modules/**', base: '/abs/vmlinux' });
    assert.deepEqual(moduleBaseFor('/elsewhere/m.btf', ['/ws'], map), { glob: '/elsewhere/*.btf', base: '/k/vmlinux' });
    assert.equal(moduleBaseFor('/ws/src/m.btf', ['/ws'], map), undefined);
  });
});

describe('btf-lens finds a module\'s vmlinux by its release', () => {
  const root = mkdtempSync(join(tmpdir(), 'btf-lens-sysroot-'));
  // An unpacked package tree: lib/modules/R/kernel/…/m.ko, and the -dbg package's usr/lib/debug/boot/vmlinux-R.
  const modDir = join(root, `lib/modules/${REL61}/kernel/drivers/base/regmap`);
  mkdirSync(modDir, { recursive: true });
  mkdirSync(join(root, 'usr/lib/debug/boot'), { recursive: true });
  const treeKo = join(modDir, 'regmap-sdw.ko');
  copyFileSync(ko, treeKo);

  it('no vmlinux of its release anywhere: the error names the release and every place looked at', () => {
    const r = run('dump', treeKo);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^btf-lens: ${treeKo}: offset 0 \\(0x0\\): split BTF built for ${REL61} \\(\\.modinfo vermagic\\): no vmlinux of that release at ${root}/boot/vmlinux-${REL61}, .*, /usr/lib/debug/lib/modules/${REL61}/vmlinux; give its base with --base FILE\n`));
  });
  it('the vmlinux at a known place of its tree: bpftool\'s dump with that base; --base still wins', async () => {
    copyFileSync(vmlinux61, join(root, `usr/lib/debug/boot/vmlinux-${REL61}`));
    assert.equal((await findVmlinux(REL61, { near: treeKo })).found?.path, join(root, `usr/lib/debug/boot/vmlinux-${REL61}`));
    const r = run('dump', treeKo);
    assert.equal(r.status, 0, r.stderr);
    // bpftool btf dump file regmap-sdw.btf -B vmlinux-6.1.btf (test/golden/lsp/make.sh)
    assert.equal(r.stdout, readFileSync(join(golden, 'lsp/regmap-sdw.raw.txt'), 'utf8'));
    const wrong = run('dump', treeKo, '--base', join(fixtureObj, 'types.bpfel.btf'));
    assert.equal(wrong.status, 1);
    assert.equal(wrong.stdout, readFileSync(join(golden, 'lsp/regmap-sdw.wrong-base.raw.txt'), 'utf8'));
    assert.match(wrong.stderr, /split BTF does not fit its base/);
  });
  it('a vmlinux of another release at the place is not taken; a wrong base says both releases', () => {
    const other = otherKernel();
    const otherRoot = mkdtempSync(join(tmpdir(), 'btf-lens-sysroot-'));
    const dir = join(otherRoot, `lib/modules/${OTHER_RELEASE}/extra`);
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(otherRoot, 'boot'));
    writeFileSync(join(dir, 'other_mod.ko'), other.moduleKo);
    // The 6.1 vmlinux where the other kernel's belongs: its banner says otherwise.
    copyFileSync(vmlinux61, join(otherRoot, `boot/vmlinux-${OTHER_RELEASE}`));
    const r = run('dump', join(dir, 'other_mod.ko'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /split BTF built for 9\.9\.9-other \(\.modinfo vermagic\): no vmlinux of that release/);
    writeFileSync(join(otherRoot, `boot/vmlinux-${OTHER_RELEASE}`), other.vmlinuxElf);
    const ok = run('dump', join(dir, 'other_mod.ko'), '--format', 'c');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /struct other_mod \{\n\tstruct other_dev \*other_dev;\n\};/);
    const wrong = run('dump', join(dir, 'other_mod.ko'), '--base', vmlinux61);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /is .*vmlinux-6\.1\.0-56-amd64\.xz the base it was built against\? \(it was built for 9\.9\.9-other \(\.modinfo vermagic\); the base is 6\.1\.0-56-amd64 \(its Linux version banner\)\)/);
  });
});
