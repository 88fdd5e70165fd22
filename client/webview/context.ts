/** What the views share: the RPC, the open doc's overview, the persisted state and navigation. */
import type { EditorOverview } from '../../server/src/protocol/requests';
import type { WebviewToHost } from '../../server/src/protocol/webview';
import type { Rpc } from './rpc';
import type { TabId, ViewState } from './state';

export interface Ctx {
  rpc: Rpc;
  ov: EditorOverview;
  state: ViewState;
  post(m: WebviewToHost): void;
  save(): void;
  /** Select type `id` in the Types tree (changing scope or clearing the filter if it is left out). */
  navigate(id: number, opts?: { history?: boolean; focus?: boolean }): Promise<void>;
  showTab(tab: TabId, focus?: boolean): void;
  /** Short name of the BTF at `level` of the chain (for base badges). */
  levelName(level: number): string;
}

export function basename(p: string): string {
  const s = p.replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1) || s;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
