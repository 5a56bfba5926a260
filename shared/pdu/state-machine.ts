/**
 * The DICOM Upper Layer protocol state machine, PS3.8 §9.2: the states
 * (§9.2.1, Tables 9-1 to 9-5), the events and the actions (Tables 9-6 to
 * 9-9) and the state transition table (Table 9-10), declared once as data,
 * and the pure transition function over them. The same table serves an
 * acceptor guarding its socket (server/endpoints/guard/) and a model that
 * replays what it sees on the wire.
 *
 * A blank cell of Table 9-10 (an event that cannot happen in a state, such
 * as a local A-ASSOCIATE response while no request is pending) is `null`
 * here: the caller decides (for a local primitive: a bug, not sent).
 */

/** States, PS3.8 §9.2.1 (Tables 9-1 to 9-5). */
export const UL_STATES = Object.freeze({
  Sta1: 'Idle',
  Sta2: 'Transport connection open (awaiting A-ASSOCIATE-RQ PDU)',
  Sta3: 'Awaiting local A-ASSOCIATE response primitive (from local user)',
  Sta4: 'Awaiting transport connection opening to complete (from local transport service)',
  Sta5: 'Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU',
  Sta6: 'Association established and ready for data transfer',
  Sta7: 'Awaiting A-RELEASE-RP PDU',
  Sta8: 'Awaiting local A-RELEASE response primitive (from local user)',
  Sta9: 'Release collision requestor side; awaiting A-RELEASE response (from local user)',
  Sta10: 'Release collision acceptor side; awaiting A-RELEASE-RP PDU',
  Sta11: 'Release collision requestor side; awaiting A-RELEASE-RP PDU',
  Sta12: 'Release collision acceptor side; awaiting A-RELEASE response primitive (from local user)',
  Sta13: 'Awaiting transport connection close indication (association no longer exists)',
} as const);
export type UlState = keyof typeof UL_STATES;

/** Events, PS3.8 Table 9-10 (first column). "PDU" events are PDUs received on the transport connection. */
export const UL_EVENTS = Object.freeze({
  Evt1: 'A-ASSOCIATE request (local user)',
  Evt2: 'Transport connect confirmation (local transport service)',
  Evt3: 'A-ASSOCIATE-AC PDU (received on transport connection)',
  Evt4: 'A-ASSOCIATE-RJ PDU (received on transport connection)',
  Evt5: 'Transport connection indication (local transport service)',
  Evt6: 'A-ASSOCIATE-RQ PDU (received on transport connection)',
  Evt7: 'A-ASSOCIATE response primitive (accept)',
  Evt8: 'A-ASSOCIATE response primitive (reject)',
  Evt9: 'P-DATA request primitive',
  Evt10: 'P-DATA-TF PDU',
  Evt11: 'A-RELEASE request primitive',
  Evt12: 'A-RELEASE-RQ PDU (received on open transport connection)',
  Evt13: 'A-RELEASE-RP PDU (received on transport connection)',
  Evt14: 'A-RELEASE response primitive',
  Evt15: 'A-ABORT request primitive',
  Evt16: 'A-ABORT PDU (received on open transport connection)',
  Evt17: 'Transport connection closed indication (local transport service)',
  Evt18: 'ARTIM timer expired (association reject/release timer)',
  Evt19: 'Unrecognized or invalid PDU received',
} as const);
export type UlEvent = keyof typeof UL_EVENTS;

export interface UlActionSpec {
  /** What the action does, as PS3.8 Tables 9-6 to 9-9 say it. */
  readonly text: string;
  /** The next state; two for AE-6 (acceptable / not) and AR-8 (association requestor / not). */
  readonly next: UlState | readonly [UlState, UlState];
}

const act = (text: string, next: UlState | readonly [UlState, UlState]): UlActionSpec => Object.freeze({ text, next });

/** Actions, PS3.8 Tables 9-6 (AE), 9-7 (DT), 9-8 (AR) and 9-9 (AA). */
export const UL_ACTIONS = Object.freeze({
  'AE-1': act('Issue TRANSPORT CONNECT request primitive to local transport service', 'Sta4'),
  'AE-2': act('Send A-ASSOCIATE-RQ PDU', 'Sta5'),
  'AE-3': act('Issue A-ASSOCIATE confirmation (accept) primitive', 'Sta6'),
  'AE-4': act('Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection', 'Sta1'),
  'AE-5': act('Issue transport connection response primitive; start ARTIM timer', 'Sta2'),
  'AE-6': act(
    'Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE indication primitive; otherwise issue A-ASSOCIATE-RJ PDU and start ARTIM timer',
    ['Sta3', 'Sta13'],
  ),
  'AE-7': act('Send A-ASSOCIATE-AC PDU', 'Sta6'),
  'AE-8': act('Send A-ASSOCIATE-RJ PDU and start ARTIM timer', 'Sta13'),
  'DT-1': act('Send P-DATA-TF PDU', 'Sta6'),
  'DT-2': act('Send P-DATA indication primitive', 'Sta6'),
  'AR-1': act('Send A-RELEASE-RQ PDU', 'Sta7'),
  'AR-2': act('Issue A-RELEASE indication primitive', 'Sta8'),
  'AR-3': act('Issue A-RELEASE confirmation primitive, and close transport connection', 'Sta1'),
  'AR-4': act('Issue A-RELEASE-RP PDU and start ARTIM timer', 'Sta13'),
  'AR-5': act('Stop ARTIM timer', 'Sta1'),
  'AR-6': act('Issue P-DATA indication', 'Sta7'),
  'AR-7': act('Issue P-DATA-TF PDU', 'Sta8'),
  'AR-8': act('Issue A-RELEASE indication (release collision)', ['Sta9', 'Sta10']),
  'AR-9': act('Send A-RELEASE-RP PDU', 'Sta11'),
  'AR-10': act('Issue A-RELEASE confirmation primitive', 'Sta12'),
  'AA-1': act('Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer', 'Sta13'),
  'AA-2': act('Stop ARTIM timer if running; close transport connection', 'Sta1'),
  'AA-3': act('Issue A-ABORT or A-P-ABORT indication and close transport connection', 'Sta1'),
  'AA-4': act('Issue A-P-ABORT indication primitive', 'Sta1'),
  'AA-5': act('Stop ARTIM timer', 'Sta1'),
  'AA-6': act('Ignore PDU', 'Sta13'),
  'AA-7': act('Send A-ABORT PDU', 'Sta13'),
  'AA-8': act('Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM timer', 'Sta13'),
});
export type UlAction = keyof typeof UL_ACTIONS;

type Row = Readonly<Partial<Record<UlState, UlAction>>>;

/** States Sta6–Sta12: where most unexpected PDUs abort the association with AA-8. */
const ESTABLISHED = ['Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12'] as const;
const each = (states: readonly UlState[], action: UlAction): Row => Object.fromEntries(states.map((s) => [s, action]));

/** PS3.8 Table 9-10, event by event: state → action. A state missing from a row is a blank cell. */
export const STATE_TABLE: Readonly<Record<UlEvent, Row>> = Object.freeze({
  Evt1: { Sta1: 'AE-1' },
  Evt2: { Sta4: 'AE-2' },
  Evt3: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AE-3', ...each(ESTABLISHED, 'AA-8'), Sta13: 'AA-6' },
  Evt4: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AE-4', ...each(ESTABLISHED, 'AA-8'), Sta13: 'AA-6' },
  Evt5: { Sta1: 'AE-5' },
  Evt6: { Sta2: 'AE-6', Sta3: 'AA-8', Sta5: 'AA-8', ...each(ESTABLISHED, 'AA-8'), Sta13: 'AA-7' },
  Evt7: { Sta3: 'AE-7' },
  Evt8: { Sta3: 'AE-8' },
  Evt9: { Sta6: 'DT-1', Sta8: 'AR-7' },
  Evt10: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AA-8', ...each(ESTABLISHED, 'AA-8'), Sta6: 'DT-2', Sta7: 'AR-6', Sta13: 'AA-6' },
  Evt11: { Sta6: 'AR-1' },
  Evt12: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AA-8', ...each(ESTABLISHED, 'AA-8'), Sta6: 'AR-2', Sta7: 'AR-8', Sta13: 'AA-6' },
  Evt13: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AA-8', ...each(ESTABLISHED, 'AA-8'), Sta7: 'AR-3', Sta10: 'AR-10', Sta11: 'AR-3', Sta13: 'AA-6' },
  Evt14: { Sta8: 'AR-4', Sta9: 'AR-9', Sta12: 'AR-4' },
  Evt15: { Sta3: 'AA-1', Sta4: 'AA-2', Sta5: 'AA-1', ...each(ESTABLISHED, 'AA-1') },
  Evt16: { Sta2: 'AA-2', Sta3: 'AA-3', Sta5: 'AA-3', ...each(ESTABLISHED, 'AA-3'), Sta13: 'AA-2' },
  Evt17: { Sta2: 'AA-5', Sta3: 'AA-4', Sta4: 'AA-4', Sta5: 'AA-4', ...each(ESTABLISHED, 'AA-4'), Sta13: 'AR-5' },
  Evt18: { Sta2: 'AA-2', Sta13: 'AA-2' },
  Evt19: { Sta2: 'AA-1', Sta3: 'AA-8', Sta5: 'AA-8', ...each(ESTABLISHED, 'AA-8'), Sta13: 'AA-7' },
});

export interface Transition {
  action: UlAction;
  next: UlState;
}

export interface TransitionChoice {
  /** AE-6: the service-provider accepts the A-ASSOCIATE-RQ (else it answers A-ASSOCIATE-RJ). Default true. */
  acceptable?: boolean;
  /** AR-8: this side is the association requestor. Default false (an acceptor). */
  requestor?: boolean;
}

/** The action and next state of Table 9-10 for `event` in `state`, or null for a blank cell. */
export function transition(state: UlState, event: UlEvent, choice: TransitionChoice = {}): Transition | null {
  const action = STATE_TABLE[event][state];
  if (action === undefined) return null;
  const next = UL_ACTIONS[action].next;
  if (typeof next === 'string') return { action, next };
  if (action === 'AE-6') return { action, next: choice.acceptable === false ? next[1] : next[0] };
  return { action, next: choice.requestor === true ? next[0] : next[1] };
}

/** The event a received PDU of this type is (PS3.8 §9.3.1 PDU types); any other type is Evt19. */
export function receivedPduEvent(pduType: number): UlEvent {
  return RECEIVED.get(pduType) ?? 'Evt19';
}

/** The local primitive that sending a PDU of this type carries out, or null for an unknown type. */
export function sentPduEvent(pduType: number, acceptor: boolean): UlEvent | null {
  if (pduType === 0x01) return acceptor ? null : 'Evt1';
  return SENT.get(pduType) ?? null;
}

const RECEIVED: ReadonlyMap<number, UlEvent> = new Map([
  [0x01, 'Evt6'],
  [0x02, 'Evt3'],
  [0x03, 'Evt4'],
  [0x04, 'Evt10'],
  [0x05, 'Evt12'],
  [0x06, 'Evt13'],
  [0x07, 'Evt16'],
]);

const SENT: ReadonlyMap<number, UlEvent> = new Map([
  [0x02, 'Evt7'],
  [0x03, 'Evt8'],
  [0x04, 'Evt9'],
  [0x05, 'Evt11'],
  [0x06, 'Evt14'],
  [0x07, 'Evt15'],
]);

/** Actions after which the ARTIM timer runs (PS3.8 §9.1.5: association request, reject and release wait). */
export const STARTS_ARTIM: ReadonlySet<UlAction> = new Set(['AE-5', 'AE-8', 'AR-4', 'AA-1', 'AA-8']);
/** Actions that stop the ARTIM timer. */
export const STOPS_ARTIM: ReadonlySet<UlAction> = new Set(['AE-6', 'AA-2', 'AA-5', 'AR-5']);
/** Actions that close the transport connection. */
export const CLOSES_TRANSPORT: ReadonlySet<UlAction> = new Set(['AE-4', 'AR-3', 'AA-2', 'AA-3']);
/** Actions that send an A-ABORT PDU. */
export const SENDS_ABORT: ReadonlySet<UlAction> = new Set(['AA-1', 'AA-7', 'AA-8']);

/** A-ABORT reasons, PS3.8 Table 9-26 (significant only with source 2, service-provider). */
export const AbortReason = Object.freeze({
  NotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  UnrecognizedPduParameter: 4,
  UnexpectedPduParameter: 5,
  InvalidPduParameterValue: 6,
} as const);

/**
 * The source and reason of the A-ABORT PDU an action sends (PS3.8 §9.3.8,
 * Table 9-26): AA-1 is a service-user abort (reason not significant, 0);
 * AA-7 and AA-8 are service-provider aborts whose reason says why: the
 * `reason` found for an invalid PDU (Evt19), else unexpected-PDU.
 */
export function abortFor(action: UlAction, event: UlEvent, reason?: number): { source: number; reason: number } {
  if (action === 'AA-1') return { source: 0, reason: 0 };
  if (event === 'Evt19') return { source: 2, reason: reason ?? AbortReason.UnrecognizedPdu };
  return { source: 2, reason: event === 'Evt15' || event === 'Evt18' ? AbortReason.NotSpecified : AbortReason.UnexpectedPdu };
}
