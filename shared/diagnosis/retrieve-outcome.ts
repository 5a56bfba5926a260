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
import { setting, type SettingValues } from './peer-settings.ts';
import type { ProductId } from './products.ts';
import { acceptedStorage, commonFirst, contextFix, isStorageClass, refusedContexts, refusedText } from './presentation-contexts.ts';
import { statusHint } from './status-hints.ts';
import { announced } from './retrieve-shortfall.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { statusCodeOf } from '../dimse/message-words.ts';

/** Failed SOP Instance UID List (0008,0058) of a final response: from its data set, or from its command set when a non-conformant SCP put it there. */
export function failedInstances(m: SummaryMessage): string[] {
  const raw = m.identifier?.['FailedSOPInstanceUIDList'] ?? m.commandSetDataElements?.['FailedSOPInstanceUIDList'];
  const values = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw ? raw.split('\\') : [];
  return values.map((x) => x.trim()).filter((x) => x !== '');
}

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
  /** The C-MOVE/C-GET SCP's product and the SCU's (null: not identified). */
  pacs: ProductId | null;
  scuProduct: ProductId | null;
}

/** The move destination as a moveDestination setting wants it: where it listens, from the capture (or pacscope's own endpoints). */
function destValues(v: View, at: { host: string; port: number } | null = null): SettingValues {
  const where = at ?? v.ctx.products.addressOf(v.dest);
  return { DEST: v.dest, HOST: where?.host ?? null, PORT: where?.port ?? null };
}

/** "MOVESCU sent the C-MOVE-RQ #1 … answered 0xA801 …" — built only when a finding needs it. */
function head(v: View): string {
  return `${q(v.scu.ae)} sent the ${messageLabel(v.rq)} at ${at(v.rq.time)}${v.dest !== null ? ` to move to ${q(v.dest)}` : ''}; ${q(v.scp.ae)} answered ${statusText(v.fin)} (${countersText(v.fin)}) at ${at(v.fin.time)}`;
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const r of ctx.retrieves) {
    // A cancelled retrieve is retrieve-shortfall.ts's (it ran first).
    if (r.final === null || ctx.message(r.final).statusCategory === 'cancel') continue;
    const f = outcome(ctx, r);
    if (f) out.push(f);
  }
}

function outcome(ctx: DiagnosisContext, r: RetrieveRun): Finding | null {
  const rq = ctx.message(r.rq);
  const fin = ctx.message(r.final!);
  const [scu, scp] = rq.side === 'requestor' ? [r.association.requestor, r.association.acceptor] : [r.association.acceptor, r.association.requestor];
  const dest = r.service === 'C-MOVE' ? rq.moveDestination : null;
  const scpSide = rq.side === 'requestor' ? 'acceptor' : 'requestor';
  const v: View = { ctx, r, rq, fin, scp, scu, dest, messages: [r.rq, ...r.responses], pacs: ctx.productOf(r.association, scpSide), scuProduct: ctx.productOf(r.association, rq.side) };
  const code = fin.status;
  const completed = fin.completed ?? 0;
  const failed = fin.failed ?? 0;
  const warning = fin.warning ?? 0;
  if (r.service === 'C-MOVE') {
    if (code === 0xa801) return destinationUnknown(v);
    if (r.refused.length > 0) return notListening(v);
    if (r.subs.some((a) => a.outcome === 'rejected')) return null;
  } else {
    const role = getWithoutRole(v, failed) ?? getWithoutContext(v, failed);
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
  return isSelf(v) ? ` As the SCU is its own destination, it must listen: ${setting('moveScuListens', v.scuProduct, destValues(v))}; or use C-GET, which needs no listening port (PS3.4 C.4.3).` : '';
}

function destinationUnknown(v: View): Finding {
  const known = [...v.ctx.calledAes.keys(), ...v.ctx.callingAes.keys()];
  const near = nearMiss(v.dest, known);
  const notes = [...aeProblems(v.dest, 'the move destination')];
  if (near) notes.unshift(`${q(near)}, an AE title seen in this capture, differs from it only by case or spaces`);
  return finding(v, 'move.destination-unknown', 'error', `C-MOVE refused: ${q(v.scp.ae)} does not know the move destination ${q(v.dest)} (0xA801)`,
    `${head(v)}. 0xA801 "Refused: Move Destination unknown" (PS3.4 C.4.2.1.5): a C-MOVE names its destination by AE title only, so the PACS must have that title in its AE table with a host and port; ${q(v.dest)} is not there.${selfNote(v)}${notes.length ? ` Note: ${notes.join('; ')}.` : ''}`,
    `Add ${q(v.dest)} to the move destinations of ${q(v.scp.ae)} at ${hostPort(v.scp)}: ${setting('moveDestination', v.pacs, destValues(v))}${near ? `. Or move to ${q(near)} exactly as the PACS has it` : ''}.${selfFix(v)}`);
}

function notListening(v: View): Finding {
  const refused = v.r.refused;
  const first = refused[0];
  const asyncNote = v.fin.time <= first.start && v.fin.statusCategory !== 'failure'
    ? ` The PACS had already answered ${statusText(v.fin)} before it tried (an asynchronous C-MOVE): those counters were a promise, and the SCU was told all went well.`
    : '';
  return finding(v, 'move.destination-not-listening', 'error', `C-MOVE to ${q(v.dest)}: nothing listens at ${hostPort(first.acceptor)} (connection refused)`,
    `${head(v)}. While it ran, ${first.requestor.host} tried to open the sub-association to ${hostPort(first.acceptor)} at ${at(first.start)} and the TCP connection was refused${refused.length > 1 ? ` (${refused.length} attempts: ${refused.map((a) => a.id).join(', ')})` : ` (${first.id})`}: no store SCP listens there, so no C-STORE could be sent.${asyncNote}${selfNote(v)}`,
    `Start the store SCP ${q(v.dest)} on ${hostPort(first.acceptor)}, or correct the address ${q(v.scp.ae)} has for it${v.ctx.products.addressOf(v.dest) ? ` (it listens at ${v.ctx.products.addressOf(v.dest)!.host}:${v.ctx.products.addressOf(v.dest)!.port} in this capture): ${setting('moveDestination', v.pacs, destValues(v))}` : `: ${setting('moveDestination', v.pacs, { DEST: v.dest })}`}. A firewall in between gives the same picture.${selfFix(v)}`,
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
  const stored = v.r.stores.filter((i) => v.ctx.message(i).commandField === CommandField.CStoreRq).length;
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
    `Propose, in the A-ASSOCIATE-RQ of the C-GET, a storage presentation context with a Role Selection item (SCP role) for each SOP class to retrieve: ${setting('getScpRole', v.scuProduct, { SOP: storage[0]?.abstractSyntax ?? null })}. Or use C-MOVE to a store SCP.`,
    { associations: [a.id] });
}

/** SOP class of each SOP instance the capture names (C-FIND matches, C-STORE-RQs): what the failed instances of a C-GET are. */
function knownClasses(ctx: DiagnosisContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of ctx.summary.messages) {
    if (m.commandField === CommandField.CStoreRq && m.affectedSopInstance && m.affectedSopClass) out.set(m.affectedSopInstance, m.affectedSopClass);
    const id = m.identifier;
    if (id && typeof id['SOPInstanceUID'] === 'string' && typeof id['SOPClassUID'] === 'string') out.set(id['SOPInstanceUID'] as string, id['SOPClassUID'] as string);
  }
  return out;
}

/**
 * C-GET sub-operations that failed without a C-STORE-RQ: the SCP had no
 * accepted storage context with the SCP role for their SOP class (PS3.4
 * C.4.3.3, PS3.7 D.3.3.4), read from the A-ASSOCIATE-RQ/AC and the failed
 * instance list.
 */
function getWithoutContext(v: View, failed: number): Finding | null {
  const { ctx, r, fin } = v;
  const a = r.association;
  if (a.midStream || failed === 0) return null;
  const attempted = r.stores.filter((i) => ctx.message(i).commandField === CommandField.CStoreRq).length;
  const accounted = (fin.completed ?? 0) + failed + (fin.warning ?? 0);
  if (attempted >= accounted) return null;
  const withRole = scpRoleClasses(a);
  const uids = failedInstances(fin);
  const classes = knownClasses(ctx);
  const missing = [...new Set(uids.map((u) => classes.get(u)).filter((c): c is string => c !== undefined && !withRole.has(c)))];
  const never = accounted - attempted;
  const offered = [...withRole].map(uidText);
  return finding(v, 'get.no-storage-context', 'error',
    `C-GET: ${never} instance(s) could not be sent back: the SCU ${q(v.scu.ae)} proposed no storage context with the SCP role for ${missing.length ? list(missing.map(uidText), 2) : 'their SOP class'}`,
    `${head(v)}. ${q(v.scp.ae)} sent ${attempted} C-STORE-RQ(s) but counted ${failed} failed: ${never} sub-operation(s) failed without a C-STORE, which is what a C-GET SCP does when the association has no accepted storage presentation context, with the SCP role for the C-GET SCU, for the instance's SOP class (PS3.4 C.4.3.3; SCP/SCU Role Selection, PS3.7 D.3.3.4). ` +
      `The A-ASSOCIATE-RQ of ${a.id} proposed ${offered.length ? `the SCP role for ${list(offered, 4)}` : 'no storage class with the SCP role that was accepted'}${uids.length ? `; the final response lists the failed instances ${list(uids.map(q), 3)}${missing.length ? `, which this capture shows are ${list(missing.map(uidText), 3)}` : ' (their SOP class is not in this capture; a C-FIND at IMAGE level asking for SOPClassUID shows it, where the SCP supports that key)'}` : ''}.`,
    `Propose ${missing.length ? list(missing.map(uidText), 3) : 'the SOP class of the instances to retrieve'} with the SCP role in the C-GET's A-ASSOCIATE-RQ: ${setting('getScpRole', v.scuProduct, { SOP: missing[0] ?? null })}. Or use C-MOVE to a store SCP.`,
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
    fixes.push(contextFix(refused.map((x) => x.pc), side, ctx.productOf(refused[0].a, 'acceptor'), ctx.productOf(refused[0].a, 'requestor')));
  }
  if (r.service === 'C-GET') {
    const withRole = scpRoleClasses(r.association);
    const storageAccepted = r.association.presentationContexts.filter((pc) => pc.result === 0 && isStorageClass(pc.abstractSyntax) && !withRole.has(pc.abstractSyntax!));
    if (storageAccepted.length) {
      reasons.push(`storage contexts without the SCP role for the SCU: ${list(storageAccepted.map((pc) => uidText(pc.abstractSyntax)), 3)}`);
      fixes.push(`Propose the SCP role for every storage class to retrieve: ${setting('getScpRole', v.scuProduct, { SOP: storageAccepted[0].abstractSyntax ?? null })}.`);
    }
  }
  const byStatus = new Map<string, { n: number; code: number | null }>();
  const failedStores: number[] = [];
  let unanswered = 0;
  for (const i of r.stores) {
    const m = ctx.message(i);
    if (m.commandField === CommandField.CStoreRq) {
      if (ctx.finalOf(i) === null) unanswered++;
      continue;
    }
    if (m.statusCategory !== 'failure' && m.statusCategory !== 'warning') continue;
    failedStores.push(i);
    const seen = byStatus.get(statusText(m));
    if (seen) seen.n++;
    else byStatus.set(statusText(m), { n: 1, code: m.status });
  }
  for (const [status, { n, code }] of byStatus) {
    const hint = code === null ? null : statusHint(code, 'C-STORE');
    reasons.push(`${n} C-STORE-RSP ${status}${hint ? `: ${hint}` : ''}`);
  }
  if (byStatus.size) fixes.push(`Read the store SCP's log for the C-STOREs answered with a failure.`);
  if (unanswered) reasons.push(`${unanswered} C-STORE-RQ without a response`);
  const counts = announced(ctx, r);
  if (counts && counts.total > counts.done) reasons.push(`${counts.total - counts.done} of the ${counts.total} sub-operations announced were never performed`);
  for (const a of subs) {
    if (a !== r.association && (a.outcome === 'aborted' || a.outcome === 'closed')) reasons.push(`the sub-association ${a.id} ended ${a.outcome === 'aborted' ? `with an A-ABORT by the ${a.abort?.by === 'requestor' ? 'PACS' : 'destination'}` : `without release (${a.closeReason ?? 'connection closed'})`}`);
  }
  const failedUids = failedInstances(fin);
  if (failedUids.length) reasons.push(`the final response lists ${failedUids.length} Failed SOP Instance UID(s) (PS3.4 C.4.2.1.4)${fin.commandSetDataElements?.['FailedSOPInstanceUIDList'] !== undefined ? ', in its command set (where they do not belong: peer.command-set-non-conformant)' : ''}: ${list(failedUids.map(q), 3)}`);
  if (reasons.length === 0) {
    reasons.push(r.service === 'C-MOVE' && subs.length === 0
      ? `no sub-association to ${q(v.dest)} is in this capture${ctx.seesTrafficOf(v.scp.ae, v.dest, r.association) ? ', although it holds other associations of the PACS: it may have failed to connect (wrong host or port in its entry for the destination)' : ', which may not cover the PACS\'s outgoing traffic'}`
      : 'the capture shows no reason');
    fixes.push(r.service === 'C-MOVE' ? `Check the entry of ${q(v.scp.ae)} for ${q(v.dest)} (${setting('moveDestination', v.pacs, destValues(v))}) and its log; capture the destination's port too to see the sub-association.` : `Read the log of ${q(v.scp.ae)} at ${hostPort(v.scp)}.`);
  }
  if (fixes.length === 0) {
    fixes.push(r.service === 'C-MOVE'
      ? `Read the log of ${q(v.scp.ae)} at ${hostPort(v.scp)} for why its sub-operations to ${q(v.dest)} failed, and check its entry for ${q(v.dest)}: ${setting('moveDestination', v.pacs, destValues(v))}.`
      : `Read the log of ${q(v.scp.ae)} at ${hostPort(v.scp)} for why its sub-operations failed.`);
  }
  const completed = fin.completed ?? 0;
  const code = fin.status;
  const hint = code === null ? null : statusHint(code, r.service);
  return finding(v, r.service === 'C-MOVE' ? 'move.sub-operations-failed' : 'get.sub-operations-failed', completed === 0 ? 'error' : 'warning',
    `${r.service} ${v.dest !== null ? `to ${q(v.dest)} ` : ''}finished with ${fin.failed ?? '?'} failed sub-operation(s)${completed ? ` (${completed} completed)` : ''}`,
    `${head(v)}${hint ? ` — ${hint}` : ''}. What the capture shows: ${reasons.join('; ')}.${fin.errorComment ? ` Error Comment: ${q(fin.errorComment)}.` : ''}`,
    unique(fixes).join(' '),
    { associations: subs.map((a) => a.id), messages: failedStores });
}

function failedWithoutSubOperations(v: View): Finding {
  const seen = v.ctx.seesTrafficOf(v.scp.ae, v.dest, v.r.association);
  const hint = statusHint(v.fin.status ?? -1, 'C-MOVE');
  return finding(v, 'move.destination-unknown.generic-failure', 'error', `C-MOVE to ${q(v.dest)} failed with ${statusCodeOf(v.fin)} and no sub-operation: the PACS probably does not know or cannot reach the destination`,
    `${head(v)}${hint ? ` — ${hint}` : ''}. It reported no sub-operation at all (no pending response, counters 0) and ${seen ? `this capture, which holds other associations of ${q(v.scp.ae)}, shows no attempt to connect to ${q(v.dest)}` : 'no sub-association appears in this capture'}. PACSs that do not use 0xA801 report an unknown move destination this way: Orthanc 1.10 answers 0xC000 when the destination is not in its DicomModalities, and also when a synchronous C-MOVE cannot connect to it.${v.fin.errorComment ? ` Error Comment: ${q(v.fin.errorComment)}.` : ''}${selfNote(v)}`,
    `Add ${q(v.dest)} to the move destinations of ${q(v.scp.ae)} at ${hostPort(v.scp)}, and run its store SCP there: ${setting('moveDestination', v.pacs, destValues(v))}. The PACS's log names the cause.${selfFix(v)}`);
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
  const destAt = ctx.products.addressOf(v.dest);
  if (destAt && ctx.products.isOwn(destAt)) {
    // The destination is pacscope's own store SCP: every association to it is in this session, so none came.
    const early = elapsed < ctx.window;
    return finding(v, 'move.destination-never-reached', early ? 'warning' : 'error', `C-MOVE to ${q(v.dest)} reported ${sent} sub-operation(s) done, but nothing reached ${q(v.dest)} at ${destAt.host}:${destAt.port}`,
      `${head(v)}. ${q(v.dest)} is pacscope's own store SCP at ${destAt.host}:${destAt.port}, which records every association it gets: none came from ${q(v.scp.ae)}${early ? ` before the capture ends (${seconds(elapsed)} after the final response)` : ` in the ${seconds(elapsed)} since the final response`}. The success was a report, not a delivery: ${q(v.scp.ae)} sends the sub-operations to the address in its own table for ${q(v.dest)}, which does not point here (or its job failed after it answered, as an asynchronous C-MOVE may).`,
      `Point ${q(v.scp.ae)}'s entry for ${q(v.dest)} at ${destAt.host}:${destAt.port}: ${setting('moveDestination', v.pacs, destValues(v, destAt))}.${v.pacs === 'orthanc' || v.pacs === 'pacscope' ? ` Then ${setting('synchronousMove', v.pacs)} makes its final response tell what really happened.` : ''}`);
  }
  const seen = ctx.seesTrafficOf(v.scp.ae, v.dest, v.r.association);
  const short = ctx.complete && elapsed < ctx.window ? ` The capture ends ${seconds(elapsed)} after the final response; an asynchronous PACS may have connected later.` : ` Nothing came in the ${seconds(elapsed)} after the final response.`;
  if (!seen) {
    return finding(v, 'move.no-sub-association', 'info', `C-MOVE to ${q(v.dest)} reported ${sent} sub-operation(s) done; their sub-association is not in this capture`,
      `${head(v)}. This capture holds no association from ${q(v.scp.ae)} or to ${q(v.dest)}: it was probably recorded on the SCU's side only (e.g. pacscope move --record), where the C-STOREs the PACS sends to the destination cannot be seen.`,
      `Capture the traffic of ${q(v.scp.ae)} or of ${q(v.dest)} too, to see the sub-operations: an interface capture of both ports, or a proxy route in front of ${q(v.dest)}.`);
  }
  return finding(v, 'move.no-sub-association', 'warning', `C-MOVE to ${q(v.dest)} reported ${sent} sub-operation(s) done, but no sub-association was seen`,
    `${head(v)}. This capture holds other associations of ${q(v.scp.ae)} or ${q(v.dest)}, but none from the PACS to the destination for this C-MOVE.${short} Either the PACS sent to another address than the one captured (its AE table entry for ${q(v.dest)} points elsewhere), or its counters were a promise it did not keep (an asynchronous C-MOVE whose job failed).`,
    `Check the address ${q(v.scp.ae)} has for ${q(v.dest)} (${setting('moveDestination', v.pacs, destValues(v))}) and its job log. ${v.pacs === 'orthanc' || v.pacs === 'pacscope' ? `${setting('synchronousMove', v.pacs)} makes it report what really happened.` : ''}`.trim());
}

export const retrieveOutcomeRules: RuleFamily = {
  name: 'retrieve-outcome',
  catalogue: [
    { id: 'move.destination-unknown', severity: 'error', summary: 'C-MOVE refused with 0xA801: the PACS does not know the destination AE title' },
    { id: 'move.destination-not-listening', severity: 'error', summary: "The PACS's connection to the destination was refused while the C-MOVE ran (not listening, wrong host or port)" },
    { id: 'move.destination-unknown.generic-failure', severity: 'error', summary: 'A C-MOVE failure with no sub-operation at all (how Orthanc and others report an unknown or unreachable destination without 0xA801)' },
    { id: 'move.sub-operations-failed', severity: 'error', summary: 'C-MOVE sub-operations failed, with the reasons seen (storage contexts refused, C-STORE statuses, broken sub-association)' },
    { id: 'get.no-scp-role', severity: 'error', summary: 'C-GET without a storage context in which the SCU has the SCP role (PS3.7 D.3.3.4); a warning when a lenient SCP sent the C-STOREs anyway' },
    { id: 'get.no-storage-context', severity: 'error', summary: 'C-GET sub-operations failed without a C-STORE: no storage context with the SCP role for their SOP class (from the A-ASSOCIATE-RQ/AC and the failed instance list)' },
    { id: 'get.sub-operations-failed', severity: 'error', summary: 'C-GET sub-operations failed, with the reasons seen' },
    { id: 'move.destination-never-reached', severity: 'error', summary: "A C-MOVE reported success, but nothing reached its destination, pacscope's own store SCP (which records every association it gets)" },
    { id: 'move.no-sub-association', severity: 'warning', summary: 'A C-MOVE reported completed sub-operations but no sub-association was seen (info when the capture does not cover the PACS)' },
    { id: 'retrieve.nothing-matched', severity: 'warning', summary: 'A C-MOVE/C-GET succeeded with zero sub-operations: nothing matched' },
  ],
  run,
};
