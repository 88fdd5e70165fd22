/** A status bar item with the index state; exposes when the first index finished (the API's `ready`). */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { StatusNotification } from '../../../server/src/protocol/requests';

/**
 * Every `btf/status` listener subscribes here: vscode-languageclient keeps one handler per notification
 * method, so a second client.onNotification for it would silently replace the first (and `ready` never resolve).
 */
const statusEvents = new vscode.EventEmitter<StatusNotification.Params>();
export const onStatus = statusEvents.event;

export function registerStatus(context: vscode.ExtensionContext, client: LanguageClient): { firstIndex: Promise<void> } {
  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  item.command = 'btfLens.showFiles';
  item.text = '$(sync~spin) BTF';
  context.subscriptions.push(item);
  let done!: () => void;
  const firstIndex = new Promise<void>((r) => (done = r));
  context.subscriptions.push(
    client.onNotification(StatusNotification.method, (p: StatusNotification.Params) => {
      statusEvents.fire(p);
      item.text = p.state === 'indexing' ? '$(sync~spin) BTF' : `$(symbol-structure) BTF ${p.indexed}`;
      item.tooltip = `BTF Lens: ${p.indexed} file(s) indexed, ${p.failed} failed${p.kernel ? `\nkernel BTF: ${p.kernel}` : ''}`;
      if (p.files > 0) item.show();
      if (p.state === 'ready') done();
    }),
  );
  return { firstIndex };
}
