/**
 * `-k KEY[=VALUE]` as DCMTK's findscu/movescu/getscu take it: KEY is a
 * keyword of the data dictionary (`PatientName`) or a tag (`(0010,0010)`,
 * `0010,0010`); no value makes a return key (zero length, PS3.4 C.2.2.1.3),
 * a value a matching key (PS3.4 C.2.2.2). The dictionary is dcmjs's, so the
 * keys come out as a dcmjs naturalized data set (keyword → value).
 */
import dcmjs from 'dcmjs';

const { DicomMetaDictionary } = dcmjs.data;

/** Value representations dcmjs writes from numbers (PS3.5 Table 6.2-1, binary VRs). */
const NUMERIC_VRS: ReadonlySet<string> = new Set(['US', 'UL', 'SS', 'SL', 'FL', 'FD', 'UV', 'SV']);

export interface ParsedKey {
  keyword: string;
  tag: string;
  vr: string;
  value: string | number;
}

/** One `-k` argument; throws an Error with a one-line reason for people. */
export function parseKey(text: string): ParsedKey {
  const eq = text.indexOf('=');
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  const raw = eq < 0 ? '' : text.slice(eq + 1);
  const tagMatch = /^\(?([0-9a-fA-F]{4}),([0-9a-fA-F]{4})\)?$/.exec(name);
  const entry = tagMatch ? DicomMetaDictionary.dictionary[`(${tagMatch[1]},${tagMatch[2]})`.toUpperCase()] : DicomMetaDictionary.nameMap[name];
  if (!entry) {
    throw new Error(tagMatch ? `-k ${text}: tag ${name} is not in the data dictionary (private tags cannot be keys)` : `-k ${text}: "${name}" is not a keyword of the data dictionary`);
  }
  if (entry.vr === 'SQ') throw new Error(`-k ${text}: ${entry.name} is a sequence; sequence keys are not supported`);
  if (/^o[bwxfdl]$/i.test(entry.vr) || entry.vr === 'UN') throw new Error(`-k ${text}: ${entry.name} has VR ${entry.vr}, which cannot be a query key`);
  let value: string | number = raw;
  if (NUMERIC_VRS.has(entry.vr) && raw !== '') {
    value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`-k ${text}: ${entry.name} (${entry.vr}) needs a number`);
  }
  return { keyword: entry.name, tag: entry.tag, vr: entry.vr, value };
}

/** All `-k` arguments as one identifier (keyword → value); a later key replaces an earlier one. */
export function parseKeys(texts: readonly string[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const t of texts) {
    const k = parseKey(t);
    out[k.keyword] = k.value;
  }
  return out;
}

/** The element's keyword, for printing a data set: values flattened to one short text. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(formatValue).join('\\');
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Alphabetic' in o) return [o.Alphabetic, o.Ideographic, o.Phonetic].filter((x) => x !== undefined).map(String).join('=');
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return `<${(value as ArrayBuffer).byteLength} bytes>`;
    return JSON.stringify(value);
  }
  return String(value);
}
