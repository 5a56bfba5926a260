/**
 * The correlator (docs/architecture.md, "The layers"): links what the wire does not link
 * by itself, from the derived event stream alone, as the events arrive —
 *
 * - a C-STORE sub-association → the C-MOVE that caused it (move-links.ts),
 *   which may be decided only after the association opened (its first
 *   C-STORE-RQ carries the strongest evidence) and revised once;
 * - a response → its request; a C-GET's C-STOREs → the C-GET; a C-CANCEL-RQ
 *   → the request it cancels (message-links.ts), decided when the message
 *   arrives and never revised.
 *
 * Pure and incremental: a live session and a file of the same events give the
 * same links. Message indices count the `dimse` events pushed, i.e. they are
 * indices in `summary.messages`.
 */
import type { DerivedEvent } from '../events/derived-event.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { MessageLinker, type MessageLinks } from './message-links.ts';
import { MoveLinker, type ParentChange } from './move-links.ts';

export type { ParentChange, ParentLink } from './move-links.ts';
export type { MessageLinks } from './message-links.ts';

/** What one derived event changed. */
export interface Correlation {
  /** Associations whose link to a C-MOVE changed (set, revised or dropped), with the new link. */
  parents: ParentChange[];
  /** The links of the DIMSE message of a `dimse` event; null for other events. */
  message: MessageLinks | null;
}

const A_ASSOCIATE_RQ = 0x01;

export class Correlator {
  private readonly messageLinks = new MessageLinker();
  private readonly moveLinks = new MoveLinker();
  private messageCount = 0;

  push(ev: DerivedEvent): Correlation {
    const parents: ParentChange[] = [];
    switch (ev.type) {
      case 'connection.open':
        this.moveLinks.opened(ev.association, ev.time);
        return { parents, message: null };
      case 'pdu': {
        if (ev.pdu.pduType !== A_ASSOCIATE_RQ || ev.from !== 'requestor') return { parents, message: null };
        const change = this.moveLinks.requested(ev.association, ev.pdu.callingAeTitle, ev.pdu.calledAeTitle, ev.time);
        if (change) parents.push(change);
        return { parents, message: null };
      }
      case 'dimse': {
        const index = this.messageCount++;
        const m = ev.message;
        const links = this.messageLinks.link(ev.association, ev.from, m, index);
        if (m.commandField === CommandField.CMoveRq && m.messageId !== null) {
          this.moveLinks.moveRequested(ev.association, ev.from, index, m.messageId, m.moveDestination, ev.time);
        } else if (links.completed?.commandField === CommandField.CMoveRq) {
          this.moveLinks.moveCompleted(links.completed.index, ev.time);
        } else if (m.commandField === CommandField.CStoreRq && ev.from === 'requestor' && m.moveOriginator) {
          const change = this.moveLinks.stored(ev.association, m.moveOriginator, ev.time);
          if (change) parents.push(change);
        }
        return { parents, message: { request: links.request, cause: links.cause } };
      }
      case 'association.end':
        this.messageLinks.end(ev.association);
        this.moveLinks.ended(ev.association, ev.time);
        return { parents, message: null };
      case 'connection.refused': {
        const change = this.moveLinks.refused(ev.association, ev.time);
        if (change) parents.push(change);
        return { parents, message: null };
      }
      case 'decode.error':
        return { parents, message: null };
    }
  }
}
