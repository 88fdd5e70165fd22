/**
 * The type-tree webview's pure logic: escaping, scroller math, filters, sorting, layout bars, saved
 * state, the request→result RPC and the message checks both ends apply.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJump, toFilter } from '../../client/webview/filter';
import { escapeHtml, html, raw } from '../../client/webview/html';
import { layoutBars } from '../../client/webview/layout-bars';
import { makeNonce, pageHtml } from '../../client/webview/page';
import { Rpc } from '../../client/webview/rpc';
import { MAX_HEIGHT, pagesFor, revealScrollTop, visibleWindow } from '../../client/webview/scroller';
import { goBack, goForward, initialState, pushHistory, readState } from '../../client/webview/state';
import { nextSort, sortRows } from '../../client/webview/table';
import type { EditorLayoutRequest } from '../../server/src/protocol/requests';
import { type WebviewToHost, isHostToWebview, isWebviewToHost } from '../../server/src/protocol/webview';

describe('webview: escaping', () => {
  test('escapeHtml turns every markup character into an entity', () => {
    assert.equal(escapeHtml(`<img src=x onerror=alert(1)>&"'\``), '&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;&#96;');
  });
  test('html escapes every interpolated value, keeps Raw and joins arrays', () => {
    const name = '<img src=x onerror=alert(1)>';
    assert.equal(html`<b title="${name}">${name}</b>`.value, '<b title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</b>');
    assert.equal(html`${[html`<i>${'<'}</i>`, '>']}${raw('<br>')}${undefined}${false}${0}`.value, '<i>&lt;</i>&gt;<br>0');
  });
  test('pageHtml: strict CSP with the nonce, no inline script or style, escaped title', () => {
    const p = pageHtml({ nonce: 'N0NCE', cspSource: 'https://res', scriptUri: 'https://res/w.js', styleUri: 'https://res/w.css', title: '<x>' });
    assert.match(p, /content="default-src &#39;none&#39;; style-src https:\/\/res; font-src https:\/\/res; img-src https:\/\/res data:; script-src &#39;nonce-N0NCE&#39;"/);
    assert.match(p, /<script nonce="N0NCE" src="https:\/\/res\/w.js"><\/script>/);
    assert.doesNotMatch(p, /unsafe-inline|style="|\son\w+=/);
    assert.match(p, /<title>&lt;x&gt;<\/title>/);
    assert.match(makeNonce(), /^[A-Za-z0-9]{32}$/);
  });
});

describe('webview: virtual scroller', () => {
  test('the window covers the viewport plus overscan, clamped to the list', () => {
    assert.deepEqual(visibleWindow(0, 220, 22, 126_610, 5), { start: 0, end: 16, top: 0, height: 126_610 * 22 });
    const w = visibleWindow(22 * 1000 + 7, 220, 22, 126_610, 5);
    assert.deepEqual([w.start, w.end, w.top], [995, 1016, 995 * 22]);
    const end = visibleWindow(1e9, 220, 22, 100, 5);
    assert.deepEqual([end.start, end.end], [85, 100]);
    assert.deepEqual(visibleWindow(0, 220, 22, 0), { start: 0, end: 0, top: 0, height: 0 });
  });
  test('a list taller than the browser allows is scaled: the last row is still reachable', () => {
    const count = 2_000_000;
    const w = visibleWindow(MAX_HEIGHT, 500, 22, count, 0);
    assert.equal(w.height, MAX_HEIGHT);
    assert.equal(w.end, count);
    assert.ok(w.top >= MAX_HEIGHT - 500 - 22 && w.top <= MAX_HEIGHT, `${w.top}`);
    const top = revealScrollTop(count - 1, 0, 500, 22, count);
    const seen = visibleWindow(top, 500, 22, count, 0);
    assert.ok(seen.start <= count - 1 && seen.end === count);
  });
  test('pages needed for a window; reveal moves the least', () => {
    assert.deepEqual(pagesFor(190, 410, 200), [0, 1, 2]);
    assert.deepEqual(pagesFor(5, 5, 200), []);
    assert.equal(revealScrollTop(10, 0, 220, 22, 1000), 22); // row 10 ends at 242: scroll 22
    assert.equal(revealScrollTop(3, 100, 220, 22, 1000), 66);
    assert.equal(revealScrollTop(6, 100, 220, 22, 1000), 100); // already visible
  });
});

describe('webview: filters and jump', () => {
  test('toolbar input to the server filter', () => {
    assert.deepEqual(toFilter({ text: ' task ', regex: false, kind: '', scope: 'own', namedOnly: false }), { filter: { scope: 'own', name: 'task' } });
    assert.deepEqual(toFilter({ text: '^sk_', regex: true, kind: 'STRUCT+UNION', scope: 'all', namedOnly: true }).filter,
      { scope: 'all', name: '^sk_', regex: true, kinds: ['STRUCT', 'UNION'], namedOnly: true });
    const bad = toFilter({ text: '(', regex: true, kind: 'BOGUS', scope: 'own', namedOnly: false });
    assert.match(bad.error ?? '', /Unterminated group/);
    assert.equal(bad.filter.kinds, undefined);
  });
  test('jump box: 123, #123, [123]; anything else is not an ID', () => {
    assert.deepEqual(['123', ' #7 ', '[42]', '0', 'x1', '99999999999', ''].map(parseJump), [123, 7, 42, undefined, undefined, undefined, undefined]);
  });
});

describe('webview: sortable tables', () => {
  const rows = [{ n: 'b10', v: 3 }, { n: 'b9', v: undefined as number | undefined }, { n: 'a', v: 1 }, { n: 'c', v: 3 }];
  test('numbers as numbers, text naturally, blanks last, stable', () => {
    assert.deepEqual(sortRows(rows, { key: 'n', dir: 'asc' }).map((r) => r.n), ['a', 'b9', 'b10', 'c']);
    assert.deepEqual(sortRows(rows, { key: 'v', dir: 'asc' }).map((r) => r.n), ['a', 'b10', 'c', 'b9']);
    assert.deepEqual(sortRows(rows, { key: 'v', dir: 'desc' }).map((r) => r.n), ['b10', 'c', 'a', 'b9']);
    assert.deepEqual(sortRows(rows, undefined).map((r) => r.n), ['b10', 'b9', 'a', 'c']);
  });
  test('header clicks: new column ascending, same column flips', () => {
    assert.deepEqual(nextSort(undefined, 'a'), { key: 'a', dir: 'asc' });
    assert.deepEqual(nextSort({ key: 'a', dir: 'asc' }, 'a'), { key: 'a', dir: 'desc' });
    assert.deepEqual(nextSort({ key: 'a', dir: 'desc' }, 'b'), { key: 'b', dir: 'asc' });
  });
});

describe('webview: layout bars', () => {
  const m = (name: string, offset: number, size: number, hole = 0, bitfieldSize = 0, depth = 0) => ({
    name, typeId: 1, typeLabel: 'int', offset, size, bitfieldOffset: 0, bitfieldSize, hole, bitHole: 0, depth,
  });
  test('members, holes, shared bitfield units, padding; bars cut at cacheline boundaries', () => {
    const l: EditorLayoutRequest.Result = {
      id: 5, name: 's', kind: 'struct', size: 80, cacheline: 64, padding: 4, holes: 1, sumHoles: 4, text: '',
      members: [m('a', 0, 4, 4), m('x', 8, 4, 0, 3), m('y', 8, 4, 0, 5), m('inner', 12, 4), m('deep', 12, 4, 0, 0, 1), m('big', 16, 60)],
    };
    const rows = layoutBars(l);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.bars.map((b) => [b.kind, b.start, b.len, b.label]), [
      ['member', 0, 4, 'a'], ['hole', 4, 4, 'hole 4'], ['member', 8, 4, 'x:3, y:5'], ['member', 12, 4, 'inner'], ['member', 16, 48, 'big'],
    ]);
    assert.deepEqual(rows[1]!.bars.map((b) => [b.kind, b.start, b.len, b.label]), [['member', 64, 12, 'big'], ['padding', 76, 4, 'padding 4']]);
  });
  test('unions: one row per member from offset 0', () => {
    const rows = layoutBars({ id: 1, name: 'u', kind: 'union', size: 8, cacheline: 64, padding: 0, holes: 0, sumHoles: 0, text: '', members: [m('a', 0, 4), m('b', 0, 8)] });
    assert.deepEqual(rows.map((r) => r.bars.map((b) => [b.start, b.len, b.label])), [[[0, 4, 'a']], [[0, 8, 'b']]]);
  });
});

describe('webview: state and history', () => {
  test('foreign or damaged state is ignored field by field', () => {
    assert.deepEqual(readState(undefined), initialState());
    assert.deepEqual(readState({ v: 2, tab: 'types' }), initialState());
    const s = readState({ v: 1, tab: 'nope', selected: -3, filter: { text: 5, scope: 'all', regex: 'yes' }, back: [1, 'x', 2.5, 3], extTab: 'coreRelo' });
    assert.equal(s.tab, undefined);
    assert.equal(s.selected, undefined);
    assert.deepEqual(s.filter, { text: '', regex: false, kind: '', scope: 'all', namedOnly: false });
    assert.deepEqual(s.back, [1, 3]);
    assert.equal(s.extTab, 'coreRelo');
  });
  test('back and forward', () => {
    const s = initialState();
    pushHistory(s, 1, 2);
    pushHistory(s, 2, 3);
    assert.equal(goBack(s, 3), 2);
    assert.equal(goBack(s, 2), 1);
    assert.equal(goBack(s, 1), undefined);
    assert.equal(goForward(s, 1), 2);
    pushHistory(s, 2, 9); // a new jump forgets what was forward
    assert.deepEqual([s.back, s.forward], [[1, 2], []]);
  });
});

describe('webview: messages', () => {
  test('Rpc matches replies to requests by sequence number; errors reject', async () => {
    const sent: WebviewToHost[] = [];
    const rpc = new Rpc((m) => sent.push(m));
    const a = rpc.request('btf/editor/rows', { doc: '1', scope: 'own', offset: 0, limit: 10 });
    const b = rpc.request('btf/editor/maps', { doc: '1' });
    assert.deepEqual(sent.map((m) => (m.type === 'request' ? [m.seq, m.method] : m.type)), [[1, 'btf/editor/rows'], [2, 'btf/editor/maps']]);
    assert.equal(rpc.handle({ type: 'response', seq: 2, ok: false, error: 'no maps' }), true);
    assert.equal(rpc.handle({ type: 'response', seq: 1, ok: true, result: { total: 0, offset: 0, rows: [] } }), true);
    assert.equal(rpc.handle({ type: 'reveal', id: 3 }), false);
    assert.deepEqual(await a, { total: 0, offset: 0, rows: [] });
    await assert.rejects(b, /no maps/);
    const c = rpc.request('btf/editor/ext', { doc: '1' });
    rpc.cancelAll('reloaded');
    await assert.rejects(c, /reloaded/);
    assert.equal(rpc.outstanding, 0);
  });
  test('the host accepts only well-formed messages naming a webview method', () => {
    assert.equal(isWebviewToHost({ type: 'request', seq: 1, method: 'btf/editor/rows', params: { doc: '1' } }), true);
    assert.equal(isWebviewToHost({ type: 'request', seq: 1, method: 'btf/editor/open', params: { doc: '1', uri: 'file:///etc/shadow' } }), false);
    assert.equal(isWebviewToHost({ type: 'request', seq: 1, method: 'btf/editor/rows', params: null }), false);
    assert.equal(isWebviewToHost({ type: 'rendered', rows: 3, ms: 10, doc: '1' }), true);
    assert.equal(isWebviewToHost({ type: 'openC', id: '3' }), false);
    assert.equal(isWebviewToHost({ type: 'eval', code: 'x' }), false);
    assert.equal(isWebviewToHost('ready'), false);
    assert.equal(isHostToWebview({ type: 'init', overview: { doc: '1' } }), true);
    assert.equal(isHostToWebview({ type: 'response', seq: 1, ok: true, result: 1 }), true);
    assert.equal(isHostToWebview({ type: 'init' }), false);
    assert.equal(isHostToWebview({ data: 1 }), false);
  });
});
