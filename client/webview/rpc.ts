/**
 * The webview's side of the request→result protocol: `request(method, params)` returns the server's
 * typed result, matched to its reply by sequence number.
 */
import type { ParamsOf, ResultOf } from '../../server/src/protocol/requests';
import type { HostToWebview, WebviewMethod, WebviewRequest, WebviewToHost } from '../../server/src/protocol/webview';

export class Rpc {
  private seq = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly post: (m: WebviewToHost) => void) {}

  request<M extends WebviewMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const seq = ++this.seq;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ type: 'request', seq, method, params } as WebviewRequest);
    });
  }

  /** Handles a reply; false when the message is not one. */
  handle(m: HostToWebview): boolean {
    if (m.type !== 'response') return false;
    const p = this.pending.get(m.seq);
    if (!p) return true;
    this.pending.delete(m.seq);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
    return true;
  }

  /** Fails every outstanding request (the doc was reloaded: its handle is gone). */
  cancelAll(why: string): void {
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
  }

  get outstanding(): number {
    return this.pending.size;
  }
}
