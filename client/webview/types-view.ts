/**
 * The Types tab: toolbar (filter, kind, scope, jump, back/forward), the virtualized tree and the
 * details of the selected type (C, used by, actions). Rows come from the server a page at a time; only
 * the rows on screen are in the DOM.
 */
import type { EditorChild, EditorFilter, EditorRow, EditorRowsRequest } from '../../server/src/protocol/requests';
import { FIRST_PAGE_FILTER } from '../../server/src/protocol/webview';
import { type Ctx, errorText } from './context';
import { ALL_KINDS, parseJump, sameFilter, toFilter } from './filter';
import { html, raw } from './html';
import { revealScrollTop, visibleWindow } from './scroller';
import { goBack, goForward } from './state';
import { type ChildNode, TreeModel, type VisibleRow } from './tree';

export const ROW_HEIGHT = 22;
const PAGE = FIRST_PAGE_FILTER.limit;

export class TypesView {
  readonly el: HTMLElement;
  private tree!: HTMLElement;
  private spacer!: HTMLElement;
  private rowsEl!: HTMLElement;
  private details!: HTMLElement;
  private countEl!: HTMLElement;
  private filterEl!: HTMLInputElement;
  private model = new TreeModel(PAGE);
  private filter: EditorFilter = { scope: 'own' };
  /** Bumped on every filter change: replies for an older list are dropped. */
  private epoch = 0;
  private inflight = new Set<number>();
  private sel = -1;
  private detailsFor: number | undefined;
  private detailsTimer: ReturnType<typeof setTimeout> | undefined;
  private paintQueued = false;
  onFirstPaint: ((rows: number) => void) | undefined;

  constructor(private readonly ctx: Ctx) {
    this.el = document.createElement('section');
    this.el.className = 'panel types';
    this.build();
  }

  private build(): void {
    const f = this.ctx.state.filter;
    const split = this.ctx.ov.chain.length > 1;
    const kinds = [['', 'All kinds'], ['STRUCT+UNION', 'struct + union'], ...ALL_KINDS.map((k) => [k, k])];
    this.el.innerHTML = html`
      <div class="toolbar" role="toolbar" aria-label="Type filters">
        <button class="icon codicon codicon-arrow-left" data-act="back" title="Back (Alt+Left)" aria-label="Back"></button>
        <button class="icon codicon codicon-arrow-right" data-act="forward" title="Forward (Alt+Right)" aria-label="Forward"></button>
        <input class="filter" type="search" placeholder="Filter by name (Ctrl+F)" aria-label="Filter types by name" value="${f.text}">
        <button class="icon codicon codicon-regex" data-act="regex" aria-pressed="${String(f.regex)}" title="Use regular expression" aria-label="Use regular expression"></button>
        <select class="kind" aria-label="Kind">${kinds.map(([v, l]) => html`<option value="${v}"${raw(v === f.kind ? ' selected' : '')}>${l}</option>`)}</select>
        ${split ? html`<select class="scope" aria-label="Which types"><option value="own"${raw(f.scope === 'own' ? ' selected' : '')}>this file's types</option><option value="all"${raw(f.scope === 'all' ? ' selected' : '')}>with base types</option></select>` : ''}
        <label class="check"><input type="checkbox" class="named"${raw(f.namedOnly ? ' checked' : '')}> named only</label>
        <input class="jump" type="text" inputmode="numeric" placeholder="Go to ID (Ctrl+G)" aria-label="Go to type ID" size="10">
        <span class="count" aria-live="polite"></span>
      </div>
      <div class="split">
        <div class="tree" role="tree" tabindex="0" aria-label="Types"><div class="spacer"><div class="rows"></div></div></div>
        <aside class="details" aria-label="Selected type"><p class="muted">Select a type.</p></aside>
      </div>`.value;
    this.tree = this.el.querySelector('.tree')!;
    this.spacer = this.el.querySelector('.spacer')!;
    this.rowsEl = this.el.querySelector('.rows')!;
    this.details = this.el.querySelector('.details')!;
    this.countEl = this.el.querySelector('.count')!;
    this.filterEl = this.el.querySelector('.filter')!;
    let typing: ReturnType<typeof setTimeout> | undefined;
    this.filterEl.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => this.readToolbar(), 150);
    });
    this.filterEl.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === 'ArrowDown') {
        e.preventDefault();
        clearTimeout(typing);
        void this.readToolbar().then(() => this.focusTree());
      } else if (e.key === 'Escape') this.focusTree();
    });
    this.el.querySelector('.kind')!.addEventListener('change', () => void this.readToolbar());
    this.el.querySelector('.scope')?.addEventListener('change', () => void this.readToolbar());
    this.el.querySelector('.named')!.addEventListener('change', () => void this.readToolbar());
    const jump = this.el.querySelector<HTMLInputElement>('.jump')!;
    jump.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const id = parseJump(jump.value);
      if (id === undefined) {
        jump.classList.add('bad');
        return;
      }
      jump.classList.remove('bad');
      void this.ctx.navigate(id, { focus: true });
    });
    this.el.addEventListener('click', (e) => this.onClick(e));
    this.tree.addEventListener('scroll', () => this.queuePaint());
    this.tree.addEventListener('keydown', (e) => this.onKey(e));
    this.tree.addEventListener('dblclick', (e) => {
      const i = rowIndexOf(e.target);
      if (i >= 0) void this.activate(i);
    });
    new ResizeObserver(() => this.queuePaint()).observe(this.tree);
  }

  /** Reads the toolbar into the state and reloads the list when the filter changed. */
  private async readToolbar(): Promise<void> {
    const s = this.ctx.state.filter;
    s.text = this.filterEl.value;
    s.kind = this.el.querySelector<HTMLSelectElement>('.kind')!.value;
    const scope = this.el.querySelector<HTMLSelectElement>('.scope');
    s.scope = scope?.value === 'all' ? 'all' : 'own';
    s.namedOnly = this.el.querySelector<HTMLInputElement>('.named')!.checked;
    s.regex = this.el.querySelector('[data-act=regex]')!.getAttribute('aria-pressed') === 'true';
    this.ctx.save();
    await this.load(this.ctx.state.selected);
  }

  /** Writes the state's filter into the toolbar (after navigate changed it). */
  private writeToolbar(): void {
    const s = this.ctx.state.filter;
    this.filterEl.value = s.text;
    this.el.querySelector<HTMLSelectElement>('.kind')!.value = s.kind;
    const scope = this.el.querySelector<HTMLSelectElement>('.scope');
    if (scope) scope.value = s.scope;
    this.el.querySelector<HTMLInputElement>('.named')!.checked = s.namedOnly;
    this.el.querySelector('[data-act=regex]')!.setAttribute('aria-pressed', String(s.regex));
  }

  /**
   * (Re)loads the list for the current filter; keeps `keep` selected when it is still listed. `first`
   * is a page the host fetched already (for FIRST_PAGE_FILTER), used when the filter is that one.
   */
  async load(keep?: number, scrollTop?: number, first?: EditorRowsRequest.Result): Promise<void> {
    try {
      await this.reload(keep, scrollTop, first);
    } finally {
      // Reported on every outcome (an error in the count line is on screen too): e2e waits on it.
      this.onFirstPaint?.(this.rowsEl.childElementCount);
      this.onFirstPaint = undefined;
    }
  }

  private async reload(keep: number | undefined, scrollTop: number | undefined, first: EditorRowsRequest.Result | undefined): Promise<void> {
    const { filter, error } = toFilter(this.ctx.state.filter);
    this.filterEl.classList.toggle('bad', !!error);
    this.filterEl.title = error ?? '';
    if (error) {
      this.countEl.textContent = `bad regular expression: ${error}`;
      return;
    }
    this.filter = filter;
    const epoch = ++this.epoch;
    this.inflight.clear();
    let r: EditorRowsRequest.Result;
    try {
      const usable = first && !first.error && first.offset === 0 && sameFilter(filter, { scope: FIRST_PAGE_FILTER.scope });
      r = usable ? first : await this.ctx.rpc.request('btf/editor/rows', { doc: this.ctx.ov.doc, ...filter, offset: 0, limit: PAGE });
    } catch (e) {
      this.countEl.textContent = errorText(e);
      return;
    }
    if (epoch !== this.epoch) return;
    this.model.reset(r.total);
    this.model.setPage(0, r.rows);
    this.sel = -1;
    this.countEl.textContent = r.error ?? `${r.total.toLocaleString('en-US')} type${r.total === 1 ? '' : 's'}`;
    this.tree.scrollTop = scrollTop ?? 0;
    this.paint();
    if (keep !== undefined) {
      const at = await this.locate(keep);
      if (epoch === this.epoch && at >= 0) this.select(this.model.positionOfTop(at), scrollTop === undefined);
    }
  }

  private async locate(id: number): Promise<number> {
    try {
      const r = await this.ctx.rpc.request('btf/editor/locate', { doc: this.ctx.ov.doc, ...this.filter, id });
      return r.index;
    } catch {
      return -1;
    }
  }

  /** Shows type `id` as a top row: widens the scope or drops the filter when they hide it. */
  async reveal(id: number, focus: boolean): Promise<boolean> {
    let at = await this.locate(id);
    if (at < 0) {
      const info = await this.ctx.rpc.request('btf/editor/locate', { doc: this.ctx.ov.doc, scope: 'all', id }).catch(() => undefined);
      if (!info?.row) {
        this.countEl.textContent = `no type [${id}] in ${this.ctx.ov.label}`;
        return false;
      }
      const s = this.ctx.state.filter;
      if (info.row.level > 0 || id < this.ctx.ov.firstId) s.scope = 'all';
      s.text = '';
      s.kind = '';
      s.namedOnly = false;
      this.writeToolbar();
      this.ctx.save();
      await this.load();
      at = await this.locate(id);
      if (at < 0) return false;
    }
    this.select(this.model.positionOfTop(at), true);
    if (focus) this.focusTree();
    return true;
  }

  focusTree(): void {
    this.tree.focus();
  }

  focusFilter(): void {
    this.filterEl.focus();
    this.filterEl.select();
  }

  focusJump(): void {
    this.el.querySelector<HTMLInputElement>('.jump')!.focus();
  }

  get selectedId(): number | undefined {
    return idOf(this.model.at(this.sel));
  }

  /** The top row the selection is in, as data (kept across a reload of the file). */
  get locationRow(): EditorRow | undefined {
    const r = this.model.at(this.sel);
    if (!r) return undefined;
    return r.kind === 'top' ? r.row : this.model.topRow(r.top);
  }

  /**
   * After the file was re-read: selects the type that was selected, by ID when the ID still names the
   * same kind and name, else by name and kind (types added or removed before it moved the IDs).
   */
  async reselect(prev: EditorRow): Promise<boolean> {
    const doc = this.ctx.ov.doc;
    const same = await this.ctx.rpc.request('btf/editor/locate', { doc, scope: 'all', id: prev.id }).catch(() => undefined);
    let id: number | undefined;
    if (same?.row && same.row.name === prev.name && same.row.kind === prev.kind) id = prev.id;
    else if (prev.name) {
      const esc = prev.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const r = await this.ctx.rpc.request('btf/editor/rows', { doc, scope: 'all', name: `^${esc}$`, regex: true, kinds: [prev.kind], offset: 0, limit: 1 }).catch(() => undefined);
      id = r?.rows[0]?.id;
    }
    if (id === undefined) return false;
    const at = await this.locate(id);
    if (at < 0) return false;
    this.select(this.model.positionOfTop(at), true);
    return true;
  }

  /** The top row the selection is in (what history records: members are places inside it). */
  get locationId(): number | undefined {
    const r = this.model.at(this.sel);
    if (!r) return undefined;
    return r.kind === 'top' ? r.row?.id : this.model.topRow(r.top)?.id;
  }

  get scrollTop(): number {
    return this.tree.scrollTop;
  }

  private queuePaint(): void {
    if (this.paintQueued) return;
    this.paintQueued = true;
    requestAnimationFrame(() => {
      this.paintQueued = false;
      this.paint();
    });
  }

  /** Renders the rows on screen and asks for the pages they need. */
  paint(): void {
    const count = this.model.count;
    const viewport = this.tree.clientHeight || 600;
    const w = visibleWindow(this.tree.scrollTop, viewport, ROW_HEIGHT, count);
    this.spacer.style.height = `${w.height}px`;
    this.rowsEl.style.transform = `translateY(${w.top}px)`;
    const parts = [];
    const need = new Set<number>();
    for (let i = w.start; i < w.end; i++) {
      const r = this.model.at(i)!;
      if (r.kind === 'top' && !r.row) need.add(Math.floor(r.index / PAGE));
      parts.push(this.rowHtml(i, r));
    }
    this.rowsEl.innerHTML = html`${parts}`.value;
    this.tree.setAttribute('aria-activedescendant', this.sel >= w.start && this.sel < w.end ? `row-${this.sel}` : '');
    for (const p of need) void this.fetchPage(p);
    if (this.ctx.state.scrollTop !== this.tree.scrollTop) {
      this.ctx.state.scrollTop = this.tree.scrollTop;
      this.ctx.save();
    }
  }

  private async fetchPage(page: number): Promise<void> {
    if (this.inflight.has(page) || this.model.hasPage(page)) return;
    this.inflight.add(page);
    const epoch = this.epoch;
    try {
      const r = await this.ctx.rpc.request('btf/editor/rows', { doc: this.ctx.ov.doc, ...this.filter, offset: page * PAGE, limit: PAGE });
      if (epoch !== this.epoch) return;
      this.model.setPage(page, r.rows);
      this.queuePaint();
    } catch {
      // The doc was reloaded; the next paint asks again.
    } finally {
      if (epoch === this.epoch) this.inflight.delete(page);
    }
  }

  private rowHtml(i: number, r: VisibleRow) {
    const selected = i === this.sel;
    const common = (extra: string, level: number, depth: number, expandable: boolean, expanded: boolean) => ({
      cls: `row d${Math.min(depth, 24)}${selected ? ' sel' : ''}${level > 0 ? ' base' : ''}${extra}`,
      twisty: expandable ? (expanded ? 'codicon-chevron-down' : 'codicon-chevron-right') : 'codicon-blank',
      aria: expandable ? raw(` aria-expanded="${expanded}"`) : '',
    });
    const badge = (level: number) => (level > 0 ? html`<span class="badge basefile" title="${`stored in the base BTF ${this.ctx.ov.chain[level]?.label ?? ''}`}">${this.ctx.levelName(level)}</span>` : '');
    if (r.kind === 'top') {
      const row = r.row;
      if (!row) return html`<div class="row loading" id="row-${i}" role="treeitem" aria-level="1" data-i="${i}">…</div>`;
      const c = common('', row.level, 0, row.hasChildren, !!r.node?.expanded);
      return html`<div class="${c.cls}" id="row-${i}" role="treeitem" aria-level="1" aria-selected="${String(selected)}"${c.aria} data-i="${i}" data-id="${row.id}"><span class="twisty codicon ${c.twisty}" data-act="toggle"></span><span class="kind k-${row.kind}">${row.kind}</span><span class="id">[${row.id}]</span><span class="name">${row.label || row.name || '(anon)'}</span>${row.detail ? html`<span class="detail">${row.detail}</span>` : ''}${row.size !== undefined ? html`<span class="size" title="size in bytes">${row.size}</span>` : ''}${badge(row.level)}</div>`;
    }
    const n = r.node;
    const ch = n.child;
    const expandable = ch.hasChildren && !n.cycle && ch.typeId !== undefined;
    // A member is this type's own even when its type is the base's: badged, not dimmed.
    const c = common(' child', 0, n.depth, expandable, n.expanded);
    return html`<div class="${c.cls}" id="row-${i}" role="treeitem" aria-level="${n.depth + 1}" aria-selected="${String(selected)}"${c.aria} data-i="${i}"><span class="twisty codicon ${c.twisty}" data-act="toggle"></span>${childText(ch)}${n.cycle ? html`<span class="badge cycle" title="this type is already open above: not expanded again">cycle</span>` : ''}${badge(ch.level ?? 0)}</div>`;
  }

  /** Selects visible row `i`, scrolling it into view. */
  select(i: number, scroll = true): void {
    const count = this.model.count;
    if (count === 0) return;
    this.sel = Math.max(0, Math.min(count - 1, i));
    if (scroll) {
      const viewport = this.tree.clientHeight || 600;
      this.tree.scrollTop = revealScrollTop(this.sel, this.tree.scrollTop, viewport, ROW_HEIGHT, count);
    }
    this.paint();
    const id = this.selectedId;
    if (id !== undefined && id !== this.ctx.state.selected) {
      this.ctx.state.selected = id;
      this.ctx.state.layoutId = undefined; // the Layout tab follows the selection
      this.ctx.save();
    }
    clearTimeout(this.detailsTimer);
    this.detailsTimer = setTimeout(() => void this.showDetails(), 60);
  }

  private async toggle(i: number): Promise<void> {
    if (this.model.isExpanded(i)) {
      const before = this.model.count;
      this.model.collapse(i);
      const delta = before - this.model.count;
      if (this.sel > i + delta) this.sel -= delta;
      else if (this.sel > i) this.sel = i;
      this.paint();
      return;
    }
    await this.expand(i);
  }

  private async expand(i: number): Promise<boolean> {
    if (!this.model.expandable(i) || this.model.isExpanded(i)) return false;
    const id = idOf(this.model.at(i));
    if (id === undefined) return false;
    const epoch = this.epoch;
    let kids: EditorChild[];
    try {
      kids = (await this.ctx.rpc.request('btf/editor/children', { doc: this.ctx.ov.doc, id })).children;
    } catch (e) {
      this.countEl.textContent = errorText(e);
      return false;
    }
    if (epoch !== this.epoch || idOf(this.model.at(i)) !== id || this.model.isExpanded(i)) return false;
    const before = this.model.count;
    this.model.expand(i, kids);
    if (this.sel > i) this.sel += this.model.count - before;
    this.paint();
    return true;
  }

  /** Enter / double-click: a member goes to its type; a top row opens or closes. */
  private async activate(i: number): Promise<void> {
    const r = this.model.at(i);
    if (!r) return;
    if (r.kind === 'child' && r.node.child.typeId) await this.ctx.navigate(r.node.child.typeId, { focus: true });
    else await this.toggle(i);
  }

  private onKey(e: KeyboardEvent): void {
    const count = this.model.count;
    const page = Math.max(1, Math.floor((this.tree.clientHeight || 600) / ROW_HEIGHT) - 1);
    const cur = this.sel < 0 ? 0 : this.sel;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown': this.select(this.sel < 0 ? 0 : cur + 1); break;
      case 'ArrowUp': this.select(cur - 1); break;
      case 'PageDown': this.select(cur + page); break;
      case 'PageUp': this.select(cur - page); break;
      case 'Home': this.select(0); break;
      case 'End': this.select(count - 1); break;
      case 'ArrowRight':
        if (this.model.isExpanded(cur)) this.select(cur + 1);
        else void this.expand(cur);
        break;
      case 'ArrowLeft':
        if (this.model.isExpanded(cur)) void this.toggle(cur);
        else if (this.model.parentOf(cur) >= 0) this.select(this.model.parentOf(cur));
        break;
      case 'Enter': void this.activate(cur); break;
      case ' ': void this.toggle(cur); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  }

  private onClick(e: MouseEvent): void {
    const t = e.target as HTMLElement;
    const act = t.closest<HTMLElement>('[data-act]')?.dataset.act;
    const go = t.closest<HTMLElement>('[data-go]')?.dataset.go;
    if (go !== undefined) {
      e.preventDefault();
      void this.ctx.navigate(Number(go), { focus: true });
      return;
    }
    const i = rowIndexOf(t);
    if (i >= 0) {
      this.select(i, false);
      if (act === 'toggle') void this.toggle(i);
      this.tree.focus();
      return;
    }
    const id = this.detailsFor;
    switch (act) {
      case 'back': void this.back(); break;
      case 'forward': void this.forward(); break;
      case 'regex': {
        const b = t.closest('[data-act=regex]')!;
        b.setAttribute('aria-pressed', String(b.getAttribute('aria-pressed') !== 'true'));
        void this.readToolbar();
        break;
      }
      case 'copy': {
        const c = this.details.querySelector('pre.c')?.textContent;
        if (c) this.ctx.post({ type: 'copy', text: c });
        break;
      }
      case 'openC': if (id !== undefined) this.ctx.post({ type: 'openC', id }); break;
      case 'usedBy': if (id !== undefined) void this.usedBy(id); break;
      case 'layout':
        if (id !== undefined) {
          this.ctx.state.layoutId = id;
          this.ctx.save();
          this.ctx.showTab('layout', true);
        }
        break;
      default:
    }
  }

  async back(): Promise<void> {
    const to = goBack(this.ctx.state, this.locationId);
    if (to !== undefined) await this.ctx.navigate(to, { history: false, focus: true });
  }

  async forward(): Promise<void> {
    const to = goForward(this.ctx.state, this.locationId);
    if (to !== undefined) await this.ctx.navigate(to, { history: false, focus: true });
  }

  private async showDetails(): Promise<void> {
    const id = this.selectedId;
    if (id === undefined || id === this.detailsFor) return;
    this.detailsFor = id;
    const doc = this.ctx.ov.doc;
    let row: EditorRow | undefined;
    let text;
    try {
      [row, text] = await Promise.all([
        this.ctx.rpc.request('btf/editor/locate', { doc, scope: 'all', id }).then((r) => r.row),
        this.ctx.rpc.request('btf/editor/typeText', { doc, id }),
      ]);
    } catch (e) {
      if (this.detailsFor === id) this.details.innerHTML = html`<p class="error">${errorText(e)}</p>`.value;
      return;
    }
    if (this.detailsFor !== id || !row) return;
    const composite = row.kind === 'STRUCT' || row.kind === 'UNION';
    const stored = this.ctx.ov.chain[row.level];
    this.details.innerHTML = html`
      <h2><span class="kind k-${row.kind}">${row.kind}</span> ${row.label || row.name || '(anon)'} <span class="id">[${row.id}]</span></h2>
      <p class="muted">${row.size !== undefined ? `${row.size} bytes · ` : ''}${row.vlen ? `${row.vlen} ${row.kind === 'ENUM' || row.kind === 'ENUM64' ? 'values' : 'members'} · ` : ''}${row.level > 0 ? html`<span class="badge basefile">base</span> stored in ${stored?.label ?? 'the base BTF'}` : `in ${this.ctx.ov.label}`}</p>
      <div class="actions">
        <button data-act="copy" title="Copy the C declaration"><span class="codicon codicon-copy"></span> Copy C</button>
        <button data-act="openC" title="Open as C in an editor"><span class="codicon codicon-go-to-file"></span> Open as C</button>
        <button data-act="usedBy" title="Types that refer to this one"><span class="codicon codicon-references"></span> Used by</button>
        ${composite ? html`<button data-act="layout" title="Layout with holes and cachelines"><span class="codicon codicon-symbol-structure"></span> Layout</button>` : ''}
      </div>
      <pre class="c">${text.c}</pre>
      <details class="raw"><summary>bpftool raw</summary><pre>${text.raw}</pre></details>
      <div class="usedby"></div>`.value;
  }

  private async usedBy(id: number): Promise<void> {
    const box = this.details.querySelector('.usedby');
    if (!box) return;
    box.textContent = 'Looking…';
    try {
      const r = await this.ctx.rpc.request('btf/editor/usedBy', { doc: this.ctx.ov.doc, id, limit: 500 });
      if (this.detailsFor !== id) return;
      box.innerHTML = html`<h3>Used by ${r.rows.length}${r.truncated ? '+' : ''}</h3>${r.rows.length ? html`<ul class="links">${r.rows.map((x) => html`<li><a href="#" data-go="${x.id}"><span class="kind k-${x.kind}">${x.kind}</span> ${x.label || x.name || '(anon)'} <span class="id">[${x.id}]</span></a></li>`)}</ul>` : html`<p class="muted">Nothing refers to it.</p>`}`.value;
    } catch (e) {
      box.textContent = errorText(e);
    }
  }

  /** Test and e2e hook: how many rows are in the DOM. */
  get renderedRows(): number {
    return this.rowsEl.childElementCount;
  }
}

function rowIndexOf(t: EventTarget | null): number {
  const el = (t as HTMLElement | null)?.closest?.('[data-i]') as HTMLElement | null;
  return el ? Number(el.dataset.i) : -1;
}

function idOf(r: VisibleRow | undefined): number | undefined {
  if (!r) return undefined;
  if (r.kind === 'top') return r.row?.id;
  return r.node.child.typeId || undefined;
}

/** A member, parameter, enumerator, section variable or target as one line. */
export function childText(ch: EditorChild) {
  if (ch.value !== undefined) return html`<span class="name">${ch.name}</span><span class="eq">=</span><span class="value">${ch.value}</span>`;
  const off = ch.bitOffset !== undefined ? offsetText(ch.bitOffset) : '';
  const type = ch.typeId ? html`<a href="#" class="type" data-go="${ch.typeId}" title="${`go to [${ch.typeId}]`}">${ch.typeLabel ?? ''}</a>` : html`<span class="type">${ch.typeLabel ?? 'void'}</span>`;
  return html`${off ? html`<span class="off" title="offset (bytes:bits)">${off}</span>` : ''}<span class="name">${ch.name || '(anon)'}</span>${type}${ch.bitfieldSize ? html`<span class="bf" title="bitfield width">:${ch.bitfieldSize}</span>` : ''}${ch.size !== undefined ? html`<span class="size">${ch.size}</span>` : ''}`;
}

/** `+8` or `+8:3` for a bit offset. */
export function offsetText(bitOffset: number): string {
  const bytes = Math.floor(bitOffset / 8);
  const bits = bitOffset % 8;
  return bits ? `+${bytes}:${bits}` : `+${bytes}`;
}

export type { ChildNode };
