/**
 * One direction of one connection, redacted: the bytes are framed into PDUs
 * by the decoder's own framer (shared/pdu/framer.ts, PS3.8 §9.3) and nothing
 * of the input goes out as it came except the PDUs that carry no names or
 * values. A-ASSOCIATE-RQ/AC are rewritten (associate-rewrite.ts); P-DATA-TF
 * PDVs are reassembled per presentation context into command sets and data
 * sets (PS3.7 §6.3.1, PS3.8 Annex E.2, the same rules as
 * shared/dimse/reassembler.ts), rewritten, and packed into new PDUs
 * (pdv-packer.ts), because lengths change.
 *
 * What cannot be read cannot be redacted, so it is left out: bytes the framer
 * skips become a capture gap of the same length, data set fragments no
 * command claims (a capture that began mid-message) too, and after any loss
 * the messages in progress are broken off as the decoder would see them.
 */
import type { Side } from '../capture/wire-event.ts';
import { concatBytes } from '../pdu/bytes.ts';
import { PduFramer } from '../pdu/framer.ts';
import { PduType, type AAssociateAc, type AAssociateRq, type DecodeProblem, type FramerEvent, type Pdu } from '../pdu/types.ts';
import { rewriteAssociate } from './associate-rewrite.ts';
import { rewriteCommand } from './command-rewrite.ts';
import type { DataSetKind } from './dataset-rewriter.ts';
import { DataSetStream } from './dataset-stream.ts';
import { PdvPacker } from './pdv-packer.ts';
import { RawHistory } from './raw-history.ts';
import type { RedactContext } from './redact-options.ts';

/** What a direction needs from its connection. */
export interface DirectionHost {
  readonly ctx: RedactContext;
  readonly conn: number;
  /** The transfer syntax accepted for a presentation context (A-ASSOCIATE-AC), null if unknown. */
  transferSyntaxOf(presentationContextId: number): string | null;
  /** An A-ASSOCIATE-RQ or -AC went through: the connection learns maximum lengths and transfer syntaxes. */
  associate(pdu: AAssociateRq | AAssociateAc): void;
  bytes(side: Side, bytes: Uint8Array): void;
  gap(side: Side, length: number): void;
}

/** Command sets longer than this are not held (the decoder ignores them too: reassembler.ts). */
const MAX_COMMAND = 64 * 1024;

/**
 * Framer problems after which decoding goes on with no byte lost (PDV header
 * oddities of PS3.8 §9.3.2.2 / Annex E.2, junk after the last PDV, an empty
 * P-DATA-TF): the messages in progress are not broken off for them.
 */
const HARMLESS = /is not odd \(PS3\.8 §9\.3\.2\.2\)|has reserved bits 2–7 set|stray byte\(s\) at the end of the P-DATA-TF|P-DATA-TF carries no PDV item/;

interface ContextState {
  command: { chunks: Uint8Array[]; length: number } | null;
  commandOverflow: boolean;
  /** The command said a data set follows, of this kind. */
  awaiting: DataSetKind | null;
  dataSet: DataSetStream | null;
  /** Inside a run of data set fragments no command claims. */
  orphan: boolean;
}

export class DirectionRedactor {
  private readonly framer: PduFramer;
  private readonly history = new RawHistory();
  readonly packer: PdvPacker;
  private readonly contexts = new Map<number, ContextState>();

  constructor(
    private readonly side: Side,
    midStream: boolean,
    private readonly host: DirectionHost,
  ) {
    this.framer = new PduFramer({ midStream });
    this.packer = new PdvPacker((pdu) => host.bytes(side, pdu));
  }

  data(bytes: Uint8Array): void {
    this.history.push(bytes);
    this.handle(this.framer.push(bytes));
    this.history.trim();
  }

  gap(length: number): void {
    this.history.gap(length);
    this.handle(this.framer.gap(length));
    this.breakOff();
    this.host.gap(this.side, length);
  }

  /** The direction is over (FIN, reset, end of the source). */
  end(): void {
    this.handle(this.framer.end());
    this.breakOff();
  }

  private problem(reason: string): void {
    this.host.ctx.problem(this.host.conn, `${this.side}: ${reason}`);
  }

  private state(id: number): ContextState {
    let s = this.contexts.get(id);
    if (!s) {
      s = { command: null, commandOverflow: false, awaiting: null, dataSet: null, orphan: false };
      this.contexts.set(id, s);
    }
    return s;
  }

  private handle(events: FramerEvent[]): void {
    for (const ev of events) {
      if (ev.kind === 'pdv') this.pdv(ev.header.presentationContextId, ev.header.isCommand, ev.end && ev.header.isLast, ev.bytes);
      else if (ev.kind === 'pdu') this.pdu(ev.pdu);
      else if (!HARMLESS.test(ev.reason)) {
        this.breakOff();
        if (ev.skipped) this.host.gap(this.side, ev.skipped);
      }
    }
  }

  private pdv(id: number, isCommand: boolean, last: boolean, bytes: Uint8Array): void {
    const s = this.state(id);
    if (isCommand) {
      s.orphan = false;
      // A new command while a data set is awaited or arriving: that message broke off (as in reassembler.ts).
      if (s.dataSet) this.abandonDataSet(s, id);
      s.awaiting = null;
      if (!s.command) s.command = { chunks: [], length: 0 };
      if (s.command.length + bytes.length > MAX_COMMAND) s.commandOverflow = true;
      else if (bytes.length > 0) {
        s.command.chunks.push(bytes.slice());
        s.command.length += bytes.length;
      }
      if (last) this.command(s, id);
      return;
    }
    if (s.command) {
      this.problem(`data set fragment on presentation context ${id} before its command set ended: the command is left out`);
      s.command = null;
      s.commandOverflow = false;
    }
    if (s.awaiting === null) {
      // No command claims these bytes: they cannot be read, so they are not written (reported once per data set).
      if (!s.orphan) this.problem(`data set fragments on presentation context ${id} with no command (the capture began inside a message?): left out, a gap in their place`);
      s.orphan = !last;
      this.host.gap(this.side, bytes.length);
      return;
    }
    if (!s.dataSet) {
      s.dataSet = new DataSetStream(this.host.transferSyntaxOf(id), s.awaiting, this.host.ctx, (b) => this.packer.write(id, false, b), (r) => this.problem(`presentation context ${id}: ${r}`));
    }
    s.dataSet.push(bytes);
    if (last) {
      s.dataSet.finish();
      this.packer.end(id, false, true);
      s.dataSet = null;
      s.awaiting = null;
    }
  }

  private command(s: ContextState, id: number): void {
    const c = s.command as { chunks: Uint8Array[]; length: number };
    s.command = null;
    if (s.commandOverflow) {
      s.commandOverflow = false;
      this.problem(`command set on presentation context ${id} longer than ${MAX_COMMAND} bytes: left out`);
      return;
    }
    const rewritten = rewriteCommand(concatBytes(c.chunks), this.host.ctx, (r) => this.problem(r));
    this.packer.write(id, true, rewritten.bytes);
    this.packer.end(id, true, true);
    s.awaiting = rewritten.hasDataSet ? rewritten.dataSetKind : null;
  }

  private abandonDataSet(s: ContextState, id: number): void {
    s.dataSet?.abandon();
    s.dataSet = null;
    s.awaiting = null;
    this.packer.end(id, false, false);
  }

  /** Bytes were lost or the stream ended: every message in progress breaks off, what is queued goes out. */
  private breakOff(): void {
    for (const [id, s] of this.contexts) {
      if (s.dataSet) this.abandonDataSet(s, id);
      s.command = null;
      s.commandOverflow = false;
      s.awaiting = null;
    }
    this.packer.flushAll();
  }

  private pdu(pdu: Pdu): void {
    this.packer.flush();
    if (pdu.pduType === PduType.PDataTf) return;
    const raw = this.history.slice(pdu.offset, pdu.length);
    if (!raw) {
      this.problem(`${pdu.name} at offset ${pdu.offset}: its bytes are no longer held, left out`);
      this.host.gap(this.side, pdu.length);
      return;
    }
    if (pdu.pduType === PduType.AAssociateRq || pdu.pduType === PduType.AAssociateAc) {
      const problems: DecodeProblem[] = [];
      const out = rewriteAssociate(raw, this.host.ctx, problems);
      for (const p of problems) this.problem(`${pdu.name}: ${p.reason}`);
      this.host.associate(pdu);
      this.host.bytes(this.side, out);
      return;
    }
    // A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT have a fixed 4-byte body (PS3.8 §9.3.4, §9.3.6–§9.3.8) with
    // no names or values in it; anything a broken peer put after it is not copied.
    if (raw.length === 10) this.host.bytes(this.side, raw);
    else {
      const fixed = new Uint8Array(10);
      fixed.set(raw.subarray(0, Math.min(10, raw.length)));
      new DataView(fixed.buffer).setUint32(2, 4);
      this.problem(`${pdu.name} of ${raw.length} bytes: written with its 4-byte body only`);
      this.host.bytes(this.side, fixed);
    }
  }
}
