/**
 * The webview's HTML shell, shared by the host (type-tree.ts) and the browser test, so both load the
 * page the same way: a strict CSP (nothing inline, one script by nonce, styles and fonts from the
 * extension only) and an empty body the script fills.
 */
import { escapeHtml } from './html';

export interface PageOptions {
  nonce: string;
  /** The webview's `cspSource` (its resource origin). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function pageHtml(o: PageOptions): string {
  const csp = [
    "default-src 'none'", `style-src ${o.cspSource}`, `font-src ${o.cspSource}`, `img-src ${o.cspSource} data:`, `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<div id="app" class="app"><p class="loading">Loading…</p></div>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 random characters for the CSP nonce. */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}
