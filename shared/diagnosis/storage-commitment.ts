/**
 * Storage commitment (PS3.4 Annex J, Push Model): for each N-ACTION-RQ
 * "Request Storage Commitment", what became of it, the most specific first:
 *
 * - the N-ACTION refused (a failure status of its N-ACTION-RSP, J.3.2.1.3);
 * - the SCP's report association (linked by shared/model/linkers/
 *   storage-commitment.ts) refused at the TCP level (its AE table has a
 *   wrong host or port for the SCU), rejected (the SCU does not answer to
 *   that AE title, or does not know the SCP's), or accepted without the
 *   Push Model or without the SCP role the SCP must propose on it (J.3.3.1.3,
 *   PS3.7 D.3.3.4);
 * - no report at all: accepted, and no N-EVENT-REPORT-RQ with its
 *   Transaction UID in the window (or before the SCU gave up waiting);
 * - a report of Event Type 2: the failed instances with their Failure
 *   Reasons (J.3.3.1.1) and what to do about each.
 * The associations and messages these findings cite are claimed, so the
 * generic rules (association-reject, connection.refused, the status
 * fallback) do not say it again. Healthy flows give nothing.
 */
import type { DiagnosisContext } from './context.ts';
import type { SummaryAssociation, SummaryEndpoint, SummaryMessage } from '../model/summary-types.ts';
import type { Finding, Severity } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { at, hostPort, list, messageLabel, q, seconds, statusText, unique } from './format.ts';
import { setting, type SettingValues } from './peer-settings.ts';
import { PRODUCTS, familyOf, type ProductId } from './products.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { commitmentFacts, failureReasonText, isCommitmentReport, isCommitmentRequest, STORAGE_COMMITMENT_PUSH_MODEL, type CommitmentFacts } from '../dimse/storage-commitment.ts';

/** One N-ACTION-RQ and what followed it. */
interface CommitRun {
  rq: number;
  m: SummaryMessage;
  a: SummaryAssociation;
  /** The SCU (sent the N-ACTION) and the SCP. */
  scu: SummaryEndpoint;
  scp: SummaryEndpoint;
  final: number | null;
  facts: CommitmentFacts;
  /** N-EVENT-REPORT-RQs linked to it (cause), on any association. */
  reports: number[];
  /** Other associations linked to it: the SCP's report associations and attempts. */
  attempts: SummaryAssociation[];
}

const hp = (e: { host: string; port: number }): string => `${e.host}:${e.port}`;
const isPushModel = (uid: string | null): boolean => (uid ?? '').replace(/[\0 ]+$/, '') === STORAGE_COMMITMENT_PUSH_MODEL;

function collect(ctx: DiagnosisContext): CommitRun[] {
  const runs = new Map<number, CommitRun>();
  const { messages, associations } = ctx.summary;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (isCommitmentRequest(m)) {
      const a = ctx.associations.get(m.association);
      if (!a) continue;
      const [scu, scp] = m.side === 'requestor' ? [a.requestor, a.acceptor] : [a.acceptor, a.requestor];
      runs.set(i, { rq: i, m, a, scu, scp, final: ctx.finalOf(i), facts: commitmentFacts(m.identifier), reports: [], attempts: [] });
    } else if (m.cause?.relation === 'storage-commitment' && isCommitmentReport(m)) runs.get(m.cause.message)?.reports.push(i);
  }
  if (runs.size === 0) return [];
  for (const a of associations) {
    const run = a.cause?.relation === 'storage-commitment' ? runs.get(a.cause.message) : undefined;
    if (run && a.id !== run.a.id) run.attempts.push(a);
  }
  return [...runs.values()];
}

/** The SCP's product: identified at its port, or from its report association, or an Orthanc by its default AE title. */
function scpProduct(ctx: DiagnosisContext, run: CommitRun): ProductId | null {
  const side = run.m.side === 'requestor' ? 'acceptor' : 'requestor';
  const p = ctx.productOf(run.a, side) ?? (run.attempts[0] ? ctx.productOf(run.attempts[0], 'requestor') : null);
  if (p) return p;
  const impl = run.a.implementation[side];
  const dcmtk = familyOf(impl?.classUid ?? null, impl?.versionName ?? null) === 'dcmtk';
  return dcmtk && PRODUCTS.orthanc.defaultAes.includes((run.scp.ae ?? '').trim().toUpperCase()) ? 'orthanc' : null;
}

const scuProduct = (ctx: DiagnosisContext, run: CommitRun): ProductId | null => ctx.productOf(run.a, run.m.side);

/** Where the SCU listens, as this capture shows (an association to its AE title that was accepted), for a setting. */
function scuAddress(ctx: DiagnosisContext, run: CommitRun, fallback: { host: string; port: number } | null = null): SettingValues {
  const where = ctx.products.addressOf(run.scu.ae) ?? fallback;
  return { DEST: run.scu.ae, AE: run.scu.ae, HOST: where?.host ?? null, PORT: where?.port ?? null };
}

/** "WORKSTATION asked TEACHPACS to commit 3 instance(s) (N-ACTION-RQ #1 on a1, Transaction UID "…"), accepted with 0x0000 at t=…" */
function head(ctx: DiagnosisContext, run: CommitRun): string {
  const fin = run.final === null ? null : ctx.message(run.final);
  return `${q(run.scu.ae)} asked ${q(run.scp.ae)} to commit ${run.facts.referenced.length} instance(s) (${messageLabel(run.m)} at ${at(run.m.time)}, Transaction UID ${q(run.facts.transactionUid)})${fin ? `, answered ${statusText(fin)} at ${at(fin.time)}` : ''}`;
}

function finding(run: CommitRun, rule: string, severity: Severity, title: string, text: string, fix: string, time: number, more: { associations?: string[]; messages?: number[]; pdus?: number[] } = {}): Finding {
  return {
    rule, severity, title, text, fix, time,
    evidence: { associations: unique([run.a.id, ...(more.associations ?? [])]), messages: unique([run.rq, ...(run.final === null ? [] : [run.final]), ...(more.messages ?? [])]), ...(more.pdus ? { pdus: more.pdus } : {}) },
  };
}

/** What each N-ACTION-RSP failure usually means here (PS3.7 Annex C, PS3.4 J.3.2.1.3). */
function refusalHint(ctx: DiagnosisContext, run: CommitRun, status: number): { why: string; fix: string } {
  const scp = q(run.scp.ae);
  switch (status) {
    case 0x0122:
    case 0x0118:
      return { why: `${scp} does not support the Storage Commitment Push Model as SCP`, fix: `Request storage commitment from an archive that supports it as SCP, or enable it on ${scp} (its conformance statement says whether it can).` };
    case 0x0124:
      return { why: `${scp} does not allow ${q(run.scu.ae)} to request storage commitment`, fix: `Register ${q(run.scu.ae)} at ${scp} (${hostPort(run.scp)}): ${setting('knownCaller', scpProduct(ctx, run), { AE: run.scu.ae, HOST: run.scu.host })}.` };
    case 0x0120:
    case 0x0121:
    case 0x0114:
    case 0x0115:
      return { why: 'the request data set is not what PS3.4 J.3.2.1.1 asks for: a Transaction UID (0008,1195) and a Referenced SOP Sequence (0008,1199) whose items have a Referenced SOP Class UID and a Referenced SOP Instance UID', fix: `Fix the N-ACTION-RQ of ${q(run.scu.ae)}: a Transaction UID and at least one Referenced SOP Sequence item with both UIDs.` };
    case 0x0123:
      return { why: 'the Action Type ID is not 1 (Request Storage Commitment, PS3.4 J.3.2)', fix: `Send Action Type ID 1 in the N-ACTION-RQ of ${q(run.scu.ae)}.` };
    default:
      return { why: 'the SCP could not take the request', fix: `Read the log of ${scp} at ${hostPort(run.scp)} for this request.` };
  }
}

function requestRefused(ctx: DiagnosisContext, run: CommitRun): Finding {
  const fin = ctx.message(run.final!);
  const hint = refusalHint(ctx, run, fin.status ?? -1);
  return finding(run, 'commitment.request-refused', 'error', `Storage commitment request refused by ${q(run.scp.ae)}: ${statusText(fin)}`,
    `${head(ctx, run)}: ${hint.why}.${fin.errorComment ? ` Error Comment: ${q(fin.errorComment)}.` : ''} No report will come: nothing is committed, and the SCU must not delete its copies (PS3.4 J.3.2).`,
    hint.fix, fin.time);
}

function reportRefused(ctx: DiagnosisContext, run: CommitRun, attempt: SummaryAssociation): Finding {
  const listens = ctx.products.addressOf(run.scu.ae);
  const elsewhere = listens && hp(listens) !== hostPort(attempt.acceptor) ? listens : null;
  const scp = scpProduct(ctx, run);
  return finding(run, 'commitment.report-refused', 'error', `Storage commitment report to ${q(run.scu.ae)} refused: nothing listens at ${hostPort(attempt.acceptor)}`,
    `${head(ctx, run)}. To report the result on a new association (PS3.4 J.3.3.1.2) the SCP connected${attempt.requestor.host ? ` from ${attempt.requestor.host}` : ''} to ${hostPort(attempt.acceptor)} at ${at(attempt.start)}, the address its AE table has for ${q(run.scu.ae)}, and the TCP connection was refused (${attempt.closeReason ?? 'RST'}): no SCU listens there, so the N-EVENT-REPORT never reached it.${elsewhere ? ` In this capture ${q(run.scu.ae)} listens at ${hp(elsewhere)}.` : ''}`,
    `Correct the entry ${q(run.scp.ae)} has for ${q(run.scu.ae)}: ${setting('commitReportAddress', scp, scuAddress(ctx, run))}.${elsewhere ? '' : ` Or have the SCU listen at ${hostPort(attempt.acceptor)}: ${setting('commitScuListens', scuProduct(ctx, run), { AE: run.scu.ae, PORT: attempt.acceptor.port })}.`} A firewall in between gives the same picture.`,
    attempt.start, { associations: [attempt.id] });
}

function reportRejected(ctx: DiagnosisContext, run: CommitRun, attempt: SummaryAssociation): Finding {
  const rj = attempt.reject!;
  const pdus = [...ctx.pdusOfType(attempt.id, 'A-ASSOCIATE-RQ'), ...ctx.pdusOfType(attempt.id, 'A-ASSOCIATE-RJ')];
  const code = `${rj.result}/${rj.source}/${rj.reason}`;
  const calledAe = attempt.acceptor.ae;
  const base = `${head(ctx, run)}. To report the result (PS3.4 J.3.3.1.2) ${q(attempt.requestor.ae)} opened a new association to ${q(calledAe)} at ${hostPort(attempt.acceptor)} at ${at(attempt.start)}, which answered A-ASSOCIATE-RJ ${code}: ${rj.text} (PS3.8 Table 9-21)`;
  let why: string;
  let fix: string;
  if (rj.source === 1 && rj.reason === 7) {
    const answers = [...(ctx.acceptedCalledAes.get(hostPort(attempt.acceptor)) ?? [])].filter((x) => x !== calledAe);
    why = `the SCU listening at ${hostPort(attempt.acceptor)} does not answer to ${q(calledAe)}${answers.length ? `; it answered to ${list(answers.map(q))} in this capture: the SCP's entry for ${q(run.scu.ae)} points at another AE's port` : ''}`;
    const own = scuAddress(ctx, run);
    const elsewhere = own.HOST && own.PORT !== null && `${own.HOST}:${own.PORT}` !== hostPort(attempt.acceptor);
    const answer = `make the SCU at ${hostPort(attempt.acceptor)} answer to ${q(calledAe)}: ${setting('commitScuListens', scuProduct(ctx, run), { AE: calledAe, PORT: attempt.acceptor.port })}`;
    fix = elsewhere
      ? `Point the entry ${q(run.scp.ae)} has for ${q(run.scu.ae)} at the port where ${q(run.scu.ae)} itself listens: ${setting('commitReportAddress', scpProduct(ctx, run), own)}; or ${answer}.`
      : `${answer.charAt(0).toUpperCase()}${answer.slice(1)}; or, if it has another AE title, register the SCU at ${q(run.scp.ae)} under that title and request commitment with it (the SCP reports to the calling AE title of the N-ACTION).`;
  } else if (rj.source === 1 && rj.reason === 3) {
    why = `the SCU does not know the calling AE title ${q(attempt.requestor.ae)} of the SCP: it accepts reports only from the AEs in its own table`;
    fix = `Register the SCP at the SCU: ${setting('commitScuKnowsScp', scuProduct(ctx, run), { AE: attempt.requestor.ae, HOST: run.scp.host, PORT: run.scp.port })}.`;
  } else {
    why = 'the SCU refused the association';
    fix = `Read the log of the SCU ${q(run.scu.ae)} at ${hostPort(attempt.acceptor)} for why it rejects ${q(attempt.requestor.ae)}.`;
  }
  return finding(run, 'commitment.report-rejected', 'error', `Storage commitment report association rejected by ${q(calledAe)} at ${hostPort(attempt.acceptor)} (${code}): the report never reached the SCU`,
    `${base}: ${why}. The N-EVENT-REPORT could not be sent.`, fix, attempt.end ?? attempt.start, { associations: [attempt.id], pdus });
}

/** The report association accepted, but without the Push Model or the SCP role for its requestor (PS3.7 D.3.3.4); null when all is well. */
function roleNotAccepted(ctx: DiagnosisContext, run: CommitRun, attempt: SummaryAssociation): Finding | null {
  if (attempt.midStream || attempt.outcome === 'rejected' || attempt.outcome === 'refused' || !attempt.presentationContexts.some((pc) => isPushModel(pc.abstractSyntax))) return null;
  const reports = (ctx.messagesOf.get(attempt.id) ?? []).filter((i) => ctx.message(i).commandField === CommandField.NEventReportRq);
  const contexts = attempt.presentationContexts.filter((pc) => isPushModel(pc.abstractSyntax));
  const accepted = contexts.some((pc) => pc.result === 0);
  const role = attempt.roles.find((r) => isPushModel(r.sopClassUid));
  const listens = { AE: run.scu.ae, PORT: attempt.acceptor.port };
  const scu = scuProduct(ctx, run);
  const intro = `${head(ctx, run)}. ${q(attempt.requestor.ae)} opened ${attempt.id} to ${q(attempt.acceptor.ae)} at ${hostPort(attempt.acceptor)} at ${at(attempt.start)} to report (PS3.4 J.3.3.1.2)`;
  if (!accepted) {
    if (contexts.every((pc) => pc.result === null)) return null;
    return finding(run, 'commitment.report-role-not-accepted', 'error', `The SCU's port at ${hostPort(attempt.acceptor)} refused the Storage Commitment Push Model: no report could be sent`,
      `${intro}, and the SCU refused its Push Model presentation context (${contexts.map((pc) => pc.resultText ?? `result ${pc.result}`).join(', ')}, PS3.8 Table 9-18): it does not take storage commitment reports there.`,
      `Make the SCU accept the report association: ${setting('commitScuListens', scu, listens)}.`, attempt.start, { associations: [attempt.id], messages: reports });
  }
  if (role?.accepted?.scp) return null;
  if (!role && reports.length === 0) return null;
  const answered = !role ? 'there was no role to accept: the SCP proposed no SCP/SCU Role Selection item' : role.accepted === null ? 'the SCU answered no role selection item, which keeps the default roles (the requestor is the SCU)' : 'the SCU answered SCP role 0 (refused)';
  const sent = reports.length > 0;
  return finding(run, 'commitment.report-role-not-accepted', sent ? 'warning' : 'error',
    sent ? `Storage commitment report sent on ${attempt.id} without the SCP role for its sender (PS3.7 D.3.3.4): a strict peer refuses it` : `The SCU did not accept the SCP role on the report association ${attempt.id}: the report was not sent`,
    `${intro}. On that association the SCP is the association requestor, so it must propose the SCP role for the Push Model by SCP/SCU Role Selection and the SCU must accept it (PS3.4 J.3.3.1.3, PS3.7 D.3.3.4); ${answered}. ${sent ? `The N-EVENT-REPORT was sent anyway (${reports.length}): it worked with this peer and will not with a strict one.` : 'Without the role the SCP may not send the N-EVENT-REPORT there: it released without reporting.'}`,
    !role ? `Have the SCP propose the SCP role on its report association (PS3.4 J.3.3.1.3); its vendor's setting or an update fixes it.` : `Make the SCU accept the SCP role for the Push Model on its port: ${setting('commitScuListens', scu, listens)}.`,
    attempt.start, { associations: [attempt.id], messages: reports });
}

function reportMissing(ctx: DiagnosisContext, run: CommitRun): Finding | null {
  const fin = ctx.message(run.final!);
  const waited = ctx.now - fin.time;
  if (!ctx.complete && waited < ctx.window) return null;
  const end = run.a.end;
  const held = (end ?? ctx.now) - fin.time;
  const releasedEarly = end !== null && held < 1;
  const gaveUp = end !== null && held >= 1 && run.a.outcome === 'released';
  const severity: Severity = waited >= ctx.window || gaveUp ? 'warning' : 'info';
  const scp = scpProduct(ctx, run);
  const where = releasedEarly
    ? ` The SCU released ${run.a.id} ${seconds(Math.max(0, held))} after the N-ACTION-RSP, so the SCP had to open a new association to ${q(run.scu.ae)} (PS3.4 J.3.3.1.2): none came from ${q(run.scp.ae)}. It needs an entry for ${q(run.scu.ae)} with the host and port where the SCU listens, and the SCU must listen there.`
    : gaveUp
      ? ` The SCU kept ${run.a.id} open for ${seconds(held)} waiting for the report there, then released it: the SCP neither reported on it nor opened a new association to ${q(run.scu.ae)}.`
      : '';
  const seen = ctx.seesTrafficOf(run.scp.ae, run.scu.ae, run.a) ? '' : ' (This capture holds no other association of either AE: if it was made on one side only, a report on another path would not show.)';
  return finding(run, 'commitment.report-missing', severity,
    severity === 'info' ? `No storage commitment report before the capture ends (${seconds(waited)} after the N-ACTION-RSP)` : `The storage commitment report never came: no N-EVENT-REPORT-RQ from ${q(run.scp.ae)} for ${seconds(waited)}`,
    `${head(ctx, run)}; no N-EVENT-REPORT-RQ with that Transaction UID followed, on ${run.a.id} or on any other association, in the ${seconds(waited)} since.${where}${seen} Until a report of Event Type 1 comes, nothing is committed (PS3.4 J.3.3).`,
    `Let ${q(run.scp.ae)} report on a new association (${setting('commitReportMode', scp)}) with an entry for ${q(run.scu.ae)}: ${setting('commitReportAddress', scp, scuAddress(ctx, run))}${releasedEarly ? `; and have the SCU listen there: ${setting('commitScuListens', scuProduct(ctx, run), { AE: run.scu.ae, PORT: ctx.products.addressOf(run.scu.ae)?.port ?? null })}` : ''}. The SCP's log tells why it did not report.`,
    severity === 'info' ? ctx.now : fin.time + Math.min(waited, ctx.window));
}

/** What to do about each Failure Reason (PS3.4 J.3.3.1.1). */
const FAILURE_FIX: ReadonlyMap<number, string> = new Map([
  [0x0112, 'the SCP does not hold it: send it again (C-STORE) and request commitment again; a C-FIND at IMAGE level shows what the SCP holds'],
  [0x0119, 'the SCP holds it under another SOP Class UID than the request names: name the class it was stored with'],
  [0x0122, 'the SCP does not support that SOP class: store it elsewhere'],
  [0x0213, 'the SCP ran out of resources: request again later, or have its storage extended'],
  [0x0131, 'the Transaction UID was already in use: use a new Transaction UID for every request (PS3.4 J.3.3.1.2)'],
  [0x0110, "a processing failure at the SCP: its log says why"],
]);

function failures(ctx: DiagnosisContext, run: CommitRun, report: number): Finding | null {
  const m = ctx.message(report);
  const facts = commitmentFacts(m.identifier);
  if (m.eventTypeId !== 2 && facts.failed.length === 0) return null;
  const committed = facts.referenced.length;
  const failed = facts.failed.length;
  const reasons = [...new Set(facts.failed.map((f) => f.failureReason))];
  const missing = run.facts.referenced.length - committed - failed;
  const fixes = reasons.map((r) => `${failureReasonText(r)}: ${FAILURE_FIX.get(r ?? -1) ?? 'the SCP\'s log says why'}`);
  const examples = facts.failed.slice(0, 3).map((f) => `${q(f.sopInstance)} (${failureReasonText(f.failureReason)})`);
  return finding(run, 'commitment.failures', committed === 0 ? 'error' : 'warning', `Storage commitment: ${failed} of ${committed + failed} instance(s) not committed by ${q(run.scp.ae)}`,
    `${head(ctx, run)}. Its N-EVENT-REPORT-RQ (${messageLabel(m)} at ${at(m.time)}) has Event Type ${m.eventTypeId ?? '?'}${m.eventTypeId === 2 ? ' (failures exist)' : ''}: ${committed} committed, ${failed} failed${examples.length ? `, e.g. ${list(examples, 3)}` : ''} (Failed SOP Sequence with Failure Reason, PS3.4 J.3.3.1.1).${missing !== 0 ? ` The report accounts for ${committed + failed} of the ${run.facts.referenced.length} instances requested, though it must list them all (PS3.4 J.3.3.1.2).` : ''} The SCU must keep its copies of the failed ones.`,
    `${fixes.join('. ')}.`, m.time, { messages: [report, ...ctx.responsesOf(report)] });
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const r of collect(ctx)) {
    const fin = r.final === null ? null : ctx.message(r.final);
    if (fin && fin.statusCategory === 'failure') {
      out.push(requestRefused(ctx, r));
      continue;
    }
    let explained = false;
    for (const attempt of r.attempts) {
      const f = attempt.outcome === 'refused' ? reportRefused(ctx, r, attempt) : attempt.reject ? reportRejected(ctx, r, attempt) : roleNotAccepted(ctx, r, attempt);
      if (!f) continue;
      out.push(f);
      if (f.severity !== 'warning') explained = true;
    }
    for (const report of r.reports) {
      const f = failures(ctx, r, report);
      if (f) out.push(f);
    }
    if (!explained && r.reports.length === 0 && fin && (fin.statusCategory === 'success' || fin.statusCategory === 'warning')) {
      const f = reportMissing(ctx, r);
      if (f) out.push(f);
    }
  }
}

export const storageCommitmentRules: RuleFamily = {
  name: 'storage-commitment',
  catalogue: [
    { id: 'commitment.request-refused', severity: 'error', summary: 'Storage commitment N-ACTION-RQ answered with a failure status (PS3.4 J.3.2): what it means and who fixes it' },
    { id: 'commitment.report-refused', severity: 'error', summary: "The storage commitment SCP's report association was refused at the TCP level: its AE table has a wrong host or port for the SCU" },
    { id: 'commitment.report-rejected', severity: 'error', summary: "The SCU rejected the SCP's report association (called AE not its own, or the SCP's AE unknown to it), with the table to fix" },
    { id: 'commitment.report-role-not-accepted', severity: 'error', summary: 'On the report association the SCU did not accept the Push Model or the SCP role for the SCP (PS3.4 J.3.3.1.3, PS3.7 D.3.3.4); a warning when the report was sent anyway' },
    { id: 'commitment.report-missing', severity: 'warning', summary: 'A storage commitment request was accepted but no N-EVENT-REPORT with its Transaction UID came (info when the capture ends within the window)' },
    { id: 'commitment.failures', severity: 'warning', summary: 'A storage commitment report of Event Type 2: the failed instances with their Failure Reasons and what to do (error when nothing was committed)' },
  ],
  run,
};
