/**
 * Live latency for the UI benchmark: C-ECHOs over real TCP to a server while a
 * page is open, then, per DIMSE message they caused, the time from the
 * server's wire time of the message to its arrow in the page.
 *
 * Wire time: the capture hub's time of the wire event that completed the
 * message (the socket tap's clock in the server process, when the bytes were
 * read from or written to the socket), read back from the server's live
 * snapshot as `source.start + message.time` (the ISO start has millisecond
 * precision, so a wire time can be up to 1 ms early). Page time:
 * `performance.timeOrigin + performance.now()` when the arrow entered the DOM
 * and when it was first inside the visible diagram. Both clocks are the same
 * machine's wall clock.
 */
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { CaptureHub } from '../../server/capture/hub.ts';
import { cEcho } from '../../server/endpoints/scu/echo.ts';
import { dimse } from '../../server/endpoints/dimse-tap.ts';
import type { LiveServerMessage } from '../../shared/events/live-messages.ts';
import { unpackSnapshot } from '../../shared/events/live-snapshot.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { percentile, READ_TIMES, TRACK_FROM, type PageTimes } from './ui-bench-page.ts';
import { commandOf } from '../../shared/dimse/message-words.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The server's model now (PDUs aside), from the snapshot of `/api/live` (after the live end's preview, when one comes). */
export function liveSnapshot(pageUrl: string): Promise<Summary> {
  const url = new URL('api/live', pageUrl.replace(/^http/, 'ws'));
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { maxPayload: 1 << 30 });
    const timer = setTimeout(() => (socket.terminate(), reject(new Error(`no snapshot from ${url} within 30 s`))), 30_000);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as LiveServerMessage;
      // A long window's live end may come first (shared/events/live-preview.ts): the snapshot follows it.
      if (message.type === 'preview') return;
      clearTimeout(timer);
      socket.close();
      if (message.type !== 'snapshot') reject(new Error(`first message of ${url} is ${message.type}, not a snapshot`));
      // Any server since live protocol 1 (the bench's "before" checkout): unpackSnapshot takes whole messages as they are.
      else resolve(unpackSnapshot(message.summary));
    });
    socket.once('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

export interface EchoTarget {
  port: number;
  ae: string;
}

/** `count` C-ECHOs, one association each, `gapMs` apart, from this process's SCU (its own hub, not recorded). */
export async function runEchoes(target: EchoTarget, count: number, gapMs: number): Promise<void> {
  dimse.log.setLevel('error');
  const hub = await CaptureHub.open({ source: { kind: 'bench', description: 'UI bench C-ECHO SCU' } });
  try {
    for (let i = 0; i < count; i++) {
      const r = await cEcho({ host: '127.0.0.1', port: target.port, callingAeTitle: 'BENCHECHO', calledAeTitle: target.ae, timeoutMs: 10_000 }, hub);
      if (r.outcome !== 'success') throw new Error(`C-ECHO ${i + 1} to ${target.ae}@127.0.0.1:${target.port}: ${r.outcome}`);
      await sleep(gapMs);
    }
  } finally {
    await hub.close();
  }
}

export interface LiveLatency {
  /** Messages measured (every message from `fromIndex` on). */
  samples: number;
  /** Wire → arrow in the DOM, ms. */
  dom: number[];
  /** Wire → arrow inside the visible diagram, ms. */
  shown: number[];
  /** Messages whose arrow never appeared (or never came into view). */
  missing: number;
  /** The slowest messages: [position among the measured messages (0 = first), command, wire → in view ms]. */
  worst: [number, string, number][];
  /**
   * The first C-ECHO's association, the first after the page loaded (its 2 messages, wire → in view, the slower):
   * its new lanes move the arrows drawn (NaN when one of them never came into view).
   */
  firstAssociation: number;
}

/** Runs the echoes with the page open, then pairs each new message's wire time with its arrow's times in the page. */
export async function measureLiveLatency(page: Page, pageUrl: string, target: EchoTarget, count: number, gapMs: number): Promise<LiveLatency> {
  const before = (await liveSnapshot(pageUrl)).messages.length;
  await page.evaluate(TRACK_FROM(before));
  await runEchoes(target, count, gapMs);
  await sleep(500); // let the last arrows arrive
  const summary = await liveSnapshot(pageUrl);
  const times = (await page.evaluate(READ_TIMES)) as PageTimes;
  const start = Date.parse(summary.source.start ?? '');
  if (!Number.isFinite(start)) throw new Error('the live snapshot has no source start time');
  const result: LiveLatency = { samples: 0, dom: [], shown: [], missing: 0, worst: [], firstAssociation: -Infinity };
  let firstSeen = 0;
  for (let i = before; i < summary.messages.length; i++) {
    result.samples += 1;
    const wire = start + summary.messages[i].time * 1000;
    const added = times.added[String(i)];
    const shown = times.shown[String(i)];
    if (added === undefined || shown === undefined) {
      result.missing += 1;
      continue;
    }
    result.dom.push(times.timeOrigin + added - wire);
    result.shown.push(times.timeOrigin + shown - wire);
    result.worst.push([i - before, commandOf(summary.messages[i]), times.timeOrigin + shown - wire]);
    if (i - before < 2) {
      result.firstAssociation = Math.max(result.firstAssociation, times.timeOrigin + shown - wire);
      firstSeen += 1;
    }
  }
  if (firstSeen < 2) result.firstAssociation = NaN;
  result.worst = result.worst.sort((a, b) => b[2] - a[2]).slice(0, 3);
  return result;
}

export function describeLatency(l: LiveLatency): string {
  const f = (v: number) => v.toFixed(1);
  return `${l.samples} messages${l.missing ? `, ${l.missing} never shown` : ''}; wire→DOM p50 ${f(percentile(l.dom, 50))} p95 ${f(percentile(l.dom, 95))} ms; wire→in view p50 ${f(percentile(l.shown, 50))} p95 ${f(percentile(l.shown, 95))} max ${f(Math.max(...l.shown))} ms; slowest: ${l.worst.map(([i, c, v]) => `#${i} ${c} ${f(v)} ms`).join(', ')}`;
}
