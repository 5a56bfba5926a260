/**
 * A small made-up live session in three stages, for the diagram's warm-up
 * (web/src/lib/diagram/warmup.svelte.ts): a C-ECHO between WARMUP-SCU
 * and WARMUP-SCP; then a second SCU, whose lane goes in left of the SCP
 * and moves it (lane-shift.ts); then more messages on both. Drawn once,
 * out of the document, right after a live page has drawn its first
 * snapshot, it runs the code a live update runs — laying out, shifting
 * lanes, adding and moving arrows — before the first real association
 * needs it (the figures are in warmup.svelte.ts).
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../../model/summary-types.ts';
import { Uid, uidName } from '../../dicom/uids.ts';
import { CommandField } from '../../dimse/command-fields.ts';

function association(id: string, ae: string, port: number, start: number, end: number | null): SummaryAssociation {
  return {
    id,
    requestor: { ae, host: '127.0.0.1', port },
    acceptor: { ae: 'WARMUP-SCP', host: '127.0.0.1', port: 104 },
    outcome: end === null ? 'open' : 'released',
    midStream: false,
    reject: null,
    abort: null,
    closeReason: null,
    closedFirst: null,
    presentationContexts: [
      { id: 1, abstractSyntax: Uid.Verification, abstractSyntaxName: uidName(Uid.Verification), transferSyntaxes: [Uid.ImplicitVrLittleEndian], result: 0, resultText: 'acceptance', transferSyntax: Uid.ImplicitVrLittleEndian },
    ],
    roles: [],
    maxPdu: { requestor: 16384, acceptor: 16384 },
    implementation: { requestor: { classUid: null, versionName: null }, acceptor: { classUid: null, versionName: null } },
    userIdentity: null,
    asyncOperationsWindow: { requestor: null, acceptor: null },
    start,
    end,
    cause: null,
    tls: null,
  };
}

/** A C-ECHO-RQ, or (with the index of its request) its Success response. */
function echo(associationId: string, requestor: string, time: number, messageId: number, request: number | null = null): SummaryMessage {
  const response = request !== null;
  return {
    association: associationId,
    time,
    from: response ? 'WARMUP-SCP' : requestor,
    to: response ? requestor : 'WARMUP-SCP',
    side: response ? 'acceptor' : 'requestor',
    presentationContextId: 1,
    commandField: response ? CommandField.CEchoRsp : CommandField.CEchoRq,
    messageId: response ? null : messageId,
    respondsTo: response ? messageId : null,
    affectedSopClass: Uid.Verification,
    affectedSopInstance: null,
    requestedSopClass: null,
    requestedSopInstance: null,
    eventTypeId: null,
    actionTypeId: null,
    priority: null,
    status: response ? 0 : null,
    statusCategory: response ? 'success' : null,
    remaining: null,
    completed: null,
    failed: null,
    warning: null,
    moveDestination: null,
    moveOriginator: null,
    errorComment: null,
    offendingElements: null,
    identifier: null,
    commandSetDataElements: null,
    nonConformance: null,
    request,
    cause: null,
  };
}

/** The three stages, each the one before with more in it (as live deltas would make it). */
export function warmupSessions(): Summary[] {
  const source = { path: 'warm-up', format: 'live', start: null };
  const a1 = association('w1', 'WARMUP-SCU', 40001, 0, 0.004);
  const first = [echo('w1', 'WARMUP-SCU', 0.001, 1), echo('w1', 'WARMUP-SCU', 0.002, 1, 0)];
  const a2 = association('w2', 'WARMUP-SCU2', 40002, 0.005, null);
  const second = [echo('w2', 'WARMUP-SCU2', 0.006, 1), echo('w2', 'WARMUP-SCU2', 0.007, 1, 2)];
  const third = [echo('w2', 'WARMUP-SCU2', 0.008, 2), echo('w2', 'WARMUP-SCU2', 0.009, 2, 4)];
  const summary = (associations: SummaryAssociation[], messages: SummaryMessage[]): Summary => ({ version: 1, source, associations, pdus: [], messages, errors: [] });
  return [summary([a1], first), summary([a1, a2], [...first, ...second]), summary([a1, { ...a2, end: 0.01, outcome: 'released' }], [...first, ...second, ...third])];
}
