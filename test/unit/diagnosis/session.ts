/**
 * Test helper: hand-made Summary objects for the diagnosis rules — readable
 * flows (associations with their PDUs, DIMSE messages with statuses and
 * counters) without going through bytes. Times advance by 0.01 s per event
 * unless given. Status categories come from the real table
 * (shared/dimse/status.ts); the links between messages (a response's
 * request, a C-GET's C-STOREs, a C-CANCEL) are found by the real response
 * matcher and linkers (shared/model/), as a decoded session would have them.
 * Statuses and commands are given as people write them ("0xFF00",
 * "C-MOVE-RSP") and stored as the model's numbers.
 */
import type { Summary, SummaryAssociation, SummaryMessage, SummaryPresentationContext } from '../../../shared/model/summary-types.ts';
import { statusInfo } from '../../../shared/dimse/status.ts';
import { commandFieldOf, isResponseField } from '../../../shared/dimse/command-fields.ts';
import type { DimseMessage } from '../../../shared/dimse/types.ts';
import { ResponseMatcher } from '../../../shared/model/responses.ts';
import { defaultLinkers } from '../../../shared/model/linkers/registry.ts';
import { uidName } from '../../../shared/dicom/uids.ts';

export const UID = {
  verification: '1.2.840.10008.1.1',
  studyFind: '1.2.840.10008.5.1.4.1.2.2.1',
  studyMove: '1.2.840.10008.5.1.4.1.2.2.2',
  studyGet: '1.2.840.10008.5.1.4.1.2.2.3',
  patientMove: '1.2.840.10008.5.1.4.1.2.1.2',
  ct: '1.2.840.10008.5.1.4.1.1.2',
  mr: '1.2.840.10008.5.1.4.1.1.4',
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  bigEndian: '1.2.840.10008.1.2.2',
} as const;

export interface ContextSpec {
  abstractSyntax: string;
  /** PS3.8 Table 9-18 result; default 0 (accepted). */
  result?: number | null;
  transferSyntaxes?: string[];
}

export interface AssociationSpec {
  calling: string | null;
  called: string | null;
  start?: number;
  contexts?: ContextSpec[];
  /** [result, source, reason] of an A-ASSOCIATE-RJ. */
  reject?: [number, number, number];
  roles?: SummaryAssociation['roles'];
  maxPdu?: { requestor: number | null; acceptor: number | null };
  requestor?: { host: string; port: number };
  acceptor?: { host: string; port: number };
  parent?: { association: string; messageId: number; request: number };
  midStream?: boolean;
  /** A refused TCP connection (no PDU at all). */
  refused?: boolean;
  /** 'none': no PDU at all; 'request': the A-ASSOCIATE-RQ only (never answered). */
  pdus?: 'none' | 'request';
  /** Implementation Class UID / Version Name each side sent (default none). */
  impl?: { requestor?: Implementation; acceptor?: Implementation };
}

export interface Implementation {
  classUid: string | null;
  versionName: string | null;
}

/** What real peers send (observed: Orthanc 1.10, dcmqrscp, storescp and the DCMTK tools all send DCMTK's). */
export const IMPL = {
  dcmtk: { classUid: '1.2.276.0.7230010.3.0.3.6.7', versionName: 'OFFIS_DCMTK_367' },
  dcmjs: { classUid: '1.2.826.0.1.3680043.10.854', versionName: 'DCMJS-DIMSE-V0.2' },
} as const satisfies Record<string, Implementation>;

export type MessageSpec = Partial<Omit<SummaryMessage, 'association' | 'commandField' | 'status'>> & { status?: string };

const RESULT_TEXT: Record<number, string> = { 0: 'acceptance', 1: 'user-rejection', 2: 'no-reason (provider rejection)', 3: 'abstract-syntax-not-supported (provider rejection)', 4: 'transfer-syntaxes-not-supported (provider rejection)' };

export class Session {
  clock = 0;
  readonly summary: Summary = { version: 2, source: { path: 'test', format: 'test', start: null }, associations: [], pdus: [], messages: [], errors: [] };
  private port = 40000;
  private readonly responses = new ResponseMatcher();
  private readonly linkers = defaultLinkers();

  private tick(at?: number): number {
    if (at !== undefined) this.clock = at;
    else this.clock = Math.round((this.clock + 0.01) * 1e6) / 1e6;
    return this.clock;
  }

  assoc(id: string): SummaryAssociation {
    const a = this.summary.associations.find((x) => x.id === id);
    if (!a) throw new Error(`no association ${id}`);
    return a;
  }

  /** Opens an association (A-ASSOCIATE-RQ, then -AC or -RJ); returns its id. */
  open(spec: AssociationSpec): string {
    const id = `a${this.summary.associations.length + 1}`;
    const start = this.tick(spec.start);
    const contexts: SummaryPresentationContext[] = (spec.contexts ?? [{ abstractSyntax: UID.verification }]).map((c, i) => {
      const result = spec.reject || spec.refused ? null : c.result === undefined ? 0 : c.result;
      const ts = c.transferSyntaxes ?? [UID.explicit, UID.implicit];
      return { id: 2 * i + 1, abstractSyntax: c.abstractSyntax, abstractSyntaxName: uidName(c.abstractSyntax), transferSyntaxes: ts, result, resultText: result === null ? null : RESULT_TEXT[result], transferSyntax: result === 0 ? ts[0] : null };
    });
    const a: SummaryAssociation = {
      id,
      requestor: { ae: spec.refused ? null : spec.calling, ...(spec.requestor ?? { host: '127.0.0.1', port: this.port++ }) },
      acceptor: { ae: spec.refused ? null : spec.called, ...(spec.acceptor ?? { host: '127.0.0.1', port: 11112 }) },
      outcome: spec.refused ? 'refused' : spec.reject ? 'rejected' : 'open',
      midStream: spec.midStream ?? false,
      reject: spec.reject ? { result: spec.reject[0], source: spec.reject[1], reason: spec.reject[2], text: `rj ${spec.reject.join('/')}` } : null,
      abort: null,
      closeReason: spec.refused ? 'connection refused (RST)' : null,
      presentationContexts: spec.refused ? [] : contexts,
      roles: spec.roles ?? [],
      maxPdu: spec.maxPdu ?? { requestor: 16384, acceptor: 16384 },
      implementation: { requestor: { ...(spec.impl?.requestor ?? { classUid: null, versionName: null }) }, acceptor: { ...(spec.impl?.acceptor ?? { classUid: null, versionName: null }) } },
      userIdentity: null,
      asyncOperationsWindow: { requestor: null, acceptor: null },
      start,
      end: spec.refused ? start : null,
      closedFirst: null,
      cause: spec.parent ? { relation: 'c-move', association: spec.parent.association, message: spec.parent.request, evidence: 'move-originator' } : null,
      tls: null,
    };
    this.summary.associations.push(a);
    // A refused connection is linked by the real C-MOVE linker (by timing), as a decoded session would have it.
    if (spec.refused && !spec.parent) for (const linker of this.linkers) for (const c of linker.connection?.(id, start * 1000, true) ?? []) a.cause = c.cause;
    if (spec.refused || spec.midStream || spec.pdus === 'none') return id;
    this.pdu(id, 'requestor', 'A-ASSOCIATE-RQ', start);
    if (spec.pdus === 'request') return id;
    if (spec.reject) {
      a.end = this.tick();
      this.pdu(id, 'acceptor', 'A-ASSOCIATE-RJ', a.end);
    } else this.pdu(id, 'acceptor', 'A-ASSOCIATE-AC', this.tick());
    return id;
  }

  pdu(association: string, from: 'requestor' | 'acceptor', type: string, time = this.tick(), length = 100): number {
    this.summary.pdus.push({ association, time, from, offset: 0, length, type });
    return this.summary.pdus.length - 1;
  }

  /** A DIMSE message; returns its index. Responses get their status meaning and category from the real table. */
  message(association: string, command: string, spec: MessageSpec = {}): number {
    const a = this.assoc(association);
    const isRsp = command.endsWith('-RSP');
    const side = spec.side ?? (command === 'C-STORE-RQ' || command === 'C-STORE-RSP' ? (isRsp ? 'requestor' : 'acceptor') : isRsp ? 'acceptor' : 'requestor');
    const time = this.tick(spec.time);
    const commandField = commandFieldOf(command);
    if (commandField === null) throw new Error(`no command ${command}`);
    const { status: statusText, ...rest } = spec;
    const status = statusText ? parseInt(statusText.slice(2), 16) : null;
    const info = status !== null ? statusInfo(status, command) : null;
    const [from, to] = side === 'requestor' ? [a.requestor.ae, a.acceptor.ae] : [a.acceptor.ae, a.requestor.ae];
    const m: SummaryMessage = {
      association, time, from, to, side, presentationContextId: 1, commandField,
      messageId: null, respondsTo: null, affectedSopClass: null, affectedSopInstance: null,
      requestedSopClass: null, requestedSopInstance: null, eventTypeId: null, actionTypeId: null, priority: null,
      status, statusCategory: info?.category ?? null,
      remaining: null, completed: null, failed: null, warning: null, moveDestination: null, moveOriginator: null,
      errorComment: null, offendingElements: null, identifier: null, commandSetDataElements: null, nonConformance: null, request: null, cause: null,
      ...rest,
    };
    this.link(m, this.summary.messages.length);
    this.summary.pdus.push({ association, time, from: side, offset: 0, length: 200, type: 'P-DATA-TF', pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, length: 100 }] });
    this.summary.messages.push(m);
    return this.summary.messages.length - 1;
  }

  /** The links a decoded session would have: the real response matcher and linkers on this message (unless the spec set them). */
  private link(m: SummaryMessage, index: number): void {
    const message = { ...m, isResponse: isResponseField(m.commandField), dataSet: null } as unknown as DimseMessage;
    const match = this.responses.match(m.association, m.side, message, index);
    const facts = { index, association: m.association, side: m.side, time: m.time * 1000, message, request: match.request, completed: match.completed };
    let cause = match.request !== null ? (this.summary.messages[match.request]?.cause ?? null) : null;
    for (const linker of this.linkers) cause = linker.message?.(facts)?.cause ?? cause;
    if (m.request === null) m.request = match.request;
    if (m.cause === null) m.cause = cause;
  }

  /** C-STORE-RQ/RSP of a sub-association (the requestor stores) or of a C-GET (the acceptor stores). */
  store(association: string, messageId: number, status = '0x0000', by: 'requestor' | 'acceptor' = 'requestor'): [number, number] {
    const other = by === 'requestor' ? 'acceptor' : 'requestor';
    const rq = this.message(association, 'C-STORE-RQ', { side: by, messageId, affectedSopClass: UID.ct, affectedSopInstance: `1.2.3.${messageId}` });
    const rsp = this.message(association, 'C-STORE-RSP', { side: other, respondsTo: messageId, status });
    return [rq, rsp];
  }

  release(association: string, by: 'requestor' | 'acceptor' = 'requestor'): void {
    const a = this.assoc(association);
    this.pdu(association, by, 'A-RELEASE-RQ');
    this.pdu(association, by === 'requestor' ? 'acceptor' : 'requestor', 'A-RELEASE-RP');
    a.outcome = 'released';
    a.end = this.clock;
  }

  abort(association: string, by: 'requestor' | 'acceptor', source = 0, reason = 0): void {
    const a = this.assoc(association);
    this.pdu(association, by, 'A-ABORT');
    a.outcome = 'aborted';
    a.abort = { source, reason, text: `abort ${source}/${reason}`, by };
    a.end = this.clock;
  }

  close(association: string, reason = 'connection closed by requestor without A-RELEASE', closedFirst: 'requestor' | 'acceptor' | null = null): void {
    const a = this.assoc(association);
    a.outcome = 'closed';
    a.closeReason = reason;
    a.closedFirst = closedFirst;
    a.end = this.tick();
  }
}

/** A C-MOVE-RQ of Study Root at STUDY level. */
export const moveRq = (messageId: number, dest: string, identifier: Record<string, unknown> = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3' }): MessageSpec => ({
  messageId, moveDestination: dest, affectedSopClass: UID.studyMove, identifier,
});

/** A C-MOVE-RSP / C-GET-RSP with counters [remaining, completed, failed, warning]. */
export const retrieveRsp = (respondsTo: number, status: string, [remaining, completed, failed, warning]: (number | null)[]): MessageSpec => ({
  respondsTo, status, remaining, completed, failed, warning, affectedSopClass: UID.studyMove,
});
