/**
 * The DIMSE side of the guard: the PDV items of the P-DATA-TF PDUs a peer
 * sends on an established association (PS3.8 §9.3.5, Annex E.2), followed
 * message by message (PS3.7 §6.3.1: command fragments, then the data set's
 * if the Command Data Set Type says there is one, all on one presentation
 * context), checked, and turned into what the library receives:
 *
 * - a PDV on a context that was not accepted, a data set fragment where a
 *   command is due (or the reverse), a context change inside a message, a
 *   command set that cannot be read: the association is aborted (PS3.8 Table
 *   9-10 Evt19, AA-8; reason from Table 9-26);
 * - a request on a context whose SOP class is not the request's
 *   (shared/dimse/request-check.ts), an identifier whose elements do not add
 *   up (an element overrunning the data set) or that is too long to hold: the
 *   guard answers it with a failure response and the library never sees it;
 * - a C-STORE data set goes through as it comes (it is written to disk, not
 *   parsed); an identifier is held until whole and checked, then handed on
 *   with its command.
 *
 * Pure logic over bytes; the gate (association-gate.ts) does the I/O.
 */
import { decodeCommandSet } from '../../../shared/dimse/command.ts';
import { CommandField, NO_DATA_SET } from '../../../shared/dimse/command-fields.ts';
import { encodeResponseCommand } from '../../../shared/dimse/encode-command.ts';
import { checkRequest, responseFieldOf } from '../../../shared/dimse/request-check.ts';
import { ElementWalker, type WalkerListener } from '../../../shared/dimse/element-walker.ts';
import { dictionaryEntry } from '../../../shared/dimse/dataset.ts';
import { dataSetEncoding } from '../../../shared/dicom/transfer-syntaxes.ts';
import { AbortReason } from '../../../shared/pdu/state-machine.ts';
import type { PdvItem } from '../../../shared/pdu/acceptor-checks.ts';
import type { DimseMessage } from '../../../shared/dimse/types.ts';

/** An accepted presentation context (PS3.8 §9.3.3.2). */
export interface AcceptedContext {
  abstractSyntax: string;
  transferSyntax: string;
}

/** A PDV to hand on: its context, control header bits and value. */
export interface Pdv {
  presentationContextId: number;
  isCommand: boolean;
  isLast: boolean;
  value: Uint8Array;
}

/** What the gate does with (part of) a received P-DATA-TF. */
export type Delivery =
  | {
      kind: 'deliver';
      /** The received PDU as it is, or PDVs to put in a PDU of their own. */
      pdu: Uint8Array | null;
      pdvs: Pdv[];
      /** Set when these PDVs begin a request: the operation it opens. */
      opens: { messageId: number; commandField: number } | null;
      /** Set on a C-CANCEL-RQ: the message it cancels (handed on only while that operation runs, once). */
      cancels: number | null;
      /** Set on a response to a request this side sent (a C-STORE-RSP of a C-GET sub-operation). */
      answers: number | null;
      /** The last PDV of a message is in it. */
      endsMessage: boolean;
    }
  | { kind: 'respond'; presentationContextId: number; command: Uint8Array; why: string }
  | { kind: 'drop'; why: string }
  | { kind: 'abort'; reason: number; why: string };

/** A command set longer than this is not a command set (PS3.7 §6.3.1: a few hundred bytes). */
export const MAX_COMMAND_BYTES = 64 * 1024;

/** Refused: out of resources, PS3.4 C.4.1.1.4 (C-FIND) and C.4.2.1.5/C.4.3.1.4 (C-MOVE, C-GET: unable to calculate number of matches). */
const OUT_OF_RESOURCES: ReadonlyMap<number, number> = new Map([
  [CommandField.CFindRq, 0xa700],
  [CommandField.CMoveRq, 0xa701],
  [CommandField.CGetRq, 0xa701],
]);
/** Failed: identifier does not match SOP class, PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4. */
const IDENTIFIER_DOES_NOT_MATCH = 0xa900;
/** Error: cannot understand (PS3.4 B.2.3), the general failure for other requests. */
const CANNOT_UNDERSTAND = 0xc000;

type Mode = 'pass' | 'hold' | 'discard';

interface Current {
  message: DimseMessage;
  contextId: number;
  mode: Mode;
  /** The PDVs held back (command and identifier) until the message is judged. */
  held: Pdv[];
  heldBytes: number;
  walker: ElementWalker | null;
  walkProblem: string | null;
  /** The failure response once the message is complete (discard mode). */
  refusal: { status: number; comment: string } | null;
  /** Or: dropped without an answer (a response or C-CANCEL that answers nothing), and why. */
  drop: Delivery | null;
  opens: { messageId: number; commandField: number } | null;
}

export class MessageGuard {
  private command: Pdv[] = [];
  private commandBytes = 0;
  private commandContext = 0;
  private current: Current | null = null;

  constructor(
    private readonly contexts: ReadonlyMap<number, AcceptedContext>,
    private readonly maxIdentifierBytes: number,
    /** Message IDs of the requests this side sent (C-STORE-RQs of a C-GET): their responses are handed on. */
    private readonly ownRequests: ReadonlySet<number>,
  ) {}

  /** A command or data set is partly received (a release now would cut it). */
  get midMessage(): boolean {
    return this.command.length > 0 || this.current !== null;
  }

  /** The deliveries for one received P-DATA-TF (`pdu` whole, `items` its PDV items). */
  push(pdu: Uint8Array, items: PdvItem[]): Delivery[] {
    const cur = this.current;
    // The common case, C-STORE data: the PDU goes on as it is, no copy.
    if (cur !== null && cur.mode === 'pass' && items.every((i) => !i.isCommand && i.presentationContextId === cur.contextId)) {
      const endsMessage = items.some((i) => i.isLast);
      if (endsMessage && !items[items.length - 1].isLast) return [this.abort(AbortReason.UnexpectedPduParameter, 'data set fragment after the last fragment of its message')];
      if (endsMessage) this.current = null;
      return [{ kind: 'deliver', pdu, pdvs: [], opens: null, cancels: null, answers: null, endsMessage }];
    }
    const out: Delivery[] = [];
    for (const item of items) {
      const pdv: Pdv = { presentationContextId: item.presentationContextId, isCommand: item.isCommand, isLast: item.isLast, value: pdu.subarray(item.start, item.start + item.length) };
      const step = this.pdv(pdv);
      for (const d of step) {
        out.push(d);
        if (d.kind === 'abort') return out;
      }
    }
    return mergeDeliveries(out);
  }

  private abort(reason: number, why: string): Delivery {
    this.command = [];
    this.current = null;
    return { kind: 'abort', reason, why };
  }

  private pdv(pdv: Pdv): Delivery[] {
    const id = pdv.presentationContextId;
    if (!this.contexts.has(id)) return [this.abort(AbortReason.InvalidPduParameterValue, `PDV on presentation context ${id}, which was not accepted (PS3.8 §9.3.5.1)`)];
    const cur = this.current;
    if (cur !== null) return this.dataSetPdv(cur, pdv);
    if (!pdv.isCommand) return [this.abort(AbortReason.UnexpectedPduParameter, `data set fragment on context ${id} where a command is due (PS3.8 Annex E.2)`)];
    if (this.command.length > 0 && id !== this.commandContext) return [this.abort(AbortReason.UnexpectedPduParameter, `command fragment on context ${id} inside a command on context ${this.commandContext}`)];
    this.commandContext = id;
    this.commandBytes += pdv.value.length;
    if (this.commandBytes > MAX_COMMAND_BYTES) return [this.abort(AbortReason.InvalidPduParameterValue, `command set longer than ${MAX_COMMAND_BYTES} bytes`)];
    this.command.push(pdv);
    if (!pdv.isLast) return [];
    const fragments = this.command;
    this.command = [];
    this.commandBytes = 0;
    return this.commandComplete(id, fragments);
  }

  private commandComplete(id: number, fragments: Pdv[]): Delivery[] {
    const bytes = join(fragments.map((f) => f.value));
    const { message } = decodeCommandSet(bytes, 0, id);
    if (message === null || (message.messageId === null && message.respondsTo === null))
      return [this.abort(AbortReason.InvalidPduParameterValue, `command set on context ${id} has no usable Command Field or Message ID (PS3.7 §9.3)`)];
    const hasDataSet = message.dataSetType !== null && message.dataSetType !== NO_DATA_SET;
    const context = this.contexts.get(id)!;
    const cur: Current = { message, contextId: id, mode: 'hold', held: fragments, heldBytes: 0, walker: null, walkProblem: null, refusal: null, drop: null, opens: null };
    if (message.isResponse) {
      // A C-STORE-RSP to a sub-operation of a C-GET is expected; any other response answers nothing this side asked.
      if (message.respondsTo !== null && this.ownRequests.has(message.respondsTo) && !hasDataSet) return [{ ...deliver(fragments, null, null, true), answers: message.respondsTo }];
      return this.finish({ ...cur, mode: 'discard', drop: { kind: 'drop', why: `${message.command} for message ${message.respondsTo}, which this side did not send` } }, hasDataSet);
    }
    if (message.commandField === CommandField.CCancelRq) {
      if (hasDataSet) return this.finish({ ...cur, mode: 'discard', drop: { kind: 'drop', why: 'C-CANCEL-RQ with a data set' } }, hasDataSet);
      return [deliver(fragments, null, message.respondsTo, true)];
    }
    if (message.messageId === null) return [this.abort(AbortReason.InvalidPduParameterValue, `${message.command} has no Message ID (PS3.7 §9.3)`)];
    const refusal = checkRequest(message, context.abstractSyntax);
    if (refusal) return this.finish({ ...cur, mode: 'discard', refusal }, hasDataSet);
    const opens = { messageId: message.messageId, commandField: message.commandField };
    if (!hasDataSet) return [deliver(fragments, opens, null, true)];
    if (message.commandField === CommandField.CStoreRq) {
      this.current = { ...cur, mode: 'pass' };
      return [deliver(fragments, opens, null, false)];
    }
    const held: Current = { ...cur, opens };
    const encoding = dataSetEncoding(context.transferSyntax);
    // A deflated identifier (PS3.5 A.5) is handed on unchecked: its elements cannot be walked before inflating.
    if (!encoding.deflated) held.walker = new ElementWalker(encoding, problemListener((why) => (held.walkProblem ??= why)), (tag) => dictionaryEntry(tag)?.vr);
    this.current = held;
    return [];
  }

  /** A message with nothing to hand on: its end (now, or when its data set is through) is answered or dropped. */
  private finish(cur: Current, hasDataSet: boolean): Delivery[] {
    if (hasDataSet) {
      this.current = { ...cur, held: [] };
      return [];
    }
    return [cur.drop ?? this.response(cur)];
  }

  private dataSetPdv(cur: Current, pdv: Pdv): Delivery[] {
    if (pdv.isCommand) return [this.abort(AbortReason.UnexpectedPduParameter, `command fragment while the data set of ${cur.message.command} ${cur.message.messageId ?? ''} is due (PS3.8 Annex E.2)`)];
    if (pdv.presentationContextId !== cur.contextId)
      return [this.abort(AbortReason.UnexpectedPduParameter, `data set fragment on context ${pdv.presentationContextId} for a command on context ${cur.contextId}`)];
    if (cur.mode === 'pass') {
      if (pdv.isLast) this.current = null;
      return [deliver([pdv], null, null, pdv.isLast)];
    }
    if (cur.mode === 'hold') {
      cur.heldBytes += pdv.value.length;
      if (cur.heldBytes > this.maxIdentifierBytes) {
        const status = OUT_OF_RESOURCES.get(cur.message.commandField) ?? CANNOT_UNDERSTAND;
        cur.mode = 'discard';
        cur.held = [];
        cur.walker = null;
        cur.refusal = { status, comment: `identifier longer than ${this.maxIdentifierBytes} bytes` };
      } else {
        cur.held.push(pdv);
        cur.walker?.push(pdv.value, 0);
      }
    }
    if (!pdv.isLast) return [];
    this.current = null;
    if (cur.mode === 'discard') return [cur.drop ?? this.response(cur)];
    cur.walker?.finish();
    if (cur.walkProblem !== null) {
      const status = OUT_OF_RESOURCES.has(cur.message.commandField) ? IDENTIFIER_DOES_NOT_MATCH : CANNOT_UNDERSTAND;
      return [this.response({ ...cur, refusal: { status, comment: `identifier: ${cur.walkProblem}` } })];
    }
    return [deliver(cur.held, cur.opens, null, true)];
  }

  /** The failure response to a refused request (PS3.7 §9.3: the response Command Field, the request's Message ID and SOP class). */
  private response(cur: Current): Delivery {
    const m = cur.message;
    const refusal = cur.refusal ?? { status: CANNOT_UNDERSTAND, comment: 'request refused' };
    const command = encodeResponseCommand({
      commandField: responseFieldOf(m.commandField),
      respondsTo: m.messageId ?? 0,
      affectedSopClass: m.affectedSopClass ?? m.requestedSopClass,
      affectedSopInstance: m.commandField === CommandField.CStoreRq ? m.affectedSopInstance : null,
      status: refusal.status,
      errorComment: refusal.comment,
    });
    return { kind: 'respond', presentationContextId: cur.contextId, command, why: `${m.command} ${m.messageId ?? ''} refused with 0x${refusal.status.toString(16).padStart(4, '0').toUpperCase()}: ${refusal.comment}` };
  }
}

type Deliver = Extract<Delivery, { kind: 'deliver' }>;

function deliver(pdvs: Pdv[], opens: { messageId: number; commandField: number } | null, cancels: number | null, endsMessage: boolean): Deliver {
  return { kind: 'deliver', pdu: null, pdvs, opens, cancels, answers: null, endsMessage };
}

/** Consecutive deliveries of plain PDVs (no request opened, no cancel, no message end before the last) go in one PDU. */
function mergeDeliveries(list: Delivery[]): Delivery[] {
  const out: Delivery[] = [];
  for (const d of list) {
    const last = out[out.length - 1];
    if (d.kind === 'deliver' && last?.kind === 'deliver' && last.pdu === null && !last.endsMessage && d.opens === null && d.cancels === null && last.cancels === null && d.answers === null && last.answers === null) {
      out[out.length - 1] = { ...last, pdvs: [...last.pdvs, ...d.pdvs], endsMessage: d.endsMessage };
    } else out.push(d);
  }
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A walker listener that keeps nothing and reports the first fatal problem. */
function problemListener(onFatal: (why: string) => void): WalkerListener {
  return {
    topLevelStart: () => false,
    keep: () => {},
    topLevelEnd: () => {},
    topLevelAbandon: () => {},
    problem: (_offset, _stream, reason, fatal) => {
      if (fatal) onFatal(reason);
    },
  };
}
