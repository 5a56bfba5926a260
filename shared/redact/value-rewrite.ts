/**
 * One element value in, its replacement out, for the actions of profile.ts
 * that compute a new value (pseudonyms, UIDs, dates, AE titles, dummies).
 * Values are bytes in the data set's character set (PS3.5 §6.1); every
 * replacement is plain ASCII, which every Specific Character Set (PS3.3
 * C.12.1.1.2) encodes the same way, so no byte of an original non-ASCII value
 * survives and the declared character set stays true. Lengths are padded to
 * even (PS3.5 §7.1.1: UI with NUL, text with a space).
 */
import { CHARACTER_SET_ENCODINGS } from '../dicom/character-sets.ts';
import { shiftDates } from './date-shift.ts';
import { PSEUDONYM_DOMAIN, type ProfileAction } from './profile.ts';
import type { PseudonymDomain } from './pseudonyms.ts';
import type { RedactContext } from './redact-options.ts';

/** VRs whose text depends on the Specific Character Set (PS3.5 §6.1.2.3); the others are ISO 646. */
const CHARSET_VRS: ReadonlySet<string> = new Set(['PN', 'LO', 'SH', 'LT', 'ST', 'UT', 'UC']);
/** VRs held as binary numbers or bytes: a dummy of these is zeros of the same length. */
const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'US', 'SS', 'UL', 'SL', 'FL', 'FD', 'AT', 'SV', 'UV', 'UN', 'ox', 'xs']);

const latin1 = new TextDecoder('latin1');
const decoders = new Map<string, TextDecoder>();

/** A decoder for the first usable term of a Specific Character Set value (ISO 646 when none). */
export function decoderFor(specificCharacterSet: string | null): TextDecoder {
  const terms = (specificCharacterSet ?? '').split('\\').map((t) => t.trim());
  const term = terms.find((t) => t !== '' && t !== 'ISO 2022 IR 6') ?? '';
  const label = CHARACTER_SET_ENCODINGS.get(term) ?? 'windows-1252';
  let d = decoders.get(label);
  if (!d) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = latin1;
    }
    decoders.set(label, d);
  }
  return d;
}

function ascii(s: string, pad: number): Uint8Array {
  const n = s.length + (s.length % 2);
  const out = new Uint8Array(n).fill(pad);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

const WILDCARD = /[*?]/;

/**
 * A person name or identifier as compared for the pseudonym: padding removed
 * and, for names, empty trailing components dropped and case folded (C-FIND
 * matching of PN is often case-insensitive, PS3.4 C.2.2.2.1), so "Doe^John^"
 * in a query and "DOE^JOHN" in an instance get one pseudonym.
 */
function normalise(domain: PseudonymDomain, v: string): string {
  const t = v.replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (domain !== 'patient-name' && domain !== 'person-name') return t;
  return t.replace(/[\^= ]+$/, '').toUpperCase();
}

/** Each value of a multi-valued string replaced by its pseudonym; an empty value (universal matching) stays empty, "*" stays "*". */
function pseudonymText(domain: PseudonymDomain, text: string, ctx: RedactContext): string {
  return text
    .split('\\')
    .map((v) => {
      const n = normalise(domain, v);
      if (n === '' || n === '*') return n;
      const p = ctx.pseudonyms.of(domain, n);
      // A wildcard query keeps its trailing "*" so it still reads as one (it matches nothing real any more).
      return WILDCARD.test(n) && n.endsWith('*') ? `${p}*` : p;
    })
    .join('\\');
}

function mapEach(text: string, f: (v: string) => string): string {
  return text
    .split('\\')
    .map((v) => f(v.replace(/[\0 ]+$/, '').trim()))
    .join('\\');
}

/** An AE title mapped (PS3.5 §6.2: leading and trailing spaces not significant); empty stays empty. */
export function mapAeTitle(ae: string, ctx: RedactContext): string {
  const t = ae.replace(/[\0 ]+$/, '').trim();
  return t === '' ? '' : ctx.pseudonyms.of('ae', t);
}

/** A dummy value of a VR (Annex E action D). */
function dummy(vr: string, text: () => string, length: number, ctx: RedactContext): Uint8Array {
  switch (vr) {
    case 'PN':
      return ascii(pseudonymText('person-name', text(), ctx), 0x20);
    case 'UI':
      return ascii(mapEach(text(), (v) => ctx.pseudonyms.uid(v)), 0x00);
    case 'DA':
    case 'DT':
      return ascii(shiftDates(vr, text(), ctx.dateShiftDays), 0x20);
    case 'TM':
      return ascii('000000', 0x20);
    case 'AS':
      return ascii('000Y', 0x20);
    case 'IS':
    case 'DS':
      return ascii('0', 0x20);
    case 'AE':
      return ascii(mapEach(text(), (v) => mapAeTitle(v, ctx)), 0x20);
    default:
      if (BINARY_VRS.has(vr)) return new Uint8Array(length);
      return ascii(length === 0 ? '' : 'REDACTED', 0x20);
  }
}

/**
 * The new value of an element whose action computes one. `vr` is the
 * element's meaning (the dictionary's VR when the wire says UN), and
 * `specificCharacterSet` the data set's (0008,0005), for decoding names.
 */
export function rewriteValue(action: ProfileAction, vr: string, value: Uint8Array, specificCharacterSet: string | null, ctx: RedactContext): Uint8Array {
  const text = () => (CHARSET_VRS.has(vr) ? decoderFor(specificCharacterSet) : latin1).decode(value);
  const domain = PSEUDONYM_DOMAIN[action];
  if (domain) return ascii(pseudonymText(domain, text(), ctx), 0x20);
  switch (action) {
    case 'uid':
      return ascii(mapEach(text(), (v) => ctx.pseudonyms.uid(v)), 0x00);
    case 'shift':
      return ascii(shiftDates(vr === 'DT' ? 'DT' : 'DA', text(), ctx.dateShiftDays), 0x20);
    case 'ae':
      return ascii(mapEach(text(), (v) => mapAeTitle(v, ctx)), 0x20);
    case 'dummy':
      return dummy(vr, text, value.length, ctx);
    case 'empty':
    case 'remove':
      return new Uint8Array(0);
    default:
      return value;
  }
}
