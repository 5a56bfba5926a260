/**
 * The order of a C-MOVE on the wire, read from a derived model (`pacscope
 * summary --json` of a capture, or `CaptureHub.summary()` of a live session):
 * the C-MOVE-RQ, its pending and final C-MOVE-RSPs on the main association,
 * and the C-STORE sub-association(s) the move SCP opened to the destination.
 *
 * Order is judged by position in `summary.messages` (the order in which the
 * decoder saw them: packet order of a capture, arrival order of a live hub)
 * and by time, both; ties in time are common on loopback.
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../../../shared/model/summary-types.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../../shared/dimse/message-words.ts';

export interface MoveTimeline {
  main: SummaryAssociation;
  /** Associations to the destination port (the sub-associations), in order. */
  subs: SummaryAssociation[];
  rq: SummaryMessage;
  pending: SummaryMessage[];
  final: SummaryMessage;
  storeRqs: SummaryMessage[];
  storeRsps: SummaryMessage[];
  /** Index in summary.messages of a message of this timeline. */
  index(m: SummaryMessage): number;
}

export interface MoveTimelineWhere {
  /** The move SCP's DICOM port (acceptor of the main association). */
  scpPort: number;
  /** The destination's port (acceptor of the sub-associations). */
  destinationPort: number;
}

/** Throws with a readable dump when the summary does not hold one C-MOVE with a final response. */
export function moveTimeline(s: Summary, where: MoveTimelineWhere): MoveTimeline {
  const dump = () => s.messages.map((m) => `${m.time.toFixed(4)} ${m.association} ${commandOf(m)} ${statusCodeOf(m) ?? ''}`).join('\n');
  const main = s.associations.find((a) => a.acceptor.port === where.scpPort && s.messages.some((m) => m.association === a.id && m.commandField === CommandField.CMoveRq));
  if (!main) throw new Error(`no association to port ${where.scpPort} with a C-MOVE-RQ:\n${dump()}`);
  const mine = s.messages.filter((m) => m.association === main.id);
  const rq = mine.find((m) => m.commandField === CommandField.CMoveRq)!;
  const rsps = mine.filter((m) => m.commandField === CommandField.CMoveRsp);
  const final = rsps.find((m) => m.statusCategory !== 'pending');
  if (!final) throw new Error(`C-MOVE without a final response:\n${dump()}`);
  const subs = s.associations.filter((a) => a.acceptor.port === where.destinationPort);
  const subIds = new Set(subs.map((a) => a.id));
  const inSubs = s.messages.filter((m) => subIds.has(m.association));
  return {
    main,
    subs,
    rq,
    pending: rsps.filter((m) => m.statusCategory === 'pending'),
    final,
    storeRqs: inSubs.filter((m) => m.commandField === CommandField.CStoreRq),
    storeRsps: inSubs.filter((m) => m.commandField === CommandField.CStoreRsp),
    index: (m) => s.messages.indexOf(m),
  };
}

/** One line per message, for assertion messages. */
export function describeTimeline(s: Summary): string {
  return s.messages
    .map((m) => `t=${m.time.toFixed(4)} ${m.association} ${m.from ?? '?'}→${m.to ?? '?'} ${commandOf(m)}${m.status !== null ? ` ${statusCodeOf(m)}` : ''}${m.remaining !== null ? ` R=${m.remaining}` : ''}${m.completed !== null ? ` C=${m.completed}` : ''}`)
    .join('\n');
}
