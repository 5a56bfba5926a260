/**
 * The SOP classes the SCU operations propose, declared once: Verification
 * (PS3.4 A.4) and the Query/Retrieve information models (PS3.4 C.6.1, C.6.2),
 * plus the transfer syntax names of the CLI (`--ts`).
 */
import { Uid } from '../../../shared/dicom/uids.ts';
import type { QueryModel } from './options.ts';

export const QUERY_RETRIEVE_SOP_CLASSES: Readonly<Record<QueryModel, { find: string; move: string; get: string }>> = Object.freeze({
  patient: Object.freeze({ find: Uid.PatientRootFind, move: Uid.PatientRootMove, get: Uid.PatientRootGet }),
  study: Object.freeze({ find: Uid.StudyRootFind, move: Uid.StudyRootMove, get: Uid.StudyRootGet }),
});

/** `--ts NAME`: the native transfer syntaxes by short name (PS3.5 A.1, A.2, A.3). */
export const TRANSFER_SYNTAX_NAMES: ReadonlyMap<string, string> = new Map([
  ['implicit', Uid.ImplicitVrLittleEndian],
  ['explicit', Uid.ExplicitVrLittleEndian],
  ['big', Uid.ExplicitVrBigEndian],
]);

export const DEFAULT_TRANSFER_SYNTAXES: readonly string[] = Object.freeze([Uid.ImplicitVrLittleEndian, Uid.ExplicitVrLittleEndian]);

/** Native transfer syntaxes: the ones dcmjs-dimse can re-encode a data set into. */
export const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([Uid.ImplicitVrLittleEndian, Uid.ExplicitVrLittleEndian, Uid.ExplicitVrBigEndian]);
