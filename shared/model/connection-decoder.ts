/**
 * Decodes one TCP connection (= one association, PS3.8 §9.1.1): two framers
 * and two DIMSE reassemblers, one per direction, and just enough association
 * state to decode what follows (accepted transfer syntaxes, announced maximum
 * lengths, release/abort progress). Sans-IO: wire events in, derived events
 * out; it never throws.
 */
import type { Side, WireEvent, WireOpen } from '../capture/wire-event.ts';
import type { AssociationId, DerivedEvent } from '../events/derived-event.ts';
import type { AssociationOutcome } from './summary-types.ts';
import type { AAssociateAc, AAssociateRq, FramerEvent, PDataTf, Pdu } from '../pdu/types.ts';
import { PduFramer } from '../pdu/framer.ts';
import { DimseReassembler, type ReassemblerEvent } from '../dimse/reassembler.ts';
import { AssociationStates } from './association-states.ts';
import { looksLikeTlsAlert, looksLikeTlsHandshake, looksLikeTlsRecord } from '../capture/tls/tls-records.ts';

/** Bytes of each direction's start kept to tell TLS from DICOM (a ClientHello starts 16 03, an A-ASSOCIATE-RQ 01 00). */
const FIRST_BYTES = 16;
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export interface ConnectionDecoderOptions {
  /** Bytes of each data set held for decoding; the rest is measured, not held. */
  maxDataSetBytes?: number;
}

type Phase = 'idle' | 'requested' | 'established' | 'releasing' | 'released' | 'rejected' | 'aborted';

const other = (side: Side): Side => (side === 'requestor' ? 'acceptor' : 'requestor');

export class ConnectionDecoder {
  readonly association: AssociationId;
  private readonly framers: Record<Side, PduFramer>;
  private readonly reassemblers: Record<Side, DimseReassembler>;
  private phase: Phase = 'idle';
  private rq: AAssociateRq | null = null;
  private ac: AAssociateAc | null = null;
  private releaseRequested = false;
  private closedBy = new Set<Side>();
  /** The first side to close its end while the association was still going (docs/summary-json.md, closedFirst). */
  private firstCloser: Side | null = null;
  private ended = false;
  private readonly midStream: boolean;
  /** Messages completed by PDV pieces wait for the P-DATA-TF event that carried them, so PDUs come first. */
  private pending: DerivedEvent[] = [];
  /** Both ends' PS3.8 state machines, fed every PDU (association-states.ts). */
  private readonly states: AssociationStates;
  /** The first bytes each side sent (up to FIRST_BYTES; null until it sent some). */
  private readonly first: Record<Side, Uint8Array | null> = { requestor: null, acceptor: null };
  /** A `tls` event came: the first bytes are kept whatever they look like (plain DICOM sent to a TLS port shows in them). */
  private tlsSeen = false;

  constructor(association: AssociationId, open: WireOpen, options: ConnectionDecoderOptions = {}) {
    this.association = association;
    this.midStream = open.midStream === true;
    const transferSyntaxOf = (id: number): string | null => this.transferSyntaxOf(id);
    // A capture that starts mid-stream may start mid-PDU: the framer first looks for a header it can trust.
    this.framers = { requestor: new PduFramer({ midStream: this.midStream }), acceptor: new PduFramer({ midStream: this.midStream }) };
    this.reassemblers = {
      requestor: new DimseReassembler({ transferSyntaxOf, maxDataSetBytes: options.maxDataSetBytes }),
      acceptor: new DimseReassembler({ transferSyntaxOf, maxDataSetBytes: options.maxDataSetBytes }),
    };
    if (this.midStream) this.phase = 'established';
    this.states = new AssociationStates(this.midStream);
  }

  /** The outcome so far (final once `ended`). */
  get outcome(): AssociationOutcome {
    switch (this.phase) {
      case 'released':
        return 'released';
      case 'rejected':
        return 'rejected';
      case 'aborted':
        return 'aborted';
      default:
        return this.closedBy.size > 0 || this.ended ? 'closed' : 'open';
    }
  }

  get isEnded(): boolean {
    return this.ended;
  }

  push(event: WireEvent): DerivedEvent[] {
    const out: DerivedEvent[] = [];
    if (this.ended && event.kind !== 'close') {
      out.push(this.error(event.time, 'from' in event ? event.from : null, null, `${event.kind} after the connection ended`));
      return out;
    }
    switch (event.kind) {
      case 'data':
        if (this.first[event.from] === null && event.bytes.length > 0) this.onFirstBytes(event.from, event.bytes, event.time, out);
        this.onFramerEvents(this.framers[event.from].push(event.bytes), event.from, event.time, out);
        break;
      case 'gap':
        this.onFramerEvents(this.framers[event.from].gap(event.length), event.from, event.time, out);
        break;
      case 'close':
        this.onClose(event.from, event.how, event.reason, event.time, out);
        break;
      case 'tls':
        this.tlsSeen = true;
        out.push({ type: 'tls', association: this.association, time: event.time, leg: event, firstBytes: this.firstBytes() });
        break;
      case 'open':
      case 'refused':
        out.push(this.error(event.time, null, null, `unexpected ${event.kind} for an existing connection`));
        break;
    }
    return out;
  }

  /** The source ended with the connection still open: flush what is pending, outcome stays "open". */
  finish(time: number): DerivedEvent[] {
    const out: DerivedEvent[] = [];
    if (this.ended) return out;
    for (const side of ['requestor', 'acceptor'] as const) this.flushSide(side, time, out);
    return out;
  }

  private onClose(from: Side | null, how: 'fin' | 'reset' | 'error', reason: string | undefined, time: number, out: DerivedEvent[]): void {
    if (this.ended) return;
    if (from !== null && this.firstCloser === null && !this.isAssociationOver()) this.firstCloser = from;
    if (how === 'fin' && from !== null) {
      this.closedBy.add(from);
      // A half-close: the connection ends when both sides closed, or at once
      // if the association is already over (release/abort/reject done).
      if (this.closedBy.size < 2 && !this.isAssociationOver()) {
        this.flushSide(from, time, out);
        return;
      }
    }
    for (const side of ['requestor', 'acceptor'] as const) this.flushSide(side, time, out);
    this.ended = true;
    out.push({ type: 'association.end', association: this.association, time, outcome: this.outcome, reason: this.describeEnd(from, how, reason), closedFirst: this.firstCloser });
  }

  private isAssociationOver(): boolean {
    return this.phase === 'released' || this.phase === 'rejected' || this.phase === 'aborted';
  }

  private describeEnd(from: Side | null, how: 'fin' | 'reset' | 'error', reason: string | undefined): string | null {
    // A FIN names who closed: the side that closed first, not the one that answered its close.
    const closer = how === 'fin' ? (this.firstCloser ?? from) : from;
    const by = closer ? ` by ${closer}` : '';
    if (how === 'reset') return `connection reset${by}${reason ? ` (${reason})` : ''}`;
    if (how === 'error') return `connection error${by}${reason ? `: ${reason}` : ''}`;
    if (this.isAssociationOver()) return null;
    if (this.phase === 'idle') return `connection closed${by} before any A-ASSOCIATE-RQ`;
    if (this.phase === 'requested') return `connection closed${by} before the association was answered`;
    if (this.phase === 'releasing') return `connection closed${by} before A-RELEASE-RP`;
    return `connection closed${by} without A-RELEASE`;
  }

  private flushSide(side: Side, time: number, out: DerivedEvent[]): void {
    this.onFramerEvents(this.framers[side].end(), side, time, out);
    this.onReassemblerEvents(this.reassemblers[side].end(), side, time, out);
    out.push(...this.pending);
    this.pending = [];
  }

  private onFramerEvents(events: FramerEvent[], from: Side, time: number, out: DerivedEvent[]): void {
    for (const ev of events) {
      if (ev.kind === 'pdv') {
        this.onReassemblerEvents(this.reassemblers[from].push(ev), from, time, this.pending);
      } else if (ev.kind === 'pdu') {
        this.onPdu(ev.pdu, from, time, out);
        out.push(...this.pending);
        this.pending = [];
      } else {
        out.push(this.error(time, from, ev.offset, ev.reason));
      }
    }
  }

  private onReassemblerEvents(events: ReassemblerEvent[], from: Side, time: number, out: DerivedEvent[]): void {
    for (const ev of events) {
      if (ev.kind === 'message') out.push({ type: 'dimse', association: this.association, time, from, message: ev.message });
      else out.push(this.error(time, from, ev.offset, ev.reason));
    }
  }

  /**
   * Association state from the PDU sequence: whether each PDU was allowed is
   * the PS3.8 state machine's call (association-states.ts, Table 9-10); the
   * phase kept here is what decoding and the outcome need.
   */
  private onPdu(pdu: Pdu, from: Side, time: number, out: DerivedEvent[]): void {
    out.push({ type: 'pdu', association: this.association, time, from, pdu });
    const wrong = this.states.pdu(pdu.pduType, from);
    if (wrong) out.push(this.error(time, from, pdu.offset, wrong));
    switch (pdu.pduType) {
      case 0x01:
        if (!this.rq) this.rq = pdu;
        if (this.phase === 'idle') this.phase = 'requested';
        break;
      case 0x02:
        this.ac = pdu;
        this.phase = 'established';
        this.checkAcceptedContexts(pdu, time, out);
        break;
      case 0x03:
        this.phase = 'rejected';
        break;
      case 0x04:
        this.checkPData(pdu, from, time, out);
        break;
      case 0x05:
        this.releaseRequested = true;
        if (this.phase === 'established') this.phase = 'releasing';
        break;
      case 0x06:
        // In a release collision (PS3.8 §9.2.1) each side answers the other: the first A-RELEASE-RP ends it as well.
        if (this.releaseRequested) this.phase = 'released';
        break;
      case 0x07:
        this.phase = 'aborted';
        break;
    }
  }

  private checkAcceptedContexts(ac: AAssociateAc, time: number, out: DerivedEvent[]): void {
    if (!this.rq) return;
    const proposed = new Set(this.rq.presentationContexts.map((pc) => pc.id));
    for (const pc of ac.presentationContexts) {
      if (!proposed.has(pc.id)) out.push(this.error(time, 'acceptor', pc.offset, `A-ASSOCIATE-AC answers presentation context ${pc.id}, which was not proposed`));
      const rqPc = this.rq.presentationContexts.find((p) => p.id === pc.id);
      if (pc.result === 0 && rqPc && pc.transferSyntax && !rqPc.transferSyntaxes.includes(pc.transferSyntax)) {
        out.push(this.error(time, 'acceptor', pc.offset, `presentation context ${pc.id} accepted with transfer syntax ${pc.transferSyntax}, which was not proposed for it`));
      }
    }
  }

  private checkPData(pdu: PDataTf, from: Side, time: number, out: DerivedEvent[]): void {
    if (this.phase !== 'established' && this.phase !== 'releasing') return;
    // PS3.8 Annex D.1: the maximum length applies to the variable field of P-DATA-TF PDUs, announced by the receiver.
    const receiverMax = this.maxLengthAnnouncedBy(other(from));
    const variable = pdu.length - 6;
    if (receiverMax !== null && receiverMax > 0 && variable > receiverMax) {
      out.push(this.error(time, from, pdu.offset, `P-DATA-TF of ${variable} bytes exceeds the ${other(from)}'s maximum length received of ${receiverMax} (PS3.8 Annex D.1)`));
    }
    for (const pdv of pdu.pdvs) {
      if (!this.midStream && this.transferSyntaxOf(pdv.presentationContextId) === null) {
        out.push(this.error(time, from, pdv.offset, `PDV on presentation context ${pdv.presentationContextId}, which was not accepted`));
      }
    }
  }

  private maxLengthAnnouncedBy(side: Side): number | null {
    const pdu = side === 'requestor' ? this.rq : this.ac;
    return pdu?.userInformation?.maxLength ?? null;
  }

  private transferSyntaxOf(id: number): string | null {
    const pc = this.ac?.presentationContexts.find((p) => p.id === id);
    return pc && pc.result === 0 ? pc.transferSyntax : null;
  }

  /**
   * TLS where DICOM was expected shows in the first bytes (PS3.15 Annex B is
   * negotiated before any PDU): a ClientHello from the requestor, a TLS
   * record or alert from the acceptor. Reported once per direction that shows it.
   */
  private onFirstBytes(from: Side, bytes: Uint8Array, time: number, out: DerivedEvent[]): void {
    const kept = bytes.slice(0, FIRST_BYTES);
    this.first[from] = kept;
    const requestor = this.first.requestor ?? new Uint8Array(0);
    const tls = this.tlsSeen || (from === 'requestor' ? looksLikeTlsHandshake(kept) : looksLikeTlsRecord(kept) || looksLikeTlsAlert(kept) || looksLikeTlsHandshake(requestor));
    if (tls) out.push({ type: 'tls', association: this.association, time, leg: null, firstBytes: this.firstBytes() });
  }

  private firstBytes(): { requestor: string; acceptor: string } | null {
    const { requestor, acceptor } = this.first;
    return requestor === null && acceptor === null ? null : { requestor: hex(requestor ?? new Uint8Array(0)), acceptor: hex(acceptor ?? new Uint8Array(0)) };
  }

  private error(time: number, from: Side | null, offset: number | null, reason: string): DerivedEvent {
    return { type: 'decode.error', association: this.association, time, from, offset, reason };
  }
}
