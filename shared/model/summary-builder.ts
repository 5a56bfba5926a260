/**
 * Folds the derived event stream into the `summary --json` model
 * (shared/model/summary-types.ts). Pure; used by the CLI and, later, by the
 * server's snapshot.
 */
import type { DerivedEvent, PduSeen } from '../events/derived-event.ts';
import type { LiveDelta } from '../events/live-messages.ts';
import type { Summary, SummaryAssociation, SummaryMessage } from './summary-types.ts';
import { SUMMARY_VERSION } from './summary-types.ts';
import { uidName } from '../dicom/uids.ts';
import { Correlator, type Correlation } from './correlator.ts';
import type { Linker } from './linkers/linker.ts';

export interface SummarySource {
  path: string;
  format: string;
}

export class SummaryBuilder {
  private t0: number | null = null;
  private readonly associations = new Map<string, SummaryAssociation>();
  private readonly summary: Summary;
  private readonly correlator: Correlator;

  /**
   * `startTime` (ms since the epoch): what times are counted from, when the
   * events folded in are not all of the source's (one page of a session,
   * server/live/session-page.ts); by default the first event's time.
   * `linkers`: the correlator's linkers (default: linkers/registry.ts).
   */
  constructor(source: SummarySource, startTime: number | null = null, linkers?: Linker[]) {
    this.correlator = new Correlator(linkers);
    this.summary = { version: SUMMARY_VERSION, source: { ...source, start: null }, associations: [], pdus: [], messages: [], errors: [] };
    if (startTime !== null) this.rel(startTime);
  }

  private rel(time: number): number {
    if (this.t0 === null) {
      this.t0 = time;
      this.summary.source.start = new Date(time).toISOString();
    }
    return Math.round((time - this.t0) * 1000) / 1e6;
  }

  /** Folds one derived event in; returns the changes it made, as the live stream sends them. */
  apply(ev: DerivedEvent): LiveDelta[] {
    const time = this.rel(ev.time);
    const deltas: LiveDelta[] = [];
    const links = this.correlate(ev, time, deltas);
    switch (ev.type) {
      case 'connection.open':
      case 'connection.refused': {
        const a = newAssociation(ev.association, ev.requestor, ev.acceptor, time);
        a.midStream = ev.type === 'connection.open' && ev.midStream;
        if (ev.type === 'connection.refused') {
          a.outcome = 'refused';
          a.closeReason = ev.reason;
          a.end = time;
        }
        this.associations.set(ev.association, a);
        this.summary.associations.push(a);
        deltas.push({ type: 'association', association: a });
        break;
      }
      case 'pdu': {
        const changed = this.onPdu(ev, time);
        deltas.push({ type: 'pdu', index: this.summary.pdus.length - 1, pdu: this.summary.pdus[this.summary.pdus.length - 1] });
        if (changed) deltas.push({ type: 'association', association: changed });
        break;
      }
      case 'dimse': {
        const a = this.associations.get(ev.association);
        const m = ev.message;
        const [from, to] = ev.from === 'requestor' ? [a?.requestor.ae, a?.acceptor.ae] : [a?.acceptor.ae, a?.requestor.ae];
        const msg: SummaryMessage = {
          association: ev.association,
          time,
          from: from ?? null,
          to: to ?? null,
          side: ev.from,
          presentationContextId: m.presentationContextId,
          commandField: m.commandField,
          messageId: m.messageId,
          respondsTo: m.respondsTo,
          affectedSopClass: m.affectedSopClass,
          affectedSopInstance: m.affectedSopInstance,
          requestedSopClass: m.requestedSopClass,
          requestedSopInstance: m.requestedSopInstance,
          eventTypeId: m.eventTypeId,
          actionTypeId: m.actionTypeId,
          priority: m.priority,
          status: m.status,
          statusCategory: m.statusCategory,
          remaining: m.remaining,
          completed: m.completed,
          failed: m.failed,
          warning: m.warning,
          moveDestination: m.moveDestination,
          moveOriginator: m.moveOriginator,
          errorComment: m.errorComment,
          offendingElements: m.offendingElements,
          identifier: m.dataSet ? m.dataSet.attributes : null,
          commandSetDataElements: m.commandSetDataElements ?? null,
          nonConformance: m.nonConformance?.length ? m.nonConformance.map((p) => ({ reason: p.reason, section: p.section })) : null,
          request: links.message?.request ?? null,
          cause: links.message?.cause ?? null,
        };
        this.summary.messages.push(msg);
        deltas.push({ type: 'message', index: this.summary.messages.length - 1, message: msg });
        break;
      }
      case 'association.end': {
        const a = this.associations.get(ev.association);
        if (!a) break;
        a.outcome = ev.outcome;
        a.end = time;
        if (ev.reason) a.closeReason = ev.reason;
        a.closedFirst = ev.closedFirst ?? null;
        deltas.push({ type: 'association', association: a });
        break;
      }
      case 'tls': {
        const a = this.associations.get(ev.association);
        if (!a) break;
        a.tls ??= { legs: [], firstBytes: null };
        if (ev.leg) {
          const { kind: _k, conn: _c, ...leg } = ev.leg;
          a.tls.legs.push({ ...leg, time: this.rel(ev.leg.time) });
        }
        if (ev.firstBytes) a.tls.firstBytes = ev.firstBytes;
        deltas.push({ type: 'association', association: a });
        break;
      }
      case 'decode.error': {
        const error = { association: ev.association, side: ev.from, offset: ev.offset, time, reason: ev.reason };
        this.summary.errors.push(error);
        deltas.push({ type: 'error', index: this.summary.errors.length - 1, error });
        break;
      }
    }
    this.applyCauses(links, time, deltas);
    return deltas;
  }

  /** Runs the correlator; a bug in it becomes an error entry, never an exception (docs/architecture.md §5). */
  private correlate(ev: DerivedEvent, time: number, deltas: LiveDelta[]): Correlation {
    try {
      return this.correlator.push(ev);
    } catch (e) {
      const error = { association: 'association' in ev ? ev.association : null, side: null, offset: null, time, reason: `internal correlator error: ${(e as Error)?.message ?? String(e)}` };
      this.summary.errors.push(error);
      deltas.push({ type: 'error', index: this.summary.errors.length - 1, error });
      return { associations: [], message: null, failures: [] };
    }
  }

  /**
   * Causes of associations found or revised by this event (a linker's
   * evidence often comes after the association opened, e.g. its first
   * C-STORE-RQ), so the association is sent again whole: live clients
   * replace it (LiveDelta "association"). A linker that failed is an error
   * entry, never an exception (docs/architecture.md §5).
   */
  private applyCauses(links: Correlation, time: number, deltas: LiveDelta[]): void {
    for (const change of links.associations) {
      const a = this.associations.get(change.association);
      if (!a) continue;
      a.cause = change.cause;
      if (!deltas.some((d) => d.type === 'association' && d.association === a)) deltas.push({ type: 'association', association: a });
    }
    for (const failure of links.failures) {
      const error = { association: null, side: null, offset: null, time, reason: `internal linker error: ${failure}` };
      this.summary.errors.push(error);
      deltas.push({ type: 'error', index: this.summary.errors.length - 1, error });
    }
  }

  /** Records the PDU; returns the association when the PDU changed it (associate, reject, abort). */
  private onPdu(ev: PduSeen, time: number): SummaryAssociation | null {
    const { pdu } = ev;
    this.summary.pdus.push({
      association: ev.association,
      time,
      from: ev.from,
      offset: pdu.offset,
      length: pdu.length,
      type: pdu.name,
      ...(pdu.pduType === 0x04
        ? { pdvs: pdu.pdvs.map((p) => ({ presentationContextId: p.presentationContextId, isCommand: p.isCommand, isLast: p.isLast, length: p.valueLength })) }
        : {}),
    });
    const a = this.associations.get(ev.association);
    if (!a) return null;
    switch (pdu.pduType) {
      case 0x01: {
        a.requestor.ae = pdu.callingAeTitle;
        a.acceptor.ae = pdu.calledAeTitle;
        a.presentationContexts = pdu.presentationContexts.map((pc) => ({
          id: pc.id,
          abstractSyntax: pc.abstractSyntax,
          abstractSyntaxName: pc.abstractSyntax ? uidName(pc.abstractSyntax) : null,
          transferSyntaxes: pc.transferSyntaxes,
          result: null,
          resultText: null,
          transferSyntax: null,
        }));
        const ui = pdu.userInformation;
        a.maxPdu.requestor = ui?.maxLength ?? null;
        a.implementation.requestor = { classUid: ui?.implementationClassUid ?? null, versionName: ui?.implementationVersionName ?? null };
        a.asyncOperationsWindow.requestor = ui?.asyncOperationsWindow ?? null;
        a.roles = (ui?.roleSelections ?? []).map((r) => ({ sopClassUid: r.sopClassUid, proposed: { scu: r.scuRole, scp: r.scpRole }, accepted: null }));
        const id = ui?.userIdentityRq;
        a.userIdentity = id
          ? { type: id.identityType, typeText: id.identityTypeText, username: id.username, positiveResponseRequested: id.positiveResponseRequested, accepted: null }
          : null;
        break;
      }
      case 0x02: {
        for (const ac of pdu.presentationContexts) {
          const pc = a.presentationContexts.find((p) => p.id === ac.id);
          if (!pc) continue;
          pc.result = ac.result;
          pc.resultText = ac.resultText;
          pc.transferSyntax = ac.result === 0 ? ac.transferSyntax : null;
        }
        const ui = pdu.userInformation;
        a.maxPdu.acceptor = ui?.maxLength ?? null;
        a.implementation.acceptor = { classUid: ui?.implementationClassUid ?? null, versionName: ui?.implementationVersionName ?? null };
        a.asyncOperationsWindow.acceptor = ui?.asyncOperationsWindow ?? null;
        for (const r of ui?.roleSelections ?? []) {
          const role = a.roles.find((x) => x.sopClassUid === r.sopClassUid);
          if (role) role.accepted = { scu: r.scuRole, scp: r.scpRole };
        }
        // PS3.7 D.3.3.7.2: the AC sub-item is sent only when a positive response was requested and the identity accepted.
        if (a.userIdentity) a.userIdentity.accepted = ui?.userIdentityAc ? true : a.userIdentity.positiveResponseRequested ? false : null;
        break;
      }
      case 0x03:
        a.reject = { result: pdu.result, source: pdu.source, reason: pdu.reason, text: `${pdu.resultText}; ${pdu.sourceText}; ${pdu.reasonText}` };
        break;
      case 0x07:
        a.abort = { source: pdu.source, reason: pdu.reason, text: `${pdu.sourceText}; ${pdu.reasonText}`, by: ev.from };
        break;
      default:
        return null;
    }
    return a;
  }

  /** The model so far. Associations still open keep outcome "open" and end null. */
  result(): Summary {
    return this.summary;
  }
}

function newAssociation(id: string, requestor: { host: string; port: number }, acceptor: { host: string; port: number }, start: number): SummaryAssociation {
  return {
    id,
    requestor: { ae: null, host: requestor.host, port: requestor.port },
    acceptor: { ae: null, host: acceptor.host, port: acceptor.port },
    outcome: 'open',
    midStream: false,
    reject: null,
    abort: null,
    closeReason: null,
    closedFirst: null,
    presentationContexts: [],
    roles: [],
    maxPdu: { requestor: null, acceptor: null },
    implementation: { requestor: { classUid: null, versionName: null }, acceptor: { classUid: null, versionName: null } },
    userIdentity: null,
    asyncOperationsWindow: { requestor: null, acceptor: null },
    start,
    end: null,
    cause: null,
    tls: null,
  };
}
