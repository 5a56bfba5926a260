/**
 * The pure side of the association inspector: what a selection points at
 * (a lifecycle event of an association, or one of its A-ASSOCIATE-RQ/AC/RJ,
 * A-RELEASE-RQ/RP, A-ABORT PDUs), which PDUs of the capture carry that event,
 * the title, the A-ASSOCIATE-RJ and A-ABORT codes with their meanings
 * (PS3.8 Table 9-21, Table 9-26) and the times.
 */
import type { Summary, SummaryAssociation, SummaryPdu } from '../../../../shared/model/summary-types.ts';
import {
  abortReasonText,
  abortSourceText,
  associateRjReasonText,
  associateRjResultText,
  associateRjSourceText,
} from '../../../../shared/pdu/meanings.ts';
import type { LifecycleEvent, Selection } from '../../../../shared/view/diagram/layout-types.ts';
import { associationAccepted, lifecycleLabel } from '../../../../shared/view/diagram/lifecycle-labels.ts';

/** The PDUs that carry each lifecycle event, in the order they are sent (PS3.8 §9.3.2–§9.3.8); none for the TCP connection itself. */
export const LIFECYCLE_PDU_TYPES: Readonly<Record<LifecycleEvent, readonly string[]>> = Object.freeze({
  associate: ['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC'],
  reject: ['A-ASSOCIATE-RJ'],
  release: ['A-RELEASE-RQ', 'A-RELEASE-RP'],
  abort: ['A-ABORT'],
  refused: [],
  closed: [],
});

/** The lifecycle event a PDU type belongs to; null for P-DATA-TF (a DIMSE message, not the association's lifecycle). */
export function pduEvent(type: string): LifecycleEvent | null {
  for (const [event, types] of Object.entries(LIFECYCLE_PDU_TYPES) as [LifecycleEvent, readonly string[]][]) {
    if (types.includes(type)) return event;
  }
  return null;
}

/** What the association inspector shows: an association (index in summary.associations), its event, and the PDU clicked if one was. */
export interface AssociationTarget {
  index: number;
  event: LifecycleEvent;
  /** Index in summary.pdus of the clicked PDU (a PDU selection), null for a lifecycle selection. */
  pdu: number | null;
}

/** The association inspector's target for a lifecycle selection or a PDU selection of an association PDU; null otherwise. */
export function associationTarget(summary: Summary, selected: Selection): AssociationTarget | null {
  if (!selected) return null;
  if (selected.kind === 'lifecycle') return summary.associations[selected.index] ? { index: selected.index, event: selected.event, pdu: null } : null;
  if (selected.kind !== 'pdu') return null;
  const pdu = summary.pdus[selected.index];
  const event = pdu ? pduEvent(pdu.type) : null;
  if (!pdu || !event) return null;
  const index = summary.associations.findIndex((a) => a.id === pdu.association);
  return index < 0 ? null : { index, event, pdu: selected.index };
}

/** Indices in `pdus` of the association's PDUs that carry `event`, in capture order. */
export function eventPdus(pdus: readonly SummaryPdu[], association: string, event: LifecycleEvent): number[] {
  const types = LIFECYCLE_PDU_TYPES[event];
  const out: number[] = [];
  pdus.forEach((p, i) => {
    if (p.association === association && types.includes(p.type)) out.push(i);
  });
  return out;
}

/**
 * The PDUs to show for a target and whether they are still to come: the live
 * snapshot comes without PDUs (live-messages.ts) until the selection asks for
 * them, so an empty PDU list means "loading", not "none".
 */
export function targetPdus(summary: Summary, target: AssociationTarget): { indices: number[]; loading: boolean } {
  if (target.pdu !== null) return { indices: [target.pdu], loading: false };
  const a = summary.associations[target.index];
  const indices = eventPdus(summary.pdus, a.id, target.event);
  const expected = LIFECYCLE_PDU_TYPES[target.event].length > 0 && !(target.event === 'associate' && a.midStream);
  return { indices, loading: indices.length === 0 && expected && summary.pdus.length === 0 };
}

/** The Move Destination of the C-MOVE that caused the association (PS3.4 C.4.2), when the correlator linked it. */
export function moveDestinationOf(summary: Summary, a: SummaryAssociation): string | null {
  return a.cause?.relation === 'c-move' ? (summary.messages[a.cause.message]?.moveDestination ?? null) : null;
}

export const hostPort = (e: { host: string; port: number }): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

/** An end of the association: its AE title, or its address when the A-ASSOCIATE-RQ was not seen. */
const endName = (e: SummaryAssociation['requestor']): string => e.ae ?? hostPort(e);

function eventHeading(a: SummaryAssociation, event: LifecycleEvent): string {
  switch (event) {
    case 'associate':
      return associationAccepted(a) ? 'A-ASSOCIATE-RQ / A-ASSOCIATE-AC' : 'A-ASSOCIATE-RQ';
    case 'reject':
      return 'A-ASSOCIATE-RJ';
    case 'release':
      return 'A-RELEASE-RQ / A-RELEASE-RP';
    case 'abort':
      return 'A-ABORT';
    case 'refused':
    case 'closed':
      return lifecycleLabel(a, event);
  }
}

/** "A-ASSOCIATE-RJ — association a3 WORKSTATION → PACS". */
export function targetTitle(summary: Summary, target: AssociationTarget): string {
  const a = summary.associations[target.index];
  const what = target.pdu !== null ? (summary.pdus[target.pdu]?.type ?? eventHeading(a, target.event)) : eventHeading(a, target.event);
  return `${what} — association ${a.id} ${endName(a.requestor)} → ${endName(a.acceptor)}`;
}

/** One code of an A-ASSOCIATE-RJ or A-ABORT with its meaning. */
export interface CodeRow {
  /** The field's name in PS3.8 Table 9-21 / 9-26. */
  field: 'Result' | 'Source' | 'Reason/Diag.';
  /** data-testid of the cell. */
  testid: string;
  code: number;
  meaning: string;
}

/** Result, source and reason of an A-ASSOCIATE-RJ, PS3.8 Table 9-21 (the reason's meaning depends on the source). */
export function rejectRows(reject: NonNullable<SummaryAssociation['reject']>): CodeRow[] {
  return [
    { field: 'Result', testid: 'reject-result', code: reject.result, meaning: associateRjResultText(reject.result) },
    { field: 'Source', testid: 'reject-source', code: reject.source, meaning: associateRjSourceText(reject.source) },
    { field: 'Reason/Diag.', testid: 'reject-reason', code: reject.reason, meaning: associateRjReasonText(reject.source, reject.reason) },
  ];
}

/** Source and reason of an A-ABORT, PS3.8 Table 9-26 (the reason is significant only when the source is 2). */
export function abortRows(abort: NonNullable<SummaryAssociation['abort']>): CodeRow[] {
  return [
    { field: 'Source', testid: 'abort-source', code: abort.source, meaning: abortSourceText(abort.source) },
    { field: 'Reason/Diag.', testid: 'abort-reason', code: abort.reason, meaning: abortReasonText(abort.source, abort.reason) },
  ];
}

/** Who sent the A-ABORT, in words. */
export function abortSender(a: SummaryAssociation): string {
  if (!a.abort) return 'unknown';
  const end = a.abort.by === 'requestor' ? a.requestor : a.acceptor;
  return `the ${a.abort.by} ${endName(end)} (${hostPort(end)})${a.abort.source === 2 ? ', its DICOM upper layer' : ''}`;
}

const ms = (seconds: number): string => `${(seconds * 1000).toFixed(1)} ms`;

/** The association's times, from the start of the source. */
export function timeRows(a: SummaryAssociation): { field: string; value: string }[] {
  const rows = [{ field: 'start', value: `${ms(a.start)} from the start of the source` }];
  if (a.end === null) rows.push({ field: 'end', value: a.outcome === 'open' ? 'still open' : 'not seen' });
  else {
    rows.push({ field: 'end', value: `${ms(a.end)} from the start of the source` });
    rows.push({ field: 'duration', value: ms(a.end - a.start) });
  }
  return rows;
}

/** What the capture knows of a connection that carried no association, or ended without A-RELEASE (PS3.8 §9.1.1). */
export function connectionRows(a: SummaryAssociation): { field: string; value: string }[] {
  const rows = [
    { field: 'requestor', value: `${a.requestor.ae ? `${a.requestor.ae} at ` : ''}${hostPort(a.requestor)}` },
    { field: 'acceptor', value: `${a.acceptor.ae ? `${a.acceptor.ae} at ` : ''}${hostPort(a.acceptor)}` },
    { field: 'outcome', value: a.outcome },
  ];
  if (a.closeReason) rows.push({ field: 'how it ended', value: a.closeReason });
  return rows;
}
