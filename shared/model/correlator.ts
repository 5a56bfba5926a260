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
    // Plain loops, no closure per event: this runs for every PDU and message of a session.
    switch (ev.type) {
      case 'connection.open':
      case 'connection.refused':
        for (const l of this.linkers) {
          try {
            add(out, l.connection?.(ev.association, ev.time, ev.type === 'connection.refused'));
          } catch (e) {
            failed(out, l, e);
          }
        }
        break;
      case 'pdu': {
        const pdu = ev.pdu;
        if (pdu.pduType !== A_ASSOCIATE_RQ || ev.from !== 'requestor') break;
        const proposed = pdu.presentationContexts.flatMap((pc) => (pc.abstractSyntax === null ? [] : [pc.abstractSyntax]));
        for (const l of this.linkers) {
          try {
            add(out, l.associate?.(ev.association, pdu.callingAeTitle, pdu.calledAeTitle, ev.time, proposed));
          } catch (e) {
            failed(out, l, e);
          }
        }
        break;
      }
      case 'dimse': {
        const index = this.messageCount++;
        const match = this.responses.match(ev.association, ev.from, ev.message, index);
        const facts = { index, association: ev.association, side: ev.from, time: ev.time, message: ev.message, request: match.request, completed: match.completed };
        let cause: MessageCause | null = match.request !== null ? (this.causes.get(match.request) ?? null) : null;
        for (const l of this.linkers) {
          try {
            const found = l.message?.(facts);
            if (found?.cause) cause = found.cause;
            add(out, found?.associations);
          } catch (e) {
            failed(out, l, e);
          }
        }
        if (cause && match.request === null) this.causes.set(index, cause);
        out.message = { request: match.request, cause };
        break;
      }
      case 'association.end':
        this.responses.end(ev.association);
        for (const l of this.linkers) {
          try {
            l.end?.(ev.association, ev.time);
          } catch (e) {
            failed(out, l, e);
          }
        }
        break;
      case 'decode.error':
        break;
    }
    return out;
  }
}

function add(out: Correlation, changes: AssociationLinkChange[] | null | undefined): void {
  if (changes) out.associations.push(...changes);
}

/** A linker that throws loses its own link, never the session (its failure is reported). */
function failed(out: Correlation, linker: Linker, e: unknown): void {
  out.failures.push(`${linker.constructor.name}: ${(e as Error)?.message ?? String(e)}`);
}
