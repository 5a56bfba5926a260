/**
 * Summaries of every earlier version read as the current one: one step per
 * version (`convert_N_N+1`), applied in a chain, each tested on frozen files
 * of its version (test/fixtures/summary/). The only place that knows an old
 * shape: nothing else emulates old summaries (docs/summary-json.md,
 * "Versions").
 *
 *   const summary = migrateSummary(JSON.parse(text));   // throws a clear Error for what is no summary
 */
import type { Side } from '../capture/wire-event.ts';
import { CommandField, commandFieldOf, isResponseField } from '../dimse/command-fields.ts';
import type { DimseMessage } from '../dimse/types.ts';
import type { Pdu } from '../pdu/types.ts';
import { Correlator, type Correlation } from './correlator.ts';
import { SUMMARY_VERSION, type AssociationOutcome, type LinkEvidence, type Summary } from './summary-types.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/**
 * Version 1 → 2: commands and statuses numeric (`command` "C-MOVE-RQ" →
 * `commandField` 0x0021, `status` "0xFF00" → 0xFF00, `statusMeaning` dropped:
 * the views word it); the links as one typed `cause` (an association's
 * `parent`/`parentRequest`/`parentEvidence` → `cause` {relation "c-move"};
 * a message's `cause` index → {relation "c-get" or "c-cancel"}); fields that
 * version 1 added over its life (`closedFirst`, `commandSetDataElements`,
 * `nonConformance`) present, null where the file had none; `tls` null (version 1 had no TLS). A version 1 file
 * written before the correlator existed has no links: the linkers find them
 * from the facts it holds (`relinked`), the same code as a decoding.
 */
function convert_1_2(s: Json): Json {
  const messages = list(s.messages);
  const moveRequests = new Map<string, number>();
  messages.forEach((m, i) => {
    if (m.command === 'C-MOVE-RQ' && typeof m.messageId === 'number') moveRequests.set(`${m.association}#${m.messageId}`, i);
  });
  const associations = list(s.associations).map((a) => {
    const { parent, parentRequest, parentEvidence, ...rest } = a as Json & { parent?: { association: string; messageId: number } | null; parentRequest?: number | null; parentEvidence?: LinkEvidence | null };
    let cause = null;
    if (parent && typeof parent === 'object') {
      const message = typeof parentRequest === 'number' ? parentRequest : moveRequests.get(`${parent.association}#${parent.messageId}`);
      if (message !== undefined) cause = { relation: 'c-move', association: parent.association, message, evidence: parentEvidence ?? 'ae-title-and-time' };
    }
    return { ...rest, closedFirst: rest.closedFirst ?? null, cause, tls: null };
  });
  const converted: Json[] = messages.map((m) => {
    const { command, status, statusMeaning: _meaning, cause, ...rest } = m;
    const commandField = typeof command === 'string' ? commandFieldOf(command) : null;
    if (commandField === null) throw new Error(`a version 1 message has an unknown command ${JSON.stringify(command)}`);
    const code = typeof status === 'string' && /^0x[0-9a-f]{1,4}$/i.test(status) ? Number.parseInt(status.slice(2), 16) : null;
    const relation = commandField === CommandField.CCancelRq ? 'c-cancel' : 'c-get';
    return {
      ...rest,
      commandField,
      status: code,
      requestedSopClass: rest.requestedSopClass ?? null,
      requestedSopInstance: rest.requestedSopInstance ?? null,
      eventTypeId: rest.eventTypeId ?? null,
      actionTypeId: rest.actionTypeId ?? null,
      commandSetDataElements: rest.commandSetDataElements ?? null,
      nonConformance: rest.nonConformance ?? null,
      cause: typeof cause === 'number' ? { relation, message: cause } : null,
    };
  });
  const out = { ...s, version: 2, associations, messages: converted };
  // Written before version 1 had links (no `parentEvidence` anywhere): the linkers find them now, from the facts the file holds.
  const unlinked = list(s.associations).every((a) => !('parentEvidence' in a));
  return unlinked ? relinked(out) : out;
}

/**
 * The links of a summary whose file had none, found by the same linkers as
 * a decoding (../correlator.ts), fed with the facts the summary holds: each
 * association's opening (its AE titles) and end, each message — in time
 * order, as the wire had them.
 */
function relinked(s: Json): Json {
  const associations = list(s.associations);
  const messages = list(s.messages);
  type Step = { time: number; order: number; run: (c: Correlator) => void };
  const steps: Step[] = [];
  const causes = new Map<string, unknown>();
  const links: { request: number | null; cause: unknown }[] = messages.map(() => ({ request: null, cause: null }));
  associations.forEach((a, i) => {
    const id = String(a.id);
    const start = Number(a.start);
    const requestor = a.requestor as Json;
    const acceptor = a.acceptor as Json;
    const endpoints = { requestor: { host: String(requestor.host), port: Number(requestor.port) }, acceptor: { host: String(acceptor.host), port: Number(acceptor.port) } };
    const take = (c: Correlation) => c.associations.forEach((x) => causes.set(x.association, x.cause));
    if (a.outcome === 'refused') {
      steps.push({ time: start, order: i, run: (c) => take(c.push({ type: 'connection.refused', association: id, conn: i, time: start * 1000, ...endpoints, reason: '' })) });
      return;
    }
    steps.push({ time: start, order: i, run: (c) => take(c.push({ type: 'connection.open', association: id, conn: i, time: start * 1000, ...endpoints, midStream: a.midStream === true })) });
    if (requestor.ae !== null || acceptor.ae !== null) {
      // The A-ASSOCIATE-RQ as far as the linkers read it: AE titles and the abstract syntaxes proposed.
      const presentationContexts = list(a.presentationContexts).map((pc) => ({ id: Number(pc.id), abstractSyntax: typeof pc.abstractSyntax === 'string' ? pc.abstractSyntax : null, transferSyntaxes: [] }));
      const pdu = { pduType: 0x01, callingAeTitle: String(requestor.ae ?? ''), calledAeTitle: String(acceptor.ae ?? ''), presentationContexts } as unknown as Pdu;
      steps.push({ time: start, order: i, run: (c) => take(c.push({ type: 'pdu', association: id, time: start * 1000, from: 'requestor', pdu })) });
    }
    if (typeof a.end === 'number') {
      const end = a.end;
      steps.push({ time: end, order: associations.length + messages.length + i, run: (c) => take(c.push({ type: 'association.end', association: id, time: end * 1000, outcome: a.outcome as AssociationOutcome, reason: null })) });
    }
  });
  messages.forEach((m, i) => {
    const message = { ...m, isResponse: isResponseField(Number(m.commandField)), dataSet: null } as unknown as DimseMessage;
    const time = Number(m.time);
    steps.push({
      time,
      order: associations.length + i,
      run: (c) => {
        const out = c.push({ type: 'dimse', association: String(m.association), time: time * 1000, from: m.side as Side, message });
        out.associations.forEach((x) => causes.set(x.association, x.cause));
        links[i] = { request: out.message?.request ?? null, cause: out.message?.cause ?? null };
      },
    });
  });
  steps.sort((x, y) => x.time - y.time || x.order - y.order);
  const correlator = new Correlator();
  for (const step of steps) step.run(correlator);
  return {
    ...s,
    associations: associations.map((a) => ({ ...a, cause: causes.get(String(a.id)) ?? null })),
    messages: messages.map((m, i) => ({ ...m, request: links[i].request, cause: links[i].cause })),
  };
}

/** Step from version N to N+1, by N. */
const STEPS: Readonly<Record<number, (s: Json) => Json>> = { 1: convert_1_2 };

/** A summary of any version as the current one; an Error naming what is wrong for anything else. */
export function migrateSummary(json: unknown): Summary {
  if (!isObject(json) || !Array.isArray(json.associations) || !Array.isArray(json.messages)) {
    throw new Error('not a pacscope summary (expected an object with "associations" and "messages")');
  }
  let s: Json = json;
  let version = typeof s.version === 'number' ? s.version : 1;
  if (version > SUMMARY_VERSION) throw new Error(`summary version ${version} is newer than this pacscope reads (${SUMMARY_VERSION}): update pacscope`);
  while (version < SUMMARY_VERSION) {
    const step = STEPS[version];
    if (!step) throw new Error(`no migration from summary version ${version}`);
    s = step(s);
    version += 1;
  }
  return { ...s, pdus: Array.isArray(s.pdus) ? s.pdus : [], errors: Array.isArray(s.errors) ? s.errors : [] } as unknown as Summary;
}
