/**
 * --extensionTestsPath entry: VS Code (desktop, or code-server's extension host) calls run(), which
 * runs the mocha suites bundled beside this file. Results also go to $BTF_LENS_E2E_RESULTS as JSON
 * so test/e2e/run.mjs can report them even when the host's exit code is all it gets.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './common';

/** What the suites read of the run's start (index.ts and each suite are separate bundles: shared through globalThis). */
export interface RunStart {
  /** The extension began activating before the suite asked (an activation event fired: workspaceContains). */
  activatedByEvent: boolean;
  /** Epoch ms of VS Code's own marks around our activation, and when api.ready resolved. */
  times: Promise<{ willLoad?: number; willActivate?: number; didActivate?: number; ready: number; readyAlreadyAt?: number }>;
}

interface PerfMark { name: string; startTime: number }
const marks = (): PerfMark[] => (globalThis as { MonacoPerformanceMarks?: { getMarks(): PerfMark[] } }).MonacoPerformanceMarks?.getMarks() ?? [];

function measureStart(): RunStart {
  const at = (what: string) => marks().find((m) => m.name === `code/extHost/${what}/${EXTENSION_ID}`)?.startTime;
  const attached = Date.now();
  const activatedByEvent = at('willActivateExtension') !== undefined;
  const ext = vscode.extensions.getExtension<{ ready: Promise<void> }>(EXTENSION_ID);
  // Only listen when activation is under way already: asking would activate it ourselves.
  const times = (activatedByEvent && ext ? Promise.resolve(ext.activate()).then((a) => a.ready) : new Promise<void>(() => {}))
    .then(() => {
      const ready = Date.now();
      return { willLoad: at('willLoadExtensionCode'), willActivate: at('willActivateExtension'), didActivate: at('didActivateExtension'), ready,
        ...(ready - attached < 2 ? { readyAlreadyAt: attached } : {}) };
    });
  return { activatedByEvent, times };
}

export function run(): Promise<void> {
  (globalThis as { btfLensE2E?: RunStart }).btfLensE2E = measureStart();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120000, reporter: 'spec', ...(process.env.BTF_LENS_E2E_GREP ? { grep: process.env.BTF_LENS_E2E_GREP } : {}) });
  // test/e2e/run.mjs runs each scenario in its own VS Code: "defaults" (no btfLens.* setting, the .vsix) has its own
  // file; the main scenario runs extension.test.js first (it checks activation before anything else asks), then the rest.
  const first = ['extension.test.js', 'type-tree.test.js'];
  const files = process.env.BTF_LENS_E2E_SCENARIO === 'defaults' ? ['defaults.test.js']
    : [...first, ...readdirSync(__dirname).filter((x) => x.endsWith('.test.js') && !first.includes(x) && x !== 'defaults.test.js').sort()];
  for (const f of files) mocha.addFile(join(__dirname, f));
  const results: { passed: string[]; failed: { title: string; error: string }[]; pending: string[]; metrics: Record<string, unknown> } = { passed: [], failed: [], pending: [], metrics: {} };
  (globalThis as { btfLensE2EMetrics?: Record<string, unknown> }).btfLensE2EMetrics = results.metrics;
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (process.env.BTF_LENS_E2E_RESULTS) writeFileSync(process.env.BTF_LENS_E2E_RESULTS, JSON.stringify(results, null, 2));
      if (failures) reject(new Error(`${failures} e2e test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.passed.push(t.fullTitle()));
    runner.on('pending', (t) => results.pending.push(t.fullTitle()));
    runner.on('fail', (t, err: unknown) => results.failed.push({ title: t.fullTitle(), error: String((err as Error)?.stack ?? err) }));
  });
}
