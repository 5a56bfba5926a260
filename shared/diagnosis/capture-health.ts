/**
 * The wire itself: P-DATA-TF PDUs longer than the receiver announced it
 * accepts (PS3.8 Annex D.1: Maximum Length Received bounds the variable
 * field of every P-DATA-TF sent to that side); TCP connections refused that
 * no C-MOVE explains (nothing listens at that host and port); bytes the
 * capture lacks (gaps, truncation, drops: peer-conformance.ts decides which
 * decoder errors are those — malformed bytes a peer sent are its
 * non-conformance, reported there); packets the capturing tool counted as
 * dropped (the pcapng Interface Statistics Block of a file, or dumpcap's
 * counters when a live capture stops: shared/capture/pcap/
 * interface-statistics.ts); associations the capture joined mid-stream,
 * about which some findings cannot be made.
 */
import type { DiagnosisContext } from './context.ts';
import type { Finding } from './types.ts';
import type { SummaryAssociation } from '../model/summary-types.ts';
import type { RuleFamily } from './rule.ts';
import { hostPort, list, q } from './format.ts';
import { setting } from './peer-settings.ts';
import { errorKind } from './peer-conformance.ts';
import { DROPPED_REASON } from '../capture/pcap/interface-statistics.ts';

const PDATA_HEADER = 6;

function run(ctx: DiagnosisContext, out: Finding[]): void {
  overMax(ctx, out);
  const { summary } = ctx;
  for (const a of summary.associations) {
    if (a.outcome === 'refused' && !ctx.moveOf.has(a.id) && !ctx.claimedAssociations.has(a.id)) {
      out.push({
        rule: 'connection.refused', severity: 'error', evidence: { associations: [a.id], messages: [] }, time: a.start,
        title: `Connection refused: nothing listens at ${hostPort(a.acceptor)}`,
        text: `${a.requestor.host} tried to connect to ${hostPort(a.acceptor)} and the TCP connection was refused (${a.closeReason ?? 'RST'}): no DICOM SCP listens on that port of that host, so no A-ASSOCIATE-RQ could even be sent.`,
        fix: `Start the SCP on ${hostPort(a.acceptor)}, or call the host and port it really listens on (${setting('scpPort', ctx.products.scpProduct(a.acceptor), { HOST: a.acceptor.host, PORT: a.acceptor.port })}). A firewall that rejects gives the same picture.`,
      });
    }
  }
  const errors = summary.errors.map((e, i) => ({ e, i, kind: errorKind(ctx, e) }));
  droppedPackets(errors.map(({ e }) => e), out);
  const missing = errors.filter((x) => x.kind === 'capture' && !DROPPED_REASON.test(x.e.reason));
  if (missing.length) {
    const associations = [...new Set(missing.map(({ e }) => e.association).filter((x): x is string => x !== null))];
    out.push({
      rule: 'capture.decode-errors', severity: 'warning', evidence: { associations, messages: [] }, time: missing[0].e.time,
      title: `The capture lacks bytes in ${missing.length} place(s)`,
      text: `The decoder met ${missing.length} place(s) where the capture itself lacks bytes (a gap, a truncated stream, packets it dropped)${associations.length ? ` on ${list(associations)}` : ''}, e.g. ${list(missing.slice(0, 3).map(({ e }) => q(e.reason)), 3)}. Findings about those parts may be missing or incomplete.`,
      fix: 'Capture again closer to the peers, with a larger buffer (dumpcap -B) and no snap length (-s 0), or record through a proxy route (it loses nothing).',
    });
  }
  const internal = errors.filter((x) => x.kind === 'internal');
  if (internal.length) {
    out.push({
      rule: 'decoder.internal-error', severity: 'info', evidence: { associations: [...new Set(internal.map(({ e }) => e.association).filter((x): x is string => x !== null))], messages: [] }, time: internal[0].e.time,
      title: `pacscope's decoder failed in ${internal.length} place(s)`,
      text: `Internal error(s): ${list(internal.slice(0, 3).map(({ e }) => q(e.reason)), 3)}. Decoding went on after each; findings about those parts may be missing.`,
      fix: "Report it to pacscope's maintainers with this recording or capture (summary --json lists the errors).",
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

/** The capturing tool's own count of packets it lost (one error per interface, as the capture reported it). */
function droppedPackets(errors: readonly { reason: string; time: number }[], out: Finding[]): void {
  const drops = errors.filter((e) => DROPPED_REASON.test(e.reason));
  if (drops.length === 0) return;
  const n = drops.reduce((sum, e) => sum + Number(DROPPED_REASON.exec(e.reason)![1]), 0);
  const interfaces = [...new Set(drops.map((e) => /on interface (\S+) \(/.exec(e.reason)?.[1]).filter((x): x is string => x !== undefined))];
  const on = interfaces.length ? ` on ${list(interfaces)}` : '';
  out.push({
    rule: 'capture.packets-dropped', severity: 'warning', evidence: { associations: [], messages: [] }, time: drops[0].time,
    title: `The capture dropped ${n} packet(s)${on}`,
    text: `The capturing tool counted ${n} packet(s)${on} it never got (${list(drops.map((e) => q(e.reason.replace(/^(file|capture): /, ''))), 3)}): the kernel's capture buffer overflowed while the capture, or whatever read it, was busy. Streams that lost bytes show as gaps, and findings about those parts may be missing.`,
    fix: `Capture again with a larger kernel buffer (pacscope capture --buffer-size 512${interfaces.length === 1 ? ` --interface ${interfaces[0]}` : ''}, or dumpcap -B 512), a narrower filter (only the DICOM peers, e.g. --filter "host A and host B and tcp"), on a less busy machine — or record through a proxy route, which loses nothing.`,
  });
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
      fix: `Make ${q(sender.ae)} split its PDVs to the ${x.max} bytes ${q(receiver.ae)} announced: a bug of its DICOM library${ctx.productOf(a, x.from) === 'pacscope' ? " (dcmjs-dimse's setMaxPduLength overwrites the peer's value: only ever lower it)" : ''}. Meanwhile raise the maximum of ${q(receiver.ae)} at ${hostPort(receiver)} to ${x.largest} or more: ${setting('maxPdu', ctx.productOf(a, x.from === 'requestor' ? 'acceptor' : 'requestor'), { N: x.largest })}.`,
    });
  }
}

export const captureHealthRules: RuleFamily = {
  name: 'capture-health',
  catalogue: [
    { id: 'pdu.over-max-length', severity: 'error', summary: 'P-DATA-TF PDUs longer than the maximum length the receiver announced (PS3.8 Annex D.1)' },
    { id: 'connection.refused', severity: 'error', summary: 'A TCP connection refused that no C-MOVE explains: nothing listens at that host:port' },
    { id: 'capture.packets-dropped', severity: 'warning', summary: "The capturing tool counted packets it dropped (a pcapng's Interface Statistics Block, dumpcap's counters of a live capture): findings may be incomplete" },
    { id: 'capture.decode-errors', severity: 'warning', summary: 'The capture itself lacks bytes (gaps, truncation, drops): findings may be incomplete (malformed bytes a peer sent are peer.*)' },
    { id: 'decoder.internal-error', severity: 'info', summary: "pacscope's decoder failed on some bytes (a bug to report); decoding went on" },
    { id: 'capture.mid-stream', severity: 'info', summary: 'Associations joined mid-stream: AE titles and contexts unknown' },
  ],
  run,
};
