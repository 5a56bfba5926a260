/**
 * Labels of the lifecycle arrows of an association, drawn at DIMSE level
 * (layout-types.ts `LifecycleEvent`): A-ASSOCIATE (PS3.8 §7.1), its
 * A-ASSOCIATE-RJ (§9.3.4, Table 9-21), A-RELEASE (§7.2), A-ABORT (§9.3.8,
 * Table 9-26), and the TCP connection refused or closed without either
 * (§9.1.1). Compact labels as people read them, e.g.
 * `rejected: called AE 'WRONGAE' not recognized (1/1/7)`, a longer tooltip,
 * and the CSS class. Pure; the meanings come from shared/pdu/meanings.ts.
 */
import type { SummaryAssociation } from '../../model/summary-types.ts';
import { associationAccepted } from '../../model/association-accepted.ts';
import {
  abortReasonText,
  abortSourceText,
  associateRjReasonText,
  associateRjResultText,
  associateRjSourceText,
} from '../../pdu/meanings.ts';
import type { LifecycleEvent } from './layout-types.ts';

export interface LifecycleContext {
  /** The Move Destination of the C-MOVE that caused this (sub-)association, when known. */
  moveDestination?: string | null;
}

/** A table meaning in plain words: `called-AE-title-not-recognized` → `called AE title not recognized`. */
export function plainWords(meaning: string): string {
  return meaning.replace(/-/g, ' ');
}

/** An AE title for a label: quoted as sent (leading spaces are significant, PS3.8 §9.3.2), `?` when never seen. */
function aeText(ae: string | null): string {
  return ae === null ? '?' : ae;
}

export { associationAccepted };

/** "3 of 4 contexts" accepted (Table 9-18 result 0). */
function contextCount(a: SummaryAssociation): string {
  const accepted = a.presentationContexts.filter((pc) => pc.result === 0).length;
  const total = a.presentationContexts.length;
  return `${accepted} of ${total} context${total === 1 ? '' : 's'}`;
}

/**
 * Why the A-ASSOCIATE-RJ, in the words of the fix (PS3.8 Table 9-21): the AE
 * title the SCP did not recognise is quoted (the called AE the requestor
 * sent for reason 7, the calling AE for reason 3), other reasons in words,
 * then result/source/reason: `called AE 'WRONGAE' not recognized (1/1/7)`.
 */
function rejectReasonWords(a: SummaryAssociation, source: number, reason: number): string {
  if (source === 1 && reason === 7) return a.acceptor.ae === null ? 'called AE title not recognized' : `called AE '${a.acceptor.ae}' not recognized`;
  if (source === 1 && reason === 3) return a.requestor.ae === null ? 'calling AE title not recognized' : `calling AE '${a.requestor.ae}' not recognized`;
  const meaning = associateRjReasonText(source, reason);
  return meaning === 'reserved' ? `reserved reason ${reason}` : plainWords(meaning);
}

function rejectLabel(a: SummaryAssociation): string {
  if (!a.reject) return 'A-ASSOCIATE-RJ';
  const { result, source, reason } = a.reject;
  // Result 2 is rejected-transient: the same request may succeed later.
  const head = result === 1 ? 'rejected' : result === 2 ? 'rejected (transient)' : `rejected (result ${result})`;
  return `${head}: ${rejectReasonWords(a, source, reason)} (${result}/${source}/${reason})`;
}

/** Who sent the A-ABORT: a service-user (source 0) is one of the AEs, source 2 the upper layer itself (PS3.8 Table 9-26). */
function abortBy(a: SummaryAssociation): string {
  const abort = a.abort;
  if (abort?.source === 2) return 'the service provider';
  if (abort?.by === 'acceptor') return 'SCP (acceptor)';
  return 'SCU (requestor)';
}

function abortLabel(a: SummaryAssociation): string {
  if (!a.abort) return 'A-ABORT';
  const { source, reason } = a.abort;
  // The reason is significant only for a service-provider abort (PS3.8 §9.3.8).
  const why = source === 2 && reason !== 0 ? `: ${plainWords(abortReasonText(source, reason))}` : '';
  return `A-ABORT by ${abortBy(a)}${why}`;
}

/** How the TCP connection ended, from the decoder's closeReason (connection-decoder.ts `describeEnd`). */
function closedLabel(a: SummaryAssociation): string {
  const why = a.closeReason ?? '';
  if (/\breset\b/i.test(why)) return 'TCP reset';
  if (/\berror\b/i.test(why)) return 'TCP connection error';
  return 'TCP closed without A-RELEASE';
}

/** The compact label of a lifecycle arrow. */
export function lifecycleLabel(a: SummaryAssociation, event: LifecycleEvent, ctx: LifecycleContext = {}): string {
  switch (event) {
    case 'associate':
      if (a.midStream) return 'A-ASSOCIATE not seen (capture started later)';
      if (associationAccepted(a)) return `A-ASSOCIATE accepted · ${contextCount(a)}`;
      return `A-ASSOCIATE-RQ ${aeText(a.requestor.ae)} → ${aeText(a.acceptor.ae)}`;
    case 'reject':
      return rejectLabel(a);
    case 'release':
      return 'A-RELEASE';
    case 'abort':
      return abortLabel(a);
    case 'refused':
      return `TCP connection refused${ctx.moveDestination ? ` (${ctx.moveDestination})` : ''}`;
    case 'closed':
      return closedLabel(a);
  }
}

const hostPort = (e: { host: string; port: number }): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

/** The longer text of a lifecycle arrow: who, where, every code with its meaning and the PS3.8 table. */
export function lifecycleTooltip(a: SummaryAssociation, event: LifecycleEvent, ctx: LifecycleContext = {}): string {
  const calling = aeText(a.requestor.ae);
  const called = aeText(a.acceptor.ae);
  const route = `${calling} (${hostPort(a.requestor)}) → ${called} (${hostPort(a.acceptor)})`;
  switch (event) {
    case 'associate': {
      if (a.midStream) return `Association ${a.id} ${route} was already open when the capture started: its A-ASSOCIATE-RQ/AC were not seen.`;
      const proposed = `${a.presentationContexts.length} presentation context${a.presentationContexts.length === 1 ? '' : 's'} proposed`;
      if (associationAccepted(a)) {
        const max = `maximum PDU length ${a.maxPdu.requestor ?? '–'} / ${a.maxPdu.acceptor ?? '–'}`;
        return `A-ASSOCIATE-RQ ${route}, ${proposed}; A-ASSOCIATE-AC: ${contextCount(a)} accepted (PS3.8 Table 9-18); ${max}.`;
      }
      const answer = a.reject ? 'answered with A-ASSOCIATE-RJ' : a.outcome === 'open' ? 'not answered yet' : 'never answered';
      return `A-ASSOCIATE-RQ ${route}, ${proposed}; ${answer}.`;
    }
    case 'reject': {
      if (!a.reject) return `A-ASSOCIATE-RJ from ${called} (${hostPort(a.acceptor)}).`;
      const { result, source, reason } = a.reject;
      return (
        `${rejectLabel(a)}. A-ASSOCIATE-RJ from ${called} (${hostPort(a.acceptor)}) to ${calling}: ` +
        `result ${result} ${associateRjResultText(result)}, source ${source} ${associateRjSourceText(source)}, ` +
        `reason ${reason} ${associateRjReasonText(source, reason)} (PS3.8 Table 9-21).`
      );
    }
    case 'release':
      return a.outcome === 'released'
        ? `A-RELEASE-RQ and A-RELEASE-RP: association ${a.id} ${route} released in order (PS3.8 §7.2).`
        : `A-RELEASE of association ${a.id} ${route}${a.closeReason ? `: ${a.closeReason}` : ''}.`;
    case 'abort': {
      if (!a.abort) return `A-ABORT on association ${a.id} ${route}.`;
      const { source, reason, by } = a.abort;
      const sender = by === 'requestor' ? `the requestor ${calling}` : `the acceptor ${called}`;
      return `${abortLabel(a)}. A-ABORT sent by ${sender}: source ${source} ${abortSourceText(source)}, reason ${reason} ${abortReasonText(source, reason)} (PS3.8 Table 9-26).`;
    }
    case 'refused':
      return (
        `${hostPort(a.requestor)} tried to connect to ${hostPort(a.acceptor)}${ctx.moveDestination ? ` (move destination ${ctx.moveDestination})` : ''} ` +
        `and the TCP connection was refused${a.closeReason ? ` (${a.closeReason})` : ''}: nothing listens there, so no A-ASSOCIATE-RQ was sent.`
      );
    case 'closed':
      return `${closedLabel(a)}: association ${a.id} ${route} ended without A-RELEASE or A-ABORT${a.closeReason ? ` (${a.closeReason})` : ''}.`;
  }
}

/** CSS class of a lifecycle arrow: `lifecycle` for the normal course, `status-failure` when the association failed there. */
export function lifecycleClass(_a: SummaryAssociation, event: LifecycleEvent): string {
  return event === 'associate' || event === 'release' ? 'lifecycle' : 'status-failure';
}
