/**
 * How every custom request (`btf/*`, `btf/editor/*`) is answered when its handler fails: a
 * RequestError (the client asked for something that is not there) becomes an invalid-params reply;
 * anything else is our bug, logged with its stack and answered as an internal error, never a crashed
 * server.
 */
import { type CancellationToken, type Connection, ResponseError } from 'vscode-languageserver';
import type { ParamsOf, RequestMethod, ResultOf } from '../protocol/requests';

/** A request the server cannot answer because of its parameters (no such file, type or document). */
export class RequestError extends Error {}

export type Handler<M extends RequestMethod> = (p: ParamsOf<M>, token: CancellationToken) => ResultOf<M> | Promise<ResultOf<M>>;

/** Registers `handler` for `method`, typed by the protocol's RequestMap; `ready` false answers "server not initialized". */
export function onRequest<M extends RequestMethod>(
  connection: Connection, method: M, handler: Handler<M>, opts: { log: (line: string) => void; ready?: () => boolean },
): void {
  connection.onRequest(method, async (p: ParamsOf<M>, token: CancellationToken) => {
    if (opts.ready && !opts.ready()) return new ResponseError(-32002, 'server not initialized');
    try {
      return await handler(p, token);
    } catch (e) {
      if (e instanceof RequestError) return new ResponseError(-32602, e.message);
      opts.log(`${method} failed: ${(e as Error).stack ?? e}`);
      return new ResponseError(-32603, String((e as Error).message ?? e));
    }
  });
}
