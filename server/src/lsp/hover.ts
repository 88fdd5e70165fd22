/**
 * Hover on a line of BPF C: per object built from the file, the function and ELF section, the
 * instructions the line compiled to (llvm-objdump's text), and each CO-RE relocation in libbpf's words
 * with its local type; on a member where a relocation's access is written (member-place.ts), that member's C
 * type and place.
 */
import { resolveSize } from '../core/btf/resolve';
import { cDeclaration } from '../core/format/c';
import { coreHoverBlock } from './core-targets';
import { type LineGroup, type MemberAccess, lineGroups } from './lines';
import { loadHoverBlocks } from './load-targets';
import { memberOnTargets } from './member-kernels';
import { accessesAt } from './member-place';
import { clientFlavor, commandLink, fence } from './markup';
import { insnLines } from './model';
import { cName, pointerSizeOf, typeUri } from './typedoc';
import type { WorkspaceIndex } from './workspace';

/**
 * The language of a fence of instructions, for `\`\`\`${FENCE_ASM}`: `bpf-asm` in VS Code, `asm` elsewhere
 * (markup.ts), read when the text is written since the client is known only after `initialize`.
 */
export const FENCE_ASM: { toString(): string } = {
  toString: () => fence('asm').slice(3),
};

/**
 * A command link that selects a type in the type-tree editor of its file (the VS Code client registers
 * `btfLens.revealType`); '' for other clients, which have no type tree.
 */
export function treeLink(fileUri: string, id: number): string {
  return clientFlavor() === 'vscode' ? commandLink('tree', 'btfLens.revealType', [fileUri, id], 'Show in the BTF type tree') : '';
}

/** A command link that opens a `btf-lens:` document (the VS Code client registers `btfLens.open`); the label alone elsewhere. */
export function openLink(label: string, uri: string, line?: number): string {
  return commandLink(label, 'btfLens.open', line === undefined ? [uri] : [uri, line]);
}

export function hoverMarkdown(index: WorkspaceIndex, sourcePath: string, line: number, character: number, text: (n: number) => string): string | undefined {
  const groups = lineGroups(index, sourcePath, line, text);
  // A SEC("…") line or an extern declaration compiles to nothing: its blocks say what each kernel has.
  const parts: string[] = loadHoverBlocks(index, sourcePath, line, text);
  if (!groups.length) return parts.length ? parts.join('\n\n---\n\n') : undefined;
  const seen = new Set<string>();
  for (const { group, relo, access } of accessesAt(groups, line, character, text)) {
    const block = memberBlock(index, group, relo.spec!.rootTypeId, access);
    // bpfel and bpfeb twins say the same: show it once (links differ only by object).
    const key = block.replace(/\(command:[^)]*\)/g, '');
    if (!seen.has(key)) {
      seen.add(key);
      parts.push(block);
    }
  }
  const max = index.settings.hoverMaxInstructions;
  const multi = new Set(groups.map((g) => g.file)).size > 1;
  for (const g of groups) {
    const core = coreHoverBlock(index, g);
    parts.push(groupBlock(g, max, multi) + (core ? `\n\n${core}` : ''));
  }
  return parts.join('\n\n---\n\n');
}

function memberBlock(index: WorkspaceIndex, g: LineGroup, rootId: number, acc: MemberAccess): string {
  const btf = g.file.btf!;
  const ps = pointerSizeOf(g.file);
  const decl = `${cDeclaration(btf, acc.typeId, acc.name, { pointerSize: ps })}${acc.bitfieldSize ? `: ${acc.bitfieldSize}` : ''};`;
  const parent = cName(g.file, btf, acc.parentId);
  const size = resolveSize(btf, acc.typeId);
  const where = [`offset ${Math.floor(acc.bitOffset / 8)}`];
  if (acc.bitfieldSize) where.push(`bits ${acc.bitfieldSize}`);
  else if (size >= 0) where.push(`size ${size}`);
  where.push(`bit offset ${acc.bitOffset}`);
  let tail = where.join(' · ');
  if (acc.parentId !== rootId) tail += ` (from \`${cName(g.file, btf, rootId)}\`)`;
  const kernels = memberOnTargets(index, g, rootId, acc);
  if (kernels) tail += `\n\nThis member on target kernels:\n\n\`\`\`\n${kernels}\n\`\`\``;
  return `**${acc.name}** — member of ${openLink(`\`${parent}\``, typeUri(g.file, acc.parentId))}\n\n${fence('c')}\n${decl}\n\`\`\`\n\n${tail}`;
}

function groupBlock(g: LineGroup, max: number, labelled: boolean): string {
  const out: string[] = [];
  out.push(`**${g.func.name}** · \`${g.prog.section.name}\`${labelled ? ` · ${g.file.label}` : ''}`);
  const lines = insnLines(g.file, g.prog);
  // The line's instructions, and those of relocations attributed to it that the line table put elsewhere.
  const starts = [...new Set([...g.slots, ...g.relos.map((r) => r.slot)])].sort((a, b) => a - b).filter((s) => lines.has(s));
  const shown = starts.slice(0, max);
  const text: string[] = [];
  for (const s of shown) for (const line of lines.get(s)!) text.push(line.text);
  if (starts.length > shown.length) text.push(`… ${starts.length - shown.length} more`);
  if (text.length) out.push(`${fence('asm')}\n${text.join('\n')}\n\`\`\``);
  if (g.relos.length) {
    out.push(`CO-RE relocation${g.relos.length > 1 ? 's' : ''}:\n\n\`\`\`\n${g.relos.map((r) => r.text + (r.error ? `  /* ${r.error} */` : '')).join('\n')}\n\`\`\``);
    const btf = g.file.btf!;
    const roots = [...new Set(g.relos.map((r) => r.rec.typeId))];
    const links = roots.map((id) => {
      const tree = treeLink(g.file.uri, id);
      return `${openLink(`\`${cName(g.file, btf, id)}\``, typeUri(g.file, id))} [${id}]${tree ? ` (${tree})` : ''}`;
    });
    out.push(`Local type${roots.length > 1 ? 's' : ''}: ${links.join(', ')}`);
  }
  return out.join('\n\n');
}
