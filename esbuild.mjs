// Bundles: dist/cli.js, dist/server.js (language server) with dist/inflate-worker.js (its decompression
// thread, started from beside it), dist/extension.js (VS Code client; `vscode` is
// provided by the host). One file each, Node 20 target. What ships in the .vsix is minified (a smaller
// bundle parses faster at activation); names are kept so stack traces still read.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', legalComments: 'none' };
const shipped = { minify: true, keepNames: true };

await Promise.all([
  build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js' }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', ...shipped }),
  build({ ...common, entryPoints: ['server/src/io/inflate-worker.ts'], outfile: 'dist/inflate-worker.js', ...shipped }),
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], ...shipped }),
  // The type-tree webview: a browser bundle; its CSS (with the codicon font) lands beside it as dist/webview.css.
  build({ bundle: true, platform: 'browser', target: 'chrome114', format: 'iife', sourcemap: true, logLevel: 'warning', legalComments: 'none',
    entryPoints: ['client/webview/main.ts'], outfile: 'dist/webview.js', loader: { '.ttf': 'file' }, assetNames: 'webview-assets/[name]', ...shipped }),
]);
