/** Sorting for the Maps, Programs and Ext info tables: numbers as numbers, text naturally, stable. */
export type SortDir = 'asc' | 'desc';

export interface SortState {
  key: string;
  dir: SortDir;
}

export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null || a === '') return 1; // blanks last either way
  if (b === undefined || b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function sortRows<T extends object>(rows: readonly T[], s: SortState | undefined): T[] {
  const out = rows.map((r, i) => ({ r, i }));
  if (s) {
    const k = s.key as keyof T;
    const sign = s.dir === 'asc' ? 1 : -1;
    out.sort((x, y) => {
      const blankX = x.r[k] === undefined || x.r[k] === null || x.r[k] === '';
      const blankY = y.r[k] === undefined || y.r[k] === null || y.r[k] === '';
      if (blankX !== blankY) return blankX ? 1 : -1;
      return sign * compareValues(x.r[k], y.r[k]) || x.i - y.i;
    });
  }
  return out.map((x) => x.r);
}

/** Clicking a column header: a new column sorts ascending, the same one flips. */
export function nextSort(cur: SortState | undefined, key: string): SortState {
  return cur && cur.key === key ? { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}
