/**
 * What the webview remembers across hide/show and reloads (vscode.setState): the tab, the filter, the
 * selected type, scroll position and history. Read back defensively: old or foreign state is ignored.
 */
import { DEFAULT_FILTER, type FilterInput } from './filter';

export type TabId = 'overview' | 'types' | 'layout' | 'programs' | 'maps' | 'ext';
export const TABS: readonly TabId[] = ['overview', 'types', 'layout', 'programs', 'maps', 'ext'];

export interface ViewState {
  v: 1;
  tab?: TabId;
  filter: FilterInput;
  /** Selected type ID (top row or the type of a selected member). */
  selected?: number;
  scrollTop: number;
  back: number[];
  forward: number[];
  layoutId?: number;
  extTab: 'funcInfo' | 'lineInfo' | 'coreRelo';
}

export function initialState(): ViewState {
  return { v: 1, filter: { ...DEFAULT_FILTER }, scrollTop: 0, back: [], forward: [], extTab: 'funcInfo' };
}

export function readState(x: unknown): ViewState {
  const s = initialState();
  if (!x || typeof x !== 'object' || (x as { v?: unknown }).v !== 1) return s;
  const o = x as Partial<ViewState>;
  if (o.tab && TABS.includes(o.tab)) s.tab = o.tab;
  const f = o.filter;
  if (f && typeof f === 'object') {
    s.filter = {
      text: typeof f.text === 'string' ? f.text : '', regex: f.regex === true, kind: typeof f.kind === 'string' ? f.kind : '',
      scope: f.scope === 'all' ? 'all' : 'own', namedOnly: f.namedOnly === true,
    };
  }
  const ids = (a: unknown) => (Array.isArray(a) ? a.filter((n): n is number => Number.isInteger(n) && n > 0).slice(-100) : []);
  if (Number.isInteger(o.selected) && o.selected! > 0) s.selected = o.selected;
  if (typeof o.scrollTop === 'number' && o.scrollTop >= 0) s.scrollTop = o.scrollTop;
  s.back = ids(o.back);
  s.forward = ids(o.forward);
  if (Number.isInteger(o.layoutId) && o.layoutId! > 0) s.layoutId = o.layoutId;
  if (o.extTab === 'lineInfo' || o.extTab === 'coreRelo') s.extTab = o.extTab;
  return s;
}

/** History: going to `to` from `from` pushes `from` and forgets what was forward. */
export function pushHistory(s: ViewState, from: number | undefined, to: number): void {
  if (from !== undefined && from !== to) {
    s.back.push(from);
    if (s.back.length > 100) s.back.shift();
  }
  s.forward = [];
}

export function goBack(s: ViewState, current: number | undefined): number | undefined {
  const to = s.back.pop();
  if (to !== undefined && current !== undefined) s.forward.push(current);
  return to;
}

export function goForward(s: ViewState, current: number | undefined): number | undefined {
  const to = s.forward.pop();
  if (to !== undefined && current !== undefined) s.back.push(current);
  return to;
}
