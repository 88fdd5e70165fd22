#!/usr/bin/env node
// btf-lens-ls: the BTF Lens language server for editors other than VS Code (Neovim, Emacs, Helix, Zed…),
// speaking LSP over stdin/stdout. It is the server the VS Code extension runs, dist/server.js (`npm run build`);
// README "Other editors" says how each editor starts it.
'use strict';
const transports = ['--stdio', '--node-ipc', '--socket', '--pipe'];
if (!process.argv.slice(2).some((a) => transports.some((t) => a === t || a.startsWith(`${t}=`)))) process.argv.push('--stdio');
require('../../dist/server.js');
