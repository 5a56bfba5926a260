/**
 * Associations that did not end with a release (PS3.8 §7.2): A-ABORT (PS3.8
 * §7.3/§7.4, Table 9-26) — by whom, when, and what was outstanding then —
 * and TCP connections closed without A-ABORT or A-RELEASE. Typical stories:
 * an SCU whose DIMSE timeout expired while a C-MOVE still had sub-operations
 * to do; an SCP that aborts right after a C-FIND-RQ from a caller it does not
 * know; a protocol error of one side's DICOM upper layer.
 */
import type { DiagnosisContext } from './context.ts';
import type { SummaryAssociation } from '../model/summary-types.ts';
import type { Finding, Severity } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { countersText, hostPort, messageLabel, q, seconds } from './format.ts';
import { setting } from './peer-settings.ts';
import { isStorageClass, refusedContexts } from './presentation-contexts.ts';
import { commandOf } from '../dimse/message-words.ts';
import { serviceOfField } from '../dimse/command-fields.ts';
import { isWorklistFind } from '../dicom/worklist-mpps.ts';

/**
 * Requests of `a` without a final response by `at` (default: ever), oldest
 * first; C-CANCEL-RQ is not answered by design (PS3.7 §9.3.2.3). A response
 * after an A-ABORT (an SCP that keeps writing) does not count.
 */
export function outstandingRequests(ctx: DiagnosisContext, a: SummaryAssociation, at = Number.POSITIVE_INFINITY, sentBefore?: Set<number>): number[] {
  const out: number[] = [];
  for (const i of ctx.messagesOf.get(a.id) ?? []) {
    if (ctx.kind[i] !== 1) continue;
    if (ctx.message(i).time > at && !sentBefore?.has(i)) continue;
    const fin = ctx.finalOf(i);
    if (fin === null || ctx.message(fin).time > at) out.push(i);
  }
  return out;
}

const RETRIEVES = new Set(['C-MOVE-RQ', 'C-GET-RQ']);

/**
 * Nothing was said on `a` and its contexts were refused (all of them, or
 * storage classes): one side gave up because it could not send anything —
 * presentation-contexts.ts explains that, not the way it ended.
 */
function explainedByContexts(ctx: DiagnosisContext, a: SummaryAssociation): boolean {
  if ((ctx.messagesOf.get(a.id) ?? []).length > 0) return false;
  const answered = a.presentationContexts.filter((pc) => pc.result !== null);
  if (answered.length > 0 && answered.every((pc) => pc.result !== 0)) return true;
  return refusedContexts(a).some((pc) => isStorageClass(pc.abstractSyntax));
}

/**
 * Messages whose command set crossed the wire before PDU `before` (an
 * A-ABORT): a message is complete only with its data set, which may come
 * after the abort (Orthanc aborts as soon as it has read a C-FIND-RQ's
 * command), but the request was sent. Counted per side from the PDVs:
 * the n-th last command fragment of a side ends its n-th message.
 */
function commandsBefore(ctx: DiagnosisContext, a: SummaryAssociation, before: number): Set<number> {
  const count = { requestor: 0, acceptor: 0 };
  for (const p of ctx.pdusOf(a.id)) {
    if (p >= before) break;
    const pdu = ctx.summary.pdus[p];
    for (const v of pdu.pdvs ?? []) if (v.isCommand && v.isLast) count[pdu.from]++;
  }
  const out = new Set<number>();
  const seen = { requestor: 0, acceptor: 0 };
  for (const i of ctx.messagesOf.get(a.id) ?? []) {
    const side = ctx.message(i).side;
    if (seen[side]++ < count[side]) out.add(i);
  }
  return out;
}

/** The caller of `a` as a knownCaller setting wants it: AE, host, and the port where it listens if this capture shows one. */
export function callerValues(ctx: DiagnosisContext, a: SummaryAssociation): { AE: string | null; HOST: string; PORT: number | null } {
  const at = ctx.products.addressOf(a.requestor.ae);
  return { AE: a.requestor.ae, HOST: a.requestor.host, PORT: at && at.host === a.requestor.host ? at.port : null };
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const a of ctx.summary.associations) {
    // A broken sub-association is already a reason in its C-MOVE's finding (retrieve-outcome.ts).
    if (ctx.moveOf.has(a.id) && ctx.claimedAssociations.has(a.id)) continue;
    if (a.outcome === 'aborted' && a.abort) {
      const f = aborted(ctx, a);
      if (f) out.push(f);
    } else if (a.outcome === 'closed') {
      const f = closed(ctx, a);
      if (f) out.push(f);
    }
  }
}

function aborted(ctx: DiagnosisContext, a: SummaryAssociation): Finding | null {
  const abort = a.abort!;
  const abortPdus = ctx.pdusOfType(a.id, 'A-ABORT');
  const time = abortPdus.length ? ctx.summary.pdus[abortPdus[0]].time : (a.end ?? a.start);
  const accepted = ctx.pdusOfType(a.id, 'A-ASSOCIATE-AC').length > 0 || a.midStream;
  const pending = outstandingRequests(ctx, a, time, abortPdus.length ? commandsBefore(ctx, a, abortPdus[0]) : undefined);
  const byScu = abort.by === 'requestor';
  const who = byScu ? `the SCU ${q(a.requestor.ae)}` : `the SCP ${q(a.acceptor.ae)}`;
  const head = `${byScu ? 'The SCU' : 'The SCP'} ${q(byScu ? a.requestor.ae : a.acceptor.ae)} sent A-ABORT on ${a.id} at t=${time.toFixed(3)} (source ${abort.source}: ${abort.text}; PS3.8 Table 9-26)`;
  const evidence = (messages: number[]) => ({ associations: [a.id], messages, pdus: abortPdus });
  const f = (rule: string, severity: Severity, title: string, text: string, fix: string, messages: number[]): Finding => ({ rule, severity, title, text: `${head}. ${text}`, fix, evidence: evidence(messages), time });
  const scu = ctx.productOf(a, 'requestor');
  const scp = ctx.productOf(a, 'acceptor');
  const caller = callerValues(ctx, a);
  const [aborter, other] = byScu ? [a.requestor, a.acceptor] : [a.acceptor, a.requestor];

  if (abort.source === 2) {
    return f('association.aborted.protocol-error', 'error', `${a.id} aborted by the DICOM upper layer of ${byScu ? 'the SCU' : 'the SCP'}: ${abort.text}`,
      'A service-provider abort means the DICOM upper layer of that side met a protocol error (an unexpected or malformed PDU, a PDU over its maximum length, a bad parameter) and gave up; the application did not ask for it.',
      `Look at the PDU just before the abort (PDU view): it is what ${q(aborter.ae)} at ${hostPort(aborter)} could not take. Then fix or update the DICOM implementation of ${q(other.ae)} at ${hostPort(other)}; if the PDU was too long for ${q(aborter.ae)}, ${setting('maxPdu', byScu ? scu : scp, { N: (byScu ? a.maxPdu.requestor : a.maxPdu.acceptor) || 16384 })}.`, pending);
  }
  if (!accepted) {
    return f('association.aborted.during-negotiation', 'error', `${who} aborted ${a.id} instead of answering the A-ASSOCIATE-RQ`,
      byScu
        ? 'The SCU gave up before the SCP answered its A-ASSOCIATE-RQ: its association (ACSE) timeout expired, or it does not like the SCP.'
        : 'The SCP answered the A-ASSOCIATE-RQ with an abort instead of an A-ASSOCIATE-AC or -RJ: it refuses this caller without a reason (some SCPs do this for unknown AE titles or hosts, or for something in the request they cannot handle).',
      byScu
        ? `Raise the association timeout of the SCU ${q(a.requestor.ae)}${scu === 'dcmtk' ? ' (DCMTK: -ta 60)' : scu === 'pacscope' ? ' (pacscope: --timeout 60)' : ''} and check the load of the SCP at ${hostPort(a.acceptor)}.`
        : `Register the caller ${q(a.requestor.ae)} at the SCP at ${hostPort(a.acceptor)}: ${setting('knownCaller', scp, caller)}. Check too that ${q(a.acceptor.ae)} is its own title (${setting('scpOwnAe', scp, { AE: a.acceptor.ae, HOST: a.acceptor.host, PORT: a.acceptor.port })}); its log says why it aborted.`,
      []);
  }
  const retrieve = pending.find((i) => RETRIEVES.has(commandOf(ctx.message(i))));
  if (byScu && retrieve !== undefined) {
    const r = ctx.retrieveByRq.get(retrieve);
    const rq = ctx.message(retrieve);
    const before = (r?.responses ?? []).filter((i) => ctx.message(i).time <= time);
    const lastPending = before.length ? ctx.message(before[before.length - 1]) : null;
    const lastActivity = lastPending?.time ?? rq.time;
    const service = serviceOfField(rq.commandField);
    return f('association.aborted.retrieve-running', 'error', `The SCU aborted ${a.id} while its ${service} was still running`,
      `The ${messageLabel(rq)} (sent ${seconds(time - rq.time)} earlier) had no final response yet${lastPending ? `; the last pending response said ${countersText(lastPending)}` : ' and no pending response either'}, ${seconds(time - lastActivity)} before the abort. An SCU aborts like this when its DIMSE timeout expires while the SCP is still working through the sub-operations, or when its user cancels hard; the sub-operations that remained were not done.`,
      `Give the SCU ${q(a.requestor.ae)} more time: ${setting('scuTimeout', scu, { SECONDS: Math.max(60, Math.ceil((time - rq.time) * 4)) })}. Or retrieve less at once (a series instead of a study); to stop a retrieve cleanly, send C-CANCEL (PS3.7 §9.3.4.3) and wait for the final response.`,
      [retrieve, ...before]);
  }
  if (pending.length > 0) {
    const last = ctx.message(pending[pending.length - 1]);
    // The request the SCP aborted on is the last message of the association that was sent before the abort.
    const all = ctx.messagesOf.get(a.id) ?? [];
    const lastIndex = all.indexOf(pending[pending.length - 1]);
    const answeredAfter = all.slice(lastIndex + 1).some((i) => ctx.message(i).time <= time);
    if (!byScu && !answeredAfter && last.side === 'requestor' && isWorklistFind(last.affectedSopClass)) return null; // worklist-mpps.ts: worklist.caller-refused
    if (!byScu && !answeredAfter && last.side === 'requestor') {
      return f('association.aborted.after-request', 'error', `The SCP ${q(a.acceptor.ae)} aborted ${a.id} right after the ${commandOf(last)}, without answering it`,
        `The last message before the abort is the ${messageLabel(last)} from ${q(a.requestor.ae)}, ${last.time > time ? 'whose command the SCP had read (its data set, already on its way, arrived after the abort)' : `${seconds(time - last.time)} earlier`}, with no response. An SCP that refuses an operation for a caller it does not know often does exactly this — e.g. Orthanc aborts a C-FIND, C-MOVE or C-GET from a calling AE that is not in its DicomModalities unless "DicomAlwaysAllowFind"/"…Move"/"…Get" is true; other SCPs abort on a request they cannot parse.`,
        `Register the caller ${q(a.requestor.ae)} at the SCP ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)}: ${setting('knownCaller', scp, caller)}. Or allow unknown callers: ${setting('allowUnknownCallers', scp)}. If it is known, the SCP's log says what it disliked in the request.`,
        pending);
    }
    return f(byScu ? 'association.aborted.by-scu' : 'association.aborted.by-scp', 'error', `${who} aborted ${a.id} while waiting for a response to the ${commandOf(last)}`,
      `Outstanding then: ${pending.map((i) => messageLabel(ctx.message(i))).join(', ')}; the first was sent ${seconds(time - ctx.message(pending[0]).time)} before the abort. ${byScu ? 'The SCU gave up waiting (a DIMSE timeout) or was stopped.' : 'The SCP gave up (its own timeout, an internal error) or was stopped.'}`,
      byScu ? `Raise the DIMSE timeout of the SCU ${q(a.requestor.ae)}: ${setting('scuTimeout', scu, { SECONDS: 120 })}. Or find out why the SCP at ${hostPort(a.acceptor)} is slow.` : `Read the log of the SCP ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)} around t=${time.toFixed(3)}: it aborted for its own reasons.`,
      pending);
  }
  // An abort right after a message that bends the standard is the receiver refusing it: peer-conformance.ts says so.
  if (abortedOnNonConformance(ctx, a, time, abort.by)) return null;
  if (explainedByContexts(ctx, a)) return null;
  if (byScu) {
    return f('association.aborted.instead-of-release', 'warning', `The SCU ${q(a.requestor.ae)} ended ${a.id} with A-ABORT instead of a release`,
      'Every request had its final response, so nothing was lost here; but an abort is not a normal end (PS3.8 §7.3): SCPs log it as an error and may treat work of the association as failed.',
      `Make the SCU ${q(a.requestor.ae)} release the association (A-RELEASE-RQ, PS3.8 §7.2) when it is done; an abort is for errors.`, []);
  }
  return f('association.aborted.by-scp', 'error', `The SCP ${q(a.acceptor.ae)} aborted ${a.id}`,
    'Nothing was outstanding: the SCP ended the association on its own (an idle timeout such as Orthanc\'s "DicomScpTimeout", a shutdown, an internal error).',
    `Read the log of ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)} around t=${time.toFixed(3)}; if it is an idle timeout, make the SCU ${q(a.requestor.ae)} release as soon as it is done.`, []);
}

/** Whether the last message `by` received before `time` carried a non-conformance (what it aborted on). */
export function abortedOnNonConformance(ctx: DiagnosisContext, a: SummaryAssociation, time: number, by: 'requestor' | 'acceptor'): boolean {
  const all = ctx.messagesOf.get(a.id) ?? [];
  for (let k = all.length - 1; k >= 0; k--) {
    const m = ctx.message(all[k]);
    if (m.time > time) continue;
    if (m.side === by) return false;
    return (m.nonConformance?.length ?? 0) > 0;
  }
  return false;
}

function closed(ctx: DiagnosisContext, a: SummaryAssociation): Finding | null {
  const pdus = ctx.pdusOf(a.id);
  const time = a.end ?? a.start;
  const why = a.closeReason ?? 'connection closed';
  const base = { evidence: { associations: [a.id], messages: [] as number[], pdus: pdus.slice(-2) }, time };
  if (pdus.length === 0 && !a.midStream) {
    return { ...base, rule: 'connection.no-dicom', severity: 'info', title: `A TCP connection to ${hostPort(a.acceptor)} (${a.id}) carried no DICOM PDU`,
      text: `${a.id}: ${why}. Nothing was sent: a port check, a client that gave up, or a non-DICOM client.`,
      fix: `Nothing to fix if this was a port check; otherwise check that the client at ${a.requestor.host} speaks DICOM (not TLS or HTTP) to ${hostPort(a.acceptor)}.` };
  }
  const answered = a.midStream || ctx.pdusOfType(a.id, 'A-ASSOCIATE-AC').length > 0;
  if (!answered) {
    return { ...base, rule: 'association.closed-unanswered', severity: 'error', title: `The connection of ${a.id} closed before ${q(a.acceptor.ae)} answered the A-ASSOCIATE-RQ`,
      text: `${a.id}: ${why}. The SCP at ${hostPort(a.acceptor)} neither accepted nor rejected: this port may not be a DICOM SCP (or expects TLS), or the SCP drops callers it does not know without a word.`,
      fix: `Check that ${hostPort(a.acceptor)} is the SCP's DICOM port (not its HTTP port) and whether it expects DICOM TLS. Then check that it allows the caller ${q(a.requestor.ae)} from ${a.requestor.host}: ${setting('knownCaller', ctx.productOf(a, 'acceptor'), callerValues(ctx, a))}.` };
  }
  const pending = outstandingRequests(ctx, a);
  if (pending.length === 0 && explainedByContexts(ctx, a)) return null;
  // A retrieve whose SCU vanished is retrieve.scu-vanished (retrieve-shortfall.ts).
  if (pending.length > 0 && pending.every((i) => ctx.claimedMessages.has(i))) return null;
  if (pending.length > 0) {
    const first = ctx.message(pending[0]);
    const gone = a.closedFirst ? (a.closedFirst === 'requestor' ? a.requestor : a.acceptor) : null;
    const goneText = gone ? `${a.closedFirst === 'requestor' ? 'the SCU' : 'the SCP'} ${q(gone.ae)} (${a.closedFirst === 'requestor' ? gone.host : hostPort(gone)})` : null;
    return { ...base, evidence: { ...base.evidence, messages: pending }, rule: 'association.closed-while-waiting', severity: 'error', title: `The connection of ${a.id} closed while the ${commandOf(first)} waited for its response${goneText ? `: ${goneText} closed first` : ''}`,
      text: `${a.id}: ${why}, ${seconds(time - first.time)} after the ${messageLabel(first)}, with ${pending.length} request(s) unanswered. ${goneText ? `The capture shows that ${goneText} closed its side first, with no A-RELEASE or A-ABORT (PS3.8 §7.2–7.4): its process ended (stopped, killed or crashed), or something between it and the capture point cut the connection.` : 'The capture does not show which side closed first: one side crashed or was stopped, or something in between (firewall, NAT, proxy idle timeout) cut the connection.'}`,
      fix: goneText
        ? `Read the log of ${goneText} around t=${time.toFixed(3)}: it closed without a word. If something in between cuts idle connections after a fixed time, raise that timeout or have the SCP send pending responses more often.`
        : `Read the logs of ${q(a.requestor.ae)} and ${q(a.acceptor.ae)} around t=${time.toFixed(3)}; if the connection is cut after a fixed idle time, raise that timeout on the firewall or proxy, or have the SCP send pending responses more often.` };
  }
  return { ...base, rule: 'association.closed-without-release', severity: 'warning', title: `${a.id} ended without A-RELEASE: ${why}`,
    text: `${a.id}: every request was answered, but the connection closed without the A-RELEASE-RQ/RP exchange (PS3.8 §7.2). Peers treat that like an abort.`,
    fix: `Make the SCU ${q(a.requestor.ae)} release the association (A-RELEASE-RQ) before it closes the connection.` };
}

export const associationEndRules: RuleFamily = {
  name: 'association-end',
  catalogue: [
    { id: 'association.aborted.protocol-error', severity: 'error', summary: 'A-ABORT by a DICOM upper layer (source 2): a protocol error, with its reason (PS3.8 Table 9-26)' },
    { id: 'association.aborted.during-negotiation', severity: 'error', summary: 'A-ABORT instead of an answer to the A-ASSOCIATE-RQ' },
    { id: 'association.aborted.retrieve-running', severity: 'error', summary: 'The SCU aborted while its C-MOVE/C-GET still had sub-operations to do (a retrieve timeout)' },
    { id: 'association.aborted.after-request', severity: 'error', summary: 'The SCP aborted right after a request, without answering (e.g. Orthanc and a caller not in DicomModalities)' },
    { id: 'association.aborted.by-scu', severity: 'error', summary: 'The SCU aborted while waiting for a response' },
    { id: 'association.aborted.by-scp', severity: 'error', summary: 'The SCP aborted the association' },
    { id: 'association.aborted.instead-of-release', severity: 'warning', summary: 'The SCU aborted although nothing was outstanding, instead of releasing' },
    { id: 'association.closed-unanswered', severity: 'error', summary: 'The connection closed before the A-ASSOCIATE-RQ was answered' },
    { id: 'association.closed-while-waiting', severity: 'error', summary: 'The connection closed while requests waited for their responses' },
    { id: 'association.closed-without-release', severity: 'warning', summary: 'The connection closed without A-RELEASE' },
    { id: 'connection.no-dicom', severity: 'info', summary: 'A TCP connection that carried no DICOM PDU' },
  ],
  run,
};
