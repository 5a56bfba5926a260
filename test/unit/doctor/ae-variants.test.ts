/** Which AE titles the doctor tries after an A-ASSOCIATE-RJ (server/doctor/ae-variants.ts). */
import { describe, expect, it } from 'vitest';
import { aeVariants, isSendableAe } from '../../../server/doctor/ae-variants.ts';
import { MAX_VARIANT_ATTEMPTS } from '../../../server/doctor/tables.ts';

const CALLED_NOT_RECOGNISED = { result: 1, source: 1, reason: 7 };
const CALLING_NOT_RECOGNISED = { result: 1, source: 1, reason: 3 };

describe('aeVariants', () => {
  it('1/1/7: upper case, trimmed, swapped, product defaults, a leading blank — at most 8, none equal to what was sent', () => {
    const v = aeVariants(' orthanc', 'ME', CALLED_NOT_RECOGNISED);
    expect(v.length).toBeLessThanOrEqual(MAX_VARIANT_ATTEMPTS);
    expect(v.map((x) => x.calledAeTitle)).toEqual([' ORTHANC', 'orthanc', 'ME', 'ANY-SCP', 'DCM4CHEE', 'STORESCP', 'PACS']);
    // The swap changes the calling AE title too; the others keep it.
    expect(v.find((x) => x.why.includes('swapped'))).toEqual({ calledAeTitle: 'ME', callingAeTitle: ' orthanc', why: 'the calling and called AE titles swapped' });
    expect(v.filter((x) => !x.why.includes('swapped')).every((x) => x.callingAeTitle === 'ME')).toBe(true);
    // ORTHANC is left out: it is the given title in another case (already the upper-case variant).
    expect(v.some((x) => x.calledAeTitle === 'ORTHANC')).toBe(false);
  });

  it('no duplicates, nothing unsendable, and the leading blank when there is room', () => {
    const v = aeVariants('WRONGAE', 'DOCTOR', CALLED_NOT_RECOGNISED);
    expect(v.map((x) => x.calledAeTitle)).toEqual(['DOCTOR', 'ANY-SCP', 'ORTHANC', 'DCM4CHEE', 'STORESCP', 'PACS', ' WRONGAE']);
    expect(new Set(v.map((x) => `${x.calledAeTitle}/${x.callingAeTitle}`)).size).toBe(v.length);
    expect(v.every((x) => isSendableAe(x.calledAeTitle) && isSendableAe(x.callingAeTitle))).toBe(true);
  });

  it('a 16-character title keeps 16 characters with the leading blank', () => {
    const v = aeVariants('ABCDEFGHIJKLMNOP', 'ME', CALLED_NOT_RECOGNISED);
    expect(v.at(-1)?.calledAeTitle).toBe(' ABCDEFGHIJKLMNO');
    expect(v.every((x) => x.calledAeTitle.length <= 16)).toBe(true);
  });

  it('the bound is respected', () => {
    expect(aeVariants('x', 'ME', CALLED_NOT_RECOGNISED, 3)).toHaveLength(3);
    expect(aeVariants('x', 'ME', CALLED_NOT_RECOGNISED, 100).length).toBeLessThanOrEqual(MAX_VARIANT_ATTEMPTS);
  });

  it('1/1/1 (no reason given) is treated like 1/1/7', () => {
    expect(aeVariants('WRONGAE', 'ME', { result: 1, source: 1, reason: 1 }).length).toBeGreaterThan(0);
  });

  it('1/1/3: only the swap can explain a calling AE title the peer does not know', () => {
    expect(aeVariants('PACS', 'ME', CALLING_NOT_RECOGNISED)).toEqual([{ calledAeTitle: 'ME', callingAeTitle: 'PACS', why: 'the calling and called AE titles swapped' }]);
  });

  it('transient and provider rejects: no variant', () => {
    expect(aeVariants('PACS', 'ME', { result: 2, source: 3, reason: 1 })).toEqual([]);
    expect(aeVariants('PACS', 'ME', { result: 1, source: 2, reason: 2 })).toEqual([]);
  });
});
