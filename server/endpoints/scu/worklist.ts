/**
 * Modality Worklist query SCU (PS3.4 K.4.1, C-FIND on the Modality Worklist
 * Information Model – FIND, 1.2.840.10008.5.1.4.31): what a modality sends
 * to learn what it is scheduled to do. No Query/Retrieve Level (the model
 * has none, K.6.1); the scheduled procedure step keys go into the first item
 * of the Scheduled Procedure Step Sequence (0040,0100). Each pending
 * response (0xFF00, 0xFF01) is one scheduled procedure step.
 *
 *   cFindWorklist({...target, keys: worklistKeys(['ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1'])}, hub)
 */
import dimse from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { ScuTarget } from './options.ts';
import { hasNonAscii, keysWithPaths } from './key-paths.ts';
import type { FindOptions, FindResult } from './find.ts';
import { collectFindMatches } from './find-matches.ts';
import { MODALITY_WORKLIST_FIND } from '../../../shared/dicom/worklist-mpps.ts';

export interface WorklistTarget extends ScuTarget {
  /** The identifier: keyword → value ('' a return key), the Scheduled Procedure Step Sequence as a list of one item. */
  keys: Record<string, unknown>;
}

/**
 * The return keys a modality usually asks for (PS3.4 K.6.1.2.2, IHE RAD-5):
 * patient, request and the scheduled procedure step, all empty (return keys).
 */
export const DEFAULT_WORKLIST_KEYS: Readonly<Record<string, unknown>> = Object.freeze({
  AccessionNumber: '',
  ReferringPhysicianName: '',
  PatientName: '',
  PatientID: '',
  PatientBirthDate: '',
  PatientSex: '',
  StudyInstanceUID: '',
  RequestedProcedureDescription: '',
  RequestedProcedureID: '',
  ScheduledProcedureStepSequence: [
    {
      ScheduledStationAETitle: '',
      ScheduledProcedureStepStartDate: '',
      ScheduledProcedureStepStartTime: '',
      Modality: '',
      ScheduledPerformingPhysicianName: '',
      ScheduledProcedureStepDescription: '',
      ScheduledStationName: '',
      ScheduledProcedureStepID: '',
    },
  ],
});

/** The default return keys with `-k` keys (DCMTK path syntax, key-paths.ts) over them. */
export function worklistKeys(texts: readonly string[], base: Readonly<Record<string, unknown>> = DEFAULT_WORKLIST_KEYS): Record<string, unknown> {
  return keysWithPaths(texts, base as Record<string, unknown>);
}

export async function cFindWorklist(target: WorklistTarget, hub: CaptureHub, options: FindOptions = {}): Promise<FindResult> {
  const request = new dimse.requests.CFindRequest();
  const keys = structuredClone(target.keys);
  // dcmjs writes every string as UTF-8: say so (PS3.3 C.12.1.1.2).
  if (hasNonAscii(keys) && keys.SpecificCharacterSet === undefined) keys.SpecificCharacterSet = 'ISO_IR 192';
  request.setAffectedSopClassUid(MODALITY_WORKLIST_FIND);
  request.setDataset(new dimse.Dataset(keys));
  return collectFindMatches(target, request, hub, options);
}
