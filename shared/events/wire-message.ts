/**
 * A summary message as the live snapshot carries it: an array of a mask and
 * the values of its non-null fields, in a fixed field order — no keys, no
 * nulls. About half of a message's 31 fields are null (a C-STORE-RSP has no
 * identifier, no sub-operation counters, no move destination…), and the
 * field names were a third of what was left: the UI bench's 20,101 messages
 * took 16.1 MB as whole objects, 8.9 MB without their nulls, 5.6 MB like
 * this. The browser receives a WebSocket text at a cost that grows with its
 * bytes (Chromium: 0.2–0.5 s for 8.9 MB on the bench's 2-CPU machine), and
 * the first render of a long session waited on them (issue 13).
 *
 *   [mask, value, value, …]   bit i of mask set: FIELDS[i] is the next value
 *
 * Still plain JSON, parsed by the browser's native JSON.parse (json-list.ts
 * says why); putting the message back together is one object literal per
 * message, every field in the order the summary builder writes them, so that
 * every message has the same shape (one hidden class in V8). Only the
 * message's own fields are left out when null, never a null inside a value
 * (an identifier's empty attribute, a Move Originator without its AE).
 */
import type { SummaryMessage } from '../model/summary-types.ts';
import { JsonList } from './json-list.ts';

/** Every field of a SummaryMessage, in the order shared/model/summary-builder.ts writes them: bit i of the mask is FIELDS[i]. */
const FIELDS = [
  'association',
  'time',
  'from',
  'to',
  'side',
  'presentationContextId',
  'commandField',
  'messageId',
  'respondsTo',
  'affectedSopClass',
  'affectedSopInstance',
  'requestedSopClass',
  'requestedSopInstance',
  'eventTypeId',
  'actionTypeId',
  'priority',
  'status',
  'statusCategory',
  'remaining',
  'completed',
  'failed',
  'warning',
  'moveDestination',
  'moveOriginator',
  'errorComment',
  'offendingElements',
  'identifier',
  'commandSetDataElements',
  'nonConformance',
  'request',
  'cause',
] as const satisfies readonly (keyof SummaryMessage)[];

// A field added to SummaryMessage and not to FIELDS would be lost on the way: the compiler says so here.
type Missing = Exclude<keyof SummaryMessage, (typeof FIELDS)[number]>;
const everyField: [Missing] extends [never] ? true : Missing = true;
void everyField;
// The mask is a 31-bit integer (JSON numbers, bitwise operators): a 32nd field needs a second mask.
if (FIELDS.length > 31) throw new Error('wire-message.ts: more fields than bits in the mask');

/** A message on the wire: the mask of its non-null fields, then their values in FIELDS order. */
export type WireMessage = [mask: number, ...values: unknown[]];

export function toWireMessage(m: SummaryMessage): WireMessage {
  const wire: WireMessage = [0];
  let mask = 0;
  for (let bit = 0; bit < FIELDS.length; bit++) {
    const value = m[FIELDS[bit]];
    if (value === null || value === undefined) continue;
    mask |= 1 << bit;
    wire.push(value);
  }
  wire[0] = mask;
  return wire;
}

/** The SummaryMessage back: its left-out fields null, every field in the order the summary builder writes them. */
export function fromWireMessage(wire: WireMessage): SummaryMessage {
  const mask = wire[0];
  let bit = 0;
  let at = 1;
  // The literal below names the fields in FIELDS order; `take` checks it does (a pointer comparison of two constants).
  const take = <K extends (typeof FIELDS)[number]>(key: K): SummaryMessage[K] => {
    if (FIELDS[bit] !== key) throw new Error(`wire-message.ts: ${key} read where ${FIELDS[bit]} is`);
    return ((mask >>> bit++) & 1 ? wire[at++] : null) as SummaryMessage[K];
  };
  return {
    association: take('association'),
    time: take('time'),
    from: take('from'),
    to: take('to'),
    side: take('side'),
    presentationContextId: take('presentationContextId'),
    commandField: take('commandField'),
    messageId: take('messageId'),
    respondsTo: take('respondsTo'),
    affectedSopClass: take('affectedSopClass'),
    affectedSopInstance: take('affectedSopInstance'),
    requestedSopClass: take('requestedSopClass'),
    requestedSopInstance: take('requestedSopInstance'),
    eventTypeId: take('eventTypeId'),
    actionTypeId: take('actionTypeId'),
    priority: take('priority'),
    status: take('status'),
    statusCategory: take('statusCategory'),
    remaining: take('remaining'),
    completed: take('completed'),
    failed: take('failed'),
    warning: take('warning'),
    moveDestination: take('moveDestination'),
    moveOriginator: take('moveOriginator'),
    errorComment: take('errorComment'),
    offendingElements: take('offendingElements'),
    identifier: take('identifier'),
    commandSetDataElements: take('commandSetDataElements'),
    nonConformance: take('nonConformance'),
    request: take('request'),
    cause: take('cause'),
  };
}

/** The JSON text of a summary's messages as the snapshot carries them (json-list.ts: each one encoded once). */
export class WireMessageList extends JsonList<SummaryMessage> {
  constructor() {
    super(toWireMessage);
  }
}
