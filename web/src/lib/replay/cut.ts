/**
 * Replay as pure functions of a whole Summary and a time: what the session
 * looked like `t` seconds after its start (the diagram then builds up as it
 * did live), where the next and previous messages are, and the marks of the
 * timeline. The cut keeps every list a prefix of the original, so message
 * and PDU indices — the inspector's selection, the server's details — stay
 * the same at every point of the replay.
 */
import type { Summary, SummaryAssociation } from '../../../../shared/model/summary-types.ts';
import { commandOf, statusCodeOf, statusMeaningOf } from '../../../../shared/dimse/message-words.ts';

/** Number of leading items whose time is ≤ t (lists are in the order events were seen, so times rise). */
function prefix(list: readonly { time: number }[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].time <= t) lo = mid + 1;
    else hi = mid;
  }
  // Out-of-order times (never expected, but a capture may have them): keep a prefix anyway.
  return lo;
}

/** The association as it stood at t: still open when it ended later. */
function associationAt(a: SummaryAssociation, t: number): SummaryAssociation {
  if (a.end === null || a.end <= t) return a;
  return { ...a, outcome: 'open', end: null, reject: null, abort: null, closeReason: null };
}

/** The session as it stood `t` seconds after its start. */
export function replayCut(summary: Summary, t: number): Summary {
  if (t >= replayDuration(summary)) return summary;
  return {
    ...summary,
    associations: summary.associations.filter((a) => a.start <= t).map((a) => associationAt(a, t)),
    pdus: summary.pdus.slice(0, prefix(summary.pdus, t)),
    messages: summary.messages.slice(0, prefix(summary.messages, t)),
    errors: summary.errors.slice(0, prefix(summary.errors, t)),
  };
}

/** Seconds from the start of the session to its last event. */
export function replayDuration(summary: Summary): number {
  let end = 0;
  for (const a of summary.associations) end = Math.max(end, a.end ?? a.start);
  const last = <T extends { time: number }>(list: T[]) => (list.length ? list[list.length - 1].time : 0);
  return Math.max(end, last(summary.messages), last(summary.pdus), last(summary.errors));
}

/** Messages shown at t. */
export function messagesAt(summary: Summary, t: number): number {
  return prefix(summary.messages, t);
}

/**
 * The time of the next (dir 1) or previous (dir -1) message from t: one step
 * shows or hides one more message (messages at the same instant go together).
 */
export function stepTime(summary: Summary, t: number, dir: 1 | -1): number {
  const shown = prefix(summary.messages, t);
  if (dir === 1) return shown < summary.messages.length ? summary.messages[shown].time : replayDuration(summary);
  if (shown <= 1) return 0;
  // Back to just after the message before the last one shown.
  return summary.messages[shown - 2].time;
}

export interface ReplayMark {
  time: number;
  kind: 'association' | 'failure';
  label: string;
}

/** Timeline marks: each association's start, and each failure (rejects, aborts, refusals, failure statuses, decode errors). */
export function replayMarks(summary: Summary): ReplayMark[] {
  const marks: ReplayMark[] = [];
  for (const a of summary.associations) {
    marks.push({ time: a.start, kind: 'association', label: `${a.id} ${a.requestor.ae ?? '?'} → ${a.acceptor.ae ?? '?'}` });
    if (a.outcome === 'rejected' || a.outcome === 'aborted' || a.outcome === 'refused') {
      marks.push({ time: a.end ?? a.start, kind: 'failure', label: `${a.id} ${a.outcome}${a.reject ? `: ${a.reject.text}` : a.abort ? `: ${a.abort.text}` : a.closeReason ? `: ${a.closeReason}` : ''}` });
    }
  }
  for (const m of summary.messages) {
    if (m.statusCategory === 'failure') marks.push({ time: m.time, kind: 'failure', label: `${commandOf(m)} ${statusCodeOf(m) ?? ''} ${statusMeaningOf(m) ?? ''}`.trim() });
  }
  for (const e of summary.errors) marks.push({ time: e.time, kind: 'failure', label: `decode error: ${e.reason}` });
  return marks.sort((a, b) => a.time - b.time);
}
