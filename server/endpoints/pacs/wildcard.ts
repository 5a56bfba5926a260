/**
 * Wild card matching, PS3.4 C.2.2.2.4: in a key, `*` matches any run of
 * characters (none included) and `?` any one character; every other
 * character matches itself. Keys come from the peer, so the matcher never
 * backtracks: the key is cut at its `*`s into segments; the first must match
 * at the start of the value, the last at its end, and each one between at
 * its leftmost place after the one before. The leftmost place is always
 * right (a place further on leaves less room for the segments after it), so
 * no place is tried twice: at most (value length × key length) character
 * comparisons, linear in the value for a given key — `*A*A*A*A*A*A*A*B`
 * against 64 characters is a few hundred comparisons, where a regular
 * expression built from it backtracks for seconds. Pure, no regular
 * expression is built.
 */

/** True when `value` matches the wild card `key`; case-insensitive (both upper-cased) when asked, for PN. */
export function wildcardMatch(key: string, value: string, caseInsensitive = false): boolean {
  const k = Array.from(caseInsensitive ? key.toUpperCase() : key);
  const v = Array.from(caseInsensitive ? value.toUpperCase() : value);
  const segments: string[][] = [[]];
  for (const c of k) {
    if (c === '*') segments.push([]);
    else segments[segments.length - 1].push(c);
  }
  if (segments.length === 1) return v.length === k.length && matchesAt(segments[0], v, 0);
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (v.length < first.length + last.length) return false;
  if (!matchesAt(first, v, 0) || !matchesAt(last, v, v.length - last.length)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const seg = segments[s];
    if (seg.length === 0) continue;
    const at = leftmost(seg, v, pos, end);
    if (at < 0) return false;
    pos = at + seg.length;
  }
  return true;
}

/** The first index i in [from, end − seg.length] where `seg` matches v, or −1. */
function leftmost(seg: readonly string[], v: readonly string[], from: number, end: number): number {
  for (let i = from; i + seg.length <= end; i++) if (matchesAt(seg, v, i)) return i;
  return -1;
}

function matchesAt(seg: readonly string[], v: readonly string[], at: number): boolean {
  for (let j = 0; j < seg.length; j++) if (seg[j] !== '?' && seg[j] !== v[at + j]) return false;
  return true;
}
