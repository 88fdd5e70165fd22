/**
 * The BTF Lens language server (bundled to dist/server.js). Wiring only: the connection comes from the
 * command line (`--node-ipc` from the VS Code client, `--stdio` for other editors), the rest is lsp/.
 */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './lsp/main';

startServer(createConnection(ProposedFeatures.all));
