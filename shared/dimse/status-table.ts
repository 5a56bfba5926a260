/**
 * DIMSE status codes: the general statuses of PS3.7 Annex C and the
 * service-specific statuses of PS3.4 (B.2.3 Storage, C.4.1.1.4 C-FIND,
 * C.4.2.1.5 C-MOVE, C.4.3.1.4 C-GET). Data declared once; the look-up and
 * the range fallbacks live in status.ts.
 */
import type { StatusCategory } from './types.ts';

export interface StatusEntry {
  meaning: string;
  category: StatusCategory;
}

const s = (category: StatusCategory, meaning: string): StatusEntry => Object.freeze({ category, meaning });

/** PS3.7 Annex C (C.1–C.5): statuses shared by all services. */
export const GENERAL_STATUSES: ReadonlyMap<number, StatusEntry> = new Map([
  [0x0000, s('success', 'Success')],
  [0xfe00, s('cancel', 'Cancel')],
  [0xff00, s('pending', 'Pending')],
  [0xff01, s('pending', 'Pending: one or more optional keys were not supported')],
  [0x0001, s('warning', 'Warning: requested optional attributes are not supported')],
  [0x0107, s('warning', 'Warning: attribute list error')],
  [0x0116, s('warning', 'Warning: attribute value out of range')],
  [0x0105, s('failure', 'Failure: no such attribute')],
  [0x0106, s('failure', 'Failure: invalid attribute value')],
  [0x0110, s('failure', 'Failure: processing failure')],
  [0x0111, s('failure', 'Failure: duplicate SOP instance')],
  [0x0112, s('failure', 'Failure: no such SOP instance')],
  [0x0113, s('failure', 'Failure: no such event type')],
  [0x0114, s('failure', 'Failure: no such argument')],
  [0x0115, s('failure', 'Failure: invalid argument value')],
  [0x0117, s('failure', 'Failure: invalid object instance')],
  [0x0118, s('failure', 'Failure: no such SOP class')],
  [0x0119, s('failure', 'Failure: class-instance conflict')],
  [0x0120, s('failure', 'Failure: missing attribute')],
  [0x0121, s('failure', 'Failure: missing attribute value')],
  [0x0122, s('failure', 'Refused: SOP class not supported')],
  [0x0123, s('failure', 'Failure: no such action')],
  [0x0124, s('failure', 'Refused: not authorized')],
  [0x0210, s('failure', 'Failure: duplicate invocation')],
  [0x0211, s('failure', 'Failure: unrecognized operation')],
  [0x0212, s('failure', 'Failure: mistyped argument')],
  [0x0213, s('failure', 'Failure: resource limitation')],
]);

/** PS3.4 B.2.3, C-STORE status. */
const C_STORE: ReadonlyMap<number, StatusEntry> = new Map([
  [0xb000, s('warning', 'Warning: coercion of data elements')],
  [0xb006, s('warning', 'Warning: elements discarded')],
  [0xb007, s('warning', 'Warning: data set does not match SOP class')],
]);

/** PS3.4 C.4.1.1.4, C-FIND status. */
const C_FIND: ReadonlyMap<number, StatusEntry> = new Map([
  [0x0000, s('success', 'Success: matching is complete')],
  [0xa700, s('failure', 'Refused: out of resources')],
  [0xa900, s('failure', 'Failed: identifier does not match SOP class')],
  [0xfe00, s('cancel', 'Cancel: matching terminated due to cancel request')],
  [0xff00, s('pending', 'Pending: matches are continuing')],
  [0xff01, s('pending', 'Pending: matches are continuing, one or more optional keys were not supported')],
]);

/** PS3.4 C.4.3.1.4, C-GET status (C-MOVE adds 0xA801, see below). */
const C_GET: ReadonlyMap<number, StatusEntry> = new Map([
  [0x0000, s('success', 'Success: sub-operations complete, no failures')],
  [0xa701, s('failure', 'Refused: out of resources, unable to calculate number of matches')],
  [0xa702, s('failure', 'Refused: out of resources, unable to perform sub-operations')],
  [0xa900, s('failure', 'Failed: identifier does not match SOP class')],
  [0xb000, s('warning', 'Warning: sub-operations complete, one or more failures or warnings')],
  [0xfe00, s('cancel', 'Cancel: sub-operations terminated due to cancel indication')],
  [0xff00, s('pending', 'Pending: sub-operations are continuing')],
]);

/** PS3.4 C.4.2.1.5, C-MOVE status. */
const C_MOVE: ReadonlyMap<number, StatusEntry> = new Map([
  ...C_GET,
  [0xa801, s('failure', 'Refused: move destination unknown')],
]);

/** Service ("C-MOVE") → its specific statuses. */
export const SERVICE_STATUSES: ReadonlyMap<string, ReadonlyMap<number, StatusEntry>> = new Map([
  ['C-STORE', C_STORE],
  ['C-FIND', C_FIND],
  ['C-GET', C_GET],
  ['C-MOVE', C_MOVE],
]);

/** A range of codes with one meaning: `(code & mask) === value`. */
export interface StatusRange {
  mask: number;
  value: number;
  entry: StatusEntry;
}

const r = (mask: number, value: number, category: StatusCategory, meaning: string): StatusRange =>
  Object.freeze({ mask, value, entry: s(category, meaning) });

/** Service-specific ranges ("xx" codes of PS3.4), tried after the exact tables. */
export const SERVICE_RANGES: ReadonlyMap<string, readonly StatusRange[]> = new Map([
  [
    'C-STORE',
    [
      r(0xff00, 0xa700, 'failure', 'Refused: out of resources'),
      r(0xff00, 0xa900, 'failure', 'Error: data set does not match SOP class'),
      r(0xf000, 0xc000, 'failure', 'Error: cannot understand'),
    ],
  ],
  [
    'C-FIND',
    [
      r(0xff00, 0xa700, 'failure', 'Refused: out of resources'),
      r(0xff00, 0xa900, 'failure', 'Failed: identifier does not match SOP class'),
      r(0xf000, 0xc000, 'failure', 'Failed: unable to process'),
    ],
  ],
  [
    'C-GET',
    [
      r(0xff00, 0xa700, 'failure', 'Refused: out of resources'),
      r(0xff00, 0xa900, 'failure', 'Failed: identifier does not match SOP class'),
      r(0xf000, 0xc000, 'failure', 'Failed: unable to process'),
    ],
  ],
  [
    'C-MOVE',
    [
      r(0xff00, 0xa700, 'failure', 'Refused: out of resources'),
      r(0xff00, 0xa800, 'failure', 'Refused: move destination unknown'),
      r(0xff00, 0xa900, 'failure', 'Failed: identifier does not match SOP class'),
      r(0xf000, 0xc000, 'failure', 'Failed: unable to process'),
    ],
  ],
]);

/** Ranges for any service (and for a code whose service is unknown), PS3.7 Annex C. */
export const GENERAL_RANGES: readonly StatusRange[] = Object.freeze([
  r(0xff00, 0xa700, 'failure', 'Refused: out of resources'),
  r(0xff00, 0xa900, 'failure', 'Error: data set does not match SOP class'),
  r(0xf000, 0xa000, 'failure', 'Failure (service-specific)'),
  r(0xf000, 0xb000, 'warning', 'Warning (service-specific)'),
  r(0xf000, 0xc000, 'failure', 'Failure: unable to process (cannot understand)'),
  r(0xff00, 0xfe00, 'cancel', 'Cancel'),
  r(0xff00, 0xff00, 'pending', 'Pending'),
  r(0xff00, 0x0100, 'failure', 'Failure'),
  r(0xff00, 0x0200, 'failure', 'Failure'),
]);
