/**
 * The correlator (docs/architecture.md, "The layers"): links what the wire
 * does not link by itself, from the derived event stream alone, as the
 * events arrive. It matches responses to requests (responses.ts), then runs
 * the linkers (linkers/registry.ts), each of which finds one kind of cause:
 * an association opened because of a request elsewhere (a C-MOVE's
 * sub-association), a message serving or acting on an earlier request (a
 * C-GET's C-STOREs, a C-CANCEL). A response shares its request's cause.
 *
 * Pure and incremental: a live session and a file of the same events give
 * the same links. Message indices count the `dimse` events pushed, i.e. they
 * are indices in `summary.messages`. A linker that throws loses its own
 * links for that event, never the others' (the summary builder records the
 * error, docs/architecture.md §5).
 */
import type { DerivedEvent } from '../events/derived-event.ts';
import type { MessageCause } from './summary-types.ts';
import { ResponseMatcher } from './responses.ts';
import type { AssociationLinkChange, Linker } from './linkers/linker.ts';
import { defaultLinkers } from './linkers/registry.ts';

/** The links of one DIMSE message. */
export interface MessageLinks {
  request: number | null;
  cause: MessageCause | null;
}

/** What one derived event changed. */
export interface Correlation {
  /** Associations whose cause changed (set, revised or dropped), with the new cause. */
  associations: AssociationLinkChange[];
  /** The links of the DIMSE message of a `dimse` event; null for other events. */
  message: MessageLinks | null;
  /** Linkers that failed on this event, with why. */
  failures: string[];
}

const A_ASSOCIATE_RQ = 0x01;

export class Correlator {
  private readonly responses = new ResponseMatcher();
  private readonly linkers: Linker[];
  /** Cause of every request so far, by message index (responses share it). */
  private readonly causes = new Map<number, MessageCause>();
  private messageCount = 0;

  constructor(linkers: Linker[] = defaultLinkers()) {
    this.linkers = linkers;
  }

  push(ev: DerivedEvent): Correlation {
    const out: Correlation = { associations: [], message: null, failures: [] };
    const each = (call: (l: Linker) => AssociationLinkChange[] | undefined): void => {
      for (const linker of this.linkers) {
        try {
          const changes = call(linker);
          if (changes) out.associations.push(...changes);
        } catch (e) {
          out.failures.push(`${linker.constructor.name}: ${(e as Error)?.message ?? String(e)}`);
        }
      }
    };
    switch (ev.type) {
      case 'connection.open':
      case 'connection.refused':
        each((l) => l.connection?.(ev.association, ev.time, ev.type === 'connection.refused'));
        break;
      case 'pdu': {
        const pdu = ev.pdu;
        if (pdu.pduType === A_ASSOCIATE_RQ && ev.from === 'requestor') each((l) => l.associate?.(ev.association, pdu.callingAeTitle, pdu.calledAeTitle, ev.time, pdu.presentationContexts.flatMap((pc) => (pc.abstractSyntax === null ? [] : [pc.abstractSyntax]))));
        break;
      }
      case 'dimse': {
        const index = this.messageCount++;
        const match = this.responses.match(ev.association, ev.from, ev.message, index);
        const facts = { index, association: ev.association, side: ev.from, time: ev.time, message: ev.message, request: match.request, completed: match.completed };
        let cause: MessageCause | null = match.request !== null ? (this.causes.get(match.request) ?? null) : null;
        each((l) => {
          const found = l.message?.(facts);
          if (found?.cause) cause = found.cause;
          return found?.associations;
        });
        if (cause && match.request === null) this.causes.set(index, cause);
        out.message = { request: match.request, cause };
        break;
      }
      case 'association.end':
        this.responses.end(ev.association);
        each((l) => void l.end?.(ev.association, ev.time));
        break;
      case 'decode.error':
        break;
    }
    return out;
  }
}
