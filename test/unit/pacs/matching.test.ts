/** PS3.4 C.2.2.2 matching of the built-in PACS, on plain records. */
import { describe, expect, it } from 'vitest';
import { entitiesAt, findMatches, matchesKey, responseKeys, type AttributeValues } from '../../../server/endpoints/pacs/matching.ts';

const inst = (p: string, st: string, se: string, i: string, extra: Record<string, string[]> = {}): AttributeValues => ({
  PatientID: [p],
  PatientName: [p === 'P1' ? 'DOE^JOHN' : 'NÚÑEZ^JOSÉ'],
  StudyInstanceUID: [st],
  StudyDate: [st === '1.1' ? '20240115' : '20231120'],
  StudyTime: ['101500'],
  SeriesInstanceUID: [se],
  Modality: [se.endsWith('.2') ? 'MR' : 'CT'],
  SOPInstanceUID: [i],
  SOPClassUID: ['1.2.840.10008.5.1.4.1.1.2'],
  ...extra,
});

const DB = [inst('P1', '1.1', '1.1.1', '1.1.1.1'), inst('P1', '1.1', '1.1.1', '1.1.1.2'), inst('P1', '1.1', '1.1.2', '1.1.2.1'), inst('P2', '2.1', '2.1.1', '2.1.1.1')];

describe('matchesKey (PS3.4 C.2.2.2)', () => {
  it('single value: exact for LO/CS, case-insensitive for PN', () => {
    expect(matchesKey('LO', 'P1', ['P1'])).toBe(true);
    expect(matchesKey('LO', 'p1', ['P1'])).toBe(false);
    expect(matchesKey('PN', 'doe^john', ['DOE^JOHN'])).toBe(true);
    expect(matchesKey('CS', 'CT', ['MR'])).toBe(false);
  });

  it('universal: empty and a lone *, even for an empty value', () => {
    expect(matchesKey('LO', '', [])).toBe(true);
    expect(matchesKey('PN', '*', [])).toBe(true);
    expect(matchesKey('LO', 'X*', [])).toBe(false);
  });

  it('wildcards * and ? in string VRs, literal regexp characters stay literal', () => {
    expect(matchesKey('PN', 'DO*', ['DOE^JOHN'])).toBe(true);
    expect(matchesKey('PN', '*JOHN', ['DOE^JOHN'])).toBe(true);
    expect(matchesKey('LO', 'P?', ['P1'])).toBe(true);
    expect(matchesKey('LO', 'P?', ['P12'])).toBe(false);
    expect(matchesKey('LO', 'A.C*', ['ABC1'])).toBe(false);
    expect(matchesKey('PN', 'NÚ*', ['NÚÑEZ^JOSÉ'])).toBe(true);
  });

  it('date ranges: closed, open below, open above, and a single date', () => {
    expect(matchesKey('DA', '20240101-20240131', ['20240115'])).toBe(true);
    expect(matchesKey('DA', '20240101-20240131', ['20240201'])).toBe(false);
    expect(matchesKey('DA', '-20231231', ['20231120'])).toBe(true);
    expect(matchesKey('DA', '20240101-', ['20231120'])).toBe(false);
    expect(matchesKey('DA', '20240115', ['20240115'])).toBe(true);
  });

  it('time ranges compare at the precision given (an hour covers its minutes)', () => {
    expect(matchesKey('TM', '10-11', ['101500'])).toBe(true);
    expect(matchesKey('TM', '1016-', ['101500'])).toBe(false);
    expect(matchesKey('TM', '-1015', ['101500.123'])).toBe(true);
    expect(matchesKey('DT', '20240115-20240115', ['20240115101500'])).toBe(true);
  });

  it('UID lists, without wildcards', () => {
    expect(matchesKey('UI', '1.2\\1.1.1', ['1.1.1'])).toBe(true);
    expect(matchesKey('UI', '1.2\\1.3', ['1.1.1'])).toBe(false);
    expect(matchesKey('UI', '1.1.*', ['1.1.1'])).toBe(false);
  });

  it('a multi-valued attribute matches when one value does', () => {
    expect(matchesKey('CS', 'MR', ['CT', 'MR'])).toBe(true);
  });
});

describe('findMatches per level', () => {
  const uids = (xs: AttributeValues[], k: string) => xs.map((x) => x[k][0]);

  it('PATIENT, STUDY, SERIES and IMAGE levels give one entity per unique key', () => {
    expect(uids(findMatches(DB, {}, 'PATIENT'), 'PatientID')).toEqual(['P1', 'P2']);
    expect(uids(findMatches(DB, { PatientID: 'P1' }, 'STUDY'), 'StudyInstanceUID')).toEqual(['1.1']);
    expect(uids(findMatches(DB, { StudyInstanceUID: '1.1' }, 'SERIES'), 'SeriesInstanceUID')).toEqual(['1.1.1', '1.1.2']);
    expect(uids(findMatches(DB, { SeriesInstanceUID: '1.1.1' }, 'IMAGE'), 'SOPInstanceUID')).toEqual(['1.1.1.1', '1.1.1.2']);
  });

  it('computed keys: modalities in study and the numbers of related entities', () => {
    const [study] = findMatches(DB, { ModalitiesInStudy: 'MR' }, 'STUDY');
    expect(study.ModalitiesInStudy).toEqual(['CT', 'MR']);
    expect(study.NumberOfStudyRelatedSeries).toEqual(['2']);
    expect(study.NumberOfStudyRelatedInstances).toEqual(['3']);
    expect(entitiesAt(DB, 'PATIENT')[0].NumberOfPatientRelatedInstances).toEqual(['3']);
  });

  it('keys below the level are not matched; unknown keys match only universally', () => {
    expect(findMatches(DB, { SOPInstanceUID: 'none' }, 'STUDY')).toHaveLength(2);
    expect(findMatches(DB, { OtherPatientIDs: 'x' }, 'STUDY')).toHaveLength(2);
  });

  it('the response has every requested key (empty when unknown) and the level', () => {
    const [study] = findMatches(DB, { StudyDate: '20240101-' }, 'STUDY');
    expect(responseKeys(study, { StudyDate: '20240101-', AccessionNumber: '', QueryRetrieveLevel: 'STUDY' }, 'STUDY')).toEqual({
      StudyDate: ['20240115'],
      AccessionNumber: [],
      QueryRetrieveLevel: ['STUDY'],
    });
  });
});
