/**
 * What the Types toolbar asks for, as the server's EditorFilter: name text (substring, or a regular
 * expression checked here first so a typo is told at once), kinds, scope, named only. Also the jump box
 * (`123`, `#123`, `[123]`).
 */
import { BTF_KIND_NAMES, type BtfKindName, type EditorFilter } from '../../server/src/protocol/requests';

/** The kinds a type can have (kind 0 is invalid). */
export const ALL_KINDS: readonly BtfKindName[] = BTF_KIND_NAMES.filter((k) => k !== 'UNKNOWN');

export interface FilterInput {
  text: string;
  regex: boolean;
  /** '' for every kind; 'STRUCT+UNION' style groups allowed. */
  kind: string;
  scope: 'own' | 'all';
  namedOnly: boolean;
}

export const DEFAULT_FILTER: FilterInput = { text: '', regex: false, kind: '', scope: 'own', namedOnly: false };

export function toFilter(input: FilterInput): { filter: EditorFilter; error?: string } {
  const filter: EditorFilter = { scope: input.scope };
  const text = input.text.trim();
  let error: string | undefined;
  if (text) {
    filter.name = text;
    if (input.regex) {
      filter.regex = true;
      try {
        new RegExp(text, 'i');
      } catch (e) {
        error = (e as Error).message;
      }
    }
  }
  if (input.kind) {
    const kinds = input.kind.split('+').filter((k): k is BtfKindName => (ALL_KINDS as readonly string[]).includes(k));
    if (kinds.length) filter.kinds = kinds;
  }
  if (input.namedOnly) filter.namedOnly = true;
  return error ? { filter, error } : { filter };
}

/** A type ID typed into the jump box, or undefined. */
export function parseJump(text: string): number | undefined {
  const m = /^\s*(?:#|\[)?\s*(\d{1,10})\s*\]?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 && n < 2 ** 32 ? n : undefined;
}

export function sameFilter(a: EditorFilter, b: EditorFilter): boolean {
  return JSON.stringify([a.scope, a.name ?? '', !!a.regex, a.kinds ?? [], !!a.namedOnly]) === JSON.stringify([b.scope, b.name ?? '', !!b.regex, b.kinds ?? [], !!b.namedOnly]);
}
