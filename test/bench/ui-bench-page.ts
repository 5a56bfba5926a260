/**
 * What the UI benchmark runs inside the page, as plain JavaScript source
 * (strings, not functions: tsx would add helpers the page does not have).
 *
 * `window.__bench`, installed before the UI's own scripts on every page of the
 * context:
 * - `added[i]` / `shown[i]`: performance.now() when the arrow with
 *   data-index=i first entered the DOM (MutationObserver) and when it was
 *   first seen inside the diagram's visible area below the pinned lifeline
 *   heads (checked in the observer callback, in the task right after it, and
 *   on every animation frame). Only arrows from index `from` on are watched
 *   (TRACK_FROM): the live-latency run sets it to its first new message, so
 *   that the page's main thread is not spent (each check forces a layout)
 *   on the arrows of the session already drawn, which no figure uses.
 *   performance.now() counts from the navigation start; `timeOrigin` turns it
 *   into wall-clock milliseconds.
 * - `ws`: when the page created its WebSocket and when the first message (the
 *   snapshot) arrived, with its length. A page that marks them in its
 *   performance timeline ('pacscope:live-socket', 'pacscope:snapshot' with
 *   the text's length: when the live client had it to parse) is read from
 *   there by READ_TIMES: its first message may be a preview of the live end
 *   (shared/events/live-preview.ts), marked 'pacscope:preview': `preview`; and
 *   'pacscope:snapshot-drawn', after the task that drew the whole snapshot:
 *   `wholeDrawn`.
 * - `frames` / `work`, when set to arrays: every requestAnimationFrame
 *   timestamp, and per frame the time from that rAF callback to a message
 *   posted from it (which runs once the frame's style, layout and paint are
 *   done): the main thread's rendering work for the frame.
 */
export const PAGE_INIT_SCRIPT = `(() => {
  const B = { added: {}, shown: {}, pending: new Set(), track: true, from: 0, frames: null, work: null, ws: { created: null, first: null, bytes: 0 } };
  window.__bench = B;
  const HEADS = 56;
  const inView = (el, b) => {
    if (!el.isConnected) return false;
    const a = el.getBoundingClientRect();
    return a.height > 0 && a.bottom > b.top + HEADS && a.top < b.bottom;
  };
  const check = (now) => {
    const d = document.querySelector('[data-testid=diagram]');
    const s = d && d.closest('.scroller');
    if (!s) return;
    const box = s.getBoundingClientRect();
    for (const el of B.pending) {
      if (!el.isConnected) { B.pending.delete(el); continue; }
      if (!inView(el, box)) continue;
      const i = el.getAttribute('data-index');
      if (!(i in B.shown)) B.shown[i] = now;
      B.pending.delete(el);
    }
  };
  const recheck = new MessageChannel();
  recheck.port1.onmessage = () => { if (B.track && B.pending.size) check(performance.now()); };
  new MutationObserver((records) => {
    if (!B.track) return;
    const now = performance.now();
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        const found = n.matches('[data-testid=arrow]') ? [n] : n.querySelectorAll('[data-testid=arrow]');
        for (const el of found) {
          const i = el.getAttribute('data-index');
          if (Number(i) < B.from) continue;
          if (!(i in B.added)) B.added[i] = now;
          if (!(i in B.shown)) B.pending.add(el);
        }
      }
    }
    if (B.pending.size) check(now);
    // The view may follow the live end a few microtasks later, in the same task: look again right after it.
    if (B.pending.size) recheck.port2.postMessage(0);
  }).observe(document, { childList: true, subtree: true });
  const channel = new MessageChannel();
  let frameStart = 0;
  channel.port1.onmessage = () => { if (B.work) B.work.push(performance.now() - frameStart); };
  const frame = (ts) => {
    if (B.frames) {
      B.frames.push(ts);
      frameStart = performance.now();
      channel.port2.postMessage(0);
    }
    if (B.track && B.pending.size) check(performance.now());
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      B.ws.created = performance.now();
      this.addEventListener('message', (e) => {
        if (B.ws.first !== null) return;
        B.ws.first = performance.now();
        B.ws.bytes = String(e.data).length;
      });
    }
  };
})();`;

/** Where the diagram's scroll area is on the page (for the mouse). */
export const SCROLLER_BOX = `(() => {
  const r = document.querySelector('[data-testid=diagram]').closest('.scroller').getBoundingClientRect();
  return { x: r.left, y: r.top, width: r.width, height: r.height };
})()`;

export interface PageTimes {
  timeOrigin: number;
  added: Record<string, number>;
  shown: Record<string, number>;
  ws: { created: number | null; first: number | null; bytes: number };
  /** When the live end's preview was there to parse, and its length (null: none came). */
  preview: { at: number; bytes: number } | null;
  wholeDrawn: number | null;
}

export const READ_TIMES = `(() => {
  const B = window.__bench;
  const mark = (name) => performance.getEntriesByName(name, 'mark')[0];
  const socket = mark('pacscope:live-socket');
  const snapshot = mark('pacscope:snapshot');
  // The page's own marks first: its first message may be a preview, the snapshot the second.
  const ws = { created: B.ws.created ?? (socket ? socket.startTime : null), first: snapshot ? snapshot.startTime : B.ws.first, bytes: snapshot ? snapshot.detail.length : B.ws.bytes };
  const p = mark('pacscope:preview');
  const whole = mark('pacscope:snapshot-drawn');
  return { timeOrigin: performance.timeOrigin, added: B.added, shown: B.shown, ws, preview: p ? { at: p.startTime, bytes: p.detail.length } : null, wholeDrawn: whole ? whole.startTime : null };
})()`;
export const START_FRAMES = `(() => { const B = window.__bench; B.track = false; B.pending.clear(); B.frames = []; B.work = []; })()`;
export const STOP_FRAMES = `(() => { const B = window.__bench; const r = { frames: B.frames, work: B.work }; B.frames = null; B.work = null; return r; })()`;
/** Watches only the arrows from message `index` on (see `from` above). */
export const TRACK_FROM = (index: number): string => `(() => { const B = window.__bench; B.from = ${index}; for (const el of B.pending) if (Number(el.getAttribute('data-index')) < ${index}) B.pending.delete(el); })()`;
export const TRACK_ON = `(() => { window.__bench.track = true; })()`;

/** Nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Differences between consecutive timestamps. */
export function deltas(stamps: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < stamps.length; i++) out.push(stamps[i] - stamps[i - 1]);
  return out;
}
