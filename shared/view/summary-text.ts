/**
 * The human form of `pacscope summary`: the associations with their
 * presentation contexts, then a timeline with one line per PDU (P-DATA-TF only
 * with --pdus) and per DIMSE message, like
 *   t=0.0410 a1 MOVESCU→ORTHANC C-MOVE-RQ #1 dest=STORESCP
 * and the correlator's links: "a2 … (sub-association of a1 C-MOVE #1)",
 * "C-STORE-RQ … (sub-operation of C-GET #5)", "C-CANCEL-RQ … (cancels C-MOVE #4)".
 * Pure: a function of the model (and findings) to text, printed by the CLI
 * (`pacscope summary`, `pacscope scenario`).
 */
import type { Summary, SummaryAssociation, SummaryMessage, SummaryPdu } from '../model/summary-types.ts';
import { uidName } from '../dicom/uids.ts';
import type { Finding } from '../diagnosis/types.ts';
import { CommandField, serviceOfField } from '../dimse/command-fields.ts';
import { commandOf, statusCodeOf, statusMeaningOf } from '../dimse/message-words.ts';
import { relationInfo } from '../model/linkers/registry.ts';
import { commitmentWords } from '../dimse/storage-commitment.ts';
import { procedureStepText } from '../dimse/worklist-mpps-words.ts';

const name = (uid: string | null): string => (uid ? (uidName(uid) ?? uid) : '?');
const ae = (s: string | null): string => (s === null ? '?' : s === '' ? '""' : s);
const t = (x: number): string => `t=${x.toFixed(4)}`;

export function formatSummary(summary: Summary, options: { pdus: boolean }): string {
  const lines: string[] = [];
  const { associations, messages, errors } = summary;
  lines.push(
    `${summary.source.path} (${summary.source.format})${summary.source.start ? `, starts ${summary.source.start}` : ''}: ` +
      `${associations.length} association(s), ${messages.length} message(s), ${errors.length} decode error(s)`,
  );
  for (const a of associations) lines.push('', ...formatAssociation(a, messages));
  lines.push('', 'timeline:');
  const byId = new Map(associations.map((a) => [a.id, a]));
  type Row = { time: number; order: number; text: string };
  const rows: Row[] = [];
  let order = 0;
  for (const a of associations) {
    const who = `${ae(a.requestor.ae)}→${ae(a.acceptor.ae)}`;
    if (a.outcome === 'refused') rows.push({ time: a.start, order: order++, text: `${t(a.start)} ${a.id} ${a.requestor.host}→${a.acceptor.host}:${a.acceptor.port} connection refused: ${a.closeReason ?? ''}` });
    else if (a.end !== null && a.outcome !== 'released' && a.outcome !== 'rejected' && a.outcome !== 'aborted') rows.push({ time: a.end, order: Number.MAX_SAFE_INTEGER, text: `${t(a.end)} ${a.id} ${who} ${a.closeReason ?? 'connection closed'}` });
  }
  for (const p of summary.pdus) {
    if (p.type === 'P-DATA-TF' && !options.pdus) continue;
    rows.push({ time: p.time, order: order++, text: `${t(p.time)} ${p.association} ${direction(byId.get(p.association), p.from)} ${formatPdu(p, byId.get(p.association), summary.messages)}` });
  }
  for (const m of messages) rows.push({ time: m.time, order: order++, text: `${t(m.time)} ${m.association} ${ae(m.from)}→${ae(m.to)} ${formatMessage(m, messages)}` });
  for (const e of errors) rows.push({ time: e.time, order: order++, text: `${t(e.time)} ${e.association ?? '--'} ERROR${e.side ? ` (${e.side}` : ''}${e.offset !== null ? ` @${e.offset}` : ''}${e.side ? ')' : ''} ${e.reason}` });
  rows.sort((x, y) => x.time - y.time || x.order - y.order);
  for (const r of rows) lines.push(r.text);
  return lines.join('\n') + '\n';
}

function direction(a: SummaryAssociation | undefined, from: 'requestor' | 'acceptor'): string {
  if (!a) return from;
  return from === 'requestor' ? `${ae(a.requestor.ae)}→${ae(a.acceptor.ae)}` : `${ae(a.acceptor.ae)}→${ae(a.requestor.ae)}`;
}

function formatAssociation(a: SummaryAssociation, all: SummaryMessage[]): string[] {
  const out: string[] = [];
  const span = a.end === null ? `${a.start.toFixed(4)}–(open)` : `${a.start.toFixed(4)}–${a.end.toFixed(4)} s`;
  out.push(`${a.id}  ${ae(a.requestor.ae)} (${a.requestor.host}:${a.requestor.port}) → ${ae(a.acceptor.ae)} (${a.acceptor.host}:${a.acceptor.port})  ${a.outcome}  ${span}${parentText(a, all)}`);
  if (a.midStream) out.push('    the capture starts after this association was set up: AE titles and presentation contexts were not seen');
  if (a.reject) out.push(`    rejected: ${a.reject.text} (result ${a.reject.result}, source ${a.reject.source}, reason ${a.reject.reason})`);
  if (a.abort) out.push(`    aborted by ${a.abort.by}: ${a.abort.text}`);
  if (a.closeReason) out.push(`    ${a.closeReason}`);
  if (a.outcome === 'refused') return out;
  const max = (n: number | null) => (n === null ? '-' : n === 0 ? 'unlimited' : String(n));
  out.push(`    max PDU: requestor ${max(a.maxPdu.requestor)}, acceptor ${max(a.maxPdu.acceptor)}`);
  const impl = (i: { classUid: string | null; versionName: string | null }) => `${i.classUid ?? '-'}${i.versionName ? ` (${i.versionName})` : ''}`;
  out.push(`    implementation: requestor ${impl(a.implementation.requestor)}, acceptor ${impl(a.implementation.acceptor)}`);
  if (a.userIdentity) out.push(`    user identity: ${a.userIdentity.typeText}${a.userIdentity.username ? ` "${a.userIdentity.username}"` : ''}${a.userIdentity.accepted === null ? '' : a.userIdentity.accepted ? ', accepted' : ', not confirmed'}`);
  for (const pc of a.presentationContexts) {
    const answer = pc.result === null ? 'not answered' : pc.result === 0 ? `accepted, ${name(pc.transferSyntax)}` : `${pc.resultText}`;
    out.push(`    pc ${pc.id}: ${name(pc.abstractSyntax)} [${pc.transferSyntaxes.map(name).join(', ')}] → ${answer}`);
  }
  for (const r of a.roles) {
    const roles = (x: { scu: boolean; scp: boolean }) => `SCU=${x.scu ? 1 : 0} SCP=${x.scp ? 1 : 0}`;
    out.push(`    role ${name(r.sopClassUid)}: proposed ${roles(r.proposed)}, ${r.accepted ? `accepted ${roles(r.accepted)}` : 'not answered'}`);
  }
  return out;
}

const EVIDENCE: Record<string, string> = {
  'move-originator': 'by Move Originator',
  'ae-title-and-time': 'by AE titles and timing',
  'time-only': 'by timing only (connection refused)',
  'transaction-uid': 'by Transaction UID',
};

/** " (sub-association of a1 C-MOVE #1, by Move Originator)", or "". */
function parentText(a: SummaryAssociation, all: SummaryMessage[]): string {
  if (!a.cause) return '';
  const rq = all[a.cause.message];
  const what = rq ? `${serviceOfField(rq.commandField)} #${rq.messageId ?? '?'}` : `message ${a.cause.message}`;
  return ` (${relationInfo(a.cause.relation)?.label ?? a.cause.relation} ${a.cause.association} ${what}, ${EVIDENCE[a.cause.evidence] ?? a.cause.evidence})`;
}

function formatPdu(p: SummaryPdu, a: SummaryAssociation | undefined, all: SummaryMessage[]): string {
  if (p.type === 'A-ASSOCIATE-RQ' && a) return `${p.type} ${a.presentationContexts.length} context(s)${parentText(a, all)}`;
  if (p.type === 'A-ASSOCIATE-AC' && a) return `${p.type} ${a.presentationContexts.filter((pc) => pc.result === 0).length}/${a.presentationContexts.length} accepted`;
  if (p.type === 'A-ASSOCIATE-RJ' && a?.reject) return `${p.type} ${a.reject.text}`;
  if (p.type === 'A-ABORT' && a?.abort) return `${p.type} ${a.abort.text}`;
  if (p.type === 'P-DATA-TF' && p.pdvs) {
    const pdvs = p.pdvs.map((v) => `[pc ${v.presentationContextId} ${v.isCommand ? 'cmd' : 'data'}${v.isLast ? ' last' : ''} ${v.length}]`).join(' ');
    return `${p.type} ${p.length} bytes ${pdvs}`;
  }
  return p.type;
}

function formatMessage(m: SummaryMessage, all: SummaryMessage[]): string {
  const parts: string[] = [commandOf(m)];
  if (m.messageId !== null) parts.push(`#${m.messageId}`);
  if (m.respondsTo !== null) parts.push(`(rsp to #${m.respondsTo})`);
  if (m.status !== null) parts.push(`${statusCodeOf(m)} ${statusMeaningOf(m) ?? ''}`.trim());
  const counters = [
    ['R', m.remaining],
    ['C', m.completed],
    ['F', m.failed],
    ['W', m.warning],
  ].filter(([, v]) => v !== null);
  if (counters.length) parts.push(counters.map(([k, v]) => `${k}=${v}`).join(' '));
  if (m.moveDestination !== null) parts.push(`dest=${m.moveDestination}`);
  if (m.moveOriginator) parts.push(`originator=${ae(m.moveOriginator.ae)}#${m.moveOriginator.messageId ?? '?'}`);
  if (m.commandField === CommandField.CStoreRq && m.affectedSopClass) parts.push(`${name(m.affectedSopClass)} ${m.affectedSopInstance ?? ''}`.trim());
  const step = procedureStepText(m); // a worklist query or match, an MPPS status transition (PS3.4 K, F.7)
  if (step) parts.push(step);
  // Storage commitment (PS3.4 J.3): "commit 3 instances txn=…", "event 2: 1 committed, 1 failed (…) txn=…".
  const commitment = commitmentWords(m);
  if (commitment) parts.push(`${commitment.text}${commitment.transactionUid ? ` txn=${commitment.transactionUid}` : ''}`);
  const level = m.identifier?.['QueryRetrieveLevel'];
  if (typeof level === 'string') parts.push(level);
  if (m.errorComment) parts.push(`"${m.errorComment}"`);
  const cause = m.cause === null || m.request === m.cause.message ? undefined : all[m.cause.message];
  if (m.cause && cause) parts.push(`(${relationInfo(m.cause.relation)?.label ?? m.cause.relation} ${serviceOfField(cause.commandField)} #${cause.messageId ?? '?'})`);
  return parts.join(' ');
}

/**
 * The "findings" section of `pacscope summary` (shared/diagnosis/): one block
 * per finding — severity, time, rule id and title, what happened, the fix, and
 * the evidence (association ids, message and PDU indices as in --json).
 */
export function formatFindings(findings: readonly Finding[], summary: Summary): string {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const lines = ['', `findings: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info`];
  for (const f of findings) {
    lines.push(`${f.severity.toUpperCase().padEnd(7)} ${t(f.time)} ${f.rule}: ${f.title}`);
    lines.push(`        ${f.text}`, `        fix: ${f.fix}`);
    const ms = f.evidence.messages.slice(0, 8).map((i) => {
      const m = summary.messages[i];
      return m ? `${i} ${commandOf(m)}${m.status !== null ? ` ${statusCodeOf(m)}` : ''}` : String(i);
    });
    const more = f.evidence.messages.length > 8 ? ` and ${f.evidence.messages.length - 8} more` : '';
    const parts = [f.evidence.associations.length ? f.evidence.associations.join(', ') : null, ms.length ? `messages ${ms.join(', ')}${more}` : null, f.evidence.pdus?.length ? `pdus ${f.evidence.pdus.join(', ')}` : null];
    lines.push(`        evidence: ${parts.filter((p) => p !== null).join('; ') || 'none'}`);
  }
  return lines.join('\n') + '\n';
}
