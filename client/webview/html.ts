/**
 * Escaping for the webview: every string from a file (type names, section names, source lines) goes
 * into the page through `html` (which escapes each interpolated value) or through textContent, never
 * raw. `raw` marks markup we built ourselves, already escaped.
 */
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESC[c]!);
}

/** Markup that is already safe (built by `html`). */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function raw(s: string): Raw {
  return new Raw(s);
}

type Value = string | number | boolean | null | undefined | Raw | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Raw) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** Tagged template: literal parts are trusted markup, every `${value}` is escaped (arrays joined, Raw kept). */
export function html(parts: TemplateStringsArray, ...values: Value[]): Raw {
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + parts[i + 1]!;
  return new Raw(out);
}
