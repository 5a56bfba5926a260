/**
 * What the wire says about an association's state, by the PS3.8 state
 * machine itself (Table 9-10, shared/pdu/state-machine.ts): a capture sees
 * both ends, so it runs two machines — the requestor's and the acceptor's —
 * and feeds each PDU to both: to its sender as the local primitive that sent
 * it, to its receiver as the PDU received. A PDU that its receiver's machine
 * answers by aborting (AA-1, AA-7, AA-8) or ignores (AA-6), or that its
 * sender's machine could not have sent (a blank cell), is reported with the
 * states that make it wrong. What the table allows is fine, however unusual:
 * a release collision (both sides send A-RELEASE-RQ, Sta7 → AR-8, PS3.8
 * §9.2.1) is a normal release. Pure.
 */
import type { Side } from '../capture/wire-event.ts';
import { receivedPduEvent, sentPduEvent, transition, UL_STATES, type UlEvent, type UlState } from '../pdu/state-machine.ts';

const PDU_NAMES: Readonly<Record<number, string>> = {
  0x01: 'A-ASSOCIATE-RQ', 0x02: 'A-ASSOCIATE-AC', 0x03: 'A-ASSOCIATE-RJ', 0x04: 'P-DATA-TF', 0x05: 'A-RELEASE-RQ', 0x06: 'A-RELEASE-RP', 0x07: 'A-ABORT',
};

/** Receiver actions that mean the PDU did not belong there (PS3.8 Tables 9-9, 9-10). */
const REFUSED = new Set(['AA-1', 'AA-6', 'AA-7', 'AA-8']);
const other = (side: Side): Side => (side === 'requestor' ? 'acceptor' : 'requestor');
/** States before the A-ASSOCIATE-AC (PS3.8 §9.2.1): data there comes too early. */
const BEFORE_ACCEPTED: ReadonlySet<UlState> = new Set(['Sta2', 'Sta3', 'Sta4', 'Sta5']);

export class AssociationStates {
  /** Each end's state: the requestor has opened the connection and is about to send its A-ASSOCIATE-RQ (AE-1, Sta4); the acceptor has accepted the connection (AE-5, Sta2). */
  private readonly state: Record<Side, UlState>;
  /** Each end's last received PDU and its state before it: PDUs cross on the wire (a release collision). */
  private lastReceived: Record<Side, { event: UlEvent; before: UlState } | null> = { requestor: null, acceptor: null };

  /** `midStream`: the capture joined an established association (both ends in Sta6). */
  constructor(midStream = false) {
    this.state = midStream ? { requestor: 'Sta6', acceptor: 'Sta6' } : { requestor: 'Sta4', acceptor: 'Sta2' };
  }

  /** The state of one end now. */
  stateOf(side: Side): UlState {
    return this.state[side];
  }

  /** A PDU of `pduType` sent by `from`: what is wrong with it, in words, or null. */
  pdu(pduType: number, from: Side): string | null {
    const to = other(from);
    const name = PDU_NAMES[pduType] ?? `PDU type 0x${pduType.toString(16).padStart(2, '0')}`;
    const before = { sender: this.state[from], receiver: this.state[to] };
    // The sender: the A-ASSOCIATE-RQ is what AE-2 sends on Evt2 (transport connected); the rest are local primitives.
    const sent: UlEvent | null = pduType === 0x01 && from === 'requestor' ? 'Evt2' : sentPduEvent(pduType, from === 'acceptor');
    let senderStep = sent ? transition(before.sender, sent, { requestor: from === 'requestor' }) : null;
    const crossed = this.lastReceived[from];
    if (sent && !senderStep && crossed) {
      // Sent before the sender saw what it last received (the two PDUs crossed, as in a release collision,
      // PS3.8 §9.2.1): its send from the state before, then that PDU received on top.
      const first = transition(crossed.before, sent, { requestor: from === 'requestor' });
      const then = first ? transition(first.next, crossed.event, { requestor: from === 'requestor', acceptable: true }) : null;
      if (first && then && !REFUSED.has(then.action)) senderStep = { action: first.action, next: then.next };
    }
    const received = receivedPduEvent(pduType);
    // AE-6 as if acceptable: an acceptor that rejects sends its A-ASSOCIATE-RJ next (Evt8 from Sta3 reaches the same Sta13).
    const receiverStep = transition(before.receiver, received, { requestor: to === 'requestor', acceptable: true });
    const refused = receiverStep === null || REFUSED.has(receiverStep.action);
    if (senderStep) this.state[from] = senderStep.next;
    // A receiver whose machine would abort, and which the capture shows going on, is left where it was: one error, not a cascade.
    if (receiverStep && !refused) {
      this.lastReceived[to] = { event: received, before: before.receiver };
      this.state[to] = receiverStep.next;
    }
    this.lastReceived[from] = null;
    if (pduType === 0x04 && (!senderStep || refused)) {
      // The two cases people meet: data before the association was accepted, and data after it ended.
      return BEFORE_ACCEPTED.has(before.sender) || BEFORE_ACCEPTED.has(before.receiver) ? 'P-DATA-TF before the association was accepted' : 'P-DATA-TF after the association ended';
    }
    // An A-ABORT is what a machine sends whenever it gives up (AA-1, AA-7, AA-8): any state may send one.
    if (pduType === 0x07) return null;
    if (!senderStep) return `${name} sent by the ${from} in ${before.sender} (${UL_STATES[before.sender]}), where it sends none (PS3.8 Table 9-10)`;
    if (refused) {
      return `${name} from the ${from} reached the ${to} in ${before.receiver} (${UL_STATES[before.receiver]}), where it is not expected: its state machine answers ${receiverStep?.action ?? 'nothing'} (PS3.8 Table 9-10)`;
    }
    return null;
  }
}
