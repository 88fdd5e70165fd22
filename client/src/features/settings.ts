/**
 * The `btfLens.*` settings the server gets: only those the user set at some level (user, workspace, folder,
 * language), never what VS Code fills in for an unset one (the declared default, else [] / {} / '' / 0 /
 * false by type: an unset `coreTargets` reads back as [], which would mean "no kernel"). The server's own
 * defaults then apply (server/src/lsp/settings.ts). Every setting the extension declares goes through here,
 * arrays and objects alike. Sent three ways: initializationOptions, the answer to workspace/configuration, and
 * didChangeConfiguration (instead of vscode-languageclient's synchronize, which sends the filled-in values).
 */
import type * as vscode from 'vscode';
import { workspace } from 'vscode';
import { DidChangeConfigurationNotification, type LanguageClient, type Middleware, ResponseError } from 'vscode-languageclient/node';

export const SECTION = 'btfLens';

/** What `WorkspaceConfiguration.inspect` returns, the levels a user can set a value at. */
type Inspected = Partial<Record<(typeof USER_LEVELS)[number], unknown>>;
const USER_LEVELS = ['globalValue', 'workspaceValue', 'workspaceFolderValue', 'globalLanguageValue', 'workspaceLanguageValue', 'workspaceFolderLanguageValue'] as const;

/**
 * The keys (without `btfLens.`) the user set a value for, with their effective values (VS Code's merge of
 * the levels). `keys`: the settings package.json declares.
 */
export function userSetSettings(keys: readonly string[], config: { inspect(key: string): Inspected | undefined; get(key: string): unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const i = config.inspect(key);
    if (i && USER_LEVELS.some((l) => i[l] !== undefined)) out[key] = config.get(key);
  }
  return out;
}

/** The settings package.json declares under `btfLens.`, without the prefix. */
export function declaredSettings(packageJSON: unknown): string[] {
  const props = (packageJSON as { contributes?: { configuration?: { properties?: Record<string, unknown> } } })?.contributes?.configuration?.properties ?? {};
  return Object.keys(props).filter((k) => k.startsWith(`${SECTION}.`)).map((k) => k.slice(SECTION.length + 1));
}

/** The current user-set settings of this window. */
export function currentSettings(context: vscode.ExtensionContext): Record<string, unknown> {
  const config = workspace.getConfiguration(SECTION);
  return userSetSettings(declaredSettings(context.extension.packageJSON), { inspect: (k) => config.inspect(k), get: (k) => config.get(k) });
}

/** Middleware answering workspace/configuration for `btfLens` (or `btfLens.key`) with the user-set settings. */
export function configurationMiddleware(context: vscode.ExtensionContext): Middleware['workspace'] {
  return {
    configuration: async (params, token, next) => {
      const theirs = await next(params, token);
      if (theirs instanceof ResponseError) return theirs;
      return params.items.map((item, n) => {
        if (item.section === SECTION) return currentSettings(context);
        if (item.section?.startsWith(`${SECTION}.`)) return currentSettings(context)[item.section.slice(SECTION.length + 1)] ?? null;
        return theirs[n];
      });
    },
  };
}

/** Pushes the user-set settings to the server whenever a `btfLens.*` setting changes. */
export function registerSettingsSync(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(SECTION) || !client.isRunning()) return;
    void client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: currentSettings(context) } }).catch(() => {});
  }));
}
