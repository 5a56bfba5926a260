/**
 * Modality Worklist matching of the built-in PACS (PS3.4 K.6.1.2 with
 * C.2.2.2): sequence matching on the Scheduled Procedure Step Sequence,
 * universal matching of an empty sequence, single value, wild card, date
 * range and combined date-time matching, PN case, the response identifier.
 */
import { describe, expect, it } from 'vitest';
import { findWorklistMatches, worklistResponse } from '../../../server/endpoints/pacs/worklist-matching.ts';
import { worklistItems } from '../../../server/endpoints/pacs/worklist-items.ts';

const TODAY = new Date(2024, 5, 12);
const items = worklistItems(TODAY);
const sps = (keys: Record<string, unknown>) => ({ ScheduledProcedureStepSequence: [keys] });
const names = (query: Record<string, unknown>) => findWorklistMatches(items, query).map((m) => m.item.top.PatientName);

describe('worklist matching (PS3.4 K.6.1.2)', () => {
  it('an empty sequence or no key at all matches every scheduled step', () => {
    expect(names({ PatientName: '', ScheduledProcedureStepSequence: [] })).toEqual(['ADAMS^ANNA', 'BECK^BERND', 'NÚÑEZ^JOSÉ', 'CLARK^CARL']);
    expect(names({})).toHaveLength(4);
    expect(names(sps({ ScheduledStationAETitle: '', Modality: '' }))).toHaveLength(4);
  });

  it('Scheduled Station AE Title by single value; another title matches nothing', () => {
    expect(names(sps({ ScheduledStationAETitle: 'CT1' }))).toEqual(['ADAMS^ANNA', 'NÚÑEZ^JOSÉ', 'CLARK^CARL']);
    expect(names(sps({ ScheduledStationAETitle: 'MR1' }))).toEqual(['BECK^BERND']);
    expect(names(sps({ ScheduledStationAETitle: 'CT01' }))).toEqual([]);
  });

  it('date: single value, range (C.2.2.2.5), open range; date and time ranges combined (C.2.2.2.5.1)', () => {
    expect(names(sps({ ScheduledProcedureStepStartDate: '20240612' }))).toEqual(['ADAMS^ANNA', 'BECK^BERND', 'NÚÑEZ^JOSÉ']);
    expect(names(sps({ ScheduledProcedureStepStartDate: '20240611' }))).toEqual([]);
    expect(names(sps({ ScheduledProcedureStepStartDate: '20240612-20240613' }))).toHaveLength(4);
    expect(names(sps({ ScheduledProcedureStepStartDate: '20240613-' }))).toEqual(['CLARK^CARL']);
    expect(names(sps({ ScheduledProcedureStepStartDate: '20240612', ScheduledProcedureStepStartTime: '0900-1200' }))).toEqual(['BECK^BERND', 'NÚÑEZ^JOSÉ']);
    // 12 June 10:00 to 13 June 09:30, as one span: NÚÑEZ (12th 11:00) and CLARK (13th 09:00), not BECK (12th 09:30).
    expect(names(sps({ ScheduledProcedureStepStartDate: '20240612-20240613', ScheduledProcedureStepStartTime: '1000-0930' }))).toEqual(['NÚÑEZ^JOSÉ', 'CLARK^CARL']);
  });

  it('top-level keys with the sequence: PN wild card insensitive to case, patient ID, modality in the step', () => {
    expect(names({ PatientName: 'n*', ...sps({ Modality: 'CT' }) })).toEqual(['NÚÑEZ^JOSÉ']);
    expect(names({ PatientID: 'PSC-1002', ...sps({ Modality: 'CT' }) })).toEqual([]);
    expect(names({ AccessionNumber: 'PSCW200?' })).toHaveLength(4);
  });

  it('a matching key on a sequence the worklist does not hold matches nothing; as a return key it is empty', () => {
    expect(names({ ReferencedStudySequence: [{ ReferencedSOPInstanceUID: '1.2.3' }] })).toEqual([]);
    const [m] = findWorklistMatches(items, { PatientName: '', ReferencedStudySequence: [] });
    expect(worklistResponse(m, { PatientName: '', ReferencedStudySequence: [] })).toEqual({ PatientName: 'ADAMS^ANNA', ReferencedStudySequence: [] });
  });

  it('the response has the requested keys, the matched step with its requested keys (all of them for an empty sequence), the character set', () => {
    const query = { PatientName: '', PatientSex: '', OtherPatientIDs: '', ...sps({ ScheduledStationAETitle: 'CT1', Modality: '', ScheduledProcedureStepStartDate: '20240612' }) };
    const [first, second] = findWorklistMatches(items, query);
    expect(worklistResponse(first, query)).toEqual({
      PatientName: 'ADAMS^ANNA',
      PatientSex: 'F',
      OtherPatientIDs: '',
      ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: 'CT1', Modality: 'CT', ScheduledProcedureStepStartDate: '20240612' }],
    });
    expect(worklistResponse(second, query).SpecificCharacterSet).toBe('ISO_IR 192');
    const all = worklistResponse(first, { ScheduledProcedureStepSequence: [] }).ScheduledProcedureStepSequence as Record<string, string>[];
    expect(all[0]).toMatchObject({ ScheduledProcedureStepID: 'SPS2001', ScheduledStationName: 'CT1 ROOM', ScheduledProcedureStepStartTime: '080000' });
  });
});
