import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ParamsOf, RequestMethod, ResultOf } from '../../../server/src/protocol/requests';

/**
 * Sends one of the server's custom requests, its params and result typed by the protocol's
 * RequestMap (the table the webview's requests and the server's handlers use): the method names both.
 */
export function request<M extends RequestMethod>(client: LanguageClient, method: M, params: ParamsOf<M>, token?: vscode.CancellationToken): Promise<ResultOf<M>> {
  return client.sendRequest<ResultOf<M>>(method, params, token);
}
