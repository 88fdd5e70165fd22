/**
 * The type-tree editor's webview: tabs over one open doc. Talks to its host only through the typed
 * messages of server/src/protocol/webview.ts; keeps its state with setState so a hidden editor comes
 * back where it was; tells the host when the first rows are painted (`rendered`).
 */
import type { EditorOverview, EditorRowsRequest } from '../../server/src/protocol/requests';
import { type HostToWebview, type WebviewToHost, isHostToWebview } from '../../server/src/protocol/webview';
import { type Ctx, basename } from './context';
import { html } from './html';
import { ExtPanel, MapsPanel, ProgramsPanel, baseBannerHtml, overviewHtml, renderLayout } from './panels';
import { Rpc } from './rpc';
import { TABS, type TabId, type ViewState, pushHistory, readState } from './state';
import { TypesView } from './types-view';
import './style.css';

interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TAB_LABELS: Record<TabId, string> = { overview: 'Overview', types: 'Types', layout: 'Layout', programs: 'Programs', maps: 'Maps', ext: 'Ext info' };
const t0 = performance.now();
performance.mark('btf-script');

class App implements Ctx {
  rpc: Rpc;
  ov!: EditorOverview;
  state: ViewState;
  private types: TypesView | undefined;
  private panels = new Map<TabId, HTMLElement>();
  private programs: ProgramsPanel | undefined;
  private maps: MapsPanel | undefined;
  private ext: ExtPanel | undefined;
  private saveQueued = false;

  constructor(private readonly api: VsCodeApi, private readonly root: HTMLElement) {
    this.rpc = new Rpc((m) => api.postMessage(m));
    this.state = readState(api.getState());
    window.addEventListener('message', (e: MessageEvent) => {
      if (isHostToWebview(e.data)) this.onMessage(e.data);
    });
    document.addEventListener('keydown', (e) => this.onGlobalKey(e));
    api.postMessage({ type: 'ready' });
  }

  post(m: WebviewToHost): void {
    this.api.postMessage(m);
  }

  save(): void {
    if (this.saveQueued) return;
    this.saveQueued = true;
    queueMicrotask(() => {
      this.saveQueued = false;
      this.api.setState(this.state);
    });
  }

  levelName(level: number): string {
    const c = this.ov.chain[level];
    return c ? basename(c.label.replace(/ \(.*$/, '')) : 'base';
  }

  private onMessage(m: HostToWebview): void {
    if (this.rpc.handle(m)) return;
    if (m.type === 'init') void this.init(m.overview, m.reveal, !!m.reload, m.first);
    else if (m.type === 'reveal') void this.navigate(m.id, { focus: true });
  }

  private async init(ov: EditorOverview, reveal: number | undefined, reload: boolean, first: EditorRowsRequest.Result | undefined): Promise<void> {
    performance.mark('btf-init');
    const keep = this.state.selected;
    const scroll = this.state.scrollTop;
    const before = reload ? this.types?.locationRow : undefined;
    if (reload) this.rpc.cancelAll('the file was re-read');
    // Its base just chosen: the types are what the user came for.
    const unblocked = !!this.ov?.baseProblem && !ov.baseProblem && ov.ok;
    this.ov = ov;
    this.build();
    const tab = !unblocked && this.state.tab && this.tabAvailable(this.state.tab) ? this.state.tab : ov.ok ? 'types' : 'overview';
    this.showTab(tab);
    if (!this.types) {
      this.rendered(0);
      return;
    }
    this.types.onFirstPaint = (rows) => this.rendered(rows);
    await this.types.load(before || reveal !== undefined ? undefined : keep, reveal !== undefined ? undefined : scroll, first);
    if (reveal !== undefined) await this.navigate(reveal, { history: false });
    else if (before) await this.types.reselect(before);
  }

  private rendered(rows: number): void {
    // Two frames: the rows are laid out and painted, not just in the DOM.
    performance.mark('btf-rows');
    requestAnimationFrame(() => requestAnimationFrame(() => {
      performance.mark('btf-painted');
      document.body.dataset.rendered = String(rows);
      this.post({ type: 'rendered', rows, ms: Math.round(performance.now() - t0), doc: this.ov.doc });
    }));
  }

  private tabAvailable(t: TabId): boolean {
    const o = this.ov;
    switch (t) {
      case 'overview': return true;
      case 'types': case 'layout': return o.ok;
      case 'programs': return o.programs > 0;
      case 'maps': return o.maps > 0;
      case 'ext': return !!o.ext;
    }
  }

  private build(): void {
    const o = this.ov;
    const tabs = TABS.filter((t) => this.tabAvailable(t));
    this.root.innerHTML = html`
      <header class="top">
        <nav class="chain" aria-label="BTF chain">${[...o.chain].reverse().map((c, i, all) => {
          const level = all.length - 1 - i;
          const me = level === 0;
          const title = `IDs ${c.firstId}–${c.firstId + c.count - 1}${c.distilled ? ' (distilled base)' : ''}${!me && c.uri ? ' · open this base in its own editor' : ''}`;
          const inner = html`${me ? html`<span class="codicon codicon-file-binary"></span> ` : html`<span class="badge basefile">base</span> `}${c.label}${html` <span class="muted">${c.count.toLocaleString('en-US')}</span>`}`;
          const crumb = !me && c.uri
            ? html`<button class="crumb link" data-open="${c.uri}" title="${title}">${inner}</button>`
            : html`<span class="crumb${me ? ' me' : ''}${c.distilled ? ' distilled' : ''}" title="${title}">${inner}</span>`;
          return html`${i ? html`<span class="sep codicon codicon-chevron-right" aria-hidden="true"></span>` : ''}${crumb}`;
        })}${o.chain.length ? '' : html`<span class="crumb me">${o.label}</span>`}</nav>
      </header>
      ${baseBannerHtml(this)}
      <div class="tabs" role="tablist" aria-label="Views">${tabs.map((t) => html`<button role="tab" id="tab-${t}" data-tab="${t}" aria-controls="panel-${t}" aria-selected="false" tabindex="-1">${TAB_LABELS[t]}</button>`)}</div>
      <div class="panels"></div>`.value;
    const panels = this.root.querySelector('.panels')!;
    this.panels.clear();
    this.types = undefined;
    for (const t of tabs) {
      let el: HTMLElement;
      if (t === 'types') {
        this.types = new TypesView(this);
        el = this.types.el;
      } else {
        el = document.createElement('section');
        el.className = `panel ${t}`;
      }
      el.id = `panel-${t}`;
      el.setAttribute('role', 'tabpanel');
      el.setAttribute('aria-labelledby', `tab-${t}`);
      el.hidden = true;
      panels.appendChild(el);
      this.panels.set(t, el);
    }
    this.panels.get('overview')!.innerHTML = overviewHtml(this).value;
    const prog = this.panels.get('programs');
    this.programs = prog ? new ProgramsPanel(this, prog) : undefined;
    const maps = this.panels.get('maps');
    this.maps = maps ? new MapsPanel(this, maps) : undefined;
    const ext = this.panels.get('ext');
    this.ext = ext ? new ExtPanel(this, ext) : undefined;
    this.root.querySelector('.chain')!.addEventListener('click', (e) => {
      const uri = (e.target as HTMLElement).closest<HTMLElement>('[data-open]')?.dataset.open;
      if (uri) this.post({ type: 'openFile', uri });
    });
    this.root.querySelector('[data-action="choose-base"]')?.addEventListener('click', () => this.post({ type: 'chooseBase' }));
    const tablist = this.root.querySelector<HTMLElement>('.tabs')!;
    tablist.addEventListener('click', (e) => {
      const t = (e.target as HTMLElement).closest<HTMLElement>('[data-tab]')?.dataset.tab as TabId | undefined;
      if (t) this.showTab(t, true);
    });
    tablist.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
      e.preventDefault();
      const cur = tabs.indexOf(this.state.tab ?? 'overview');
      const next = e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : (cur + (e.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length;
      this.showTab(tabs[next]!, false);
      this.root.querySelector<HTMLElement>(`#tab-${tabs[next]}`)?.focus();
    });
    // Links to types anywhere outside the tree (layout, maps, ext, disassembly, overview).
    panels.addEventListener('click', (e) => {
      const go = (e.target as HTMLElement).closest<HTMLElement>('[data-go]');
      if (!go || go.closest('.panel.types')) return;
      e.preventDefault();
      void this.navigate(Number(go.dataset.go), { focus: true });
    });
  }

  showTab(tab: TabId, focus = false): void {
    if (!this.panels.has(tab)) tab = 'overview';
    this.state.tab = tab;
    this.save();
    for (const [t, el] of this.panels) {
      el.hidden = t !== tab;
      const b = this.root.querySelector(`#tab-${t}`);
      b?.setAttribute('aria-selected', String(t === tab));
      b?.setAttribute('tabindex', t === tab ? '0' : '-1');
    }
    const el = this.panels.get(tab)!;
    if (tab === 'types') {
      this.types?.paint();
      if (focus) this.types?.focusTree();
    } else if (tab === 'layout') void renderLayout(this, el);
    else if (tab === 'programs') void this.programs?.show();
    else if (tab === 'maps') void this.maps?.show();
    else if (tab === 'ext') void this.ext?.show();
  }

  async navigate(id: number, opts: { history?: boolean; focus?: boolean } = {}): Promise<void> {
    if (!this.types) return;
    if (opts.history !== false) pushHistory(this.state, this.types.locationId, id);
    if (this.state.tab !== 'types') this.showTab('types');
    const ok = await this.types.reveal(id, !!opts.focus);
    if (ok) this.save();
  }

  private onGlobalKey(e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey;
    const t = e.target as HTMLElement;
    if ((e.key === 'Enter' || e.key === ' ') && t.matches?.('th[data-sort], [data-go]:not(a), .bar[data-go]')) {
      e.preventDefault();
      t.click();
      return;
    }
    if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight') && this.types) {
      e.preventDefault();
      void (e.key === 'ArrowLeft' ? this.types.back() : this.types.forward());
    } else if (mod && e.key.toLowerCase() === 'f' && this.types) {
      e.preventDefault();
      this.showTab('types');
      this.types.focusFilter();
    } else if (mod && e.key.toLowerCase() === 'g' && this.types) {
      e.preventDefault();
      this.showTab('types');
      this.types.focusJump();
    }
  }
}

const root = document.getElementById('app');
if (root) new App(acquireVsCodeApi(), root);
