/**
 * Whether a DIMSE request may be performed on the presentation context it
 * came on, for an SCP of Verification (PS3.4 Annex A), Query/Retrieve
 * (Annex C) and Storage (Annex B): the SOP class the request names must be
 * the context's abstract syntax (PS3.8 §7.1.1.13: a presentation context is
 * one abstract syntax, the SOP class, with its transfer syntax), and the
 * command must be one that SOP class defines. What fails is refused with
 * 0x0122 "Refused: SOP class not supported" (PS3.7 Annex C, general statuses), as
 * DCMTK's dcmqrscp answers a C-FIND whose SOP class does not fit.
 */
import { CommandField, commandName } from './command-fields.ts';
import type { DimseMessage } from './types.ts';
import { Uid } from '../dicom/uids.ts';

/** Refused: SOP class not supported, PS3.7 Annex C. */
export const SOP_CLASS_NOT_SUPPORTED = 0x0122;

const QR = '1.2.840.10008.5.1.4.1.2';

/** The one request command of each non-storage SOP class these SCPs serve; any other SOP class is storage (C-STORE). */
export const SERVICE_COMMAND: ReadonlyMap<string, number> = new Map([
  [Uid.Verification, CommandField.CEchoRq],
  [Uid.PatientRootFind, CommandField.CFindRq],
  [Uid.StudyRootFind, CommandField.CFindRq],
  [`${QR}.3.1`, CommandField.CFindRq], // Patient/Study Only (retired)
  [Uid.PatientRootMove, CommandField.CMoveRq],
  [Uid.StudyRootMove, CommandField.CMoveRq],
  [`${QR}.3.2`, CommandField.CMoveRq],
  [Uid.PatientRootGet, CommandField.CGetRq],
  [Uid.StudyRootGet, CommandField.CGetRq],
  [`${QR}.3.3`, CommandField.CGetRq],
  ['1.2.840.10008.5.1.4.31', CommandField.CFindRq], // Modality Worklist Information Model – FIND (PS3.4 K.6.1)
]);

/** SOP classes that take more than one request command: MPPS takes N-CREATE and N-SET (PS3.4 F.7.2); Storage Commitment N-ACTION and N-EVENT-REPORT. */
export const SERVICE_COMMANDS: ReadonlyMap<string, readonly number[]> = new Map([
  ['1.2.840.10008.3.1.2.3.3', [CommandField.NCreateRq, CommandField.NSetRq]],
  // Storage Commitment Push Model: N-ACTION to the SCP, N-EVENT-REPORT to the SCU (PS3.4 J.3.2, J.3.3).
  ['1.2.840.10008.1.20.1', [CommandField.NActionRq, CommandField.NEventReportRq]],
]);

/** The commands that can be cancelled (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3). */
export const CANCELLABLE: ReadonlySet<number> = new Set([CommandField.CFindRq, CommandField.CMoveRq, CommandField.CGetRq]);

export interface Refusal {
  status: number;
  comment: string;
}

/** Null when `request` may go on; else the status to refuse it with. C-CANCEL-RQ and responses are not judged here. */
export function checkRequest(request: DimseMessage, contextAbstractSyntax: string): Refusal | null {
  const sopClass = (request.affectedSopClass ?? request.requestedSopClass ?? '').replace(/[\0 ]+$/, '');
  const context = contextAbstractSyntax.replace(/[\0 ]+$/, '');
  if (sopClass === '') return { status: SOP_CLASS_NOT_SUPPORTED, comment: `${request.command} names no SOP class` };
  if (sopClass !== context) return { status: SOP_CLASS_NOT_SUPPORTED, comment: `SOP class ${sopClass} is not this context's ${context}`.slice(0, 64) };
  const expected = SERVICE_COMMAND.get(context) ?? CommandField.CStoreRq;
  if (request.commandField !== expected && !SERVICE_COMMANDS.get(context)?.includes(request.commandField)) return { status: SOP_CLASS_NOT_SUPPORTED, comment: `${request.command} on SOP class ${context}; it takes ${commandName(expected)}`.slice(0, 64) };
  return null;
}

/** The response Command Field of a request's (bit 15 set, PS3.7 Annex E). */
export const responseFieldOf = (requestField: number): number => (requestField | 0x8000) & 0xffff;
