/**
 * The wire's association states by the PS3.8 state machine (Table 9-10),
 * both ends at once (shared/model/association-states.ts): a normal life, a
 * release collision (both sides send A-RELEASE-RQ: allowed, PS3.8 §9.2.1), a
 * rejection, and what the table refuses — a second A-ASSOCIATE-RQ, data
 * before the association or after its end, a release answer nobody asked for.
 */
import { describe, expect, it } from 'vitest';
import { AssociationStates } from '../../../shared/model/association-states.ts';

const RQ = 0x01, AC = 0x02, RJ = 0x03, DATA = 0x04, RELEASE_RQ = 0x05, RELEASE_RP = 0x06, ABORT = 0x07;
type Step = [number, 'requestor' | 'acceptor'];

function run(steps: Step[]): (string | null)[] {
  const s = new AssociationStates();
  return steps.map(([pdu, from]) => s.pdu(pdu, from));
}

describe('association states (PS3.8 Table 9-10 on both ends)', () => {
  it('a normal association: associate, data both ways, release — nothing wrong, both ends back to Sta1/Sta13', () => {
    const s = new AssociationStates();
    for (const [pdu, from] of [[RQ, 'requestor'], [AC, 'acceptor'], [DATA, 'requestor'], [DATA, 'acceptor'], [RELEASE_RQ, 'requestor'], [RELEASE_RP, 'acceptor']] as Step[]) expect(s.pdu(pdu, from)).toBeNull();
    expect([s.stateOf('requestor'), s.stateOf('acceptor')]).toEqual(['Sta1', 'Sta13']);
  });

  it('a release collision is a normal release', () => {
    expect(run([[RQ, 'requestor'], [AC, 'acceptor'], [RELEASE_RQ, 'requestor'], [RELEASE_RQ, 'acceptor'], [RELEASE_RP, 'requestor'], [RELEASE_RP, 'acceptor']])).toEqual([null, null, null, null, null, null]);
  });

  it('a rejection, and an abort from any state', () => {
    expect(run([[RQ, 'requestor'], [RJ, 'acceptor']])).toEqual([null, null]);
    expect(run([[RQ, 'requestor'], [ABORT, 'acceptor']])).toEqual([null, null]);
    expect(run([[RQ, 'requestor'], [AC, 'acceptor'], [DATA, 'requestor'], [ABORT, 'requestor']])).toEqual([null, null, null, null]);
  });

  it('what the table refuses, with the states that make it wrong', () => {
    const second = run([[RQ, 'requestor'], [AC, 'acceptor'], [RQ, 'requestor']])[2];
    expect(second).toMatch(/^A-ASSOCIATE-RQ sent by the requestor in Sta6 .*PS3\.8 Table 9-10/);
    expect(run([[RQ, 'requestor'], [DATA, 'requestor']])[1]).toBe('P-DATA-TF before the association was accepted');
    expect(run([[RQ, 'requestor'], [AC, 'acceptor'], [RELEASE_RQ, 'requestor'], [RELEASE_RP, 'acceptor'], [DATA, 'acceptor']])[4]).toBe('P-DATA-TF after the association ended');
    expect(run([[RQ, 'requestor'], [AC, 'acceptor'], [RELEASE_RP, 'acceptor']])[2]).toMatch(/A-RELEASE-RP sent by the acceptor in Sta6/);
    expect(run([[AC, 'acceptor']])[0]).toMatch(/A-ASSOCIATE-AC sent by the acceptor in Sta2/);
  });
});
