// The language server at scale, over stdio as an editor runs it: `node dist/server.js --stdio` indexing
// a kernel BTF + every module BTF + the fixture workspace (test/workspace). Reports index time, server
// memory (RSS from /proc, peak and settled), hover and workspace-symbol latency p50/p95.
// Run alone: `node bench/lsp.mjs` (after npm run build); bench/run.mjs runs it last.
// Inputs: BTF_LENS_MODULES / BTF_LENS_MODULES_BASE, else /work/debmods, else ../shared/corpus (20 modules).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { StreamMessageReader, StreamMessageWriter, createProtocolConnection } from 'vscode-languageserver/node.js';

const root = resolve(import.meta.dirname, '..');
const corpus = process.env.BTF_LENS_CORPUS ?? resolve(root, '../shared/corpus');
const serverJs = join(root, 'dist/server.js');

/** Percentile (nearest rank) of a list of numbers. */
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const ms = (x) => `${x.toFixed(2)} ms`;
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

/** CPU time (user + system) a process has used so far, in ms (Linux only; clock ticks of 10 ms). */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

/** VmRSS and VmHWM (peak) of a process, in kB (Linux only). */
function rssOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: get('VmRSS'), peak: get('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

export async function benchLsp({ log = console.log } = {}) {
  const modDir = [process.env.BTF_LENS_MODULES, '/work/debmods/modules', join(corpus, 'modules')].find((d) => d && existsSync(d));
  const base = [process.env.BTF_LENS_MODULES_BASE, '/work/debmods/vmlinux.btf', join(corpus, 'vmlinux-6.1.btf')].find((f) => f && existsSync(f));
  if (!modDir || !base) {
    log('bench lsp: skipped — no module BTFs with their base (/work/debmods or ../shared/corpus)');
    return undefined;
  }
  if (!existsSync(serverJs)) {
    log('bench lsp: skipped — dist/server.js not built (npm run build)');
    return undefined;
  }
  const modules = readdirSync(modDir).filter((f) => f.endsWith('.btf')).length;
  // The fixture workspace is copied so its module (regmap-sdw, Debian 6.1) sits on the same base.
  const ws = mkdtempSync(join(tmpdir(), 'btf-lens-bench-ws-'));
  cpSync(join(root, 'test/workspace'), ws, { recursive: true });
  // Its .ko names Debian's 6.1 release; without the workspace's own vmlinux of it (kernels/, xz) it goes
  // on the kernel BTF below, the same kernel, as before that file was shipped: figures stay comparable.
  rmSync(join(ws, 'kernels'), { recursive: true, force: true });

  // BTF_LENS_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p' profiles the server itself.
  const nodeArgs = (process.env.BTF_LENS_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.on('error', () => {}); // the server may be gone when the last message is flushed
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let readyResolve;
  let lastStatus;
  const ready = new Promise((r) => (readyResolve = r));
  conn.onNotification('btf/status', (p) => {
    lastStatus = p;
    if (p.state === 'ready' && p.files > modules) readyResolve(p);
  });
  conn.onNotification('window/logMessage', () => {});
  conn.onNotification('textDocument/publishDiagnostics', () => {});
  conn.onNotification('$/progress', () => {});
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.listen();
  let queries = [];
  const folders = [ws, modDir].map((p, i) => ({ uri: pathToFileURL(p).href, name: `f${i}` }));
  try {
    await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: folders[0].uri, workspaceFolders: folders,
      capabilities: { window: { workDoneProgress: true }, workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
      initializationOptions: { settings: { kernelBtf: base } },
    });
    const rssStart = rssOf(child.pid);
    const cpu0 = cpuOf(child.pid);
    const t0 = performance.now();
    conn.sendNotification('initialized', {});
    const st = await ready;
    const indexMs = performance.now() - t0;
    const indexCpu = cpuOf(child.pid) - cpu0;

    // Workspace symbols over every name: the first query also waits for the name table (built off the
    // request path right after indexing), so it is reported on its own.
    let t = performance.now();
    await conn.sendRequest('workspace/symbol', { query: 'task_struct' });
    const firstSymbolMs = performance.now() - t;
    const cpuToSymbols = cpuOf(child.pid) - cpu0;
    queries = [
      // prefixes
      'task', 'sk_buff', 'tcp_', 'bpf_prog', 'xdp', 'inode', 'net_dev', 'usb_', 'drm_', 'snd_soc', 'i2c', 'nf_conn', 'kvm', 'pci_dev', 'a', 's',
      // substrings and word starts
      'dev_ops', 'buff_head', 'mutex', '_ops', 'spinlock', 'work_struct', 'hash', 'queue', 'addr', 'irq', 'timer', 'state', 'ctx',
      // fuzzy (characters in order) and nothing
      'tskstr', 'skbf', 'ntdvc', 'bprg', 'inde', 'mdlprm', 'zzqx', 'qqqq', 'xyzzy',
    ];
    const symTimes = [];
    let hits = 0;
    const cpuSym0 = cpuOf(child.pid);
    for (let round = 0; round < 5; round++) {
      for (const query of queries) {
        t = performance.now();
        const r = await conn.sendRequest('workspace/symbol', { query });
        symTimes.push(performance.now() - t);
        hits += r.length;
      }
    }

    const symCpu = (cpuOf(child.pid) - cpuSym0) / symTimes.length;
    // Hovers on every line of the fixture sources (both objects of core.c answer each).
    const cpuHover0 = cpuOf(child.pid);
    const hoverTimes = [];
    let hovers = 0;
    for (const src of ['src/core.c', 'src/progs.c']) {
      const path = join(ws, src);
      const lines = readFileSync(path, 'utf8').split('\n');
      const uri = pathToFileURL(path).href;
      for (let round = 0; round < 3; round++) {
        for (let line = 0; line < lines.length; line++) {
          const character = Math.max(0, lines[line].search(/\w+\)/));
          t = performance.now();
          const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
          hoverTimes.push(performance.now() - t);
          if (h) hovers++;
        }
      }
    }
    const hoverCpu = (cpuOf(child.pid) - cpuHover0) / hoverTimes.length;
    const mem = rssOf(child.pid);
    const names = await conn.sendRequest('btf/files', {});
    const ownTypes = names.files.reduce((n, f) => n + (f.ownTypes ?? 0), 0);
    await conn.sendRequest('shutdown');
    const exited = new Promise((r) => child.once('exit', r));
    conn.sendNotification('exit');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);

    const rows = [
      ['index (initialized → ready), wall / server CPU', `${ms(indexMs)} / ${ms(indexCpu)}`, '≤ 2000 ms'],
      ['first workspace symbol after ready (waits for the name table)', ms(firstSymbolMs), ''],
      ['index + name table, server CPU', ms(cpuToSymbols), ''],
      [`workspace symbol p50 / p95 (${symTimes.length} queries, ${hits} results), wall`, `${ms(pct(symTimes, 50))} / ${ms(pct(symTimes, 95))}`, 'p95 ≤ 50 ms'],
      ['workspace symbol, server CPU per query (mean)', ms(symCpu), ''],
      [`hover p50 / p95 (${hoverTimes.length} hovers, ${hovers} with content), wall`, `${ms(pct(hoverTimes, 50))} / ${ms(pct(hoverTimes, 95))}`, 'p95 ≤ 10 ms'],
      ['hover, server CPU per request (mean)', ms(hoverCpu), ''],
      ['server RSS after the run / peak', `${mb(mem.rss)} / ${mb(mem.peak)}`, '≤ 300 MB'],
      ['server RSS before indexing', mb(rssStart.rss), ''],
    ];
    log(`\nload average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs (wall times on a busy machine are inflated; CPU times less so)`);
    log(`language server over stdio: ${st.files} files (${st.indexed} indexed, ${st.failed} failed; ${modules} modules from ${modDir}), kernel ${base}, ${ownTypes} types`);
    log('| measure | value | target |');
    log('|---|---|---|');
    for (const [a, b, c] of rows) log(`| ${a} | ${b} | ${c} |`);
    // The same work in-process, timed by CPU per request (what the wall figures above are made of).
    const outfile = join(root, 'dist/bench-lsp-inproc.js');
    await build({ entryPoints: [join(root, 'bench/lsp-inproc.ts')], bundle: true, platform: 'node', target: 'node20', outfile, logLevel: 'warning' });
    const inp = JSON.parse(execFileSync(process.execPath, [outfile, ws, modDir, base, JSON.stringify(queries)], { maxBuffer: 1 << 26 }).toString());
    log(`| in-process, CPU: index / name table (${inp.names} names) | ${ms(inp.indexCpuMs)} / ${ms(inp.buildMs)} | ≤ 2000 ms |`);
    log(`| in-process, CPU per workspace symbol p50 / p95 | ${ms(pct(inp.symbol, 50))} / ${ms(pct(inp.symbol, 95))} | p95 ≤ 50 ms |`);
    log(`| in-process, CPU per hover p50 / p95 | ${ms(pct(inp.hover, 50))} / ${ms(pct(inp.hover, 95))} | p95 ≤ 10 ms |`);
    // Hovers on big real objects: the kernel's BPF selftests (test/fixtures/selftests.sh), when built here.
    const stDir = join(process.env.BTF_LENS_SELFTESTS_DIR ?? '/work/selftests', 'bpfel');
    const stSrc = process.env.BTF_LENS_SELFTESTS_SRC ?? '/work/src/linux-source-6.1/tools/testing/selftests/bpf/progs';
    const stObjs = ['profiler1.o', 'profiler2.o', 'profiler3.o', 'core_kern.o', 'xdp_synproxy_kern.o', 'test_verif_scale2.o', 'pyperf600.o', 'strobemeta.o'];
    if (existsSync(stDir) && existsSync(stSrc)) {
      const objs = stObjs.filter((o) => existsSync(join(stDir, o)) && existsSync(join(stDir, `${o}.ext.txt`)));
      const st = JSON.parse(execFileSync(process.execPath, [outfile, 'selftests', stDir, stSrc, ...objs], { maxBuffer: 1 << 26 }).toString());
      log(`| in-process, CPU per hover on ${objs.length} big selftests objects (${st.rest.length} lines) p50 / p95 | ${ms(pct(st.rest, 50))} / ${ms(pct(st.rest, 95))} | p95 ≤ 10 ms |`);
      log(`| … the first hover of each (renders the listing, maps the source; warmed in the background when a source opens) max | ${ms(Math.max(...st.first))} | |`);
    } else log(`(no selftests objects at ${stDir}: big-object hovers not measured)`);
    return { indexMs, symTimes, hoverTimes, mem, hits, lastStatus, inproc: inp };
  } finally {
    conn.dispose();
    child.kill();
    rmSync(ws, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchLsp();
