/**
 * Storage Commitment Push Model (PS3.4 Annex J; SOP Class
 * 1.2.840.10008.1.20.1, well-known SOP Instance 1.2.840.10008.1.20.1.1):
 * what its N-ACTION-RQ (Action Type 1, "Request Storage Commitment", J.3.2)
 * and N-EVENT-REPORT-RQ (Event Type 1 "all committed" / 2 "failures exist",
 * J.3.3) carry, read from a decoded data set (keyword → value, as in
 * SummaryMessage.identifier), and the same facts in words for the edges
 * (the diagram's labels, `pacscope summary`, the diagnosis). Tables as data;
 * pure; odd data sets give empty facts, never an exception.
 */

export const STORAGE_COMMITMENT_PUSH_MODEL = '1.2.840.10008.1.20.1';
/** The well-known SOP Instance of the Push Model (PS3.4 J.3.1): the Requested/Affected SOP Instance of both messages. */
export const STORAGE_COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';
/** Action Type ID (0000,1008) of the N-ACTION-RQ: Request Storage Commitment (PS3.4 J.3.2, Table J.3-1). */
export const REQUEST_STORAGE_COMMITMENT = 1;

/** Event Type ID (0000,1002) of the N-EVENT-REPORT-RQ (PS3.4 J.3.3, Table J.3-2). */
export const CommitmentEvent = Object.freeze({ AllCommitted: 1, FailuresExist: 2 });

export const EVENT_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'storage commitment request successful'],
  [2, 'storage commitment request complete, failures exist'],
]);

/** Failure Reason (0008,1197) in the Failed SOP Sequence (PS3.4 J.3.3.1.1; PS3.3 C.14.1.1). */
export const FAILURE_REASONS: ReadonlyMap<number, string> = new Map([
  [0x0110, 'processing failure'],
  [0x0112, 'no such object instance'],
  [0x0213, 'resource limitation'],
  [0x0122, 'referenced SOP class not supported'],
  [0x0119, 'class / instance conflict'],
  [0x0131, 'duplicate transaction UID'],
]);

/** One referenced SOP instance (Referenced SOP Sequence / Failed SOP Sequence item). */
export interface CommitmentInstance {
  sopClass: string | null;
  sopInstance: string | null;
  /** Failure Reason (0008,1197) of a failed one; null otherwise. */
  failureReason: number | null;
}

export interface CommitmentFacts {
  /** Transaction UID (0008,1195): ties the report to its request (PS3.4 J.3.3). */
  transactionUid: string | null;
  /** Referenced SOP Sequence (0008,1199): the instances to commit (N-ACTION) or committed (N-EVENT-REPORT). */
  referenced: CommitmentInstance[];
  /** Failed SOP Sequence (0008,1198) of an N-EVENT-REPORT of Event Type 2. */
  failed: CommitmentInstance[];
}

/** What a message must say for its commitment facts to be read (a SummaryMessage or a decoder's message). */
export interface CommitmentMessage {
  commandField: number;
  requestedSopClass: string | null;
  affectedSopClass: string | null;
  actionTypeId: number | null;
  eventTypeId: number | null;
  identifier: Record<string, unknown> | null;
}

const N_ACTION_RQ = 0x0130;
const N_EVENT_REPORT_RQ = 0x0100;
const RESPONSE = 0x8000;

const text = (v: unknown): string | null => {
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string') return null;
  const t = s.replace(/[\0 ]+$/, '').trim();
  return t === '' ? null : t;
};

const reasonOf = (v: unknown): number | null => {
  const n = Array.isArray(v) ? v[0] : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : typeof n === 'string' && /^\d+$/.test(n.trim()) ? Number(n) : null;
};

/** The items of a sequence as naturalized (a list of objects; one object when a reader collapsed a single item). */
function items(v: unknown): Record<string, unknown>[] {
  const list = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? [v] : [];
  return list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

function instances(v: unknown): CommitmentInstance[] {
  return items(v).map((i) => ({ sopClass: text(i.ReferencedSOPClassUID), sopInstance: text(i.ReferencedSOPInstanceUID), failureReason: reasonOf(i.FailureReason) }));
}

/** The facts of a Storage Commitment data set (any other data set gives no transaction and no instances). */
export function commitmentFacts(identifier: Record<string, unknown> | null | undefined): CommitmentFacts {
  if (!identifier || typeof identifier !== 'object') return { transactionUid: null, referenced: [], failed: [] };
  return { transactionUid: text(identifier.TransactionUID), referenced: instances(identifier.ReferencedSOPSequence), failed: instances(identifier.FailedSOPSequence) };
}

/** The message is one of the Push Model (by its SOP class; a message without any SOP class counts, a response may omit it). */
export function isCommitmentMessage(m: Pick<CommitmentMessage, 'requestedSopClass' | 'affectedSopClass'>): boolean {
  const sop = (m.requestedSopClass ?? m.affectedSopClass)?.replace(/[\0 ]+$/, '') ?? null;
  return sop === null || sop === STORAGE_COMMITMENT_PUSH_MODEL;
}

/** An N-ACTION-RQ requesting storage commitment (PS3.4 J.3.2). */
export const isCommitmentRequest = (m: CommitmentMessage): boolean =>
  m.commandField === N_ACTION_RQ && m.actionTypeId === REQUEST_STORAGE_COMMITMENT && (m.requestedSopClass ?? '').replace(/[\0 ]+$/, '') === STORAGE_COMMITMENT_PUSH_MODEL;

/** An N-EVENT-REPORT-RQ reporting a storage commitment result (PS3.4 J.3.3). */
export const isCommitmentReport = (m: CommitmentMessage): boolean =>
  m.commandField === N_EVENT_REPORT_RQ && m.eventTypeId !== null && EVENT_TYPES.has(m.eventTypeId) && (m.affectedSopClass ?? '').replace(/[\0 ]+$/, '') === STORAGE_COMMITMENT_PUSH_MODEL;

/** "0x0112 no such object instance" */
export function failureReasonText(reason: number | null): string {
  if (reason === null) return 'no reason given';
  const hex = `0x${reason.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${hex} ${FAILURE_REASONS.get(reason) ?? 'unknown reason'}`;
}

/** Failed instances grouped by reason: "2 × 0x0112 no such object instance". */
export function failureCounts(failed: readonly CommitmentInstance[]): string {
  const by = new Map<number | null, number>();
  for (const f of failed) by.set(f.failureReason, (by.get(f.failureReason) ?? 0) + 1);
  return [...by].map(([reason, n]) => `${n} × ${failureReasonText(reason)}`).join(', ');
}

export interface CommitmentWords {
  transactionUid: string | null;
  /** "3 instances", "all 3 committed", "1 committed, 2 failed: 2 × 0x0112 no such object instance". */
  text: string;
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * The facts of a Push Model request or report in words, for a label; null
 * for any other message (responses carry no data set in this SOP class).
 */
export function commitmentWords(m: CommitmentMessage): CommitmentWords | null {
  if ((m.commandField & RESPONSE) !== 0 || !isCommitmentMessage(m)) return null;
  const facts = commitmentFacts(m.identifier);
  if (m.commandField === N_ACTION_RQ && m.actionTypeId === REQUEST_STORAGE_COMMITMENT) {
    return { transactionUid: facts.transactionUid, text: `commit ${plural(facts.referenced.length, 'instance')}` };
  }
  if (m.commandField === N_EVENT_REPORT_RQ && m.eventTypeId !== null && EVENT_TYPES.has(m.eventTypeId)) {
    const committed = facts.referenced.length;
    if (m.eventTypeId === CommitmentEvent.AllCommitted && facts.failed.length === 0) return { transactionUid: facts.transactionUid, text: `event 1: all ${committed} committed` };
    return { transactionUid: facts.transactionUid, text: `event ${m.eventTypeId}: ${committed} committed, ${facts.failed.length} failed${facts.failed.length ? ` (${failureCounts(facts.failed)})` : ''}` };
  }
  return null;
}

/**
 * The arrow label of a Push Model request or report (null for any other
 * message): "N-ACTION-RQ #1 commit 3 · txn 2.25.3161…582",
 * "N-EVENT-REPORT-RQ #1 all 3 committed · txn …", "N-EVENT-REPORT-RQ #1
 * failures: 2 committed, 1 failed (0x0112) · txn …". `short` shortens a UID.
 */
export function commitmentLabel(m: CommitmentMessage & { messageId: number | null }, short: (uid: string) => string): string | null {
  if ((m.commandField & RESPONSE) !== 0 || !isCommitmentMessage(m)) return null;
  const facts = commitmentFacts(m.identifier);
  const id = m.messageId !== null ? ` #${m.messageId}` : '';
  const txn = facts.transactionUid ? ` · txn ${short(facts.transactionUid)}` : '';
  if (m.commandField === N_ACTION_RQ && m.actionTypeId === REQUEST_STORAGE_COMMITMENT) return `N-ACTION-RQ${id} commit ${facts.referenced.length}${txn}`;
  if (m.commandField !== N_EVENT_REPORT_RQ || m.eventTypeId === null || !EVENT_TYPES.has(m.eventTypeId)) return null;
  const committed = facts.referenced.length;
  if (m.eventTypeId === CommitmentEvent.AllCommitted && facts.failed.length === 0) return `N-EVENT-REPORT-RQ${id} all ${committed} committed${txn}`;
  const reasons = [...new Set(facts.failed.map((f) => (f.failureReason === null ? '?' : `0x${f.failureReason.toString(16).toUpperCase().padStart(4, '0')}`)))];
  return `N-EVENT-REPORT-RQ${id} failures: ${committed} committed, ${facts.failed.length} failed${reasons.length ? ` (${reasons.join(', ')})` : ''}${txn}`;
}
