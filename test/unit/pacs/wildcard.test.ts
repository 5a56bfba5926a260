/** PS3.4 C.2.2.2.4 wild card matching without backtracking (server/endpoints/pacs/wildcard.ts). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { wildcardMatch } from '../../../server/endpoints/pacs/wildcard.ts';
import { matchesKey } from '../../../server/endpoints/pacs/matching.ts';

/** The oracle: the textbook dynamic program over (key position, value position), O(n·m), obviously right. */
function reference(key: string, value: string): boolean {
  const k = Array.from(key);
  const v = Array.from(value);
  let row = new Array<boolean>(v.length + 1).fill(false);
  row[0] = true;
  for (const c of k) {
    const next = new Array<boolean>(v.length + 1).fill(false);
    if (c === '*') {
      let any = false;
      for (let j = 0; j <= v.length; j++) next[j] = any = any || row[j];
    } else {
      for (let j = 1; j <= v.length; j++) next[j] = row[j - 1] && (c === '?' || c === v[j - 1]);
    }
    row = next;
  }
  return row[v.length];
}

describe('wildcardMatch', () => {
  it('* any run (none included), ? one character, everything else literal', () => {
    expect(wildcardMatch('DOE*', 'DOE^JOHN')).toBe(true);
    expect(wildcardMatch('*JOHN', 'DOE^JOHN')).toBe(true);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('D*E*N', 'DOE^JOHN')).toBe(true);
    expect(wildcardMatch('D*X*N', 'DOE^JOHN')).toBe(false);
    expect(wildcardMatch('P?', 'P1')).toBe(true);
    expect(wildcardMatch('P?', 'P')).toBe(false);
    expect(wildcardMatch('A.C*', 'ABC1')).toBe(false);
    expect(wildcardMatch('(A)[B]*', '(A)[B]+')).toBe(true);
    expect(wildcardMatch('a*', 'ABC', true)).toBe(true);
    expect(wildcardMatch('NÚ?EZ*', 'NÚÑEZ^JOSÉ')).toBe(true);
    expect(wildcardMatch('😀?', '😀x')).toBe(true); // ? is one character, not one UTF-16 unit
  });

  it('agrees with the dynamic-programming oracle on random keys and values (fixed seed)', () => {
    const alphabet = fc.constantFrom('A', 'B', '^', '*', '?');
    const key = fc.array(alphabet, { maxLength: 12 }).map((a) => a.join(''));
    const value = fc.array(fc.constantFrom('A', 'B', '^'), { maxLength: 24 }).map((a) => a.join(''));
    fc.assert(
      fc.property(key, value, (k, v) => wildcardMatch(k, v) === reference(k, v)),
      { seed: 14, numRuns: 20_000 },
    );
  });

  it('the pathological key *A*A*A*A*A*A*A*B against 64 characters answers at once (a backtracking regexp took ~16 s)', () => {
    const value = 'A'.repeat(64);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) expect(wildcardMatch('*A*A*A*A*A*A*A*B', value)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(matchesKey('PN', '*A*A*A*A*A*A*A*B', [value])).toBe(false);
    expect(matchesKey('PN', '*A*A*A*A*A*A*A*A', [value])).toBe(true);
  });

  it('stays linear in the value: a 64-segment key against 100,000 characters', () => {
    const key = `*${'A?'.repeat(32)}*${'A*'.repeat(32)}B`;
    const value = 'A'.repeat(100_000);
    const t0 = performance.now();
    expect(wildcardMatch(key, value)).toBe(false);
    expect(wildcardMatch(key, `${value}B`)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
