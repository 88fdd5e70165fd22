/**
 * How markdown and commands are written for the client at hand. VS Code (our extension) runs the
 * `btfLens.*` client commands behind `command:` links and highlights the `bpf-asm` grammar it ships; any
 * other editor (Neovim, Emacs, Helix, Zed…) shows a `command:` link as a long percent-encoded text and
 * fences only under names it knows (Neovim 0.7 takes `[%w_]*`: `bpf-asm` stays a raw fence). There, links
 * are left out (the label stays), fences are named after a language those clients highlight, and code
 * lenses run the server's `btf-lens.open` (protocol/requests.ts `OpenCommand`, answered in main.ts).
 *
 * One flavour per server process: it is the client's, said once at `initialize` (main.ts `clientFlavor`).
 */
import type { Command } from 'vscode-languageserver';
import { OpenCommand } from '../protocol/requests';

export type ClientFlavor = 'vscode' | 'plain';

/** What a fence holds: C, or BPF instructions as llvm-objdump prints them. */
export type FenceLanguage = 'c' | 'asm';

let flavor: ClientFlavor = 'vscode';

export function setClientFlavor(f: ClientFlavor): void {
  flavor = f;
}

export function clientFlavor(): ClientFlavor {
  return flavor;
}

/**
 * The flavour of a client by what it says at `initialize`: our VS Code client sends `client: 'vscode'` in
 * initializationOptions; without it, a clientInfo naming VS Code (another extension host) counts too.
 */
export function flavorOf(initializationOptions: unknown, clientInfo: { name: string } | undefined): ClientFlavor {
  const said = (initializationOptions as { client?: unknown } | undefined)?.client;
  if (said === 'vscode') return 'vscode';
  if (said !== undefined) return 'plain';
  return /visual studio code|vscode|code-server|vscodium/i.test(clientInfo?.name ?? '') ? 'vscode' : 'plain';
}

/** The opening of a fenced block: VS Code gets our grammar's name, others one they highlight. */
export function fence(lang: FenceLanguage): string {
  if (lang === 'asm') return flavor === 'vscode' ? '```bpf-asm' : '```asm';
  return '```c';
}

/** A link that runs a client command with JSON arguments; elsewhere the label alone. */
export function commandLink(label: string, command: string, args: unknown[], title?: string): string {
  if (flavor !== 'vscode') return label;
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify(args))}${title ? ` "${title}"` : ''})`;
}

/** The command that opens a `btf-lens:` document at a line (code lenses): the client's in VS Code, the server's elsewhere. */
export function openCommand(title: string, uri: string, line?: number): Command {
  const args: OpenCommand.Arguments = line === undefined ? [uri] : [uri, line];
  return { title, command: flavor === 'vscode' ? 'btfLens.open' : OpenCommand.command, arguments: args };
}
