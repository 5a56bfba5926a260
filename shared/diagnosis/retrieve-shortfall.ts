/**
 * Retrieves that end short of what was asked, and why — the answer to "why
 * did only 3 of 9 images arrive" (PS3.4 C.4.2, C.4.3; the sub-operation
 * counters of PS3.4 C.4.2.1.4 / C.4.3.1.4):
 *
 * - cancelled: the SCU sent C-CANCEL-RQ (PS3.7 §9.3.4.3, §9.3.3.3) and the
 *   SCP ended with Cancel 0xFE00, Remaining counting what was never done;
 * - the SCU vanished: its side of the association closed first, with no
 *   A-RELEASE and no A-ABORT (PS3.8 §7.2–7.4), while the retrieve ran (the
 *   process ended: stopped, killed, crashed);
 * - sub-operations never performed: a final response accounting for fewer
 *   sub-operations than the pending responses announced.
 *
 * Runs before retrieve-outcome.ts and association-end.ts, which leave what
 * these findings claim.
 */
import type { DiagnosisContext, RetrieveRun } from './context.ts';
import type { SummaryMessage } from '../model/summary-types.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { at, countersText, messageLabel, q, seconds, statusText } from './format.ts';
import { setting } from './peer-settings.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { serviceOfField } from '../dimse/command-fields.ts';

/** How many sub-operations the responses announced (the largest remaining + completed + failed + warning), and how many the final one accounts for. */
export function announced(ctx: DiagnosisContext, r: RetrieveRun): { total: number; done: number } | null {
  let total = 0;
  for (const i of r.responses) {
    const m = ctx.message(i);
    total = Math.max(total, (m.remaining ?? 0) + (m.completed ?? 0) + (m.failed ?? 0) + (m.warning ?? 0));
  }
  if (r.final === null) return total ? { total, done: 0 } : null;
  const f = ctx.message(r.final);
  return { total, done: (f.completed ?? 0) + (f.failed ?? 0) + (f.warning ?? 0) };
}

/** The C-CANCEL-RQ of a retrieve: the model's `cause` of relation `c-cancel` (shared/model/linkers/c-cancel.ts). */
function cancelOf(ctx: DiagnosisContext, r: RetrieveRun): number | null {
  const rq = ctx.message(r.rq);
  for (const i of ctx.messagesOf.get(rq.association) ?? []) {
    const m = ctx.message(i);
    if (m.commandField !== CommandField.CCancelRq || m.side !== rq.side) continue;
    if (m.cause?.relation === 'c-cancel' && m.cause.message === r.rq) return i;
  }
  return null;
}

/** The last response sent before `time`. */
function lastBefore(ctx: DiagnosisContext, r: RetrieveRun, time: number): SummaryMessage | null {
  let last: SummaryMessage | null = null;
  for (const i of r.responses) if (ctx.message(i).time <= time) last = ctx.message(i);
  return last;
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const r of ctx.retrieves) {
    const f = cancelled(ctx, r) ?? vanished(ctx, r);
    if (f) out.push(f);
  }
}

/** After retrieve-outcome.ts: a shortfall no other finding about the retrieve explained. */
function runNotPerformed(ctx: DiagnosisContext, out: Finding[]): void {
  for (const r of ctx.retrieves) {
    if (ctx.claimedMessages.has(r.rq)) continue;
    const f = notPerformed(ctx, r);
    if (f) out.push(f);
  }
}

function cancelled(ctx: DiagnosisContext, r: RetrieveRun): Finding | null {
  const fin = r.final === null ? null : ctx.message(r.final);
  const cancel = cancelOf(ctx, r);
  if (cancel === null && fin?.statusCategory !== 'cancel') return null;
  const rq = ctx.message(r.rq);
  const a = r.association;
  const scu = rq.side === 'requestor' ? a.requestor : a.acceptor;
  const scp = rq.side === 'requestor' ? a.acceptor : a.requestor;
  const c = cancel === null ? null : ctx.message(cancel);
  const before = c ? lastBefore(ctx, r, c.time) : null;
  const counts = announced(ctx, r);
  const remaining = fin?.remaining ?? (counts ? counts.total - counts.done : null);
  const doneText = fin ? countersText(fin) : before ? countersText(before) : 'no counters';
  const what = `${messageLabel(rq)}${rq.moveDestination ? ` to ${q(rq.moveDestination)}` : ''}`;
  const head = c
    ? `${q(scu.ae)} sent a C-CANCEL-RQ for the ${what} at ${at(c.time)}, ${seconds(c.time - rq.time)} after the request${before ? `, when the last pending response said ${countersText(before)}` : ', before any pending response'}`
    : `${q(scp.ae)} ended the ${what} with ${statusText(fin!)} although no C-CANCEL-RQ is in the capture`;
  const end = fin
    ? ` ${q(scp.ae)} answered ${statusText(fin)} at ${at(fin.time)} (${doneText})${remaining ? `: ${remaining} sub-operation(s) were never performed` : ''}.`
    : ` ${q(scp.ae)} sent no final response.`;
  const scuProduct = ctx.productOf(a, rq.side);
  return {
    rule: 'retrieve.cancelled',
    severity: 'warning',
    title: `${serviceOfField(rq.commandField)} on ${a.id} cancelled by ${c ? `the SCU ${q(scu.ae)}` : `the SCP ${q(scp.ae)}`}${fin?.completed != null ? ` after ${fin.completed} sub-operation(s)` : ''}${remaining ? `, ${remaining} never performed` : ''}`,
    text: `${head}.${end} A cancelled retrieve stops where it is (PS3.7 §9.3.4.3, PS3.4 C.4.2.1.4: Remaining counts what was not done): that is why the rest never arrived.`,
    fix: c
      ? `Retrieve the rest again if it is wanted: ${q(scu.ae)} cancelled it itself (its user, a limit such as ${scuProduct === 'pacscope' ? 'pacscope --cancel-after' : scuProduct === 'dcmtk' ? "DCMTK's --cancel" : 'a cancel-after option'}, or its own timeout). Nothing is wrong on ${q(scp.ae)}.`
      : `Read the log of ${q(scp.ae)}: it reported Cancel on its own. Retrieve the rest again.`,
    evidence: { associations: [a.id], messages: [r.rq, ...(cancel === null ? [] : [cancel]), ...r.responses] },
    time: c?.time ?? fin!.time,
  };
}

function vanished(ctx: DiagnosisContext, r: RetrieveRun): Finding | null {
  const a = r.association;
  const rq = ctx.message(r.rq);
  if (r.final !== null || a.outcome !== 'closed' || !a.closedFirst || a.closedFirst !== rq.side) return null;
  const scu = rq.side === 'requestor' ? a.requestor : a.acceptor;
  const scp = rq.side === 'requestor' ? a.acceptor : a.requestor;
  const end = a.end ?? rq.time;
  const last = lastBefore(ctx, r, end);
  const stored = r.stores.filter((i) => ctx.message(i).commandField === CommandField.CStoreRsp && ctx.message(i).statusCategory === 'success').length;
  const product = ctx.productOf(a, rq.side);
  const service = serviceOfField(rq.commandField);
  return {
    rule: 'retrieve.scu-vanished',
    severity: 'error',
    title: `The SCU ${q(scu.ae)} vanished while its ${service} on ${a.id} ran: its side closed first, without A-RELEASE or A-ABORT`,
    text:
      `${q(scu.ae)} (from ${scu.host}) sent the ${messageLabel(rq)}${rq.moveDestination ? ` to move to ${q(rq.moveDestination)}` : ''} at ${at(rq.time)}; at ${at(end)}, ${seconds(end - rq.time)} later, its side of the connection closed first (${a.closeReason ?? 'closed'}), with no A-RELEASE-RQ and no A-ABORT (PS3.8 §7.2–7.4). ` +
      `That is a process that ended — stopped, killed or crashed — not a DICOM decision. ${last ? `The last pending response said ${countersText(last)}` : 'No pending response had come'}; ${stored} C-STORE(s) succeeded in this capture. ${q(scp.ae)} may have finished or dropped the rest: what the SCU was waiting for never reached it.`,
    fix: `Find out why ${q(scu.ae)} on ${scu.host} stopped at ${at(end)} (its log, a user who pressed Ctrl-C, a crash, a wrapper's time limit), then retrieve what is missing again. To stop a retrieve cleanly, send C-CANCEL-RQ and wait for the final response (PS3.7 §9.3.4.3)${product === 'pacscope' ? ' (pacscope: the Cancel button or --cancel-after)' : ''}; to wait longer: ${setting('scuTimeout', product, { SECONDS: Math.max(60, Math.ceil((end - rq.time) * 4)) })}.`,
    evidence: { associations: [a.id], messages: [r.rq, ...r.responses] },
    time: end,
  };
}

function notPerformed(ctx: DiagnosisContext, r: RetrieveRun): Finding | null {
  if (r.final === null) return null;
  const fin = ctx.message(r.final);
  // A success says all was done: counters that disagree with it are retrieve.counters-mismatch's.
  if (fin.statusCategory !== 'failure' && fin.statusCategory !== 'warning') return null;
  const counts = announced(ctx, r);
  if (!counts || counts.total <= counts.done) return null;
  const rq = ctx.message(r.rq);
  const a = r.association;
  const scp = rq.side === 'requestor' ? a.acceptor : a.requestor;
  const missing = counts.total - counts.done;
  return {
    rule: 'retrieve.sub-operations-not-performed',
    severity: fin.statusCategory === 'warning' ? 'warning' : 'error',
    title: `${serviceOfField(rq.commandField)} on ${a.id}: ${missing} of ${counts.total} sub-operation(s) never performed`,
    text: `The pending responses to the ${messageLabel(rq)} announced ${counts.total} sub-operation(s); the final response ${statusText(fin)} at ${at(fin.time)} accounts for ${counts.done} (${countersText(fin)}). ${missing} were neither completed nor failed: ${q(scp.ae)} stopped before them (PS3.4 C.4.2.1.4: the final response reports every sub-operation).`,
    fix: `Read the log of ${q(scp.ae)} around ${at(fin.time)} for why it stopped, then retrieve what is missing again.`,
    evidence: { associations: [a.id], messages: [r.rq, ...r.responses] },
    time: fin.time,
  };
}

export const retrieveShortfallRules: RuleFamily = {
  name: 'retrieve-shortfall',
  catalogue: [
    { id: 'retrieve.cancelled', severity: 'warning', summary: 'A C-MOVE/C-GET cancelled (C-CANCEL-RQ, then 0xFE00): by whom, after how many sub-operations, how many remained' },
    { id: 'retrieve.scu-vanished', severity: 'error', summary: 'The SCU of a running C-MOVE/C-GET closed its side first, with no A-RELEASE or A-ABORT: its process ended' },
  ],
  run,
};

export const retrieveNotPerformedRules: RuleFamily = {
  name: 'retrieve-not-performed',
  catalogue: [
    { id: 'retrieve.sub-operations-not-performed', severity: 'warning', summary: 'A failed (or warning) final C-MOVE/C-GET response accounts for fewer sub-operations than the pending responses announced: the rest were never performed' },
  ],
  run: runNotPerformed,
};
