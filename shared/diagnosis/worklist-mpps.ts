/**
 * The usual failures of the Modality Worklist (PS3.4 Annex K) and of MPPS
 * (PS3.4 F.7), each with the values of the capture and the fix on the side
 * that has to change it:
 *
 * - worklist.not-supported: the SCP refused the Modality Worklist
 *   Information Model – FIND context (PS3.8 Table 9-18) or answered 0x0122:
 *   it serves no worklist (a PACS queried instead of the RIS, Orthanc
 *   without its ModalityWorklists plugin);
 * - mpps.not-supported: the same for the MPPS SOP Class (Orthanc 1.10 has
 *   none);
 * - worklist.caller-refused: the SCP aborted right after a worklist query
 *   (Orthanc's plugin and a caller it does not let query the worklist);
 * - worklist.no-match: a worklist query with matching keys answered
 *   0x0000 with no item; the items the same SCP showed to other queries of
 *   the capture tell which key left them out (worklist-keys.ts) — the
 *   classic "Scheduled Station AE Title CT01 while the RIS schedules for
 *   CT1" (a warning then; an info when the capture shows no item at all);
 * - mpps.no-such-instance: an N-SET answered 0x0112 (PS3.7 Annex C): the SCP
 *   has no procedure step of that SOP Instance UID — its N-CREATE went
 *   elsewhere, failed, or was never sent;
 * - mpps.set-after-final: an N-SET of a procedure step already COMPLETED or
 *   DISCONTINUED (PS3.4 F.7.2.2.2: no longer updated; 0x0110 with Error
 *   Comment "Performed Procedure Step Object may no longer be updated",
 *   F.7.2.2.4), or accepted by an SCP that should have refused it;
 * - mpps.never-completed: a procedure step created IN PROGRESS and never
 *   set to COMPLETED or DISCONTINUED: a warning when the station went on to
 *   another procedure step, an info when the capture simply ended first.
 * Runs before the query-model, presentation-context and status fallbacks
 * (registry.ts), which then leave what it explained alone.
 */
import type { DiagnosisContext } from './context.ts';
import type { Finding, Severity } from './types.ts';
import type { RuleFamily } from './rule.ts';
import type { SummaryAssociation, SummaryMessage } from '../model/summary-types.ts';
import { hostPort, list, messageLabel, q, statusText, uidText } from './format.ts';
import { familyOf } from './products.ts';
import { setting } from './peer-settings.ts';
import { callerValues } from './association-end.ts';
import { worklistSetting, type WorklistProduct } from './worklist-settings.ts';
import { keyVerdicts, knownItem, type KnownItem } from './worklist-keys.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { FINAL_PPS_STATUSES, MODALITY_WORKLIST_FIND, MPPS_SOP_CLASS, isMpps, isWorklistFind, ppsStatus, worklistMatchingKeys } from '../dicom/worklist-mpps.ts';

const NO_SUCH_SOP_INSTANCE = 0x0112;
const SOP_CLASS_NOT_SUPPORTED = 0x0122;
const MWL = uidText(MODALITY_WORKLIST_FIND);

const clean = (uid: string | null): string | null => (uid === null ? null : uid.replace(/[\0 ]+$/, '').trim() || null);

/**
 * The worklist SCP's product. Within the DCMTK family (products.ts) the SCP
 * that serves the worklist is Orthanc's plugin or DCMTK wlmscpfs: Orthanc
 * puts Specific Character Set into every match (observed with Orthanc
 * 1.10), wlmscpfs only where a worklist file has one (-csk) or never (its
 * default -cs0); without matches, identify.ts decides.
 */
function scpProduct(ctx: DiagnosisContext, a: SummaryAssociation): WorklistProduct | null {
  const p = ctx.productOf(a, 'acceptor');
  const servesWorklist = a.presentationContexts.some((pc) => pc.abstractSyntax === MODALITY_WORKLIST_FIND && pc.result === 0);
  if (!servesWorklist || p === 'pacscope' || familyOf(a.implementation.acceptor.classUid, a.implementation.acceptor.versionName) !== 'dcmtk') return p;
  const charsets = matchCharsets(ctx).get(hostPort(a.acceptor));
  if (!charsets) return p === 'orthanc' ? 'orthanc' : 'wlmscpfs';
  return charsets.all && p === 'orthanc' ? 'orthanc' : 'wlmscpfs';
}

const charsetCache = new WeakMap<DiagnosisContext, Map<string, { all: boolean }>>();

/** Per worklist SCP (host:port): whether every match it sent carries Specific Character Set. One pass, once per diagnosis. */
function matchCharsets(ctx: DiagnosisContext): Map<string, { all: boolean }> {
  const cached = charsetCache.get(ctx);
  if (cached) return cached;
  const out = new Map<string, { all: boolean }>();
  for (const m of ctx.summary.messages) {
    if (m.commandField !== CommandField.CFindRsp || m.statusCategory !== 'pending' || !isWorklistFind(m.affectedSopClass)) continue;
    const a = ctx.associations.get(m.association);
    if (!a) continue;
    const entry = out.get(hostPort(a.acceptor)) ?? { all: true };
    entry.all &&= m.identifier !== null && 'SpecificCharacterSet' in m.identifier;
    out.set(hostPort(a.acceptor), entry);
  }
  charsetCache.set(ctx, out);
  return out;
}

const scuProduct = (ctx: DiagnosisContext, a: SummaryAssociation): WorklistProduct | null => ctx.productOf(a, 'requestor');

/** The two services whose refused context is a finding of its own. Data. */
const SERVICES = [
  { sopClass: MODALITY_WORKLIST_FIND, rule: 'worklist.not-supported', what: 'Modality Worklist', does: 'the worklist query (PS3.4 K.4)', so: 'ask it for its scheduled procedure steps', setting: 'worklistService', fix: 'Send the worklist query to an SCP that serves the Modality Worklist' },
  { sopClass: MPPS_SOP_CLASS, rule: 'mpps.not-supported', what: 'MPPS', does: 'Modality Performed Procedure Step (PS3.4 F.7)', so: 'report its procedure steps to it', setting: 'mppsService', fix: 'Send MPPS to an SCP that accepts it' },
] as const;

function notSupported(ctx: DiagnosisContext, out: Finding[]): void {
  for (const a of ctx.summary.associations) {
    for (const s of SERVICES) {
      const refused = a.presentationContexts.filter((pc) => pc.abstractSyntax === s.sopClass && pc.result !== null);
      if (a.midStream || refused.length === 0 || refused.some((pc) => pc.result === 0)) continue;
      const ac = ctx.pdusOfType(a.id, 'A-ASSOCIATE-AC');
      out.push({
        rule: s.rule, severity: 'error', time: ac.length ? ctx.summary.pdus[ac[0]].time : a.start,
        evidence: { associations: [a.id], messages: [], pdus: [...ctx.pdusOfType(a.id, 'A-ASSOCIATE-RQ'), ...ac] },
        title: `${q(a.acceptor.ae)} at ${hostPort(a.acceptor)} serves no ${s.what}: it refused the ${s.what} context of ${q(a.requestor.ae)}`,
        text: `The A-ASSOCIATE-AC of ${a.id} answers the presentation context of ${uidText(s.sopClass)} with ${refused[0].resultText ?? `result ${refused[0].result}`} (PS3.8 Table 9-18): ${q(a.acceptor.ae)} does not offer ${s.does}, so ${q(a.requestor.ae)} could not ${s.so}.`,
        fix: `${s.fix}, or enable it on ${q(a.acceptor.ae)}: ${worklistSetting(s.setting, ctx.productOf(a, 'acceptor'))}.`,
      });
    }
  }
  const { messages } = ctx.summary;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (ctx.kind[i] !== 1 || m.commandField !== CommandField.CFindRq || !isWorklistFind(m.affectedSopClass)) continue;
    const f = ctx.finalOf(i);
    const a = ctx.associations.get(m.association);
    if (f === null || messages[f].status !== SOP_CLASS_NOT_SUPPORTED || !a) continue;
    out.push({
      rule: 'worklist.not-supported', severity: 'error', time: messages[f].time, evidence: { associations: [a.id], messages: [i, f] },
      title: `${q(a.acceptor.ae)} refused the worklist query of ${q(a.requestor.ae)} (0x0122)`,
      text: `The ${messageLabel(m)} asked ${q(a.acceptor.ae)} for worklist items (${MWL}); the answer ${statusText(messages[f])} means it does not support the Modality Worklist model (PS3.7 Annex C, PS3.4 K.4).${messages[f].errorComment ? ` Error Comment: ${q(messages[f].errorComment)}.` : ''}`,
      fix: `Send the worklist query to an SCP that serves the Modality Worklist, or enable it on ${q(a.acceptor.ae)}: ${worklistSetting('worklistService', ctx.productOf(a, 'acceptor'))}.`,
    });
  }
}

/** The worklist items each SCP (host:port) answered in the capture, without repeats. */
function knownItems(ctx: DiagnosisContext): Map<string, KnownItem[]> {
  const out = new Map<string, KnownItem[]>();
  const seen = new Set<string>();
  const { messages } = ctx.summary;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.commandField !== CommandField.CFindRsp || m.statusCategory !== 'pending' || !isWorklistFind(m.affectedSopClass)) continue;
    const a = ctx.associations.get(m.association);
    const item = knownItem(m.identifier);
    if (!a || !item) continue;
    const where = hostPort(a.acceptor);
    const id = `${where}|${JSON.stringify(item)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const list = out.get(where);
    if (list) list.push(item);
    else out.set(where, [item]);
  }
  return out;
}

/** The SCP aborted right after a worklist query, answering nothing: it does not let this caller query (Orthanc: DicomAlwaysAllowFindWorklist). */
function callerRefused(ctx: DiagnosisContext, out: Finding[]): void {
  for (const a of ctx.summary.associations) {
    if (a.outcome !== 'aborted' || a.abort?.by !== 'acceptor' || a.abort.source === 2) continue;
    const ids = ctx.messagesOf.get(a.id) ?? [];
    const last = ids.length ? ctx.message(ids[ids.length - 1]) : null;
    const rq = ids.length ? ids[ids.length - 1] : -1;
    if (!last || last.commandField !== CommandField.CFindRq || !isWorklistFind(last.affectedSopClass) || ctx.responsesOf(rq).length > 0) continue;
    const abort = ctx.pdusOfType(a.id, 'A-ABORT');
    const scp = ctx.productOf(a, 'acceptor');
    out.push({
      rule: 'worklist.caller-refused', severity: 'error', time: abort.length ? ctx.summary.pdus[abort[0]].time : (a.end ?? last.time),
      evidence: { associations: [a.id], messages: [rq], pdus: abort },
      title: `${q(a.acceptor.ae)} aborted the worklist query of ${q(a.requestor.ae)} without answering it`,
      text: `The SCP ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)} accepted ${a.id}, read the ${messageLabel(last)} (${MWL}) and sent A-ABORT (${a.abort.text}, PS3.8 Table 9-26) instead of any C-FIND-RSP: it does not let ${q(a.requestor.ae)} query its worklist.${scp === 'orthanc' ? ' Orthanc answers worklist queries only from the modalities of its DicomModalities allowed to ("AllowFindWorklist"), unless "DicomAlwaysAllowFindWorklist" is true; its C-FIND settings for Query/Retrieve ("DicomAlwaysAllowFind") do not apply.' : ''}`,
      fix: `Let ${q(a.requestor.ae)} query the worklist of ${q(a.acceptor.ae)}: ${worklistSetting('worklistCallers', scp, { AE: a.requestor.ae })}; or register it there: ${setting('knownCaller', scp, callerValues(ctx, a))}.`,
    });
  }
}

function noMatch(ctx: DiagnosisContext, out: Finding[]): void {
  const { messages } = ctx.summary;
  let items: Map<string, KnownItem[]> | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (ctx.kind[i] !== 1 || m.commandField !== CommandField.CFindRq || !isWorklistFind(m.affectedSopClass)) continue;
    const f = ctx.finalOf(i);
    const a = ctx.associations.get(m.association);
    if (f === null || !a || messages[f].status !== 0x0000 || ctx.responsesOf(i).some((r) => messages[r].statusCategory === 'pending')) continue;
    const keys = worklistMatchingKeys(m.identifier);
    if (keys.length === 0) continue;
    items ??= knownItems(ctx);
    const known = items.get(hostPort(a.acceptor)) ?? [];
    const verdict = keyVerdicts(keys, known)[0];
    const evidence = { associations: [a.id], messages: [i, f] };
    const asked = list(keys.map((k) => `${k.path}=${q(k.value)}`), 8);
    const head = `The ${messageLabel(m)} asked ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)} for the worklist items with ${asked}; the answer was ${statusText(messages[f])} with no item (PS3.4 K.4.1.2.3, matching per C.2.2.2; the scheduled procedure step keys are in the Scheduled Procedure Step Sequence, K.6.1.2.2).`;
    if (!verdict) {
      out.push({
        rule: 'worklist.no-match', severity: 'info', time: messages[f].time, evidence,
        title: `The worklist query of ${q(a.requestor.ae)} matched no item`,
        text: `${head}${hints(ctx, a, keys)} No other worklist query of this capture shows what ${q(a.acceptor.ae)} has scheduled, so the key that left the items out (if any were scheduled) cannot be told.`,
        fix: `Query ${q(a.acceptor.ae)} with fewer matching keys (e.g. the date only) to see what it has scheduled, then correct the key that leaves the items out: for Scheduled Station AE Title, the station the RIS schedules for; for the date, the modality's clock and time zone.`,
      });
      continue;
    }
    const { key } = verdict;
    const values = [...new Set(verdict.excluded.map((it) => (key.inStep ? it.step : it.top)[key.keyword]).filter((v): v is string => v !== undefined))];
    const n = verdict.alone.length || verdict.excluded.length;
    const scu = scuProduct(ctx, a);
    const scp = scpProduct(ctx, a);
    const best = values[0] ?? '';
    const severity: Severity = 'warning';
    const isStation = key.keyword === 'ScheduledStationAETitle';
    const isDate = key.keyword === 'ScheduledProcedureStepStartDate';
    const fix = isStation
      ? `Query for ${q(best)}, the station the items are scheduled for: ${worklistSetting('queryKey', scu, { PATH: key.path, VALUE: best })}. Or schedule the exams for ${q(key.value)}: ${worklistSetting('scheduledStation', scp, { AE: key.value })}.`
      : isDate
        ? `Query the day the items are scheduled for, ${q(best)} (or a range): ${worklistSetting('queryKey', scu, { PATH: key.path, VALUE: best })}; if the modality asked for its own "today", set its clock and time zone right (NTP).`
        : `Query with ${key.path}=${q(best)}, or without that key: ${worklistSetting('queryKey', scu, { PATH: key.path, VALUE: best })}.`;
    out.push({
      rule: 'worklist.no-match', severity, time: messages[f].time, evidence,
      title: `The worklist query of ${q(a.requestor.ae)} found nothing: ${key.keyword} ${q(key.value)} left out ${n} item(s) ${isStation ? 'scheduled for' : 'with'} ${list(values.map(q), 3)}`,
      text: `${head} Other worklist queries of this capture show ${known.length} item(s) of ${q(a.acceptor.ae)}: ${verdict.alone.length ? `the key ${key.path}=${q(key.value)} alone left out ${verdict.alone.length} of them` : `the key ${key.path}=${q(key.value)} left out ${verdict.excluded.length} of them (other keys too)`}, whose ${key.keyword} is ${list(values.map(q), 3)}.${isStation && clean(a.requestor.ae) !== key.value ? ` (The modality calls itself ${q(a.requestor.ae)}.)` : ''}`,
      fix,
    });
  }
}

/** What the keys of an empty query suggest when no item is known: a station that is not the caller, a date that is not the capture's. */
function hints(ctx: DiagnosisContext, a: SummaryAssociation, keys: ReturnType<typeof worklistMatchingKeys>): string {
  const out: string[] = [];
  const station = keys.find((k) => k.keyword === 'ScheduledStationAETitle');
  if (station && a.requestor.ae !== null && station.value !== a.requestor.ae.trim()) out.push(` It asked for station ${q(station.value)} while it calls itself ${q(a.requestor.ae)}.`);
  const date = keys.find((k) => k.keyword === 'ScheduledProcedureStepStartDate' && /^\d{8}$/.test(k.value));
  const day = ctx.summary.source.start?.slice(0, 10).replace(/-/g, '');
  if (date && day && /^\d{8}$/.test(day) && date.value !== day) out.push(` It asked for the day ${q(date.value)}; the capture was made on ${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)} (UTC).`);
  return out.join('');
}

/** An MPPS procedure step as the capture shows it: its N-CREATE and each N-SET (request, final response). */
interface Step {
  uid: string;
  create: number | null;
  createRsp: number | null;
  sets: { rq: number; rsp: number | null }[];
}

function mppsSteps(ctx: DiagnosisContext): Map<string, Step> {
  const steps = new Map<string, Step>();
  const get = (uid: string): Step => {
    let s = steps.get(uid);
    if (!s) steps.set(uid, (s = { uid, create: null, createRsp: null, sets: [] }));
    return s;
  };
  const { messages } = ctx.summary;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (ctx.kind[i] !== 1) continue;
    if (m.commandField === CommandField.NCreateRq && isMpps(m.affectedSopClass)) {
      const f = ctx.finalOf(i);
      const uid = clean(m.affectedSopInstance) ?? (f === null ? null : clean(messages[f].affectedSopInstance));
      if (!uid) continue;
      const s = get(uid);
      if (s.create === null || (s.createRsp !== null && messages[s.createRsp].statusCategory !== 'success')) Object.assign(s, { create: i, createRsp: f });
    } else if (m.commandField === CommandField.NSetRq && isMpps(m.requestedSopClass)) {
      const uid = clean(m.requestedSopInstance);
      if (uid) get(uid).sets.push({ rq: i, rsp: ctx.finalOf(i) });
    }
  }
  return steps;
}

const ok = (ctx: DiagnosisContext, rsp: number | null): boolean => rsp !== null && ctx.message(rsp).statusCategory === 'success';

function mpps(ctx: DiagnosisContext, out: Finding[]): void {
  const steps = mppsSteps(ctx);
  const { messages } = ctx.summary;
  // Per calling AE, the N-CREATEs in wire order: the next one after a step's is a binary search away (no scan per step).
  const createsBy = new Map<string, Step[]>();
  for (const s of [...steps.values()].filter((x) => x.create !== null).sort((x, y) => x.create! - y.create!)) {
    const ae = ctx.associations.get(messages[s.create!].association)?.requestor.ae ?? '';
    const list = createsBy.get(ae);
    if (list) list.push(s);
    else createsBy.set(ae, [s]);
  }
  const nextCreate = (ae: string, after: number): Step | undefined => {
    const list = createsBy.get(ae) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].create! <= after) lo = mid + 1;
      else hi = mid;
    }
    return list[lo];
  };
  for (const s of steps.values()) {
    let finalSet: { rq: number; status: string } | null = null;
    for (const set of s.sets) {
      const rq = messages[set.rq];
      const rsp = set.rsp === null ? null : messages[set.rsp];
      const a = ctx.associations.get(rq.association);
      if (!a) continue;
      const evidence = { associations: [a.id], messages: set.rsp === null ? [set.rq] : [set.rq, set.rsp] };
      if (rsp?.status === NO_SUCH_SOP_INSTANCE) out.push(noSuchInstance(ctx, s, rq, rsp, a, evidence));
      else if (rsp && (finalSet || (rsp.status === 0x0110 && /no longer be updated/i.test(rsp.errorComment ?? '')))) out.push(afterFinal(ctx, s, rq, rsp, a, finalSet, evidence));
      const status = ppsStatus(rq.identifier);
      if (!finalSet && status && FINAL_PPS_STATUSES.has(status) && ok(ctx, set.rsp)) finalSet = { rq: set.rq, status };
    }
    if (s.create === null || !ok(ctx, s.createRsp) || finalSet) continue;
    const create = messages[s.create];
    const a = ctx.associations.get(create.association);
    if (!a) continue;
    const later = nextCreate(a.requestor.ae ?? '', s.create);
    if (!later && !ctx.complete) continue;
    const pending = s.sets.filter((x) => x.rsp === null).length;
    out.push({
      rule: 'mpps.never-completed', severity: later ? 'warning' : 'info', time: later ? messages[later.create!].time : ctx.lastTime,
      evidence: { associations: [a.id, ...(later ? [messages[later.create!].association] : [])].filter((x, k, all) => all.indexOf(x) === k), messages: [s.create, s.createRsp!, ...(later ? [later.create!] : [])] },
      title: later
        ? `${q(a.requestor.ae)} started another procedure step without ending ${s.uid}: it stays IN PROGRESS`
        : `Procedure step ${s.uid} of ${q(a.requestor.ae)} was still IN PROGRESS when the capture ended`,
      text: `The ${messageLabel(create)} created the Modality Performed Procedure Step ${s.uid} with status IN PROGRESS at ${q(a.acceptor.ae)} (PS3.4 F.7.2.1); no N-SET set it to COMPLETED or DISCONTINUED${pending ? ` (an N-SET got no answer)` : ''}${later ? `, and ${q(a.requestor.ae)} created the next one with the ${messageLabel(messages[later.create!])}. The RIS shows the first exam in progress for ever: not billed, not released for reading` : ' before the capture ended; the exam may still be running'} (PS3.4 F.7.2.2).`,
      fix: `End every procedure step on the modality ${q(a.requestor.ae)}: an N-SET of ${s.uid} with Performed Procedure Step Status COMPLETED (or DISCONTINUED, with a reason), as the last step of the exam${ctx.productOf(a, 'requestor') === 'pacscope' ? ` (pacscope mpps set --uid ${s.uid} --completed)` : ''}; meanwhile complete it by hand on ${q(a.acceptor.ae)}.`,
    });
  }
}

function noSuchInstance(ctx: DiagnosisContext, s: Step, rq: SummaryMessage, rsp: SummaryMessage, a: SummaryAssociation, evidence: Finding['evidence']): Finding {
  const create = s.create === null ? null : ctx.message(s.create);
  const createdAt = create ? ctx.associations.get(create.association) : undefined;
  const elsewhere = createdAt && hostPort(createdAt.acceptor) !== hostPort(a.acceptor);
  const failed = create && !ok(ctx, s.createRsp);
  const why = !create
    ? `No N-CREATE of ${s.uid} is in this capture: it was sent before, to another MPPS SCP, or never (PS3.4 F.7.2.1: a procedure step exists once an N-CREATE made it).`
    : elsewhere
      ? `Its N-CREATE (${messageLabel(create)}) went to ${q(createdAt!.acceptor.ae)} at ${hostPort(createdAt!.acceptor)}; the N-SET went to ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)}, which never had it.`
      : failed
        ? `Its N-CREATE (${messageLabel(create)}) was refused with ${statusText(ctx.message(s.createRsp!))}, so there was nothing to update.`
        : `Its N-CREATE (${messageLabel(create)}) succeeded at the same SCP: the SCP lost it (restarted without keeping its state?).`;
  if (create) evidence = { associations: [...new Set([...(createdAt ? [createdAt.id] : []), ...evidence.associations])], messages: [s.create!, ...evidence.messages] };
  return {
    rule: 'mpps.no-such-instance', severity: 'error', time: rsp.time, evidence,
    title: `${q(a.acceptor.ae)} has no procedure step ${s.uid}: N-SET refused (0x0112)`,
    text: `The ${messageLabel(rq)} of ${q(a.requestor.ae)} asked to set Modality Performed Procedure Step ${s.uid}${ppsStatus(rq.identifier) ? ` to ${ppsStatus(rq.identifier)}` : ''}; ${q(a.acceptor.ae)} answered ${statusText(rsp)}${rsp.errorComment ? ` (${q(rsp.errorComment)})` : ''} (PS3.7 Annex C, PS3.4 F.7.2.2). ${why}`,
    fix: `Send the N-CREATE (IN PROGRESS) of a procedure step, then its N-SET, to the same MPPS SCP${elsewhere ? ` (${q(createdAt!.acceptor.ae)}, which has it)` : ''}: ${worklistSetting('mppsDestination', ctx.productOf(a, 'requestor'), { AE: elsewhere ? createdAt!.acceptor.ae : a.acceptor.ae })}.`,
  };
}

function afterFinal(ctx: DiagnosisContext, s: Step, rq: SummaryMessage, rsp: SummaryMessage, a: SummaryAssociation, finalSet: { rq: number; status: string } | null, evidence: Finding['evidence']): Finding {
  const accepted = rsp.statusCategory === 'success';
  const before = finalSet ? `the ${messageLabel(ctx.message(finalSet.rq))} had already set it to ${finalSet.status}` : `it was already COMPLETED or DISCONTINUED before this capture`;
  if (finalSet) evidence = { associations: [...new Set([ctx.message(finalSet.rq).association, ...evidence.associations])], messages: [finalSet.rq, ...evidence.messages] };
  return {
    rule: 'mpps.set-after-final', severity: accepted ? 'warning' : 'error', time: rsp.time, evidence,
    title: accepted
      ? `${q(a.acceptor.ae)} accepted an N-SET of procedure step ${s.uid} after it was final`
      : `N-SET of procedure step ${s.uid} refused: it is final (${statusText(rsp)})`,
    text: `The ${messageLabel(rq)} of ${q(a.requestor.ae)} asked to set Modality Performed Procedure Step ${s.uid}${ppsStatus(rq.identifier) ? ` to ${ppsStatus(rq.identifier)}` : ''}, but ${before}: a procedure step COMPLETED or DISCONTINUED may no longer be updated (PS3.4 F.7.2.2.2). ${accepted ? `${q(a.acceptor.ae)} nevertheless answered ${statusText(rsp)}: it should have refused with 0x0110 (F.7.2.2.4), and the record of what was performed has changed.` : `${q(a.acceptor.ae)} answered ${statusText(rsp)}${rsp.errorComment ? ` with Error Comment ${q(rsp.errorComment)}` : ''}, as the standard says (F.7.2.2.4).`}`,
    fix: accepted
      ? `Make ${q(a.acceptor.ae)} refuse N-SETs of final procedure steps (PS3.4 F.7.2.2.4), and the modality ${q(a.requestor.ae)} send one final N-SET per procedure step.`
      : `Send one final N-SET per procedure step from the modality ${q(a.requestor.ae)} (COMPLETED or DISCONTINUED, once); to change a finished exam, correct it on the RIS ${q(a.acceptor.ae)}, or start a new procedure step (N-CREATE).`,
  };
}

export const worklistMppsRules: RuleFamily = {
  name: 'worklist-mpps',
  catalogue: [
    { id: 'worklist.not-supported', severity: 'error', summary: 'The SCP refused the Modality Worklist Information Model – FIND context (or answered 0x0122): it serves no worklist' },
    { id: 'worklist.caller-refused', severity: 'error', summary: "The SCP aborted right after a worklist query, answering nothing: it does not let this caller query its worklist (Orthanc's DicomAlwaysAllowFindWorklist)" },
    { id: 'worklist.no-match', severity: 'warning', summary: 'A worklist query matched no item; the key that left out the items the same SCP showed elsewhere in the capture (Scheduled Station AE Title, date…), with their values (info when no item is known)' },
    { id: 'mpps.not-supported', severity: 'error', summary: 'The SCP refused the Modality Performed Procedure Step context: it accepts no MPPS (Orthanc 1.10, a PACS instead of the RIS)' },
    { id: 'mpps.no-such-instance', severity: 'error', summary: 'An MPPS N-SET answered 0x0112: the SCP has no such procedure step (its N-CREATE went elsewhere, failed or was never sent)' },
    { id: 'mpps.set-after-final', severity: 'error', summary: 'An MPPS N-SET of a procedure step already COMPLETED or DISCONTINUED: refused with 0x0110 (warning when the SCP accepted it)' },
    { id: 'mpps.never-completed', severity: 'warning', summary: 'An MPPS procedure step created IN PROGRESS and never COMPLETED or DISCONTINUED while the station went on to the next (info when the capture ended first)' },
  ],
  run(ctx, out) {
    notSupported(ctx, out);
    callerRefused(ctx, out);
    noMatch(ctx, out);
    mpps(ctx, out);
  },
};
