/**
 * PDVs → DIMSE messages, for one direction of one connection. PS3.7 §6.3.1:
 * a message is a command set, optionally followed by a data set, each sent
 * as fragments in PDVs of one presentation context; PS3.8 Annex E.2: the
 * message control header says command or data set, and last fragment.
 * State is kept per presentation context; nothing here throws: problems
 * become `error` events with a stream offset.
 */
import { concatBytes } from '../pdu/bytes.ts';
import { decodeCommandSet } from './command.ts';
import { DataSetCollector } from './dataset-collector.ts';
import type { DimseMessage } from './types.ts';
import type { PdvHeader } from '../pdu/types.ts';

export interface ReassemblerOptions {
  /** The transfer syntax accepted for a presentation context (from the A-ASSOCIATE-AC), null if unknown. */
  transferSyntaxOf: (presentationContextId: number) => string | null;
  /** Bytes of a data set held for decoding (default 64 KiB); the rest is measured and skipped, never held. */
  maxDataSetBytes?: number;
  /** Command sets longer than this are an error (default 64 KiB). */
  maxCommandBytes?: number;
}

export type ReassemblerEvent = { kind: 'message'; message: DimseMessage } | { kind: 'error'; offset: number; reason: string };

/** One piece of a PDV value, as the framer gives it (FramerEvent `pdv`). */
export interface PdvPiece {
  header: PdvHeader;
  offset: number;
  bytes: Uint8Array;
  end: boolean;
}

const DEFAULT_LIMIT = 64 * 1024;

/** A command set being reassembled: its fragments, copied. */
interface CommandInProgress {
  /** Stream offset of its first PDV. */
  offset: number;
  chunks: Uint8Array[];
  /** Where each chunk starts: [offset in the command set, stream offset]. */
  map: [number, number][];
  length: number;
  /** Over the limit: the rest is ignored until the last fragment. */
  overflow: boolean;
}

/** A command whose data set is awaited or arriving. */
interface AwaitingDataSet {
  message: DimseMessage;
  collector: DataSetCollector | null;
}

/** Data set fragments that no command claims: reported once, then ignored until their last fragment. */
interface Orphan {
  offset: number;
}

interface ContextState {
  command: CommandInProgress | null;
  awaiting: AwaitingDataSet | null;
  orphan: Orphan | null;
}

export class DimseReassembler {
  private readonly contexts = new Map<number, ContextState>();
  private readonly maxDataSetBytes: number;
  private readonly maxCommandBytes: number;

  constructor(private readonly options: ReassemblerOptions) {
    this.maxDataSetBytes = options.maxDataSetBytes ?? DEFAULT_LIMIT;
    this.maxCommandBytes = options.maxCommandBytes ?? DEFAULT_LIMIT;
  }

  private state(id: number): ContextState {
    let s = this.contexts.get(id);
    if (!s) {
      s = { command: null, awaiting: null, orphan: null };
      this.contexts.set(id, s);
    }
    return s;
  }

  /** Feed one PDV piece; returns the messages and errors it completes, in order. */
  push(piece: PdvPiece): ReassemblerEvent[] {
    const out: ReassemblerEvent[] = [];
    try {
      const id = piece.header.presentationContextId;
      const s = this.state(id);
      const lastOfMessagePart = piece.end && piece.header.isLast;
      if (piece.header.isCommand) this.pushCommand(s, id, piece, lastOfMessagePart, out);
      else this.pushDataSet(s, id, piece, lastOfMessagePart, out);
    } catch (err) {
      // Defensive: a bug here must not reach a socket handler (docs/architecture.md §5).
      out.push({ kind: 'error', offset: piece.offset, reason: `internal error in DIMSE reassembly: ${String(err)}` });
    }
    return out;
  }

  private pushCommand(s: ContextState, id: number, piece: PdvPiece, last: boolean, out: ReassemblerEvent[]): void {
    if (s.orphan) s.orphan = null;
    if (s.awaiting) {
      const { message, collector } = s.awaiting;
      s.awaiting = null;
      const what = collector ? 'its data set was not complete' : 'no data set came';
      out.push({ kind: 'error', offset: piece.header.offset, reason: `new command on presentation context ${id} while ${message.command} (message ID ${message.messageId ?? '?'}) still waits for its data set: ${what}` });
      if (collector) message.dataSet = this.finishCollector(collector, out);
      out.push({ kind: 'message', message });
    }
    let c = s.command;
    if (!c) {
      c = { offset: piece.header.offset, chunks: [], map: [], length: 0, overflow: false };
      s.command = c;
    }
    if (!c.overflow) {
      if (c.length + piece.bytes.length > this.maxCommandBytes) {
        c.overflow = true;
        c.chunks = [];
        out.push({ kind: 'error', offset: piece.offset, reason: `command set on presentation context ${id} is longer than ${this.maxCommandBytes} bytes: ignored` });
      } else if (piece.bytes.length > 0) {
        c.map.push([c.length, piece.offset]);
        c.chunks.push(piece.bytes.slice());
        c.length += piece.bytes.length;
      }
    }
    if (!last) return;
    s.command = null;
    if (c.overflow) return;
    this.completeCommand(s, id, c, out);
  }

  private completeCommand(s: ContextState, id: number, c: CommandInProgress, out: ReassemblerEvent[]): void {
    const bytes = c.chunks.length === 1 ? c.chunks[0] : concatBytes(c.chunks);
    const { message, problems } = decodeCommandSet(bytes, c.offset, id);
    for (const p of problems) out.push({ kind: 'error', offset: streamOffsetOf(c, p.offset), reason: p.reason });
    if (!message) return;
    if (message.hasDataSet) s.awaiting = { message, collector: null };
    else out.push({ kind: 'message', message });
  }

  private pushDataSet(s: ContextState, id: number, piece: PdvPiece, last: boolean, out: ReassemblerEvent[]): void {
    if (s.command) {
      out.push({ kind: 'error', offset: piece.header.offset, reason: `data set fragment on presentation context ${id} before the command set's last fragment: command discarded` });
      s.command = null;
    }
    const awaiting = s.awaiting;
    if (!awaiting) {
      if (!s.orphan) {
        s.orphan = { offset: piece.header.offset };
        out.push({ kind: 'error', offset: piece.header.offset, reason: `data set fragment on presentation context ${id} with no command waiting for a data set: ignored` });
      }
      if (last) s.orphan = null;
      return;
    }
    if (!awaiting.collector) awaiting.collector = new DataSetCollector(this.options.transferSyntaxOf(id), this.maxDataSetBytes);
    if (piece.bytes.length > 0) awaiting.collector.push(piece.bytes, piece.offset);
    if (!last) return;
    s.awaiting = null;
    awaiting.message.dataSet = this.finishCollector(awaiting.collector, out);
    out.push({ kind: 'message', message: awaiting.message });
  }

  private finishCollector(collector: DataSetCollector, out: ReassemblerEvent[]): DimseMessage['dataSet'] {
    const { summary, problems } = collector.finish();
    for (const p of problems) out.push({ kind: 'error', offset: p.offset, reason: p.reason });
    return summary;
  }

  /** The connection is over: what waits is emitted or reported. */
  end(): ReassemblerEvent[] {
    const out: ReassemblerEvent[] = [];
    try {
      for (const [id, s] of [...this.contexts].sort((a, b) => a[0] - b[0])) {
        if (s.command) {
          out.push({ kind: 'error', offset: s.command.offset, reason: `connection ended inside a command set on presentation context ${id} (last fragment never came)` });
        }
        if (s.awaiting) {
          const { message, collector } = s.awaiting;
          const what = collector ? 'its data set was not complete' : 'no data set came';
          out.push({ kind: 'error', offset: message.offset, reason: `connection ended while ${message.command} (message ID ${message.messageId ?? '?'}) waited for its data set: ${what}` });
          if (collector) message.dataSet = this.finishCollector(collector, out);
          out.push({ kind: 'message', message });
        }
        if (s.orphan) out.push({ kind: 'error', offset: s.orphan.offset, reason: `connection ended inside an unclaimed data set on presentation context ${id}` });
      }
    } catch (err) {
      out.push({ kind: 'error', offset: 0, reason: `internal error in DIMSE reassembly: ${String(err)}` });
    }
    this.contexts.clear();
    return out;
  }
}

/** Stream offset of a byte of a reassembled command set. */
function streamOffsetOf(c: CommandInProgress, relative: number): number {
  let best: [number, number] | undefined;
  for (const entry of c.map) {
    if (entry[0] <= relative) best = entry;
    else break;
  }
  return best ? best[1] + (relative - best[0]) : c.offset;
}
