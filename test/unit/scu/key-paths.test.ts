/**
 * `-k` keys in DCMTK's path syntax (findscu -W): keys inside a sequence
 * item by keyword or tag, an empty sequence, the default worklist return
 * keys they go over, and the errors people get.
 */
import { describe, expect, it } from 'vitest';
import { keysWithPaths, setKey } from '../../../server/endpoints/scu/key-paths.ts';
import { DEFAULT_WORKLIST_KEYS, worklistKeys } from '../../../server/endpoints/scu/worklist.ts';

describe('-k KEY paths', () => {
  it('sets keys inside sequence items by keyword or tag, plain keys as before', () => {
    expect(keysWithPaths(['ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1', '(0040,0100)[0].(0008,0060)=CT', 'PatientName=A*', 'PatientID'])).toEqual({
      ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: 'CT1', Modality: 'CT' }],
      PatientName: 'A*',
      PatientID: '',
    });
  });

  it('a sequence alone is an empty sequence; [n] creates the items up to n; a later key replaces', () => {
    expect(keysWithPaths(['ReferencedStudySequence'])).toEqual({ ReferencedStudySequence: [] });
    expect(keysWithPaths(['ScheduledProcedureStepSequence[1].Modality=MR'])).toEqual({ ScheduledProcedureStepSequence: [{}, { Modality: 'MR' }] });
    expect(keysWithPaths(['PatientID=1', 'PatientID=2'])).toEqual({ PatientID: '2' });
  });

  it('goes over the default worklist return keys without changing them', () => {
    const keys = worklistKeys(['ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1']);
    expect((keys.ScheduledProcedureStepSequence as Record<string, unknown>[])[0]).toMatchObject({ ScheduledStationAETitle: 'CT1', Modality: '', ScheduledProcedureStepStartDate: '' });
    expect((DEFAULT_WORKLIST_KEYS.ScheduledProcedureStepSequence as Record<string, unknown>[])[0].ScheduledStationAETitle).toBe('');
  });

  it('says what is wrong with a key', () => {
    const err = (text: string) => {
      try {
        setKey({}, text);
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err('PatientName[0].X=1')).toContain('PatientName is not a sequence');
    expect(err('ScheduledProcedureStepSequence.Modality=CT')).toContain('must be a sequence with an item number');
    expect(err('ScheduledProcedureStepSequence=CT')).toContain('a sequence takes no value');
    expect(err('ScheduledProcedureStepSequence[0].NoSuchKey=1')).toContain('"NoSuchKey" is not a keyword');
    expect(err('NoSuchSequence[0].Modality=CT')).toContain('"NoSuchSequence" is not a keyword or tag');
  });
});
