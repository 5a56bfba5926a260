/**
 * `-k` keys with DCMTK's path syntax (findscu, dcmodify): a key inside a
 * sequence item is written `SEQUENCE[n].KEY=VALUE`, with keywords or tags at
 * every step — `ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1`,
 * `(0040,0100)[0].(0040,0001)=CT1` — as a worklist query needs (PS3.4
 * K.6.1.2.2: the scheduled procedure step keys are in the Scheduled
 * Procedure Step Sequence). A sequence alone (`ScheduledProcedureStepSequence`)
 * is an empty sequence: a return key, universal matching (PS3.4 C.2.2.2.6).
 * A key without a path is the plain key of keys.ts. The result is a dcmjs
 * naturalized data set (keyword → value, a sequence as a list of items).
 */
import dcmjs from 'dcmjs';
import { parseKey } from './keys.ts';

const { DicomMetaDictionary } = dcmjs.data;

type Item = Record<string, unknown>;

const INDEXED = /^(.+)\[(\d{1,4})\]$/;

/** A sequence attribute by keyword or tag; throws with the whole key for people. */
function sequenceKeyword(name: string, text: string): string {
  const tag = /^\(?([0-9a-fA-F]{4}),([0-9a-fA-F]{4})\)?$/.exec(name.trim());
  const entry = tag ? DicomMetaDictionary.dictionary[`(${tag[1]},${tag[2]})`.toUpperCase()] : DicomMetaDictionary.nameMap[name.trim()];
  if (!entry) throw new Error(`-k ${text}: "${name}" is not a keyword or tag of the data dictionary`);
  if (entry.vr !== 'SQ') throw new Error(`-k ${text}: ${entry.name} is not a sequence, so it takes no item number [n]`);
  return entry.name as string;
}

/** The items of sequence `keyword` of `node`, created up to index `n` (empty items before it, as DCMTK does). */
function itemAt(node: Item, keyword: string, n: number): Item {
  let items = node[keyword];
  if (!Array.isArray(items)) node[keyword] = items = [];
  const list = items as Item[];
  while (list.length <= n) list.push({});
  return list[n];
}

/** Sets one `-k` key (with or without a path) into `identifier`; a later key replaces an earlier one. Throws an Error with a one-line reason. */
export function setKey(identifier: Item, text: string): void {
  const eq = text.indexOf('=');
  const path = (eq < 0 ? text : text.slice(0, eq)).trim();
  const value = eq < 0 ? '' : text.slice(eq + 1);
  const steps = path.split('.');
  let node = identifier;
  for (const step of steps.slice(0, -1)) {
    const m = INDEXED.exec(step);
    if (!m) throw new Error(`-k ${text}: "${step}" must be a sequence with an item number, e.g. ScheduledProcedureStepSequence[0]`);
    node = itemAt(node, sequenceKeyword(m[1], text), Number(m[2]));
  }
  const last = steps[steps.length - 1];
  const indexed = INDEXED.exec(last);
  if (indexed) {
    if (value !== '') throw new Error(`-k ${text}: an item takes no value; give a key inside it, e.g. ${last}.Modality=CT`);
    itemAt(node, sequenceKeyword(indexed[1], text), Number(indexed[2]));
    return;
  }
  const sq = DicomMetaDictionary.nameMap[last] ?? DicomMetaDictionary.dictionary[`(${last.replace(/[()]/g, '')})`.toUpperCase()];
  if (sq?.vr === 'SQ') {
    if (value !== '') throw new Error(`-k ${text}: a sequence takes no value; give a key inside an item, e.g. ${last}[0].KEY=VALUE`);
    if (!Array.isArray(node[sq.name as string])) node[sq.name as string] = [];
    return;
  }
  const key = parseKey(eq < 0 ? last : `${last}=${value}`);
  node[key.keyword] = key.value;
}

/** All `-k` arguments over a starting identifier (which is copied, never changed). */
export function keysWithPaths(texts: readonly string[], base: Item = {}): Item {
  const out = structuredClone(base);
  for (const t of texts) setKey(out, t);
  return out;
}

/** Whether any string value in the identifier, at any depth, is not ASCII. */
export function hasNonAscii(identifier: unknown): boolean {
  if (typeof identifier === 'string') return /[^\x00-\x7f]/.test(identifier);
  if (Array.isArray(identifier)) return identifier.some(hasNonAscii);
  if (identifier !== null && typeof identifier === 'object') return Object.values(identifier).some(hasNonAscii);
  return false;
}
