/**
 * C-CANCEL-RQ → the C-FIND, C-GET or C-MOVE request it cancels: its Message
 * ID Being Responded To (0000,0120) is that request's Message ID, sent by the
 * same side on the same association (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3).
 * Message IDs get reused (PS3.7 Annex E): a request still running wins, then
 * the latest.
 */
import type { Side } from '../../capture/wire-event.ts';
import { CommandField } from '../../dimse/command-fields.ts';
import type { Linker, MessageFacts, MessageLinkResult } from './linker.ts';

const CANCELLABLE: ReadonlySet<number> = new Set([CommandField.CFindRq, CommandField.CGetRq, CommandField.CMoveRq]);

interface Request {
  index: number;
  done: boolean;
}

export class CancelLinker implements Linker {
  readonly relations = [{ relation: 'c-cancel', label: 'cancels', section: 'PS3.7 §9.3.4.3' }] as const;
  /** Per association: cancellable requests by side and Message ID (the latest of each). */
  private readonly requests = new Map<string, Map<string, Request>>();

  message(f: MessageFacts): MessageLinkResult | null {
    const m = f.message;
    if (CANCELLABLE.has(m.commandField) && m.messageId !== null) {
      let requests = this.requests.get(f.association);
      if (!requests) this.requests.set(f.association, (requests = new Map()));
      requests.set(`${f.side}|${m.commandField}|${m.messageId}`, { index: f.index, done: false });
      return null;
    }
    if (f.completed !== null) {
      for (const rq of this.requests.get(f.association)?.values() ?? []) if (rq.index === f.completed) rq.done = true;
      return null;
    }
    if (m.commandField !== CommandField.CCancelRq || m.respondsTo === null) return null;
    const rq = this.cancelled(f.association, f.side, m.respondsTo);
    return rq === null ? null : { cause: { relation: 'c-cancel', message: rq } };
  }

  end(association: string): void {
    this.requests.delete(association);
  }

  private cancelled(association: string, side: Side, messageId: number): number | null {
    let found: Request | null = null;
    for (const field of CANCELLABLE) {
      const rq = this.requests.get(association)?.get(`${side}|${field}|${messageId}`);
      if (rq && (!found || (found.done && !rq.done) || (found.done === rq.done && rq.index > found.index))) found = rq;
    }
    return found ? found.index : null;
  }
}
