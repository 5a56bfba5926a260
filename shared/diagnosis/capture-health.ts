/**
 * The wire itself: P-DATA-TF PDUs longer than the receiver announced it
 * accepts (PS3.8 Annex D.1: Maximum Length Received bounds the variable
 * field of every P-DATA-TF sent to that side); TCP connections refused that
 * no C-MOVE explains (nothing listens at that host and port); what the
 * capture could not decode; associations the capture joined mid-stream,
 * about which some findings cannot be made.
 */
import type { DiagnosisContext } from './context.ts';
import type { Finding } from './types.ts';
import type { SummaryAssociation } from '../model/summary-types.ts';
import type { RuleFamily } from './rule.ts';
import { hostPort, list, q } from './format.ts';
import { where } from './peer-settings.ts';

/** The decoder's own error for an oversized PDU (connection-decoder.ts); reported by the rule below instead. */
const OVER_MAX = /exceeds the \w+'s maximum length received/;
const PDATA_HEADER = 6;
const AFTER_END = /after the association ended/;

function run(ctx: DiagnosisContext, out: Finding[]): void {
  overMax(ctx, out);
  const { summary } = ctx;
  for (const a of summary.associations) {
    if (a.outcome === 'refused' && !ctx.moveOf.has(a.id)) {
      out.push({
        rule: 'connection.refused', severity: 'error', evidence: { associations: [a.id], messages: [] }, time: a.start,
        title: `Connection refused: nothing listens at ${hostPort(a.acceptor)}`,
        text: `${a.requestor.host} tried to connect to ${hostPort(a.acceptor)} and the TCP connection was refused (${a.closeReason ?? 'RST'}): no DICOM SCP listens on that port of that host, so no A-ASSOCIATE-RQ could even be sent.`,
        fix: `Start the SCP, or use the host and port it really listens on (${where('scpPort')}); a firewall that rejects gives the same picture.`,
      });
    }
  }
  // Data that crossed an A-ABORT in flight (the peer had sent it before it read the abort) is no capture problem.
  const crossedAbort = (association: string | null, reason: string) => AFTER_END.test(reason) && association !== null && ctx.associations.get(association)?.outcome === 'aborted';
  const errors = summary.errors.map((e, i) => ({ e, i })).filter(({ e }) => !OVER_MAX.test(e.reason) && !crossedAbort(e.association, e.reason));
  if (errors.length) {
    const associations = [...new Set(errors.map(({ e }) => e.association).filter((x): x is string => x !== null))];
    out.push({
      rule: 'capture.decode-errors', severity: 'warning', evidence: { associations, messages: [] }, time: errors[0].e.time,
      title: `${errors.length} part(s) of the capture could not be decoded`,
      text: `The decoder reported ${errors.length} error(s)${associations.length ? ` on ${list(associations)}` : ''}, e.g. ${list(errors.slice(0, 3).map(({ e }) => q(e.reason)), 3)}. Findings about those parts may be missing or incomplete.`,
      fix: 'If these are capture gaps, capture again closer to the peers (or with a larger buffer); otherwise one side sends malformed PDUs: see the errors list for where.',
    });
  }
  const mid = summary.associations.filter((a) => a.midStream);
  if (mid.length) {
    out.push({
      rule: 'capture.mid-stream', severity: 'info', evidence: { associations: mid.map((a) => a.id), messages: [] }, time: mid[0].start,
      title: `The capture joined ${mid.length} association(s) after they were set up`,
      text: `${list(mid.map((a) => a.id))}: the A-ASSOCIATE-RQ/AC were not captured, so AE titles, presentation contexts, roles and maximum PDU lengths are unknown there, and findings that need them cannot be made.`,
      fix: 'Start the capture before the associations open.',
    });
  }
}

function overMax(ctx: DiagnosisContext, out: Finding[]): void {
  const { pdus } = ctx.summary;
  const byAssociation = new Map<string, { pdus: number[]; largest: number; max: number; from: 'requestor' | 'acceptor' }>();
  let a: SummaryAssociation | undefined;
  for (let i = 0; i < pdus.length; i++) {
    const p = pdus[i];
    if (p.type !== 'P-DATA-TF') continue;
    // Consecutive PDUs mostly belong to one association: look it up only when it changes.
    if (a?.id !== p.association) a = ctx.associations.get(p.association);
    const max = a ? (p.from === 'requestor' ? a.maxPdu.acceptor : a.maxPdu.requestor) : null;
    if (!a || max === null || max === 0 || p.length - PDATA_HEADER <= max) continue;
    const key = `${p.association}|${p.from}`;
    const seen = byAssociation.get(key);
    if (seen) {
      seen.pdus.push(i);
      seen.largest = Math.max(seen.largest, p.length - PDATA_HEADER);
    } else byAssociation.set(key, { pdus: [i], largest: p.length - PDATA_HEADER, max, from: p.from });
  }
  for (const [key, x] of byAssociation) {
    const id = key.slice(0, key.indexOf('|'));
    const a = ctx.associations.get(id)!;
    const [sender, receiver] = x.from === 'requestor' ? [a.requestor, a.acceptor] : [a.acceptor, a.requestor];
    out.push({
      rule: 'pdu.over-max-length', severity: 'error', evidence: { associations: [id], messages: [], pdus: x.pdus }, time: pdus[x.pdus[0]].time,
      title: `${q(sender.ae)} sent ${x.pdus.length} P-DATA-TF PDU(s) over the ${x.max} bytes ${q(receiver.ae)} accepts (${id})`,
      text: `In its A-ASSOCIATE-${x.from === 'requestor' ? 'AC' : 'RQ'}, ${q(receiver.ae)} announced a Maximum Length Received of ${x.max} bytes (PS3.8 Annex D.1), but ${q(sender.ae)} sent P-DATA-TF PDUs with up to ${x.largest} bytes of PDVs. A strict receiver aborts the association (A-ABORT, unexpected or invalid PDU); a lenient one copes.`,
      fix: `The sender must split its PDVs to the announced maximum — a bug of its DICOM library (dcmjs-dimse's setMaxPduLength overwrites the peer's value: only ever lower it). Meanwhile raise the receiver's maximum (${where('maxPdu')}) at ${hostPort(receiver)}.`,
    });
  }
}

export const captureHealthRules: RuleFamily = {
  name: 'capture-health',
  catalogue: [
    { id: 'pdu.over-max-length', severity: 'error', summary: 'P-DATA-TF PDUs longer than the maximum length the receiver announced (PS3.8 Annex D.1)' },
    { id: 'connection.refused', severity: 'error', summary: 'A TCP connection refused that no C-MOVE explains: nothing listens at that host:port' },
    { id: 'capture.decode-errors', severity: 'warning', summary: 'Parts of the capture could not be decoded: findings may be incomplete' },
    { id: 'capture.mid-stream', severity: 'info', summary: 'Associations joined mid-stream: AE titles and contexts unknown' },
  ],
  run,
};
