/**
 * The Ctrl+T name table's life: stale when files change, rebuilt in the background once indexing is
 * over (rebuilding after every batch of a 4000-module index would cost more than the index), a file at
 * a time with requests answered in between; the old table answers meanwhile.
 */
import type { IndexedFile } from './model';
import { SymbolIndex } from './names';

export class SymbolTable {
  private table: SymbolIndex | undefined;
  /** Files changed since `table` was built. */
  private stale = false;
  private build: Promise<SymbolIndex> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly files: () => IndexedFile[],
    private readonly indexing: () => boolean,
    private readonly log: (line: string) => void,
  ) {}

  /** Files changed: the table is stale; rebuilt off the request path, so the next Ctrl+T is fast. */
  changed(): void {
    this.stale = true;
    clearTimeout(this.timer);
    if (!this.indexing()) this.timer = setTimeout(() => void this.rebuild(), 0);
  }

  /** Starts (or joins) a rebuild in the background. */
  rebuild(): Promise<SymbolIndex> {
    if (this.build) return this.build;
    this.stale = false;
    this.build = SymbolIndex.build(this.files()).then(
      (built) => {
        this.table = built;
        this.build = undefined;
        // Files changed while it was built: once more.
        if (this.stale && !this.indexing()) void this.rebuild();
        return built;
      },
      (e: unknown) => {
        this.build = undefined;
        this.log(`name table build failed: ${(e as Error).stack ?? e}`);
        return (this.table ??= new SymbolIndex([]));
      },
    );
    return this.build;
  }

  /** The table now (a stale one while a rebuild runs; built on the spot when there is none yet). */
  now(): SymbolIndex {
    if (this.stale && !this.indexing()) void this.rebuild();
    if (!this.table) {
      this.table = new SymbolIndex(this.files());
      this.stale = false;
    }
    return this.table;
  }

  /** The up-to-date table: waits for a rebuild in progress (other requests are answered meanwhile). */
  ready(): Promise<SymbolIndex> {
    if (this.stale && !this.indexing()) void this.rebuild();
    return this.build ?? (this.table ? Promise.resolve(this.table) : this.rebuild());
  }
}
