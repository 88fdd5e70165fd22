/**
 * The messages between the type-tree editor's webview (client/webview) and its host
 * (client/src/features/type-tree.ts). Discriminated unions on `type`; the webview's requests are the
 * server's `btf/editor/*` requests, forwarded by the host as they are, so a reply's type follows from
 * its request through RequestMap (requests.ts). Plain data only: this file is bundled into the webview.
 */
import type {
  EditorChildrenRequest, EditorDisasmRequest, EditorExtRequest, EditorLayoutRequest, EditorLocateRequest, EditorMapsRequest, EditorOverview,
  EditorProgramsRequest, EditorRowsRequest, EditorTypeTextRequest, EditorUsedByRequest, ParamsOf,
} from './requests';

/** The server requests a webview may make (opening and closing docs is the host's business). */
export type WebviewMethod =
  | typeof EditorRowsRequest.method | typeof EditorLocateRequest.method | typeof EditorChildrenRequest.method
  | typeof EditorTypeTextRequest.method | typeof EditorUsedByRequest.method | typeof EditorLayoutRequest.method
  | typeof EditorProgramsRequest.method | typeof EditorDisasmRequest.method | typeof EditorMapsRequest.method | typeof EditorExtRequest.method;

export const WEBVIEW_METHODS: readonly WebviewMethod[] = [
  'btf/editor/rows', 'btf/editor/locate', 'btf/editor/children', 'btf/editor/typeText', 'btf/editor/usedBy', 'btf/editor/layout',
  'btf/editor/programs', 'btf/editor/disasm', 'btf/editor/maps', 'btf/editor/ext',
];

/** One request per method, its params typed by the method. */
export type WebviewRequest = { [M in WebviewMethod]: { type: 'request'; seq: number; method: M; params: ParamsOf<M> } }[WebviewMethod];

/** webview → host */
export type WebviewToHost =
  | { type: 'ready' }
  | WebviewRequest
  /** The first rows (or the problems of an unreadable file) are on screen: what e2e tests wait for. */
  | { type: 'rendered'; rows: number; ms: number; doc: string }
  /** Open type `id` as C in a text editor (the `btf-lens:` document when the file is indexed). */
  | { type: 'openC'; id: number }
  | { type: 'copy'; text: string }
  /** Open another file (a base of the chain) in this editor. */
  | { type: 'openFile'; uri: string; id?: number }
  /** Split BTF without the right base: let the user pick its base file (saved in btfLens.moduleBases) and re-open. */
  | { type: 'chooseBase' }
  | { type: 'error'; message: string };

/** host → webview */
export type HostToWebview =
  /**
   * The doc (first open, or re-read after a change on disk: `reload`); `reveal` selects a type. `first`
   * is the first page of rows for FIRST_PAGE_FILTER, fetched while the page loads (first paint sooner).
   */
  | { type: 'init'; overview: EditorOverview; reveal?: number; reload?: boolean; first?: EditorRowsRequest.Result }
  | { type: 'reveal'; id: number }
  | { type: 'response'; seq: number; ok: true; result: unknown }
  | { type: 'response'; seq: number; ok: false; error: string };

/** The filter of `init.first`: what a fresh editor shows. */
export const FIRST_PAGE_FILTER = { scope: 'own', offset: 0, limit: 200 } as const;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** Checks a message from the webview before the host acts on it (the page is not trusted more than input). */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isObj(x) || typeof x.type !== 'string') return false;
  switch (x.type) {
    case 'ready':
    case 'chooseBase':
      return true;
    case 'request':
      return typeof x.seq === 'number' && (WEBVIEW_METHODS as readonly unknown[]).includes(x.method) && isObj(x.params) && typeof x.params.doc === 'string';
    case 'rendered':
      return typeof x.rows === 'number' && typeof x.ms === 'number' && typeof x.doc === 'string';
    case 'openC':
      return typeof x.id === 'number';
    case 'copy':
      return typeof x.text === 'string';
    case 'openFile':
      return typeof x.uri === 'string' && (x.id === undefined || typeof x.id === 'number');
    case 'error':
      return typeof x.message === 'string';
    default:
      return false;
  }
}

/** Checks a message from the host (the webview also receives messages from other sources in tests). */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x) || typeof x.type !== 'string') return false;
  switch (x.type) {
    case 'init':
      return isObj(x.overview) && typeof x.overview.doc === 'string';
    case 'reveal':
      return typeof x.id === 'number';
    case 'response':
      return typeof x.seq === 'number' && typeof x.ok === 'boolean';
    default:
      return false;
  }
}
