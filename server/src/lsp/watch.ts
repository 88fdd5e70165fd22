/**
 * File watching for clients that do not watch for us (no dynamic registration of
 * workspace/didChangeWatchedFiles: many editors over --stdio). The server watches its folders itself
 * (fs.watch, recursive) and turns bursts of events (a build rewriting many objects) into one batch.
 */
import { type FSWatcher, existsSync, watch } from 'node:fs';
import { join } from 'node:path';

export interface WatchedChange {
  path: string;
  deleted: boolean;
}

/**
 * Watches `folders`; `onChange` gets the paths touched (each once per batch) after `quietMs` without
 * events. Returns a function that stops watching. Folders that cannot be watched are reported to `log`.
 */
export function watchFolders(folders: readonly string[], onChange: (changes: WatchedChange[]) => void, log: (m: string) => void, quietMs = 150): () => void {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const paths = [...pending];
    pending.clear();
    // Whether a file is gone is asked now, not at the event: a rebuild deletes and re-creates.
    onChange(paths.map((path) => ({ path, deleted: !existsSync(path) })));
  };
  const watchers: FSWatcher[] = [];
  for (const folder of folders) {
    try {
      const w = watch(folder, { recursive: true, persistent: false }, (_event, name) => {
        if (!name) return;
        pending.add(join(folder, name.toString()));
        clearTimeout(timer);
        timer = setTimeout(flush, quietMs);
      });
      w.on('error', (e) => log(`watching ${folder} stopped: ${e.message}`));
      watchers.push(w);
    } catch (e) {
      log(`cannot watch ${folder}: ${(e as Error).message}`);
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
