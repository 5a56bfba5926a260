/**
 * Links between the DIMSE messages of one association, found from Message ID
 * (0000,0110) and Message ID Being Responded To (0000,0120), PS3.7 §9.3:
 *
 * - a response → the request it answers: same association, sent by the other
 *   side, the request's Command Field with bit 15 set (PS3.7 Annex E), its
 *   Message ID equal to the response's (0000,0120);
 * - a C-STORE-RQ sent by the *acceptor* of an association with a C-GET
 *   running → that C-GET-RQ: C-GET sub-operations are C-STOREs on the same
 *   association, in the other direction (PS3.7 §9.1.3, PS3.4 C.4.3); its
 *   C-STORE-RSP gets the same cause;
 * - a C-CANCEL-RQ → the C-FIND, C-GET or C-MOVE request it cancels: its
 *   (0000,0120) is that request's Message ID (PS3.7 §9.3.2.3, §9.3.3.3,
 *   §9.3.4.3).
 *
 * Pure. Message indices are positions in the DIMSE message stream, i.e. in
 * `summary.messages`.
 */
import type { Side } from '../capture/wire-event.ts';
import type { DimseMessage } from '../dimse/types.ts';
import { CommandField } from '../dimse/command-fields.ts';

/** The links of one message (see SummaryMessage.request and .cause). */
export interface MessageLinks {
  request: number | null;
  cause: number | null;
}

/** A request as the linker remembers it. */
export interface SeenRequest {
  index: number;
  commandField: number;
  messageId: number;
  side: Side;
  cause: number | null;
  /** A final (non-pending) response has been seen. */
  done: boolean;
}

/** What linking one message found. */
export interface LinkedMessage extends MessageLinks {
  /** For a final response: the request it completed (now `done`), else null. */
  completed: SeenRequest | null;
}

const CANCELLABLE: ReadonlySet<number> = new Set([CommandField.CFindRq, CommandField.CGetRq, CommandField.CMoveRq]);

const key = (side: Side, commandField: number, messageId: number): string => `${side}|${commandField}|${messageId}`;
const other = (side: Side): Side => (side === 'requestor' ? 'acceptor' : 'requestor');

class AssociationRequests {
  /** The latest request per side, Command Field and Message ID (ids wrap at 65535, so this stays bounded). */
  readonly byKey = new Map<string, SeenRequest>();
  /** C-GET-RQs sent by the requestor and not finished yet, oldest first. */
  readonly runningGets: SeenRequest[] = [];
}

export class MessageLinker {
  private readonly associations = new Map<string, AssociationRequests>();

  /** Links message `index` of `association`, sent by `side`. */
  link(association: string, side: Side, m: DimseMessage, index: number): LinkedMessage {
    let state = this.associations.get(association);
    if (!state) {
      state = new AssociationRequests();
      this.associations.set(association, state);
    }
    if (m.isResponse) return this.linkResponse(state, side, m);
    let cause: number | null = null;
    if (m.commandField === CommandField.CCancelRq && m.respondsTo !== null) {
      cause = this.cancelled(state, side, m.respondsTo)?.index ?? null;
    } else if (m.commandField === CommandField.CStoreRq && side === 'acceptor') {
      // With several C-GETs outstanding (asynchronous operations window, PS3.7
      // D.3.3.3) nothing on the wire says which one a C-STORE serves: take the
      // oldest still running, as an SCP works through them in order.
      cause = state.runningGets[0]?.index ?? null;
    }
    if (m.messageId !== null && m.commandField !== CommandField.CCancelRq) {
      const seen: SeenRequest = { index, commandField: m.commandField, messageId: m.messageId, side, cause, done: false };
      state.byKey.set(key(side, m.commandField, m.messageId), seen);
      if (m.commandField === CommandField.CGetRq && side === 'requestor') state.runningGets.push(seen);
    }
    return { request: null, cause, completed: null };
  }

  /** The association is over: nothing more can be linked inside it. */
  end(association: string): void {
    this.associations.delete(association);
  }

  private linkResponse(state: AssociationRequests, side: Side, m: DimseMessage): LinkedMessage {
    if (m.respondsTo === null) return { request: null, cause: null, completed: null };
    const rq = state.byKey.get(key(other(side), m.commandField & 0x7fff, m.respondsTo));
    if (!rq) return { request: null, cause: null, completed: null };
    let completed: SeenRequest | null = null;
    // Only pending statuses (0xFF00/0xFF01, PS3.7 Annex C) keep a request running.
    if (m.statusCategory !== 'pending' && !rq.done) {
      rq.done = true;
      completed = rq;
      const at = state.runningGets.indexOf(rq);
      if (at >= 0) state.runningGets.splice(at, 1);
    }
    return { request: rq.index, cause: rq.cause, completed };
  }

  /** The request a C-CANCEL-RQ with (0000,0120) = `messageId`, sent by `side`, cancels. */
  private cancelled(state: AssociationRequests, side: Side, messageId: number): SeenRequest | null {
    let found: SeenRequest | null = null;
    for (const field of CANCELLABLE) {
      const rq = state.byKey.get(key(side, field, messageId));
      // A Message ID distinguishes a message from the others (PS3.7 Annex E, (0000,0110)); ids get reused, so prefer a request still running, then the latest.
      if (rq && (!found || (found.done && !rq.done) || (found.done === rq.done && rq.index > found.index))) found = rq;
    }
    return found;
  }
}
