/**
 * The other tabs: Overview (what the file is, problems first when it could not be read), Layout
 * (bars per cacheline plus pahole's text), Programs (functions and their disassembly), Maps and Ext
 * info (sortable tables). Each fills its element on show, from server data.
 */
import type { EditorExtRequest, EditorFunction, EditorLayoutRequest } from '../../server/src/protocol/requests';
import { type Ctx, errorText } from './context';
import { html, type Raw, raw } from './html';
import { layoutBars } from './layout-bars';
import { nextSort, type SortState, sortRows } from './table';

const fmt = (n: number) => n.toLocaleString('en-US');
const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * Split BTF without the right base: what does not fit (or that no base was found), where, on which base
 * and why that one, and the way out. Shown above the tabs: its types are not shown at all.
 */
export function baseBannerHtml(ctx: Ctx): Raw | '' {
  const o = ctx.ov;
  const b = o.baseProblem;
  if (!b) return '';
  const what = b.message.split(' — ')[0]!;
  const head = b.kind === 'mismatch'
    ? html`<strong>${o.label} does not fit its base ${b.base ?? ''}.</strong> ${what}; the first type that does not fit is at offset ${b.offset} (${hex(b.offset)}). The base was taken as ${b.why ?? 'its base'}.`
    : html`<strong>${o.label} is split BTF without a base.</strong> ${what}`;
  return html`<div class="banner error base-banner" role="alert"><span class="codicon codicon-error"></span> ${head}
    Its types are not shown: names and types read on a wrong base would be wrong.
    <button class="choose-base" data-action="choose-base" title="Pick the vmlinux BTF this file was built against (saved in btfLens.moduleBases)">Choose base BTF…</button></div>`;
}

export function overviewHtml(ctx: Ctx): Raw {
  const o = ctx.ov;
  const errors = o.problems.filter((p) => p.severity === 'error');
  return html`
    <div class="overview">
      ${!o.ok && !o.baseProblem ? html`<div class="banner error" role="alert"><span class="codicon codicon-error"></span> ${o.label} could not be decoded${errors.length ? '' : ' (no BTF)'}: what was read is below.</div>` : ''}
      ${o.problems.length ? html`<h2>Problems (${o.problems.length})</h2><ul class="problems">${o.problems.map((p) => html`<li class="${p.severity}"><span class="codicon codicon-${p.severity === 'error' ? 'error' : 'warning'}"></span> offset ${p.offset} (${hex(p.offset)}): ${p.message}</li>`)}</ul>` : ''}
      <h2>File</h2>
      <table class="kv">
        <tr><th>file</th><td>${o.label}</td></tr>
        <tr><th>kind</th><td>${o.kind}</td></tr>
        <tr><th>size</th><td>${fmt(o.size)} bytes</td></tr>
        ${o.byteOrder ? html`<tr><th>byte order</th><td>${o.byteOrder} endian</td></tr>` : ''}
        <tr><th>types</th><td>${fmt(o.ownTypes)} own${o.firstId > 1 ? html`, IDs ${fmt(o.firstId)}–${fmt(o.firstId + o.ownTypes - 1)} (continuing ${fmt(o.firstId - 1)} base types)` : ''}</td></tr>
        ${o.license !== undefined ? html`<tr><th>license</th><td>${o.license}</td></tr>` : ''}
        ${o.programs ? html`<tr><th>programs</th><td>${o.programs} section(s)</td></tr>` : ''}
        ${o.maps ? html`<tr><th>maps</th><td>${o.maps}</td></tr>` : ''}
        ${o.ext ? html`<tr><th>.BTF.ext</th><td>${fmt(o.ext.funcInfo)} func_info, ${fmt(o.ext.lineInfo)} line_info, ${fmt(o.ext.coreRelo)} core_relo</td></tr>` : ''}
      </table>
      ${o.chain.length > 1 ? html`<h2>Base chain</h2><ol class="chainlist">${o.chain.map((c, i) => html`<li>${i === 0 ? 'this file' : `base ${i}`}: ${c.label} — IDs ${fmt(c.firstId)}–${fmt(c.firstId + c.count - 1)}${c.distilled ? ' (distilled .BTF.base)' : ''}</li>`)}</ol>` : ''}
      ${o.header ? html`<h2>BTF header</h2><table class="kv">${o.header.map((h) => html`<tr><th>${h.name}</th><td>${fmt(h.value)}</td></tr>`)}</table>` : ''}
      ${o.kindCounts.length ? html`<h2>Kinds</h2><table class="grid"><tr><th>kind</th><th class="num">count</th></tr>${o.kindCounts.map((k) => html`<tr><td><span class="kind k-${k.kind}">${k.kind}</span></td><td class="num">${fmt(k.count)}</td></tr>`)}</table>` : ''}
      ${o.sections.length ? html`<h2>Sections</h2><table class="grid"><tr><th>name</th><th class="num">offset</th><th class="num">size</th></tr>${o.sections.map((s) => html`<tr><td>${s.name}</td><td class="num">${hex(s.offset)}</td><td class="num">${fmt(s.size)}</td></tr>`)}</table>` : ''}
    </div>`;
}

export async function renderLayout(ctx: Ctx, el: HTMLElement): Promise<void> {
  const id = ctx.state.layoutId ?? ctx.state.selected;
  if (id === undefined) {
    el.innerHTML = html`<p class="muted">Select a struct or union in Types, then Layout.</p>`.value;
    return;
  }
  let l: EditorLayoutRequest.Result;
  try {
    l = await ctx.rpc.request('btf/editor/layout', { doc: ctx.ov.doc, id });
  } catch (e) {
    el.innerHTML = html`<p class="error">${errorText(e)}</p>`.value;
    return;
  }
  if (!l.kind) {
    el.innerHTML = html`<p class="muted">[${id}] ${l.name || '(anon)'} is not a struct or union: select one in Types.</p>`.value;
    return;
  }
  const rows = layoutBars(l);
  const cl = l.cacheline;
  const width = l.kind === 'union' ? Math.max(1, l.size) : cl;
  el.innerHTML = html`
    <h2>${l.kind} ${l.name || '(anon)'} <a href="#" class="id" data-go="${l.id}">[${l.id}]</a></h2>
    <p class="muted">size ${l.size}, ${l.kind === 'struct' ? `${Math.ceil(l.size / cl)} cacheline(s) of ${cl}, ${l.holes} hole(s) (${l.sumHoles} bytes), padding ${l.padding}` : `${l.members.filter((m) => m.depth === 0).length} members`}</p>
    <div class="legend"><span class="bar member">member</span><span class="bar hole">hole</span><span class="bar padding">padding</span></div>
    <div class="bars" role="list" aria-label="layout">
      ${rows.map((r) => html`<div class="cl" role="listitem"><span class="cl-off">${l.kind === 'union' ? '' : `${r.offset}`}</span><div class="cl-bar">${r.bars.map((b) => {
        const m = b.member !== undefined ? l.members[b.member] : undefined;
        const tip = m ? `${m.name || '(anon)'}: ${m.typeLabel} — offset ${m.offset}${m.bitfieldSize ? `:${m.bitfieldOffset}, ${m.bitfieldSize} bits` : ''}, size ${m.size}` : b.label;
        return html`<div class="bar ${b.kind}"${m ? raw(' tabindex="0"') : ''} data-l="${(b.start - r.offset) / width}" data-w="${b.len / width}" title="${tip}"${m ? raw(` data-go="${m.typeId}"`) : ''}>${b.label}</div>`;
      })}</div></div>`)}
    </div>
    <h3>Members</h3>
    <table class="grid"><tr><th class="num">offset</th><th class="num">size</th><th>name</th><th>type</th><th class="num">hole</th></tr>
      ${l.members.map((m) => html`<tr class="${m.hole ? 'has-hole' : ''}"><td class="num">${m.offset}${m.bitfieldSize ? `:${m.bitfieldOffset}` : ''}</td><td class="num">${m.bitfieldSize ? `${m.bitfieldSize} bits` : m.size}</td><td class="ind${Math.min(m.depth, 8)}">${m.name || '(anon)'}</td><td><a href="#" data-go="${m.typeId}">${m.typeLabel}</a></td><td class="num">${m.hole ? m.hole : m.bitHole ? `${m.bitHole} bits` : ''}</td></tr>`)}
    </table>
    <h3>pahole</h3>
    <pre class="pahole">${l.text}</pre>`.value;
  // Positions go through CSSOM (the CSP allows no inline style attributes).
  for (const b of el.querySelectorAll<HTMLElement>('.bar[data-l]')) {
    b.style.left = `${Number(b.dataset.l) * 100}%`;
    b.style.width = `${Math.max(Number(b.dataset.w) * 100, 0.4)}%`;
  }
}

export class ProgramsPanel {
  private sort: SortState | undefined;
  private fns: EditorFunction[] = [];
  private current: { section: string; name: string } | undefined;

  constructor(private readonly ctx: Ctx, private readonly el: HTMLElement) {
    el.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      const key = t.closest<HTMLElement>('th[data-sort]')?.dataset.sort;
      if (key) {
        this.sort = nextSort(this.sort, key);
        this.draw();
        refocus(this.el, key);
        return;
      }
      const tr = t.closest<HTMLElement>('tr[data-fn]');
      if (tr && !t.closest('[data-go]')) void this.disasm(Number(tr.dataset.fn));
    });
    el.addEventListener('keydown', (e) => {
      const tr = (e.target as HTMLElement).closest<HTMLElement>('tr[data-fn]');
      if (tr && e.key === 'Enter') void this.disasm(Number(tr.dataset.fn));
    });
  }

  async show(): Promise<void> {
    try {
      const r = await this.ctx.rpc.request('btf/editor/programs', { doc: this.ctx.ov.doc });
      this.fns = r.functions;
      this.sections = r.sections;
    } catch (e) {
      this.el.innerHTML = html`<p class="error">${errorText(e)}</p>`.value;
      return;
    }
    this.draw();
  }

  private sections: { name: string; size: number; insns: number; relocations: number }[] = [];

  private draw(): void {
    const rows = sortRows(this.fns.map((f, i) => ({ ...f, i })), this.sort);
    this.el.innerHTML = html`
      ${this.sections.length
        ? html`<h3>Sections</h3><table class="grid"><tr><th>section</th><th class="num">bytes</th><th class="num">instructions</th><th class="num">relocations</th></tr>${this.sections.map((x) => html`<tr><td>${x.name}</td><td class="num">${x.size}</td><td class="num">${x.insns}</td><td class="num">${x.relocations}</td></tr>`)}</table><h3>Functions</h3>`
        : html`<p class="muted">No program sections.</p>`}
      <table class="grid sortable"><thead><tr>${[['section', 'section'], ['name', 'function'], ['insns', 'instructions'], ['lines', 'source lines'], ['coreRelos', 'CO-RE']].map(([k, l]) => sortTh(this.sort, k!, l!))}</tr></thead>
      <tbody>${rows.map((f) => html`<tr data-fn="${f.i}" tabindex="0"><td>${f.section}</td><td>${f.typeId ? html`<a href="#" data-go="${f.typeId}">${f.name}</a>` : f.name}</td><td class="num">${f.insns}</td><td class="num">${f.lines}</td><td class="num">${f.coreRelos}</td></tr>`)}</tbody></table>
      <div class="disasm"></div>`.value;
    if (this.current) {
      const i = this.fns.findIndex((f) => f.section === this.current!.section && f.name === this.current!.name);
      if (i >= 0) void this.disasm(i);
    }
  }

  private async disasm(i: number): Promise<void> {
    const f = this.fns[i];
    const box = this.el.querySelector('.disasm');
    if (!f || !box) return;
    this.current = { section: f.section, name: f.name };
    try {
      const r = await this.ctx.rpc.request('btf/editor/disasm', { doc: this.ctx.ov.doc, section: f.section, name: f.name });
      box.innerHTML = html`<h3>${f.name} · ${f.section}</h3><pre class="asm">${r.lines.map((l) => html`<span class="asm-${l.kind}"${l.typeId ? raw(` data-go="${l.typeId}"`) : ''}>${l.text}</span>\n`)}</pre>`.value;
    } catch (e) {
      box.textContent = errorText(e);
    }
  }
}

/** Keeps the keyboard on the header just sorted by (the table was redrawn under it). */
function refocus(el: HTMLElement, key: string): void {
  el.querySelector<HTMLElement>(`th[data-sort="${CSS.escape(key)}"]`)?.focus();
}

function sortTh(s: SortState | undefined, key: string, label: string): Raw {
  const dir = s?.key === key ? (s.dir === 'asc' ? 'ascending' : 'descending') : 'none';
  return html`<th data-sort="${key}" aria-sort="${dir}" tabindex="0" role="columnheader">${label}${dir === 'none' ? '' : html` <span class="codicon codicon-arrow-${dir === 'ascending' ? 'up' : 'down'}"></span>`}</th>`;
}

/** A sortable table of plain rows: columns are [key, label, numeric, link-to-type key]. */
class SortableTable<T extends object> {
  sort: SortState | undefined;
  constructor(private readonly cols: [keyof T & string, string, boolean, (keyof T & string)?][]) {}
  html(rows: T[], limit = 5000): Raw {
    const sorted = sortRows(rows, this.sort);
    const shown = sorted.slice(0, limit);
    return html`<table class="grid sortable"><thead><tr>${this.cols.map(([k, l]) => sortTh(this.sort, k, l))}</tr></thead><tbody>${shown.map((r) => html`<tr>${this.cols.map(([k, , num, link]) => {
      const v = r[k] as unknown;
      const text = v === undefined || v === null ? '' : String(v);
      const go = link ? (r[link] as unknown as number | undefined) : undefined;
      return html`<td class="${num ? 'num' : ''}">${go ? html`<a href="#" data-go="${go}">${text}</a>` : text}</td>`;
    })}</tr>`)}</tbody></table>${sorted.length > limit ? html`<p class="muted">${sorted.length - limit} more rows not shown; sort to see others.</p>` : ''}`;
  }
}

export class MapsPanel {
  private table = new SortableTable<Record<string, unknown>>([
    ['name', 'name', false], ['type', 'type', false], ['keyLabel', 'key', false, 'keyType'], ['valueLabel', 'value', false, 'valueType'],
    ['keySize', 'key size', true], ['valueSize', 'value size', true], ['maxEntries', 'max_entries', true], ['flags', 'flags', true], ['pinning', 'pinning', true],
  ]);
  private rows: Record<string, unknown>[] = [];
  constructor(private readonly ctx: Ctx, private readonly el: HTMLElement) {
    el.addEventListener('click', (e) => {
      const key = (e.target as HTMLElement).closest<HTMLElement>('th[data-sort]')?.dataset.sort;
      if (!key) return;
      this.table.sort = nextSort(this.table.sort, key);
      this.draw();
      refocus(this.el, key);
    });
  }
  async show(): Promise<void> {
    try {
      this.rows = (await this.ctx.rpc.request('btf/editor/maps', { doc: this.ctx.ov.doc })).maps.map((m) => ({ ...m }));
    } catch (e) {
      this.el.innerHTML = html`<p class="error">${errorText(e)}</p>`.value;
      return;
    }
    this.draw();
  }
  private draw(): void {
    this.el.innerHTML = this.rows.length ? this.table.html(this.rows).value : html`<p class="muted">No BTF-defined maps (.maps section).</p>`.value;
  }
}

export class ExtPanel {
  private data: EditorExtRequest.Result | undefined;
  private tables = {
    funcInfo: new SortableTable<EditorExtRequest.Result['funcInfo'][number]>([['section', 'section', false], ['insnOff', 'insn_off', true], ['name', 'function', false, 'typeId'], ['typeId', 'type_id', true]]),
    lineInfo: new SortableTable<EditorExtRequest.Result['lineInfo'][number]>([['section', 'section', false], ['insnOff', 'insn_off', true], ['file', 'file', false], ['line', 'line', true], ['col', 'col', true], ['text', 'source', false]]),
    coreRelo: new SortableTable<EditorExtRequest.Result['coreRelo'][number]>([['section', 'section', false], ['insnOff', 'insn_off', true], ['kind', 'kind', false], ['typeLabel', 'type', false, 'typeId'], ['access', 'access', false], ['spec', 'spec', false]]),
  };
  constructor(private readonly ctx: Ctx, private readonly el: HTMLElement) {
    el.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      const sub = t.closest<HTMLElement>('[data-ext]')?.dataset.ext;
      if (sub === 'funcInfo' || sub === 'lineInfo' || sub === 'coreRelo') {
        this.ctx.state.extTab = sub;
        this.ctx.save();
        this.draw();
        return;
      }
      const key = t.closest<HTMLElement>('th[data-sort]')?.dataset.sort;
      if (!key) return;
      const tab = this.tables[this.ctx.state.extTab];
      tab.sort = nextSort(tab.sort, key);
      this.draw();
      refocus(this.el, key);
    });
  }
  async show(): Promise<void> {
    try {
      this.data = await this.ctx.rpc.request('btf/editor/ext', { doc: this.ctx.ov.doc });
    } catch (e) {
      this.el.innerHTML = html`<p class="error">${errorText(e)}</p>`.value;
      return;
    }
    this.draw();
  }
  private draw(): void {
    const d = this.data;
    if (!d) return;
    const cur = this.ctx.state.extTab;
    const subs: [typeof cur, string, number][] = [['funcInfo', 'func_info', d.funcInfo.length], ['lineInfo', 'line_info', d.lineInfo.length], ['coreRelo', 'core_relo', d.coreRelo.length]];
    const body = cur === 'funcInfo' ? this.tables.funcInfo.html(d.funcInfo) : cur === 'lineInfo' ? this.tables.lineInfo.html(d.lineInfo) : this.tables.coreRelo.html(d.coreRelo);
    this.el.innerHTML = html`<div class="subtabs" role="tablist">${subs.map(([k, l, n]) => html`<button role="tab" aria-selected="${String(k === cur)}" data-ext="${k}">${l} (${n})</button>`)}</div>${body}`.value;
  }
}
