/**
 * Virtual scrolling math: which rows of a long list are on screen (plus a margin), where the first
 * one sits, and which pages of rows must be fetched. Only those rows exist in the DOM.
 */
export interface RowWindow {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Pixel top of row `start` inside the scrolled content. */
  top: number;
  /** Height of the scrolled content in pixels. */
  height: number;
}

/** Browsers cap an element's height (Chromium near 2^25 px); past this the list is scaled down. */
export const MAX_HEIGHT = 16_000_000;

/** Content pixels per list pixel: 1 unless the list is taller than MAX_HEIGHT. */
function scaleOf(count: number, rowHeight: number, viewport: number): { height: number; scale: number } {
  const full = count * rowHeight;
  const height = Math.min(full, MAX_HEIGHT);
  const scale = full > height && height > viewport ? (full - viewport) / (height - viewport) : 1;
  return { height, scale };
}

export function visibleWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 10): RowWindow {
  const { height, scale } = scaleOf(count, rowHeight, viewport);
  const st = Math.max(0, Math.min(scrollTop, Math.max(0, height - viewport)));
  const listTop = st * scale; // in list pixels
  const first = Math.floor(listTop / rowHeight);
  const start = Math.max(0, Math.min(first, count) - overscan);
  const end = Math.min(count, first + Math.ceil(viewport / rowHeight) + 1 + overscan);
  return { start, end, top: st + start * rowHeight - listTop, height };
}

/** Pages (of `pageSize` rows) that hold rows [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  const out: number[] = [];
  if (end <= start) return out;
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}

/** The scrollTop that brings row `index` fully into view, moving as little as possible. */
export function revealScrollTop(index: number, scrollTop: number, viewport: number, rowHeight: number, count: number): number {
  const { scale } = scaleOf(count, rowHeight, viewport);
  const y = index * rowHeight;
  const listTop = scrollTop * scale;
  if (y < listTop) return y / scale;
  if (y + rowHeight > listTop + viewport) return Math.max(0, (y + rowHeight - viewport) / scale);
  return scrollTop;
}
