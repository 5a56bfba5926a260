/**
 * How a retrieve's responses relate to its sub-operations in time and in
 * number (PS3.4 C.4.2.1.4 and C.4.3.1.4: pending responses carry Remaining,
 * Completed, Failed and Warning sub-operation counts; the final one the
 * totals):
 *
 * - asynchronous C-MOVE: the final C-MOVE-RSP comes before the C-STOREs
 *   (Orthanc with "SynchronousCMove": false): explained, and flagged as a
 *   trap for SCUs that take the final response as "the images are here";
 * - counters that do not add up: a total (remaining + completed + failed +
 *   warning) that changes between responses, a completed count that goes
 *   down, or final counts that differ from the C-STORE-RSPs seen.
 */
import type { DiagnosisContext, RetrieveRun } from './context.ts';
import type { SummaryMessage } from '../model/summary-types.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { at, countersText, messageLabel, q, statusText } from './format.ts';
import { setting } from './peer-settings.ts';
import { CommandField } from '../dimse/command-fields.ts';

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const r of ctx.retrieves) {
    if (r.final === null) continue;
    const mismatch = ctx.claimedMessages.has(r.rq) ? null : counters(ctx, r);
    const async = r.service === 'C-MOVE' ? asynchronous(ctx, r) : null;
    if (async && mismatch) {
      // Counters that disagree with what was stored are what an asynchronous C-MOVE does: say it there, not as a second finding.
      async.text += ` Here: ${mismatch.problems.join('; ')}.`;
      async.evidence.messages = [...new Set([...async.evidence.messages, ...mismatch.finding.evidence.messages])];
    } else if (mismatch) out.push(mismatch.finding);
    if (async) out.push(async);
  }
}

function asynchronous(ctx: DiagnosisContext, r: RetrieveRun): Finding | null {
  const fin = ctx.message(r.final!);
  const rq = ctx.message(r.rq);
  const firstStore = r.stores.find((i) => ctx.message(i).commandField === CommandField.CStoreRq);
  const firstSub = [...r.subs, ...r.refused].sort((x, y) => x.start - y.start)[0];
  const after = firstStore !== undefined ? firstStore > r.final! : firstSub !== undefined && firstSub.start >= fin.time;
  if (!after) return null;
  const scu = r.association.requestor.ae;
  const self = rq.moveDestination !== null && scu !== null && rq.moveDestination.trim() === scu.trim();
  const later = firstStore !== undefined ? `the first C-STORE-RQ (${messageLabel(ctx.message(firstStore))}) at ${at(ctx.message(firstStore).time)}` : `the sub-association ${firstSub.id} at ${at(firstSub.start)}`;
  return {
    rule: 'move.asynchronous',
    severity: self ? 'warning' : 'info',
    title: `Asynchronous C-MOVE: ${q(r.association.acceptor.ae)} sent the final response before the C-STOREs`,
    text:
      `The final C-MOVE-RSP ${statusText(fin)} (${countersText(fin)}) of the ${messageLabel(rq)} came at ${at(fin.time)}, before ${later}: the PACS answers the C-MOVE first and performs the sub-operations afterwards (Orthanc with "SynchronousCMove": false). ` +
      `The counters of that final response are what it has queued, not what was stored. This is a trap for simple SCUs: one that reports success, releases, or stops its storage SCP as soon as the final response arrives may lose or misreport the images${self ? ` — and here the destination ${q(rq.moveDestination)} is the SCU itself` : ''}.`,
    fix: `Make ${q(r.association.acceptor.ae)} synchronous if the SCU ${q(scu)} relies on the final response: ${setting('synchronousMove', ctx.productOf(r.association, 'acceptor'))}. Otherwise keep the store SCP ${q(rq.moveDestination)} running until the C-STOREs have arrived.`,
    evidence: { associations: [r.association.id, ...r.subs.map((a) => a.id), ...r.refused.map((a) => a.id)], messages: [r.rq, r.final!, ...(firstStore === undefined ? [] : [firstStore])] },
    time: fin.time,
  };
}

const total = (m: SummaryMessage): number | null =>
  m.completed === null || m.failed === null || m.warning === null ? null : (m.remaining ?? 0) + m.completed + m.failed + m.warning;

function counters(ctx: DiagnosisContext, r: RetrieveRun): { finding: Finding; problems: string[] } | null {
  const problems: string[] = [];
  const evidence: number[] = [r.rq];
  let first: { m: SummaryMessage; i: number; total: number } | null = null;
  let lastCompleted = -1;
  for (const i of r.responses) {
    const m = ctx.message(i);
    const t = total(m);
    // A final response without Remaining (PS3.4 C.4.2.1.4: absent or 0 when done) counts as complete only if not cancelled.
    if (t !== null && !(m.statusCategory === 'cancel')) {
      if (!first) first = { m, i, total: t };
      else if (t !== first.total && problems.length < 3) {
        problems.push(`the total of remaining + completed + failed + warning changes from ${first.total} (${messageLabel(first.m)}, ${countersText(first.m)}) to ${t} (${countersText(m)})`);
        evidence.push(first.i, i);
      }
    }
    if (m.completed !== null) {
      if (m.completed < lastCompleted && problems.length < 3) {
        problems.push(`the completed count goes down from ${lastCompleted} to ${m.completed}`);
        evidence.push(i);
      }
      lastCompleted = m.completed;
    }
  }
  const fin = ctx.message(r.final!);
  const visible = r.service === 'C-GET' ? !r.association.midStream : r.subs.length > 0 && r.subs.every((a) => a.outcome !== 'open' && !a.midStream);
  if (visible) {
    let success = 0;
    let warning = 0;
    let failure = 0;
    for (const i of r.stores) {
      const m = ctx.message(i);
      if (m.commandField !== CommandField.CStoreRsp) continue;
      if (m.statusCategory === 'success') success++;
      else if (m.statusCategory === 'warning') warning++;
      else if (m.statusCategory === 'failure') failure++;
    }
    const seen = `${success} successful, ${warning} warning and ${failure} failed C-STORE-RSP(s) seen`;
    if ((fin.completed !== null && fin.completed !== success) || (fin.warning !== null && fin.warning !== warning) || (fin.failed !== null && failure > fin.failed)) {
      problems.push(`the final response says ${countersText(fin)}, but ${seen}${r.service === 'C-MOVE' ? ` on ${r.subs.map((a) => a.id).join(', ')}` : ''}`);
      evidence.push(r.final!, ...r.stores);
    }
  }
  if (problems.length === 0) return null;
  const finding: Finding = {
    rule: 'retrieve.counters-mismatch',
    severity: 'warning',
    title: `The sub-operation counters of the ${r.service} on ${r.association.id} do not add up`,
    text: `For the ${messageLabel(ctx.message(r.rq))}: ${problems.join('; ')}. PS3.4 C.4.2.1.4 / C.4.3.1.4: each pending response reports the sub-operations remaining, completed, failed and with warnings, and the final one the totals. Counters that disagree with the C-STOREs mean the SCP counts what it queued rather than what was stored (an asynchronous C-MOVE), or that part of the sub-operations went elsewhere than this capture saw.`,
    fix: `Trust the C-STORE-RSPs over the counters. If the SCU depends on the counters, make ${q(r.association.acceptor.ae)} report after the fact: ${setting('synchronousMove', ctx.productOf(r.association, 'acceptor'))}; and capture every sub-association.`,
    evidence: { associations: [r.association.id, ...r.subs.map((a) => a.id)], messages: [...new Set(evidence)] },
    time: fin.time,
  };
  return { finding, problems };
}

export const retrieveTimingRules: RuleFamily = {
  name: 'retrieve-timing',
  catalogue: [
    { id: 'move.asynchronous', severity: 'info', summary: 'Asynchronous C-MOVE: final response before the C-STOREs, explained with its counters (warning when the SCU is its own destination)' },
    { id: 'retrieve.counters-mismatch', severity: 'warning', summary: 'Pending/final sub-operation counters that do not add up, or disagree with the C-STORE-RSPs seen' },
  ],
  run,
};
