/**
 * What a peer sent that bends the standard, as that peer's non-conformance —
 * never as a capture problem (docs/architecture.md §5: decoded as far as the
 * bytes allow):
 *
 * - command sets with elements outside group 0000 (PS3.7 §6.3.1: a command
 *   set holds command elements only — a PACS that puts its Failed SOP
 *   Instance UID List there, PS3.4 C.4.2.1.4, has the list shown here), odd
 *   value lengths (PS3.5 §7.1.1), wrong padding (PS3.5 §6.2), elements out of
 *   order (PS3.5 §7.1), a Command Group Length that does not add up (PS3.7
 *   E.1) — carried by the message (`nonConformance`);
 * - malformed PDUs and PDVs: reserved message control bits, even context ids
 *   (PS3.8 Annex E.2, §9.3.2.2), items that overrun, a data set fragment
 *   before the command's last one — the decoder's errors on the bytes of one
 *   side, when the capture itself lacks nothing there.
 *
 * Which decoder errors are the capture's own (bytes it lacks: gaps,
 * truncation, drops) is decided by `errorKind`, for capture-health.ts too.
 */
import type { DiagnosisContext } from './context.ts';
import type { SummaryAssociation, SummaryError } from '../model/summary-types.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { hostPort, list, messageLabel, q } from './format.ts';
import { productName } from './peer-settings.ts';
import { abortedOnNonConformance } from './association-end.ts';

export type ErrorKind = 'capture' | 'peer' | 'internal' | 'explained';

/** Decoder errors that mean the capture lacks bytes, or is inconsistent: data, matched on the decoder's own reasons. */
const CAPTURE: readonly RegExp[] = [/capture gap/, /^file: /, /on unknown connection/, /opened twice/, /after the connection ended/, /for an existing connection/];
/** Bytes that stop mid-PDU: the capture's truncation when the connection never closed in it, else the sender stopped there. */
const CUT = /stream ended inside|connection ended inside|connection ended while/;
const INTERNAL = /^internal /;
/** What a capture joined mid-stream meets before the first whole PDU or message. */
const MID_STREAM = /skipped \d+ byte\(s\) that are not PDUs|no valid PDU header|no command waiting for a data set|before the command set's last fragment/;
/** Reported by pdu.over-max-length (capture-health.ts). */
const OVER_MAX = /exceeds the \w+'s maximum length received/;
/** Data that crossed an A-ABORT in flight: the peer had sent it before it read the abort. */
const AFTER_END = /after the association ended/;

export function errorKind(ctx: DiagnosisContext, e: SummaryError): ErrorKind {
  if (INTERNAL.test(e.reason)) return 'internal';
  if (OVER_MAX.test(e.reason)) return 'explained';
  const a = e.association === null ? undefined : ctx.associations.get(e.association);
  if (AFTER_END.test(e.reason) && a?.outcome === 'aborted') return 'explained';
  if (CAPTURE.some((r) => r.test(e.reason))) return 'capture';
  if (CUT.test(e.reason)) {
    if (!a || a.outcome === 'open' || a.midStream) return 'capture';
    // The connection closed (or was aborted) mid-message: association-end.ts tells who and why.
    return 'explained';
  }
  if (e.side === null || !a) return 'capture';
  // A capture that joined mid-stream starts inside a PDU or a message: what the framer skips there is the capture's.
  if (a.midStream && MID_STREAM.test(e.reason)) return 'capture';
  return 'peer';
}

const senderOf = (a: SummaryAssociation, side: 'requestor' | 'acceptor') => (side === 'requestor' ? a.requestor : a.acceptor);

function run(ctx: DiagnosisContext, out: Finding[]): void {
  commandSets(ctx, out);
  malformed(ctx, out);
}

/** One finding per sender (AE at host:port) whose command sets bend the standard. */
function commandSets(ctx: DiagnosisContext, out: Finding[]): void {
  const bySender = new Map<string, { a: SummaryAssociation; side: 'requestor' | 'acceptor'; messages: number[]; reasons: Map<string, string>; data: Map<string, unknown> }>();
  const { messages } = ctx.summary;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!m.nonConformance?.length) continue;
    const a = ctx.associations.get(m.association);
    if (!a) continue;
    const sender = senderOf(a, m.side);
    const k = `${sender.ae}|${sender.host}|${m.side === 'acceptor' ? sender.port : ''}`;
    let g = bySender.get(k);
    if (!g) bySender.set(k, (g = { a, side: m.side, messages: [], reasons: new Map(), data: new Map() }));
    g.messages.push(i);
    // Reasons without the element's offset-specific details repeat per message: keep each once.
    for (const p of m.nonConformance) if (g.reasons.size < 12) g.reasons.set(p.reason, p.section);
    for (const [key, value] of Object.entries(m.commandSetDataElements ?? {})) if (!g.data.has(key)) g.data.set(key, value);
  }
  for (const g of bySender.values()) {
    const sender = senderOf(g.a, g.side);
    const product = productName(ctx.productOf(g.a, g.side));
    const first = messages[g.messages[0]];
    const sections = [...new Set(g.reasons.values())];
    const data = [...g.data].map(([k, v]) => `${k} = ${Array.isArray(v) ? `[${list(v.map((x) => q(String(x))), 4)}]` : q(String(v))}`);
    const where = g.side === 'acceptor' ? `${q(sender.ae)} at ${hostPort(sender)}` : `${q(sender.ae)} (from ${sender.host})`;
    const receiverSide = g.side === 'acceptor' ? 'requestor' : 'acceptor';
    const refusedBy = [...new Set(g.messages.map((i) => messages[i].association))]
      .map((id) => ctx.associations.get(id)!)
      .filter((a) => a.outcome === 'aborted' && a.abort?.by === receiverSide && abortedOnNonConformance(ctx, a, a.end ?? Number.POSITIVE_INFINITY, receiverSide));
    const refusal = refusedBy.length ? ` Here ${q(senderOf(refusedBy[0], receiverSide).ae)} did: it sent A-ABORT right after it, on ${list(refusedBy.map((a) => a.id))}.` : ' A strict receiver may refuse such a message (A-ABORT) or drop what it does not expect.';
    out.push({
      rule: 'peer.command-set-non-conformant',
      severity: 'warning',
      title: `${where} sends command sets that do not follow the standard (${sections.join(', ')})`,
      text:
        `${g.messages.length} message(s) from ${where}${product ? ` (${product})` : ''}, first the ${messageLabel(first)}: ${[...g.reasons].map(([r, s]) => `${r} (${s})`).join('; ')}. ` +
        `The capture is complete: these are the bytes the peer sent, decoded as far as they allow.${data.length ? ` What it put into the command set is kept and shown in the inspector: ${data.join('; ')}.` : ''}${refusal}`,
      fix: `Report it to the maker of ${where}${product ? ` (${product})` : ''}: a command set must hold only group 0000 command elements, encoded as PS3.7 §6.3.1 and Annex E say${g.data.size ? ', and data such as a Failed SOP Instance UID List belongs in the data set that follows it (PS3.4 C.4.2.1.4)' : ''}. Nothing is wrong with the capture.`,
      evidence: { associations: [...new Set(g.messages.map((i) => messages[i].association))], messages: g.messages, ...(refusedBy.length ? { pdus: refusedBy.flatMap((a) => ctx.pdusOfType(a.id, 'A-ABORT')) } : {}) },
      time: first.time,
    });
  }
}

/** One finding per sender whose PDUs the decoder found malformed (with the capture complete there). */
function malformed(ctx: DiagnosisContext, out: Finding[]): void {
  const bySender = new Map<string, { a: SummaryAssociation; side: 'requestor' | 'acceptor'; errors: SummaryError[] }>();
  for (const e of ctx.summary.errors) {
    if (errorKind(ctx, e) !== 'peer') continue;
    const a = ctx.associations.get(e.association!)!;
    const sender = senderOf(a, e.side!);
    const k = `${sender.ae}|${sender.host}|${e.side === 'acceptor' ? sender.port : ''}`;
    let g = bySender.get(k);
    if (!g) bySender.set(k, (g = { a, side: e.side!, errors: [] }));
    g.errors.push(e);
  }
  for (const g of bySender.values()) {
    const sender = senderOf(g.a, g.side);
    const product = productName(ctx.productOf(g.a, g.side));
    const where = g.side === 'acceptor' ? `${q(sender.ae)} at ${hostPort(sender)}` : `${q(sender.ae)} (from ${sender.host})`;
    const reasons = [...new Set(g.errors.map((e) => e.reason))];
    out.push({
      rule: 'peer.pdu-non-conformant',
      severity: 'warning',
      title: `${where} sent ${g.errors.length} malformed PDU part(s)`,
      text:
        `The decoder found, in the bytes ${where}${product ? ` (${product})` : ''} sent${g.errors.length > 1 ? ` on ${list([...new Set(g.errors.map((e) => e.association!))])}` : ` on ${g.errors[0].association}`}: ${list(reasons.slice(0, 4).map(q), 4)}. ` +
        'The capture holds every byte there (no gap, no truncation): this is what the peer sent, decoded as far as the framing allows (PS3.8 §9.3, Annex E.2). Findings about the parts it could not read may be missing.',
      fix: `Report it to the maker of ${where}${product ? ` (${product})` : ''} with this capture: its PDUs must follow PS3.8 §9.3 and Annex E. Nothing is wrong with the capture.`,
      evidence: { associations: [...new Set(g.errors.map((e) => e.association!))], messages: [] },
      time: g.errors[0].time,
    });
  }
}

export const peerConformanceRules: RuleFamily = {
  name: 'peer-conformance',
  catalogue: [
    {
      id: 'peer.command-set-non-conformant',
      severity: 'warning',
      summary: 'A peer sends command sets that bend PS3.7 §6.3.1 / Annex E (elements outside group 0000, odd lengths, wrong padding, a group length that does not add up): decoded, its data shown, reported as its non-conformance',
    },
    { id: 'peer.pdu-non-conformant', severity: 'warning', summary: 'A peer sends malformed PDUs or PDVs (reserved flags set, items that overrun): its non-conformance, the capture being complete there' },
  ],
  run,
};
