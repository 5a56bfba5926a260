/**
 * The outcome of each C-MOVE and C-GET (PS3.4 C.4.2, C.4.3), one finding per
 * retrieve at most, the most specific first:
 *
 * - 0xA801, move destination unknown (PS3.4 C.4.2.1.5);
 * - the PACS tried to connect to the destination and was refused (nothing
 *   listens there) — seen as a refused TCP connection while the C-MOVE ran;
 * - C-GET without a storage context in which the SCU took the SCP role
 *   (PS3.7 D.3.3.4, PS3.4 C.4.3.3);
 * - failed sub-operations, with what the capture shows of why: storage
 *   contexts refused on the sub-association (SOP class or transfer syntax),
 *   failure statuses of the C-STORE-RSPs, a sub-association that broke;
 * - a generic failure with no sub-operation at all right after the C-MOVE:
 *   how PACSs that do not use 0xA801 report an unknown destination (Orthanc
 *   1.10 answers 0xC000);
 * - "what did not happen": success with completed sub-operations but no
 *   sub-association in the capture;
 * - success with nothing matched.
 * A rejected sub-association is left to association-reject.ts, which names
 * the C-MOVE in its evidence.
 */
import type { DiagnosisContext, RetrieveRun } from './context.ts';
import type { SummaryAssociation, SummaryMessage } from '../model/summary-types.ts';
import type { Finding, Severity } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { aeProblems, nearMiss } from './ae-titles.ts';
import { at, countersText, hostPort, list, messageLabel, q, seconds, statusText, uidText, unique } from './format.ts';
import { where } from './peer-settings.ts';
import { acceptedStorage, commonFirst, contextFix, isStorageClass, refusedContexts, refusedText } from './presentation-contexts.ts';
import { statusCode, statusHint } from './status-hints.ts';

/** Failure statuses that say something else than "could not do the sub-operations" (query-model.ts explains them). */
const NOT_ABOUT_DESTINATION = new Set([0x0122, 0x0124, 0xa701, 0xa900]);

interface View {
  ctx: DiagnosisContext;
  r: RetrieveRun;
  rq: SummaryMessage;
  fin: SummaryMessage;
  scp: SummaryAssociation['acceptor'];
  scu: SummaryAssociation['requestor'];
  dest: string | null;
  messages: number[];
}

/** "MOVESCU sent the C-MOVE-RQ #1 … answered 0xA801 …" — built only when a finding needs it. */
function head(v: View): string {
  return `${q(v.scu.ae)} sent the ${messageLabel(v.rq)} at ${at(v.rq.time)}${v.dest !== null ? ` to move to ${q(v.dest)}` : ''}; ${q(v.scp.ae)} answered ${statusText(v.fin)} (${countersText(v.fin)}) at ${at(v.fin.time)}`;
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const r of ctx.retrieves) {
    if (r.final === null) continue;
    const f = outcome(ctx, r);
    if (f) out.push(f);
  }
}

function outcome(ctx: DiagnosisContext, r: RetrieveRun): Finding | null {
  const rq = ctx.message(r.rq);
  const fin = ctx.message(r.final!);
  const [scu, scp] = rq.side === 'requestor' ? [r.association.requestor, r.association.acceptor] : [r.association.acceptor, r.association.requestor];
  const dest = r.service === 'C-MOVE' ? rq.moveDestination : null;
  const v: View = { ctx, r, rq, fin, scp, scu, dest, messages: [r.rq, ...r.responses] };
  const code = statusCode(fin.status);
  const completed = fin.completed ?? 0;
  const failed = fin.failed ?? 0;
  const warning = fin.warning ?? 0;
  if (r.service === 'C-MOVE') {
    if (code === 0xa801) return destinationUnknown(v);
    if (r.refused.length > 0) return notListening(v);
    if (r.subs.some((a) => a.outcome === 'rejected')) return null;
  } else {
    const role = getWithoutRole(v, failed);
    if (role) return role;
  }
  if (failed > 0 || (fin.statusCategory === 'failure' && (r.subs.length > 0 || r.stores.length > 0))) return subOperationsFailed(v);
  // Keys that cannot match (query-model.ts, which runs first) explain a failure or an empty result better.
  if (ctx.claimedMessages.has(r.rq)) return null;
  if (fin.statusCategory === 'failure' && r.service === 'C-MOVE' && completed + failed + warning === 0 && !NOT_ABOUT_DESTINATION.has(code ?? -1)) return failedWithoutSubOperations(v);
  if (fin.statusCategory === 'success' || fin.statusCategory === 'warning') {
    if (completed + failed + warning === 0 && r.stores.length === 0) return nothingMatched(v);
    if (r.service === 'C-MOVE' && completed + warning > 0 && r.subs.length === 0) return noSubAssociation(v);
  }
  return null;
}

function finding(v: View, rule: string, severity: Severity, title: string, text: string, fix: string, more: { associations?: string[]; messages?: number[]; time?: number } = {}): Finding {
  return { rule, severity, title, text, fix, evidence: { associations: unique([v.r.association.id, ...(more.associations ?? [])]), messages: [...v.messages, ...(more.messages ?? [])] }, time: more.time ?? v.fin.time };
}

const isSelf = (v: View): boolean => v.dest !== null && v.scu.ae !== null && v.dest.trim() === v.scu.ae.trim();

function selfNote(v: View): string {
  return isSelf(v) ? ` ${q(v.dest)} is the caller's own AE title: the PACS must also know the host and the port where the SCU itself listens for the C-STOREs.` : '';
}

function selfFix(v: View): string {
  return isSelf(v) ? ` As the SCU is its own destination, it must listen: ${where('moveScuListens', { DEST: v.dest ?? '' })}; or use C-GET, which needs no listening port (PS3.4 C.4.3).` : '';
}

function destinationUnknown(v: View): Finding {
  const known = [...v.ctx.calledAes.keys(), ...v.ctx.callingAes.keys()];
  const near = nearMiss(v.dest, known);
  const notes = [...aeProblems(v.dest, 'the move destination')];
  if (near) notes.unshift(`${q(near)}, an AE title seen in this capture, differs from it only by case or spaces`);
  return finding(v, 'move.destination-unknown', 'error', `C-MOVE refused: ${q(v.scp.ae)} does not know the move destination ${q(v.dest)} (0xA801)`,
    `${head(v)}. 0xA801 "Refused: Move Destination unknown" (PS3.4 C.4.2.1.5): a C-MOVE names its destination by AE title only, so the PACS must have that title in its AE table with a host and port; ${q(v.dest)} is not there.${selfNote(v)}${notes.length ? ` Note: ${notes.join('; ')}.` : ''}`,
    `Add ${q(v.dest)} to the AE table of ${q(v.scp.ae)} with the host and port where that store SCP listens: ${where('moveDestination', { DEST: v.dest ?? 'DEST' })}${near ? `; or move to ${q(near)} exactly as the PACS has it` : ''}.${selfFix(v)}`);
}

function notListening(v: View): Finding {
  const refused = v.r.refused;
  const first = refused[0];
  const asyncNote = v.fin.time <= first.start && v.fin.statusCategory !== 'failure'
    ? ` The PACS had already answered ${statusText(v.fin)} before it tried (an asynchronous C-MOVE): those counters were a promise, and the SCU was told all went well.`
    : '';
  return finding(v, 'move.destination-not-listening', 'error', `C-MOVE to ${q(v.dest)}: nothing listens at ${hostPort(first.acceptor)} (connection refused)`,
    `${head(v)}. While it ran, ${first.requestor.host} tried to open the sub-association to ${hostPort(first.acceptor)} at ${at(first.start)} and the TCP connection was refused${refused.length > 1 ? ` (${refused.length} attempts: ${refused.map((a) => a.id).join(', ')})` : ` (${first.id})`}: no store SCP listens there, so no C-STORE could be sent.${asyncNote}${selfNote(v)}`,
    `Start the store SCP ${q(v.dest)} on ${hostPort(first.acceptor)}, or correct the address the PACS has for it (${where('moveDestination', { DEST: v.dest ?? 'DEST' })}); a firewall in between gives the same picture.${selfFix(v)}`,
    { associations: refused.map((a) => a.id), time: first.start });
}

/** Storage SOP classes of `a` accepted with the SCP role for the requestor (PS3.7 D.3.3.4). */
function scpRoleClasses(a: SummaryAssociation): Set<string> {
  const accepted = new Set(a.presentationContexts.filter((pc) => pc.result === 0 && isStorageClass(pc.abstractSyntax)).map((pc) => pc.abstractSyntax!));
  return new Set(a.roles.filter((r) => r.accepted?.scp && accepted.has(r.sopClassUid)).map((r) => r.sopClassUid));
}

function getWithoutRole(v: View, failed: number): Finding | null {
  const a = v.r.association;
  if (a.midStream || scpRoleClasses(a).size > 0) return null;
  const stored = v.r.stores.filter((i) => v.ctx.message(i).command === 'C-STORE-RQ').length;
  const broken = failed > 0 || (v.fin.statusCategory === 'failure' && stored === 0);
  // A lenient SCP (Orthanc 1.10) sends the C-STOREs anyway: it worked here, it will not with a strict one.
  if (!broken && stored === 0) return null;
  const storage = a.presentationContexts.filter((pc) => isStorageClass(pc.abstractSyntax));
  const proposedRoles = a.roles.filter((r) => r.proposed.scp);
  const state = storage.length === 0
    ? 'The SCU proposed no storage presentation context at all.'
    : proposedRoles.length === 0
      ? `The SCU proposed ${storage.length} storage context(s) (${list(storage.map((pc) => uidText(pc.abstractSyntax)), 3)}) but no SCP/SCU Role Selection item, so by default it is only their SCU.`
      : `The SCU proposed the SCP role for ${list(proposedRoles.map((r) => uidText(r.sopClassUid)), 3)}, but the SCP did not accept it for any accepted storage context.`;
  const outcome = broken
    ? `${q(v.scp.ae)} could not send the instances back`
    : `${q(v.scp.ae)} sent ${stored} C-STORE(s) anyway; a strict SCP refuses`;
  return finding(v, 'get.no-scp-role', broken ? 'error' : 'warning', `C-GET without the SCP role for the storage classes: ${outcome}`,
    `${head(v)}. In a C-GET the SCP sends each instance as a C-STORE on the same association, which needs a storage presentation context for its SOP class in which the C-GET SCU takes the SCP role, negotiated by SCP/SCU Role Selection (PS3.7 D.3.3.4; PS3.4 C.4.3.3). ${state}${broken ? '' : ` This SCP was lenient and sent ${stored} C-STORE(s) on contexts where the SCU has no SCP role; DCMTK dcmqrscp, pacscope's PACS and most archives count them as failed instead.`}`,
    `Propose, in the A-ASSOCIATE-RQ of the C-GET, a storage presentation context with a Role Selection item (SCP role) for each SOP class to retrieve: ${where('getScpRole', { SOP: storage[0]?.abstractSyntax ?? '1.2.840.10008.5.1.4.1.1.2' })}. Or use C-MOVE to a store SCP.`,
    { associations: [a.id] });
}

function subOperationsFailed(v: View): Finding {
  const { ctx, r, fin } = v;
  const reasons: string[] = [];
  const fixes: string[] = [];
  const subs = r.service === 'C-MOVE' ? r.subs : [r.association];
  // A C-GET SCU proposes its storage classes speculatively; what the SCP refused there is no reason (roles are, below).
  const refused = r.service === 'C-MOVE' ? subs.flatMap((a) => commonFirst(refusedContexts(a).filter((pc) => isStorageClass(pc.abstractSyntax))).map((pc) => ({ a, pc }))) : [];
  if (refused.length) {
    const accepted = [...new Set(subs.flatMap(acceptedStorage))];
    const bySub = subs.map((a) => ({ a, pcs: refused.filter((x) => x.a === a).map((x) => x.pc) })).filter((x) => x.pcs.length);
    reasons.push(`the destination accepted ${accepted.length ? `only ${list(accepted, 4)}` : 'no storage class'} and refused (PS3.8 Table 9-18) ${bySub.map(({ a, pcs }) => `on ${a.id} ${pcs.length} class(es), ${refusedText(pcs)}`).join('; ')}`);
    const side = r.service === 'C-MOVE' ? `the store SCP ${q(v.dest)}` : `the C-GET SCU ${q(v.scu.ae)}`;
    fixes.push(contextFix(refused.map((x) => x.pc), side));
  }
  if (r.service === 'C-GET') {
    const withRole = scpRoleClasses(r.association);
    const storageAccepted = r.association.presentationContexts.filter((pc) => pc.result === 0 && isStorageClass(pc.abstractSyntax) && !withRole.has(pc.abstractSyntax!));
    if (storageAccepted.length) {
      reasons.push(`storage contexts without the SCP role for the SCU: ${list(storageAccepted.map((pc) => uidText(pc.abstractSyntax)), 3)}`);
      fixes.push(`Propose the SCP role for every storage class to retrieve (${where('getScpRole', { SOP: storageAccepted[0].abstractSyntax ?? '' })}).`);
    }
  }
  const byStatus = new Map<string, { n: number; code: number | null }>();
  const failedStores: number[] = [];
  let unanswered = 0;
  for (const i of r.stores) {
    const m = ctx.message(i);
    if (m.command === 'C-STORE-RQ') {
      if (ctx.finalOf(i) === null) unanswered++;
      continue;
    }
    if (m.statusCategory !== 'failure' && m.statusCategory !== 'warning') continue;
    failedStores.push(i);
    const seen = byStatus.get(statusText(m));
    if (seen) seen.n++;
    else byStatus.set(statusText(m), { n: 1, code: statusCode(m.status) });
  }
  for (const [status, { n, code }] of byStatus) {
    const hint = code === null ? null : statusHint(code, 'C-STORE');
    reasons.push(`${n} C-STORE-RSP ${status}${hint ? `: ${hint}` : ''}`);
  }
  if (byStatus.size) fixes.push(`Read the store SCP's log for the C-STOREs answered with a failure.`);
  if (unanswered) reasons.push(`${unanswered} C-STORE-RQ without a response`);
  for (const a of subs) {
    if (a !== r.association && (a.outcome === 'aborted' || a.outcome === 'closed')) reasons.push(`the sub-association ${a.id} ended ${a.outcome === 'aborted' ? `with an A-ABORT by the ${a.abort?.by === 'requestor' ? 'PACS' : 'destination'}` : `without release (${a.closeReason ?? 'connection closed'})`}`);
  }
  const failedList = fin.identifier?.['FailedSOPInstanceUIDList'];
  const failedCount = Array.isArray(failedList) ? failedList.length : typeof failedList === 'string' && failedList ? failedList.split('\\').length : 0;
  if (failedCount) reasons.push(`the final response lists ${failedCount} Failed SOP Instance UID(s) (PS3.4 C.4.2.1.4)`);
  if (reasons.length === 0) {
    reasons.push(r.service === 'C-MOVE' && subs.length === 0
      ? `no sub-association to ${q(v.dest)} is in this capture${ctx.seesTrafficOf(v.scp.ae, v.dest, r.association) ? ', although it holds other associations of the PACS: it may have failed to connect (wrong host or port in its entry for the destination)' : ', which may not cover the PACS\'s outgoing traffic'}`
      : 'the capture shows no reason');
    fixes.push(r.service === 'C-MOVE' ? `Check the PACS's entry for ${q(v.dest)} (${where('moveDestination', { DEST: v.dest ?? 'DEST' })}) and its log; capture the destination's port too to see the sub-association.` : "Read the SCP's log.");
  }
  const completed = fin.completed ?? 0;
  const code = statusCode(fin.status);
  const hint = code === null ? null : statusHint(code, r.service);
  return finding(v, r.service === 'C-MOVE' ? 'move.sub-operations-failed' : 'get.sub-operations-failed', completed === 0 ? 'error' : 'warning',
    `${r.service} ${v.dest !== null ? `to ${q(v.dest)} ` : ''}finished with ${fin.failed ?? '?'} failed sub-operation(s)${completed ? ` (${completed} completed)` : ''}`,
    `${head(v)}${hint ? ` — ${hint}` : ''}. What the capture shows: ${reasons.join('; ')}.${fin.errorComment ? ` Error Comment: ${q(fin.errorComment)}.` : ''}`,
    unique(fixes).join(' '),
    { associations: subs.map((a) => a.id), messages: failedStores });
}

function failedWithoutSubOperations(v: View): Finding {
  const seen = v.ctx.seesTrafficOf(v.scp.ae, v.dest, v.r.association);
  const hint = statusHint(statusCode(v.fin.status) ?? -1, 'C-MOVE');
  return finding(v, 'move.destination-unknown.generic-failure', 'error', `C-MOVE to ${q(v.dest)} failed with ${v.fin.status} and no sub-operation: the PACS probably does not know or cannot reach the destination`,
    `${head(v)}${hint ? ` — ${hint}` : ''}. It reported no sub-operation at all (no pending response, counters 0) and ${seen ? `this capture, which holds other associations of ${q(v.scp.ae)}, shows no attempt to connect to ${q(v.dest)}` : 'no sub-association appears in this capture'}. PACSs that do not use 0xA801 report an unknown move destination this way: Orthanc 1.10 answers 0xC000 when the destination is not in its DicomModalities, and also when a synchronous C-MOVE cannot connect to it.${v.fin.errorComment ? ` Error Comment: ${q(v.fin.errorComment)}.` : ''}${selfNote(v)}`,
    `Make sure ${q(v.dest)} is in the AE table of ${q(v.scp.ae)} with the host and port where that store SCP listens (${where('moveDestination', { DEST: v.dest ?? 'DEST' })}), and that the store SCP runs there; the PACS's log names the cause.${selfFix(v)}`);
}

function identifierText(m: SummaryMessage): string {
  const keys = Object.entries(m.identifier ?? {}).filter(([k]) => k !== 'SpecificCharacterSet');
  return keys.length ? list(keys.map(([k, value]) => `${k}=${q(Array.isArray(value) ? value.join('\\') : String(value ?? ''))}`), 6) : 'none seen';
}

function nothingMatched(v: View): Finding {
  return finding(v, 'retrieve.nothing-matched', 'warning', `${v.r.service} ${v.dest !== null ? `to ${q(v.dest)} ` : ''}succeeded with no sub-operation: nothing matched`,
    `${head(v)}. Completed, failed and warning are all 0: nothing matched the identifier (${identifierText(v.rq)}), so there was nothing to send. A "successful" retrieve that delivers no images is usually this.`,
    'Run a C-FIND with the same Query/Retrieve Level and keys to see what matches; UIDs must match exactly (no wildcards, no spaces, the right level).');
}

function noSubAssociation(v: View): Finding | null {
  const { ctx } = v;
  const elapsed = ctx.now - v.fin.time;
  if (!ctx.complete && elapsed < ctx.window) return null;
  const sent = (v.fin.completed ?? 0) + (v.fin.warning ?? 0);
  const seen = ctx.seesTrafficOf(v.scp.ae, v.dest, v.r.association);
  const short = ctx.complete && elapsed < ctx.window ? ` The capture ends ${seconds(elapsed)} after the final response; an asynchronous PACS may have connected later.` : ` Nothing came in the ${seconds(elapsed)} after the final response.`;
  if (!seen) {
    return finding(v, 'move.no-sub-association', 'info', `C-MOVE to ${q(v.dest)} reported ${sent} sub-operation(s) done; their sub-association is not in this capture`,
      `${head(v)}. This capture holds no association from ${q(v.scp.ae)} or to ${q(v.dest)}: it was probably recorded on the SCU's side only (e.g. pacscope move --record), where the C-STOREs the PACS sends to the destination cannot be seen.`,
      `To see the sub-operations, capture at the PACS or at the destination too (a pcap of both ports, or pacscope's proxy in front of the destination).`);
  }
  return finding(v, 'move.no-sub-association', 'warning', `C-MOVE to ${q(v.dest)} reported ${sent} sub-operation(s) done, but no sub-association was seen`,
    `${head(v)}. This capture holds other associations of ${q(v.scp.ae)} or ${q(v.dest)}, but none from the PACS to the destination for this C-MOVE.${short} Either the PACS sent to another address than the one captured (its AE table entry for ${q(v.dest)} points elsewhere), or its counters were a promise it did not keep (an asynchronous C-MOVE whose job failed).`,
    `Check the address the PACS has for ${q(v.dest)} (${where('moveDestination', { DEST: v.dest ?? 'DEST' })}) and the PACS's job log; ${where('synchronousMove', {}, ['orthanc'])} makes Orthanc report what really happened.`);
}

export const retrieveOutcomeRules: RuleFamily = {
  name: 'retrieve-outcome',
  catalogue: [
    { id: 'move.destination-unknown', severity: 'error', summary: 'C-MOVE refused with 0xA801: the PACS does not know the destination AE title' },
    { id: 'move.destination-not-listening', severity: 'error', summary: "The PACS's connection to the destination was refused while the C-MOVE ran (not listening, wrong host or port)" },
    { id: 'move.destination-unknown.generic-failure', severity: 'error', summary: 'A C-MOVE failure with no sub-operation at all (how Orthanc and others report an unknown or unreachable destination without 0xA801)' },
    { id: 'move.sub-operations-failed', severity: 'error', summary: 'C-MOVE sub-operations failed, with the reasons seen (storage contexts refused, C-STORE statuses, broken sub-association)' },
    { id: 'get.no-scp-role', severity: 'error', summary: 'C-GET without a storage context in which the SCU has the SCP role (PS3.7 D.3.3.4); a warning when a lenient SCP sent the C-STOREs anyway' },
    { id: 'get.sub-operations-failed', severity: 'error', summary: 'C-GET sub-operations failed, with the reasons seen' },
    { id: 'move.no-sub-association', severity: 'warning', summary: 'A C-MOVE reported completed sub-operations but no sub-association was seen (info when the capture does not cover the PACS)' },
    { id: 'retrieve.nothing-matched', severity: 'warning', summary: 'A C-MOVE/C-GET succeeded with zero sub-operations: nothing matched' },
  ],
  run,
};
