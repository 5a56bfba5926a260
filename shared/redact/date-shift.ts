/**
 * Dates moved by a whole number of days: PS3.15 E.3.6, Retain Longitudinal
 * Temporal Information with Modified Dates Option — intervals between dates
 * (study to study, birth to study) are kept, the dates themselves are not.
 * Times of day are not touched (a shift by whole days keeps them right).
 *
 * Values follow PS3.5 §6.2: DA is YYYYMMDD (the ACR-NEMA form YYYY.MM.DD is
 * read too and written back in its own form), DT is YYYY[MM[DD[HH[MM[SS[.F]]]]]]
 * with an optional &ZZXX offset; both may be multi-valued (backslash) and,
 * in a C-FIND identifier, ranges "A-B", "-B", "A-" (PS3.4 C.2.2.2.5). A value
 * that is none of these cannot be shifted and could hide a real date, so it
 * is emptied.
 */

const DAY_MS = 86_400_000;

const DA = /^(\d{4})(\d{2})(\d{2})$/;
const DA_DOTTED = /^(\d{4})\.(\d{2})\.(\d{2})$/;
const DT = /^(\d{4})(\d{2})?(\d{2})?(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?([+-]\d{4})?$/;

/** y-m-d moved by `days`; null when it is no calendar date. */
function shiftYmd(y: number, m: number, d: number, days: number): [number, number, number] | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const t = new Date(Date.UTC(y, m - 1, d) + days * DAY_MS);
  const year = t.getUTCFullYear();
  if (year < 0 || year > 9999) return null;
  return [year, t.getUTCMonth() + 1, t.getUTCDate()];
}

const p2 = (n: number) => String(n).padStart(2, '0');
const p4 = (n: number) => String(n).padStart(4, '0');

/** One DA value (no range); null when it is not a date. */
function shiftOneDa(v: string, days: number): string | null {
  const m = DA.exec(v) ?? DA_DOTTED.exec(v);
  if (!m) return null;
  const r = shiftYmd(Number(m[1]), Number(m[2]), Number(m[3]), days);
  if (!r) return null;
  const sep = v.includes('.') ? '.' : '';
  return `${p4(r[0])}${sep}${p2(r[1])}${sep}${p2(r[2])}`;
}

/** One DT value (no range); a year or year-month alone is moved as its first day and cut back to its precision. */
function shiftOneDt(v: string, days: number): string | null {
  const m = DT.exec(v);
  if (!m) return null;
  const r = shiftYmd(Number(m[1]), m[2] ? Number(m[2]) : 1, m[3] ? Number(m[3]) : 1, days);
  if (!r) return null;
  let out = p4(r[0]);
  if (m[2]) out += p2(r[1]);
  if (m[3]) out += p2(r[2]);
  return out + (m[4] ?? '') + (m[5] ?? '');
}

/** One value that may be a range: a single value first (a DT offset has a "-" too), then every "-" as the separator. */
function shiftRange(v: string, one: (s: string, days: number) => string | null, days: number): string | null {
  const single = one(v, days);
  if (single !== null) return single;
  for (let i = v.indexOf('-'); i >= 0; i = v.indexOf('-', i + 1)) {
    const a = v.slice(0, i);
    const b = v.slice(i + 1);
    const sa = a === '' ? '' : one(a, days);
    const sb = b === '' ? '' : one(b, days);
    if (sa !== null && sb !== null && (a !== '' || b !== '')) return `${sa}-${sb}`;
  }
  return null;
}

/** A DA or DT value as text (possibly multi-valued, possibly ranges) moved by `days`; what cannot be read becomes empty. */
export function shiftDates(vr: 'DA' | 'DT', text: string, days: number): string {
  const one = vr === 'DA' ? shiftOneDa : shiftOneDt;
  return text
    .split('\\')
    .map((raw) => {
      const v = raw.replace(/[\0 ]+$/, '').trim();
      if (v === '') return '';
      return shiftRange(v, one, days) ?? '';
    })
    .join('\\');
}
