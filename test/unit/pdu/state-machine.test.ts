/** PS3.8 Table 9-10 as data (shared/pdu/state-machine.ts): cells, choices, the PDU events and the aborts. */
import { describe, expect, it } from 'vitest';
import { STATE_TABLE, UL_STATES, abortFor, receivedPduEvent, sentPduEvent, transition, type UlEvent, type UlState } from '../../../shared/pdu/state-machine.ts';

const STATES = Object.keys(UL_STATES) as UlState[];

describe('PS3.8 Table 9-10', () => {
  it('cells as the standard has them', () => {
    expect(transition('Sta1', 'Evt5')).toEqual({ action: 'AE-5', next: 'Sta2' });
    expect(transition('Sta2', 'Evt6')).toEqual({ action: 'AE-6', next: 'Sta3' });
    expect(transition('Sta2', 'Evt6', { acceptable: false })).toEqual({ action: 'AE-6', next: 'Sta13' });
    expect(transition('Sta3', 'Evt7')).toEqual({ action: 'AE-7', next: 'Sta6' });
    expect(transition('Sta3', 'Evt8')).toEqual({ action: 'AE-8', next: 'Sta13' });
    expect(transition('Sta6', 'Evt10')).toEqual({ action: 'DT-2', next: 'Sta6' });
    expect(transition('Sta6', 'Evt12')).toEqual({ action: 'AR-2', next: 'Sta8' });
    expect(transition('Sta8', 'Evt14')).toEqual({ action: 'AR-4', next: 'Sta13' });
    expect(transition('Sta8', 'Evt9')).toEqual({ action: 'AR-7', next: 'Sta8' });
    expect(transition('Sta7', 'Evt12', { requestor: true })).toEqual({ action: 'AR-8', next: 'Sta9' });
    expect(transition('Sta7', 'Evt12')).toEqual({ action: 'AR-8', next: 'Sta10' });
    expect(transition('Sta10', 'Evt13')).toEqual({ action: 'AR-10', next: 'Sta12' });
    // What the guard meets: unexpected PDUs.
    expect(transition('Sta2', 'Evt12')?.action).toBe('AA-1'); // A-RELEASE-RQ before association
    expect(transition('Sta2', 'Evt10')?.action).toBe('AA-1');
    expect(transition('Sta6', 'Evt6')?.action).toBe('AA-8'); // a second A-ASSOCIATE-RQ
    expect(transition('Sta3', 'Evt10')?.action).toBe('AA-8'); // P-DATA-TF before the A-ASSOCIATE-AC
    expect(transition('Sta6', 'Evt13')?.action).toBe('AA-8');
    expect(transition('Sta13', 'Evt10')?.action).toBe('AA-6');
    expect(transition('Sta13', 'Evt6')?.action).toBe('AA-7');
    expect(transition('Sta13', 'Evt19')?.action).toBe('AA-7');
    expect(transition('Sta2', 'Evt18')).toEqual({ action: 'AA-2', next: 'Sta1' });
    expect(transition('Sta13', 'Evt17')).toEqual({ action: 'AR-5', next: 'Sta1' });
    expect(transition('Sta6', 'Evt17')).toEqual({ action: 'AA-4', next: 'Sta1' });
    expect(transition('Sta6', 'Evt16')).toEqual({ action: 'AA-3', next: 'Sta1' });
  });

  it('blank cells are null: a local primitive that cannot happen', () => {
    expect(transition('Sta6', 'Evt7')).toBeNull(); // an A-ASSOCIATE-AC once established
    expect(transition('Sta13', 'Evt9')).toBeNull(); // P-DATA after the association ended
    expect(transition('Sta2', 'Evt14')).toBeNull();
  });

  it('every PDU event has an action in every state where a connection is open (Sta2, Sta3, Sta5–Sta13)', () => {
    const pduEvents: UlEvent[] = ['Evt3', 'Evt4', 'Evt6', 'Evt10', 'Evt12', 'Evt13', 'Evt16', 'Evt19'];
    for (const e of pduEvents) for (const s of STATES.filter((x) => !['Sta1', 'Sta4'].includes(x))) expect(STATE_TABLE[e][s], `${e} ${s}`).toBeDefined();
  });

  it('received and sent PDU types are events; an unknown type is Evt19', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 0, 9, 0x47].map(receivedPduEvent)).toEqual(['Evt6', 'Evt3', 'Evt4', 'Evt10', 'Evt12', 'Evt13', 'Evt16', 'Evt19', 'Evt19', 'Evt19']);
    expect([2, 3, 4, 6, 7].map((t) => sentPduEvent(t, true))).toEqual(['Evt7', 'Evt8', 'Evt9', 'Evt14', 'Evt15']);
    expect(sentPduEvent(1, true)).toBeNull();
  });

  it('A-ABORT source and reason (Table 9-26): AA-1 service-user 0/0, AA-8 service-provider with the reason', () => {
    expect(abortFor('AA-1', 'Evt12')).toEqual({ source: 0, reason: 0 });
    expect(abortFor('AA-8', 'Evt6')).toEqual({ source: 2, reason: 2 });
    expect(abortFor('AA-8', 'Evt19', 6)).toEqual({ source: 2, reason: 6 });
    expect(abortFor('AA-8', 'Evt19')).toEqual({ source: 2, reason: 1 });
  });
});
