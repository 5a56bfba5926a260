/**
 * C-FIND attribute matching, PS3.4 C.2.2.2, over the records of the data
 * store; pure (no Node APIs), so the browser can use it too.
 *
 * - C.2.2.2.1 single value matching (PN: insensitive to case, per the
 *   latitude the standard gives PN);
 * - C.2.2.2.2 list of UID matching (backslash-separated UIDs);
 * - C.2.2.2.3 universal matching (empty value, or only `*`);
 * - C.2.2.2.4 wild card matching (`*` any run, `?` one character) for the
 *   string VRs, without backtracking (wildcard.ts: the key is the peer's);
 * - C.2.2.2.5 range matching for DA, TM and DT (`a-b`, `-b`, `a-`).
 * A multi-valued attribute matches when one of its values matches.
 * Entities are built per level (PS3.4 C.2.1.1.2) with the computed keys of
 * C.3.4 (numbers of related entities, modalities and SOP classes in study).
 */
import { LEVELS, QR_ATTRIBUTE, QR_ATTRIBUTES, UNIQUE_KEY, levelIndex, type QrLevel } from './qr-attributes.ts';
import { wildcardMatch } from './wildcard.ts';

/** An instance or an entity: keyword → its values (strings; PN as the DICOM string form). */
export type AttributeValues = Readonly<Record<string, readonly string[]>>;

/** A query identifier: keyword → the matching key value as sent (the empty string for a return key). */
export type QueryKeys = Readonly<Record<string, string>>;

const WILDCARD_VRS = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
const RANGE_VRS = new Set(['DA', 'TM', 'DT']);

/** True when `values` (of an attribute with VR `vr`) match the matching key `key`. */
export function matchesKey(vr: string, key: string, values: readonly string[]): boolean {
  const query = key.trim();
  if (query === '' || query === '*') return true; // C.2.2.2.3 universal matching
  const candidates = values.map((v) => v.trim()).filter((v) => v !== '');
  if (candidates.length === 0) return false;
  if (vr === 'UI') {
    const uids = new Set(query.split('\\').map((u) => u.trim()));
    return candidates.some((v) => uids.has(v)); // C.2.2.2.2
  }
  if (RANGE_VRS.has(vr)) {
    if (query.includes('-')) return candidates.some((v) => inRange(vr, query, v)); // C.2.2.2.5
    return candidates.some((v) => comparable(vr, v, false) === comparable(vr, query, false));
  }
  if (WILDCARD_VRS.has(vr) && (query.includes('*') || query.includes('?'))) {
    return candidates.some((v) => wildcardMatch(query, v, vr === 'PN')); // C.2.2.2.4
  }
  if (vr === 'PN') return candidates.some((v) => v.toUpperCase() === query.toUpperCase());
  if (vr === 'IS' || vr === 'US' || vr === 'DS') return candidates.some((v) => Number(v) === Number(query));
  return candidates.some((v) => v === query); // C.2.2.2.1
}

/** A DA/TM/DT value as a string that sorts in time order; `upper` pads the missing precision to the end of the span. */
function comparable(vr: string, value: string, upper: boolean): string {
  const pad = (s: string, n: number) => s.padEnd(n, upper ? '9' : '0');
  if (vr === 'DA') return pad(value.replace(/\./g, ''), 8);
  if (vr === 'TM') {
    const [main, frac = ''] = value.replace(/:/g, '').split('.');
    return `${pad(main, 6)}.${pad(frac, 6)}`;
  }
  const [main, frac = ''] = value.replace(/[+-]\d{4}$/, '').split('.');
  return `${pad(main, 14)}.${pad(frac, 6)}`;
}

function inRange(vr: string, query: string, value: string): boolean {
  // A DT value may carry a UTC offset "-0500": split on the range dash only.
  const dash = vr === 'DT' ? query.search(/-(?!\d{4}$)/) : query.indexOf('-');
  const lo = query.slice(0, dash).trim();
  const hi = query.slice(dash + 1).trim();
  const v = comparable(vr, value, false);
  if (lo !== '' && v < comparable(vr, lo, false)) return false;
  if (hi !== '' && v > comparable(vr, hi, true)) return false;
  return true;
}

/**
 * The entities of `level` (one per unique key value) with the attributes of
 * their level and the levels above, plus the computed keys.
 */
export function entitiesAt(instances: readonly AttributeValues[], level: QrLevel): AttributeValues[] {
  const key = UNIQUE_KEY[level];
  const groups = new Map<string, AttributeValues[]>();
  for (const inst of instances) {
    const id = inst[key]?.[0];
    if (id === undefined || id === '') continue;
    const group = groups.get(id);
    if (group) group.push(inst);
    else groups.set(id, [inst]);
  }
  const depth = levelIndex(level);
  const out: AttributeValues[] = [];
  for (const group of groups.values()) {
    const entity: Record<string, readonly string[]> = {};
    for (const a of QR_ATTRIBUTES) {
      if (levelIndex(a.level) > depth || a.computed) continue;
      const v = group[0][a.keyword];
      if (v !== undefined) entity[a.keyword] = v;
    }
    const distinct = (k: string) => new Set(group.map((i) => i[k]?.[0] ?? '').filter((x) => x !== ''));
    if (level === 'PATIENT') {
      entity.NumberOfPatientRelatedStudies = [String(distinct('StudyInstanceUID').size)];
      entity.NumberOfPatientRelatedSeries = [String(distinct('SeriesInstanceUID').size)];
      entity.NumberOfPatientRelatedInstances = [String(group.length)];
    } else if (level === 'STUDY') {
      entity.ModalitiesInStudy = [...distinct('Modality')].sort();
      entity.SOPClassesInStudy = [...distinct('SOPClassUID')].sort();
      entity.NumberOfStudyRelatedSeries = [String(distinct('SeriesInstanceUID').size)];
      entity.NumberOfStudyRelatedInstances = [String(group.length)];
    } else if (level === 'SERIES') {
      entity.NumberOfSeriesRelatedInstances = [String(group.length)];
    }
    out.push(entity);
  }
  return out;
}

/**
 * The entities of `level` that match every matching key of `keys` at that
 * level or above (keys of lower levels are not matched, PS3.4 C.4.1.2.1).
 * Attributes the PACS does not index match only universally.
 */
export function findMatches(instances: readonly AttributeValues[], keys: QueryKeys, level: QrLevel): AttributeValues[] {
  const depth = levelIndex(level);
  const tests = Object.entries(keys).filter(([keyword, value]) => {
    const a = QR_ATTRIBUTE.get(keyword);
    return a !== undefined && levelIndex(a.level) <= depth && value.trim() !== '' && value.trim() !== '*';
  });
  return entitiesAt(instances, level).filter((entity) => tests.every(([keyword, value]) => matchesKey(QR_ATTRIBUTE.get(keyword)!.vr, value, entity[keyword] ?? [])));
}

/**
 * The response identifier: every key of the request, with the entity's values
 * (empty when unknown), plus the Query/Retrieve Level (PS3.4 C.4.1.2.1.1).
 */
export function responseKeys(entity: AttributeValues, keys: QueryKeys, level: QrLevel): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const keyword of Object.keys(keys)) {
    if (keyword === 'QueryRetrieveLevel' || keyword === 'SpecificCharacterSet') continue;
    out[keyword] = [...(entity[keyword] ?? [])];
  }
  out.QueryRetrieveLevel = [level];
  return out;
}

export { LEVELS };
