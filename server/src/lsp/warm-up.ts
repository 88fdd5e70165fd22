/**
 * A source opened: in the background, one program per turn of the event loop, render the listings of the
 * objects built from it and map its lines, so its first hover does not pay for a whole section. Stops when
 * the document closes.
 */
import { lineGroups } from './lines';
import { insnLines } from './model';
import type { WorkspaceIndex } from './workspace';

export function warmSource(
  index: WorkspaceIndex, path: string, lines: () => (n: number) => string, stillOpen: () => boolean, run: (job: () => void) => void,
): void {
  const work: (() => void)[] = [];
  for (const { file } of index.objectsFor(path)) for (const prog of file.object?.programs ?? []) work.push(() => void insnLines(file, prog));
  work.push(() => void lineGroups(index, path, 0, lines()));
  const step = () => {
    const job = work.shift();
    if (!job || !stillOpen()) return;
    run(job);
    setImmediate(step);
  };
  setImmediate(step);
}
