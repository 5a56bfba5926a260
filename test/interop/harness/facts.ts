/**
 * The comparable facts of a capture, the same shape whichever decoder they
 * come from (pacscope's summary, tshark, DCMTK's own `-d` log): per
 * association the PDU types in order and the DIMSE command sets.
 */

export interface MessageFacts {
  /** "C-MOVE-RQ" */
  command: string;
  side: 'requestor' | 'acceptor';
  messageId: number | null;
  respondsTo: number | null;
  /** "0xFF00", null on requests. */
  status: string | null;
  remaining: number | null;
  completed: number | null;
  failed: number | null;
  warning: number | null;
  moveDestination: string | null;
  moveOriginatorAe: string | null;
  moveOriginatorId: number | null;
  affectedSopInstance: string | null;
}

export interface AssociationFacts {
  requestorPort: number;
  acceptorPort: number;
  callingAe: string | null;
  calledAe: string | null;
  /** PDU type names in wire order, both directions interleaved as captured. */
  pdus: { type: string; side: 'requestor' | 'acceptor' }[];
  messages: MessageFacts[];
  reject: { result: number; source: number; reason: number } | null;
  abort: { source: number; reason: number } | null;
}

export const MESSAGE_FIELDS = [
  'command',
  'side',
  'messageId',
  'respondsTo',
  'status',
  'remaining',
  'completed',
  'failed',
  'warning',
  'moveDestination',
  'moveOriginatorAe',
  'moveOriginatorId',
  'affectedSopInstance',
] as const satisfies readonly (keyof MessageFacts)[];

export function emptyMessage(command: string, side: 'requestor' | 'acceptor'): MessageFacts {
  return {
    command,
    side,
    messageId: null,
    respondsTo: null,
    status: null,
    remaining: null,
    completed: null,
    failed: null,
    warning: null,
    moveDestination: null,
    moveOriginatorAe: null,
    moveOriginatorId: null,
    affectedSopInstance: null,
  };
}

/** AE titles and UIDs as compared: trailing spaces / NUL padding removed. */
export function trimValue(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return s.replace(/[\s\0]+$/, '').replace(/^\s+/, '');
}
