/**
 * "What did not happen": requests that never got their final response
 * (PS3.7 §9.3: every C-/N- request is answered by a response with Message ID
 * Being Responded To = its Message ID; C-CANCEL-RQ excepted). On an
 * association that ended without it (released, closed) that is a fact; on
 * one still open it is reported once the window has passed since the last
 * sign of progress (a pending response counts), or at the end of a complete
 * capture. Aborted associations are explained by association-end.ts.
 */
import type { DiagnosisContext } from './context.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { outstandingRequests } from './association-end.ts';
import { messageLabel, q, seconds } from './format.ts';
import { setting } from './peer-settings.ts';
import { hostPort } from './format.ts';
import { commandOf } from '../dimse/message-words.ts';

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const a of ctx.summary.associations) {
    if (a.outcome === 'aborted' || a.outcome === 'rejected' || a.outcome === 'refused' || a.outcome === 'closed') continue;
    for (const i of outstandingRequests(ctx, a)) {
      if (ctx.claimedMessages.has(i)) continue;
      const m = ctx.message(i);
      const responses = ctx.responsesOf(i);
      const lastSign = responses.length ? ctx.message(responses[responses.length - 1]).time : m.time;
      const waited = ctx.now - lastSign;
      const [sender, receiver] = m.side === 'requestor' ? [a.requestor.ae, a.acceptor.ae] : [a.acceptor.ae, a.requestor.ae];
      const pending = responses.length ? ` after ${responses.length} pending response(s)` : '';
      const evidence = { associations: [a.id], messages: [i, ...responses] };
      if (a.outcome === 'released') {
        const release = ctx.pdusOfType(a.id, 'A-RELEASE-RQ');
        const by = release.length ? ctx.summary.pdus[release[0]].from : null;
        out.push({
          rule: 'request.unanswered', severity: 'error', evidence: { ...evidence, pdus: release }, time: a.end ?? m.time,
          title: `The ${commandOf(m)} on ${a.id} never got its final response: the association was released first`,
          text: `${q(sender)} sent the ${messageLabel(m)}; ${q(receiver)} sent no final response${pending}, and the association was released${by ? ` by the ${by === 'requestor' ? 'SCU' : 'SCP'}` : ''} ${seconds((a.end ?? m.time) - m.time)} after the request. A release with an operation outstanding is not orderly (PS3.7 §9.3): the ${by === 'requestor' ? 'SCU stopped waiting' : 'SCP dropped the operation'}.`,
          fix: by === 'requestor' ? `Make the SCU ${q(a.requestor.ae)} wait for the final response before it releases: ${setting('scuTimeout', ctx.productOf(a, 'requestor'), { SECONDS: 120 })}.` : `Read the log of ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)}: it released without answering.`,
        });
        continue;
      }
      // Still open: wait for the window, unless the capture is over.
      if (waited < ctx.window && !ctx.complete) continue;
      const early = waited < ctx.window;
      out.push({
        rule: 'request.unanswered', severity: early ? 'info' : 'warning', evidence, time: m.time,
        title: early
          ? `The ${commandOf(m)} on ${a.id} has no final response before the capture ends (${seconds(waited)} later)`
          : `No final response to the ${commandOf(m)} on ${a.id} for ${seconds(waited)}`,
        text: `${q(sender)} sent the ${messageLabel(m)}; ${q(receiver)} has sent no final response${pending} in the ${seconds(waited)} since${early ? ', when the capture ends: it may simply have come after' : `. The association is still open; a slow SCP sends pending responses while it works (C-FIND, C-MOVE, C-GET), anything else should answer within seconds`}.`,
        fix: early ? 'Capture longer to see the answer.' : `Give the SCU ${q(a.requestor.ae)} a longer DIMSE timeout if ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)} is busy: ${setting('scuTimeout', ctx.productOf(a, 'requestor'), { SECONDS: Math.ceil(waited * 2) })}. Otherwise read that SCP's log for this request.`,
      });
    }
  }
}

export const requestRules: RuleFamily = {
  name: 'requests',
  catalogue: [{ id: 'request.unanswered', severity: 'warning', summary: 'A request without a final response: released before it (error), or none within the window (warning), or none before the capture ends (info)' }],
  run,
};
