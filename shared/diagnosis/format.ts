/**
 * Small text helpers for findings. DICOM strings (AE titles, UIDs, error
 * comments) are data: they are always quoted with JSON escaping, so a control
 * character or a quote in an AE title shows as such and cannot break a line.
 */
import type { SummaryAssociation, SummaryEndpoint, SummaryMessage } from '../model/summary-types.ts';
import { uidName } from '../dicom/uids.ts';
import { commandOf, statusCodeOf, statusMeaningOf } from '../dimse/message-words.ts';

/** A DICOM string as data: "ORTHANC", "" for blank, ? when unknown. */
export function q(s: string | null | undefined): string {
  if (s === null || s === undefined) return '?';
  return JSON.stringify(s);
}

export const hostPort = (e: SummaryEndpoint): string => `${e.host}:${e.port}`;

/** "STORESCP at 127.0.0.1:11113" */
export const aeAt = (e: SummaryEndpoint): string => `${q(e.ae)} at ${hostPort(e)}`;

export const seconds = (x: number): string => `${x < 10 ? x.toFixed(3) : x.toFixed(1)} s`;

/** "t=1.234" as in `pacscope summary`. */
export const at = (x: number): string => `t=${x.toFixed(4)}`;

/** "a, b and c", the first `max` and how many more. */
export function list(items: readonly string[], max = 6): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  const head = shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown[0];
  return more > 0 ? `${shown.join(', ')} and ${more} more` : head;
}

/** A SOP class or transfer syntax by name, with its UID when named. */
export function uidText(uid: string | null): string {
  if (!uid) return '?';
  const name = uidName(uid);
  return name ? `${name} (${uid})` : q(uid);
}

/** "C-MOVE-RQ #3 on a1" */
export function messageLabel(m: SummaryMessage): string {
  const id = m.messageId ?? m.respondsTo;
  return `${commandOf(m)}${id === null ? '' : ` #${id}`} on ${m.association}`;
}

/** "0xA801 (Refused: move destination unknown)" */
export function statusText(m: SummaryMessage): string {
  const meaning = statusMeaningOf(m);
  return `${statusCodeOf(m) ?? '?'}${meaning ? ` (${meaning})` : ''}`;
}

/** "completed 3, failed 0, warning 0, remaining 2" (only the counters present). */
export function countersText(m: SummaryMessage): string {
  const parts: string[] = [];
  if (m.remaining !== null) parts.push(`remaining ${m.remaining}`);
  if (m.completed !== null) parts.push(`completed ${m.completed}`);
  if (m.failed !== null) parts.push(`failed ${m.failed}`);
  if (m.warning !== null) parts.push(`warning ${m.warning}`);
  return parts.length ? parts.join(', ') : 'no counters';
}

/** "a1 (MOVESCU → ORTHANC)" */
export const associationLabel = (a: SummaryAssociation): string => `${a.id} (${q(a.requestor.ae)} → ${q(a.acceptor.ae)})`;

/** Unique, in first-seen order (evidence lists). */
export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
