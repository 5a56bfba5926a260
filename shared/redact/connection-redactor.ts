/**
 * One TCP connection (one association, PS3.8 §9.1.1) redacted: its two
 * directions, and the association state both need — the maximum length each
 * side receives (PS3.8 Annex D.1: the requestor's from the A-ASSOCIATE-RQ
 * bounds what the acceptor sends, and the reverse) and the transfer syntax
 * accepted per presentation context (PS3.8 §9.3.3.2). Wire events in, wire
 * events out, each output event at the time of the input event that caused
 * it, so the timing of the original is kept.
 */
import type { Side, WireEvent, WireOpen } from '../capture/wire-event.ts';
import { concatBytes } from '../pdu/bytes.ts';
import type { AAssociateAc, AAssociateRq } from '../pdu/types.ts';
import { DirectionRedactor, type DirectionHost } from './direction-redactor.ts';
import type { RedactContext } from './redact-options.ts';

const other = (side: Side): Side => (side === 'requestor' ? 'acceptor' : 'requestor');

export class ConnectionRedactor implements DirectionHost {
  private readonly sides: Record<Side, DirectionRedactor>;
  private readonly accepted = new Map<number, string>();
  private readonly closed = new Set<Side>();
  private out: WireEvent[] = [];
  private parts: Uint8Array[] = [];
  private time = 0;

  constructor(
    readonly conn: number,
    open: WireOpen,
    readonly ctx: RedactContext,
  ) {
    const midStream = open.midStream === true;
    this.sides = { requestor: new DirectionRedactor('requestor', midStream, this), acceptor: new DirectionRedactor('acceptor', midStream, this) };
    this.time = open.time;
  }

  /** A data, gap or close event of this connection; returns its redacted counterparts. */
  push(event: WireEvent): WireEvent[] {
    this.begin(event.time);
    switch (event.kind) {
      case 'data':
        this.sides[event.from].data(event.bytes);
        break;
      case 'gap':
        this.sides[event.from].gap(event.length);
        break;
      case 'close':
        // A FIN closes one direction (the other may still send); a reset or error ends both.
        if (event.how === 'fin' && event.from !== null) {
          this.sides[event.from].end();
          this.closed.add(event.from);
        } else {
          for (const side of ['requestor', 'acceptor'] as const) this.sides[side].end();
          this.closed.add('requestor').add('acceptor');
        }
        this.settle();
        this.out.push(this.ctx.network && event.reason !== undefined ? { ...event, reason: 'redacted' } : event);
        break;
      default:
        break;
    }
    return this.take();
  }

  /** Both directions are over: nothing more can come. */
  get ended(): boolean {
    return this.closed.size === 2;
  }

  /** The source ended with the connection open: what is queued goes out, no close is invented. */
  finish(time: number): WireEvent[] {
    this.begin(time);
    for (const side of ['requestor', 'acceptor'] as const) this.sides[side].end();
    return this.take();
  }

  // DirectionHost

  transferSyntaxOf(id: number): string | null {
    return this.accepted.get(id) ?? null;
  }

  associate(pdu: AAssociateRq | AAssociateAc): void {
    const max = pdu.userInformation?.maxLength ?? null;
    // The side that announced a maximum receives under it: it bounds what the other side sends.
    const announcer: Side = pdu.pduType === 0x01 ? 'requestor' : 'acceptor';
    this.sides[other(announcer)].packer.setReceiverMaximum(max);
    if (pdu.pduType === 0x02) {
      for (const pc of pdu.presentationContexts) if (pc.result === 0 && pc.transferSyntax) this.accepted.set(pc.id, pc.transferSyntax);
    }
  }

  private side: Side | null = null;

  bytes(side: Side, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.side !== side) this.settle();
    this.side = side;
    this.parts.push(bytes);
  }

  gap(side: Side, length: number): void {
    if (length <= 0) return;
    this.settle();
    const last = this.out[this.out.length - 1];
    if (last?.kind === 'gap' && last.from === side) last.length += length;
    else this.out.push({ kind: 'gap', conn: this.conn, time: this.time, from: side, length });
  }

  private begin(time: number): void {
    this.time = time;
    this.out = [];
    this.parts = [];
    this.side = null;
  }

  /** Bytes gathered so far become one data event. */
  private settle(): void {
    if (this.parts.length === 0 || this.side === null) return;
    this.out.push({ kind: 'data', conn: this.conn, time: this.time, from: this.side, bytes: concatBytes(this.parts) });
    this.parts = [];
  }

  private take(): WireEvent[] {
    this.settle();
    const out = this.out;
    this.out = [];
    return out;
  }
}
