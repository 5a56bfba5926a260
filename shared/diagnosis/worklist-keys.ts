/**
 * Which key of a worklist query left out the items a capture shows the SCP
 * has (PS3.4 K.6.1.2.2 with the matching of C.2.2.2): the items are what
 * the same SCP answered to other worklist queries of the capture; each
 * matching key of the empty query is tried on each of them. Matching here
 * is the standard's, simplified to what explains a finding — single value
 * (PN case-insensitive), `*`/`?` wild cards, DA/TM ranges, UID lists — and
 * linear in the key and the value (keys come from the wire: no regular
 * expression is built from them, docs/architecture.md §5). Pure.
 */
import { scheduledStep, valueText, type WorklistKey } from '../dicom/worklist-mpps.ts';

/** A worklist item as an SCP answered it: top-level keys and the keys of its (first) scheduled step, as text. */
export interface KnownItem {
  top: Record<string, string>;
  step: Record<string, string>;
}

export function knownItem(identifier: Record<string, unknown> | null): KnownItem | null {
  if (!identifier) return null;
  const top: Record<string, string> = {};
  for (const [k, v] of Object.entries(identifier)) {
    const t = valueText(v);
    if (t !== null) top[k] = t;
  }
  return { top, step: scheduledStep(identifier) ?? {} };
}

const RANGE_VRS: Readonly<Record<string, 'DA' | 'TM'>> = {
  ScheduledProcedureStepStartDate: 'DA',
  ScheduledProcedureStepEndDate: 'DA',
  PatientBirthDate: 'DA',
  ScheduledProcedureStepStartTime: 'TM',
  ScheduledProcedureStepEndTime: 'TM',
};
const PN_KEYS = new Set(['PatientName', 'ScheduledPerformingPhysicianName', 'ReferringPhysicianName']);
const UID_KEYS = new Set(['StudyInstanceUID']);

/** Wild card matching, PS3.4 C.2.2.2.4, without backtracking: the segments between `*`s at their leftmost places. */
function wildcard(key: string, value: string): boolean {
  const k = Array.from(key);
  const v = Array.from(value);
  const segments: string[][] = [[]];
  for (const c of k) if (c === '*') segments.push([]);
  else segments[segments.length - 1].push(c);
  const at = (seg: string[], i: number) => seg.every((c, j) => c === '?' || c === v[i + j]);
  if (segments.length === 1) return v.length === k.length && at(segments[0], 0);
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (v.length < first.length + last.length || !at(first, 0) || !at(last, v.length - last.length)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (const seg of segments.slice(1, -1)) {
    let found = -1;
    for (let i = pos; i + seg.length <= end && found < 0; i++) if (at(seg, i)) found = i;
    if (found < 0 && seg.length > 0) return false;
    if (found >= 0) pos = found + seg.length;
  }
  return true;
}

/** A DA/TM value padded so that strings compare in time order. */
function padded(vr: 'DA' | 'TM', s: string, upper: boolean): string {
  const clean = s.replace(/[.:]/g, '').trim();
  return clean.padEnd(vr === 'DA' ? 8 : 12, upper ? '9' : '0');
}

/** Whether `value` (an item's) matches the query value `key` of `keyword`; null when the item has no value to judge. */
export function keyMatches(keyword: string, key: string, value: string | undefined): boolean | null {
  if (value === undefined) return null;
  const q = key.trim();
  const values = value.split('\\').map((x) => x.trim());
  const range = RANGE_VRS[keyword];
  if (range && q.includes('-')) {
    const [lo, hi] = q.split('-');
    return values.some((x) => x !== '' && (lo === '' || padded(range, x, false) >= padded(range, lo, false)) && (hi === '' || padded(range, x, false) <= padded(range, hi, true)));
  }
  if (UID_KEYS.has(keyword)) return values.some((x) => q.split('\\').includes(x));
  const fold = PN_KEYS.has(keyword) ? (s: string) => s.toUpperCase() : (s: string) => s;
  if (q.includes('*') || q.includes('?')) return values.some((x) => wildcard(fold(q), fold(x)));
  return values.some((x) => fold(x) === fold(q));
}

/** What one key did to the known items. */
export interface KeyVerdict {
  key: WorklistKey;
  /** Items it alone left out (every other key matched or could not be judged). */
  alone: KnownItem[];
  /** Items it left out. */
  excluded: KnownItem[];
}

/** Each matching key of a query against the known items, the most telling first (alone, then excluded). */
export function keyVerdicts(keys: readonly WorklistKey[], items: readonly KnownItem[]): KeyVerdict[] {
  const judge = (k: WorklistKey, item: KnownItem) => keyMatches(k.keyword, k.value, (k.inStep ? item.step : item.top)[k.keyword]);
  const verdicts = keys.map((key): KeyVerdict => ({ key, alone: [], excluded: [] }));
  for (const item of items) {
    const results = keys.map((k) => judge(k, item));
    results.forEach((r, i) => {
      if (r !== false) return;
      verdicts[i].excluded.push(item);
      if (results.every((other, j) => j === i || other !== false)) verdicts[i].alone.push(item);
    });
  }
  return verdicts.filter((v) => v.excluded.length > 0).sort((a, b) => b.alone.length - a.alone.length || b.excluded.length - a.excluded.length);
}
