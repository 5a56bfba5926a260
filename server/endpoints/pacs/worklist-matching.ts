/**
 * Modality Worklist matching (PS3.4 K.6.1.2, with the matching rules of
 * C.2.2.2), pure (no Node APIs): which scheduled procedure steps of the
 * worklist match a query, and the response identifier of each.
 *
 * - Top-level keys (patient, visit, imaging service request) match as in
 *   C-FIND (matching.ts: single value, list of UIDs, universal, wild card,
 *   range), each by the VR of the data dictionary;
 * - the Scheduled Procedure Step Sequence (0040,0100) is sequence matching
 *   (C.2.2.2.6): its one item holds the step's matching keys, and a step
 *   matches when every one of them does; a sequence with no item (or an
 *   item of return keys only) matches every step;
 * - Scheduled Procedure Step Start Date and Time both given as ranges are
 *   matched together, as one date-time range (C.2.2.2.5.1, combined
 *   date-time matching, K.6.1.2.2);
 * - an attribute the worklist does not hold matches only universally.
 * One match per scheduled procedure step (the worklist's entity, K.6.1.1.1).
 */
import dcmjs from 'dcmjs';
import { matchesKey } from './matching.ts';
import { valueStrings } from './data-store.ts';
import type { WorklistItem } from './worklist-items.ts';

const { DicomMetaDictionary } = dcmjs.data;

const SPS = 'ScheduledProcedureStepSequence';
const NOT_KEYS = new Set(['SpecificCharacterSet', 'TimezoneOffsetFromUTC']);

/** The VR of a keyword (data dictionary, PS3.6), '' when unknown. */
export function vrOf(keyword: string): string {
  return (DicomMetaDictionary.nameMap[keyword]?.vr as string | undefined) ?? '';
}

/** A query identifier as dcmjs naturalizes it (keyword → value, a sequence as a list of items). */
export type QueryIdentifier = Readonly<Record<string, unknown>>;

type Item = Readonly<Record<string, unknown>>;

/** A sequence's value (by the dictionary's VR, since dcmjs gives an empty PN as [] too): its items; null for anything else. */
function itemsOf(keyword: string, v: unknown): Item[] | null {
  if (vrOf(keyword) !== 'SQ') return null;
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is Item => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/** A key's value as one matching string (multiple values joined with "\"). */
const keyText = (v: unknown): string => valueStrings(v).join('\\');

/** Whether one set of attributes matches every (non-sequence) key of `query`. */
function matchesKeys(query: Item, values: Readonly<Record<string, string>>, skip: ReadonlySet<string> = new Set()): boolean {
  for (const [keyword, raw] of Object.entries(query)) {
    if (keyword.startsWith('_') || NOT_KEYS.has(keyword) || skip.has(keyword) || itemsOf(keyword, raw)) continue;
    const key = keyText(raw);
    const held = values[keyword];
    if (!matchesKey(vrOf(keyword), key, held === undefined ? [] : held.split('\\'))) return false;
  }
  return true;
}

/** C.2.2.2.5.1: start date and time both ranges → one DT range; true when it applies and matched (and the keys are then skipped). */
function combinedDateTime(query: Item, step: Readonly<Record<string, string>>): { applies: boolean; matches: boolean } {
  const date = keyText(query.ScheduledProcedureStepStartDate).trim();
  const time = keyText(query.ScheduledProcedureStepStartTime).trim();
  if (!date.includes('-') || !time.includes('-')) return { applies: false, matches: true };
  const [d1, d2] = date.split('-');
  const [t1, t2] = time.split('-');
  const lo = d1 ? `${d1}${t1 || ''}` : '';
  const hi = d2 ? `${d2}${t2 || '235959.999999'}` : '';
  const value = `${step.ScheduledProcedureStepStartDate ?? ''}${step.ScheduledProcedureStepStartTime ?? ''}`;
  return { applies: true, matches: value !== '' && matchesKey('DT', `${lo}-${hi}`, [value]) };
}

/** The steps of `item` the query's Scheduled Procedure Step Sequence matches (C.2.2.2.6); all of them when it has no matching key. */
function matchingSteps(query: QueryIdentifier, item: WorklistItem): Readonly<Record<string, string>>[] {
  const seq = itemsOf(SPS, query[SPS]);
  if (!seq || seq.length === 0) return [...item.steps];
  const keys = seq[0];
  return item.steps.filter((step) => {
    const combined = combinedDateTime(keys, step);
    if (!combined.matches) return false;
    const skip = combined.applies ? new Set(['ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime']) : undefined;
    return matchesKeys(keys, step, skip);
  });
}

/** One match: the item and the step that matched. */
export interface WorklistMatch {
  item: WorklistItem;
  step: Readonly<Record<string, string>>;
}

/** Every scheduled procedure step of `items` that matches `query`, in worklist order. */
export function findWorklistMatches(items: readonly WorklistItem[], query: QueryIdentifier): WorklistMatch[] {
  const out: WorklistMatch[] = [];
  for (const item of items) {
    // Sequences other than the Scheduled Procedure Step Sequence are not held: they match only when they ask for nothing.
    const otherSequences = Object.entries(query).filter(([k]) => k !== SPS).map(([k, v]) => itemsOf(k, v) ?? []);
    if (otherSequences.some((items) => items.some((i) => Object.entries(i).some(([k, x]) => !k.startsWith('_') && keyText(x).trim() !== '' && keyText(x).trim() !== '*')))) continue;
    if (!matchesKeys(query, item.top)) continue;
    for (const step of matchingSteps(query, item)) out.push({ item, step });
  }
  return out;
}

/**
 * The response identifier of a match (PS3.4 C.4.1.1.3.2, K.6.1.2.3): every
 * key of the query with the item's values (empty when it has none); the
 * Scheduled Procedure Step Sequence with the matched step — its requested
 * keys, or all its attributes when the query's sequence had no item. Values
 * as text, keyword → string ('' for none); sequences as lists of items.
 */
export function worklistResponse(match: WorklistMatch, query: QueryIdentifier): Record<string, string | Record<string, string>[]> {
  const out: Record<string, string | Record<string, string>[]> = {};
  for (const [keyword, raw] of Object.entries(query)) {
    if (keyword.startsWith('_') || keyword === 'SpecificCharacterSet') continue;
    const items = itemsOf(keyword, raw);
    if (keyword === SPS) {
      const wanted = items && items.length > 0 ? Object.keys(items[0]).filter((k) => !k.startsWith('_')) : Object.keys(match.step);
      out[SPS] = [Object.fromEntries(wanted.map((k) => [k, match.step[k] ?? '']))];
    } else if (items) out[keyword] = [];
    else out[keyword] = match.item.top[keyword] ?? '';
  }
  const charset = match.item.top.SpecificCharacterSet;
  if (charset) out.SpecificCharacterSet = charset;
  return out;
}
