/**
 * The Types tree as data: a long paged list of top-level types (fetched a page at a time) with some of
 * them expanded into members, members into their types, and so on. `at(i)` finds visible row i in
 * O(expanded tops + depth) without flattening 126k rows. A child whose type is already on its path is a
 * cycle: shown, never expandable (struct list_head → next → struct list_head …).
 */
import type { EditorChild, EditorRow } from '../../server/src/protocol/requests';

export interface ChildNode {
  child: EditorChild;
  parent: ChildNode | TopNode;
  depth: number;
  /** Type IDs from the top row down to this node's parent. */
  path: readonly number[];
  cycle: boolean;
  expanded: boolean;
  children?: ChildNode[];
  /** Visible rows below this node while expanded. */
  size: number;
}

export interface TopNode {
  index: number;
  id: number;
  expanded: boolean;
  children?: ChildNode[];
  size: number;
}

export type VisibleRow =
  | { kind: 'top'; index: number; row?: EditorRow; depth: 0; node?: TopNode }
  | { kind: 'child'; top: number; node: ChildNode; depth: number };

export class TreeModel {
  total = 0;
  private pages = new Map<number, EditorRow[]>();
  /** Expanded top rows by top index, and those indices sorted. */
  private tops = new Map<number, TopNode>();
  private sortedTops: number[] = [];

  constructor(readonly pageSize = 200) {}

  reset(total: number): void {
    this.total = total;
    this.pages.clear();
    this.tops.clear();
    this.sortedTops = [];
  }

  get count(): number {
    let n = this.total;
    for (const t of this.tops.values()) n += t.size;
    return n;
  }

  setPage(page: number, rows: EditorRow[]): void {
    this.pages.set(page, rows);
  }

  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  topRow(index: number): EditorRow | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Visible row `i`. */
  at(i: number): VisibleRow | undefined {
    if (i < 0 || i >= this.count) return undefined;
    let shift = 0;
    for (const k of this.sortedTops) {
      const pos = k + shift;
      if (i < pos) break;
      const t = this.tops.get(k)!;
      if (i === pos) return { kind: 'top', index: k, row: this.topRow(k), depth: 0, node: t };
      if (i <= pos + t.size) {
        const node = nth(t.children!, i - pos - 1);
        return { kind: 'child', top: k, node, depth: node.depth };
      }
      shift += t.size;
    }
    const index = i - shift;
    return { kind: 'top', index, row: this.topRow(index), depth: 0, node: this.tops.get(index) };
  }

  /** Visible position of top row `index`. */
  positionOfTop(index: number): number {
    let shift = 0;
    for (const k of this.sortedTops) {
      if (k >= index) break;
      shift += this.tops.get(k)!.size;
    }
    return index + shift;
  }

  /** Visible position of a child node, or -1 when one of its parents is collapsed. */
  positionOf(node: ChildNode): number {
    let pos = 0;
    let n: ChildNode | TopNode = node;
    while ('parent' in n) {
      const p: ChildNode | TopNode = n.parent;
      if (!p.expanded || !p.children) return -1;
      pos += 1;
      for (const c of p.children) {
        if (c === n) break;
        pos += 1 + (c.expanded ? c.size : 0);
      }
      n = p;
    }
    return this.tops.get(n.index) === n ? this.positionOfTop(n.index) + pos : -1;
  }

  /** Expands visible row `i` with `children` (fetched by the caller). */
  expand(i: number, children: EditorChild[]): void {
    const r = this.at(i);
    if (!r) return;
    if (r.kind === 'top') {
      if (!r.row) return;
      const t: TopNode = r.node ?? { index: r.index, id: r.row.id, expanded: true, size: 0 };
      t.expanded = true;
      t.children = children.map((c) => makeChild(c, t, 1, [r.row!.id]));
      t.size = t.children.length;
      if (!this.tops.has(r.index)) {
        this.tops.set(r.index, t);
        this.sortedTops = [...this.tops.keys()].sort((a, b) => a - b);
      }
      return;
    }
    const n = r.node;
    if (n.cycle) return;
    n.expanded = true;
    n.children = children.map((c) => makeChild(c, n, n.depth + 1, [...n.path, n.child.typeId ?? 0]));
    n.size = n.children.length;
    recount(n.parent);
  }

  collapse(i: number): void {
    const r = this.at(i);
    if (!r) return;
    if (r.kind === 'top') {
      if (!r.node) return;
      this.tops.delete(r.index);
      this.sortedTops = this.sortedTops.filter((k) => k !== r.index);
      return;
    }
    r.node.expanded = false;
    r.node.children = undefined;
    r.node.size = 0;
    recount(r.node.parent);
  }

  isExpanded(i: number): boolean {
    const r = this.at(i);
    return !!r && (r.kind === 'top' ? !!r.node?.expanded : r.node.expanded);
  }

  /** Can visible row `i` be expanded (has children, not a cycle)? */
  expandable(i: number): boolean {
    const r = this.at(i);
    if (!r) return false;
    if (r.kind === 'top') return !!r.row?.hasChildren;
    return r.node.child.hasChildren && !r.node.cycle && r.node.child.typeId !== undefined;
  }

  /** Visible position of the parent of row `i` (-1 for top rows). */
  parentOf(i: number): number {
    const r = this.at(i);
    if (!r || r.kind === 'top') return -1;
    const p = r.node.parent;
    return 'parent' in p ? this.positionOf(p) : this.positionOfTop(p.index);
  }

  /** Type IDs of the expanded top rows (kept across a reload). */
  expandedIds(): number[] {
    return [...this.tops.values()].map((t) => t.id);
  }
}

function makeChild(child: EditorChild, parent: ChildNode | TopNode, depth: number, path: number[]): ChildNode {
  const cycle = child.typeId !== undefined && child.typeId !== 0 && path.includes(child.typeId);
  return { child, parent, depth, path, cycle, expanded: false, size: 0 };
}

function recount(n: ChildNode | TopNode): void {
  for (let x: ChildNode | TopNode | undefined = n; x; x = 'parent' in x ? x.parent : undefined) {
    x.size = (x.children ?? []).reduce((a, c) => a + 1 + (c.expanded ? c.size : 0), 0);
  }
}

/** The j-th visible node (pre-order) among `list` and their expanded descendants. */
function nth(list: ChildNode[], j: number): ChildNode {
  let cur = list;
  outer: for (;;) {
    for (const c of cur) {
      if (j === 0) return c;
      j--;
      const s = c.expanded ? c.size : 0;
      if (j < s) {
        cur = c.children!;
        continue outer;
      }
      j -= s;
    }
    return cur[cur.length - 1]!; // sizes out of step: never past the end
  }
}
