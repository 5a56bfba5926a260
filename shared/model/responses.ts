/**
 * A response → the request it answers, the one link PS3.7 states itself
 * (§9.3, Annex E): same association, sent by the other side, the request's
 * Command Field with bit 15 set, its Message ID (0000,0110) equal to the
 * response's Message ID Being Responded To (0000,0120). Only pending
 * statuses (0xFF00/0xFF01, Annex C) keep a request running; the first other
 * response completes it. The linkers (linkers/) see what this found. Pure.
 */
import type { Side } from '../capture/wire-event.ts';
import type { DimseMessage } from '../dimse/types.ts';

/** What matching one message found. */
export interface ResponseMatch {
  /** A response: the request it answers; null for requests and when the request was not seen. */
  request: number | null;
  /** A final response: the request it completes (seen for the first time). */
  completed: number | null;
}

interface SeenRequest {
  index: number;
  done: boolean;
}

const key = (side: Side, commandField: number, messageId: number): string => `${side}|${commandField}|${messageId}`;
const other = (side: Side): Side => (side === 'requestor' ? 'acceptor' : 'requestor');

export class ResponseMatcher {
  /** Per association: the latest request per side, Command Field and Message ID (ids wrap at 65535, so this stays bounded). */
  private readonly associations = new Map<string, Map<string, SeenRequest>>();

  match(association: string, side: Side, m: DimseMessage, index: number): ResponseMatch {
    let requests = this.associations.get(association);
    if (!requests) this.associations.set(association, (requests = new Map()));
    if (!m.isResponse) {
      if (m.messageId !== null) requests.set(key(side, m.commandField, m.messageId), { index, done: false });
      return { request: null, completed: null };
    }
    if (m.respondsTo === null) return { request: null, completed: null };
    const rq = requests.get(key(other(side), m.commandField & 0x7fff, m.respondsTo));
    if (!rq) return { request: null, completed: null };
    if (m.statusCategory === 'pending' || rq.done) return { request: rq.index, completed: null };
    rq.done = true;
    return { request: rq.index, completed: rq.index };
  }

  /** The association is over: nothing more can be matched inside it. */
  end(association: string): void {
    this.associations.delete(association);
  }
}
