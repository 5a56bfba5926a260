/**
 * Data set decoding with dcmjs (PS3.5 §7): a bare data set (no preamble, no
 * file meta information) as carried by a DIMSE message (PS3.7 §6.3.1).
 * dcmjs never throws out of here: failures become an `error` string.
 *
 * Only bytes that the element walker has already checked reach dcmjs (see
 * dataset-collector.ts), so length overruns never reach it.
 */
import dcmjs from 'dcmjs';
import type { DcmjsDict } from 'dcmjs';
import { tagString } from './element-walker.ts';
import { CHARACTER_SET_ENCODINGS } from '../dicom/character-sets.ts';

const { DicomMessage, ReadBufferStream, DeflatedReadBufferStream, DicomMetaDictionary } = dcmjs.data;

/** Binary values up to this size are shown as hex; larger ones are bulk (skipped). */
export const BULK_THRESHOLD = 1024;

export interface DecodedDataSet {
  attributes: Record<string, unknown>;
  /** Nested binary values dropped from `attributes`: "IconImageSequence.PixelData" → bytes. */
  skipped: Record<string, number>;
  error: string | null;
}

const dictionaryCache = new Map<number, { keyword: string; vr: string } | null>();

/** Keyword and VR of a tag from dcmjs's data dictionary (PS3.6), null when unknown (e.g. private). */
export function dictionaryEntry(tag: number): { keyword: string; vr: string } | null {
  const cached = dictionaryCache.get(tag);
  if (cached !== undefined) return cached;
  let found: { keyword: string; vr: string } | null = null;
  try {
    const entry = DicomMetaDictionary.dictionary[tagString(tag)];
    if (entry && typeof entry.name === 'string') found = { keyword: entry.name, vr: entry.vr };
  } catch {
    found = null;
  }
  if (dictionaryCache.size < 10_000) dictionaryCache.set(tag, found);
  return found;
}

/** Keyword of a tag, or its "(gggg,eeee)" form. */
export function keywordOf(tag: number): string {
  return dictionaryEntry(tag)?.keyword ?? tagString(tag);
}

/** Run `f` with dcmjs's logger silenced: malformed input is reported as data, not console noise. */
function quietly<T>(f: () => T): T {
  const loggers = [dcmjs.log, dcmjs.log.getLogger('validation.dcmjs')];
  const levels = loggers.map((l) => l.getLevel());
  for (const l of loggers) l.setLevel('silent', false);
  try {
    return f();
  } finally {
    loggers.forEach((l, i) => l.setLevel(levels[i], false));
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Inflate a deflated data set (PS3.5 A.5) with the inflater dcmjs bundles; null with a reason on failure. */
export function inflateDataSet(bytes: Uint8Array): { bytes: Uint8Array | null; error: string | null } {
  try {
    const inflated = quietly(() => new DeflatedReadBufferStream(new ReadBufferStream(toArrayBuffer(bytes))));
    return { bytes: new Uint8Array(inflated.getBuffer(0, inflated.size)), error: null };
  } catch (err) {
    return { bytes: null, error: `deflated data set could not be inflated: ${message(err)}` };
  }
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

const PN_KEYS: ReadonlySet<string> = new Set(['Alphabetic', 'Ideographic', 'Phonetic']);

function isPersonName(v: unknown): v is Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => PN_KEYS.has(k));
}

/** PS3.5 §6.2.1: the three component groups joined by "=", trailing empty groups dropped. */
function personNameString(v: Record<string, string>): string {
  const groups = [v.Alphabetic ?? '', v.Ideographic ?? '', v.Phonetic ?? ''];
  while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

function binaryOf(v: unknown): Uint8Array | null {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

/** Turn dcmjs's naturalized values into plain JSON-able data: PN as strings, small binary as hex, no internals. */
function clean(value: unknown, path: string, skipped: Record<string, number>): unknown {
  const bin = binaryOf(value);
  if (bin) {
    if (bin.length > BULK_THRESHOLD) {
      skipped[path] = (skipped[path] ?? 0) + bin.length;
      return undefined;
    }
    return hex(bin);
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => binaryOf(v) !== null)) {
      const parts = value.map((v) => binaryOf(v) as Uint8Array);
      const total = parts.reduce((n, p) => n + p.length, 0);
      if (total > BULK_THRESHOLD) {
        skipped[path] = (skipped[path] ?? 0) + total;
        return undefined;
      }
      return parts.length === 1 ? hex(parts[0]) : parts.map(hex);
    }
    if (value.length > 0 && value.every(isPersonName)) {
      const names = value.map(personNameString);
      return names.length === 1 ? names[0] : names;
    }
    return value.map((v, i) => clean(v, `${path}[${i}]`, skipped));
  }
  if (isPersonName(value)) return personNameString(value);
  if (value !== null && typeof value === 'object') return cleanObject(value as Record<string, unknown>, path, skipped);
  // Trailing spaces (and NUL padding) are not significant in any string VR (PS3.5 §6.2).
  if (typeof value === 'string') return value.replace(/[\0 ]+$/, '');
  return value;
}

function cleanObject(obj: Record<string, unknown>, path: string, skipped: Record<string, number>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (key.startsWith('_')) continue;
    // dcmjs naturalizes an empty value of a multi-valued VR (e.g. a PN return key) as []: only a sequence is an empty list.
    if (Array.isArray(v) && v.length === 0 && DicomMetaDictionary.nameMap[key]?.vr !== 'SQ') {
      out[key] = '';
      continue;
    }
    const cleaned = clean(v, path ? `${path}.${key}` : key, skipped);
    if (cleaned !== undefined) out[key] = cleaned;
  }
  return out;
}

/** Byte of each code point of windows-1252 as TextDecoder decodes it (a bijection on 0–255). */
const WINDOWS_1252_BYTES: ReadonlyMap<number, number> = (() => {
  const text = new TextDecoder('windows-1252').decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  return new Map([...text].map((ch, i) => [ch.codePointAt(0) as number, i]));
})();

/**
 * dcmjs reads every sequence item with a fresh stream whose decoder is
 * windows-1252, whatever the Specific Character Set (checked with dcmjs
 * 0.51.1): strings inside items come out as one character per byte. This
 * gets the bytes back and decodes them with the data set's character set.
 */
function redecoder(label: string): (s: string) => string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    return (s) => s;
  }
  return (s) => {
    let ascii = true;
    for (let i = 0; i < s.length && ascii; i++) if (s.charCodeAt(i) > 0x7e || s.charCodeAt(i) === 0x1b) ascii = false;
    if (ascii) return s;
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const b = WINDOWS_1252_BYTES.get(s.charCodeAt(i));
      if (b === undefined) return s;
      bytes[i] = b;
    }
    return decoder.decode(bytes);
  };
}

/** Re-decode the strings inside sequence items (not top-level values, which dcmjs decodes right). */
function fixItemStrings(value: unknown, fix: (s: string) => string, inItem: boolean): unknown {
  if (typeof value === 'string') return inItem ? fix(value) : value;
  if (Array.isArray(value)) return value.map((v) => fixItemStrings(v, fix, inItem));
  if (value !== null && typeof value === 'object' && binaryOf(value) === null) {
    const obj = value as Record<string, unknown>;
    if (inItem && 'SpecificCharacterSet' in obj) return obj; // an item with its own character set: left as dcmjs read it
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      // a value that is an array of objects (not person names) is a sequence: its items are "in an item"
      const isSequence = Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object' && binaryOf(x) === null && !isPersonName(x));
      out[k] = fixItemStrings(v, fix, inItem || isSequence);
    }
    return out;
  }
  return value;
}

/**
 * Decode a whole, already checked data set in one of the three native
 * encodings (`syntax` is the Implicit LE, Explicit LE or Explicit BE UID).
 * Strict first; if dcmjs objects, the error is kept and a lenient pass gives
 * what can be read.
 */
export function decodeDataSet(bytes: Uint8Array, syntax: string, characterSet: string | null = null): DecodedDataSet {
  const skipped: Record<string, number> = {};
  if (bytes.length === 0) return { attributes: {}, skipped, error: null };
  const buffer = toArrayBuffer(bytes);
  let error: string | null = null;
  return quietly(() => {
    let dict: DcmjsDict;
    try {
      dict = DicomMessage._read(new ReadBufferStream(buffer), syntax, { ignoreErrors: false, untilTag: null, includeUntilTagValue: false });
    } catch (err) {
      error = `dcmjs: ${message(err)}`;
      try {
        dict = DicomMessage._read(new ReadBufferStream(buffer), syntax, { ignoreErrors: true, untilTag: null, includeUntilTagValue: false });
      } catch (err2) {
        return { attributes: {}, skipped, error: `dcmjs: ${message(err2)}` };
      }
    }
    try {
      const naturalized = DicomMetaDictionary.naturalizeDataset(dict);
      const attributes = cleanObject(naturalized, '', skipped);
      const label = characterSet === null ? undefined : CHARACTER_SET_ENCODINGS.get(characterSet);
      if (label && label !== 'windows-1252') {
        return { attributes: fixItemStrings(attributes, redecoder(label), false) as Record<string, unknown>, skipped, error };
      }
      return { attributes, skipped, error };
    } catch (err) {
      return { attributes: {}, skipped, error: `dcmjs: ${message(err)}` };
    }
  });
}
