import { describe, expect, it } from 'vitest';
import { commandElementRange, hexRows, hexToBytes, inRange, pduIndexAt } from '../../../web/src/lib/inspector/hex.ts';
import type { SummaryPdu } from '../../../shared/model/summary-types.ts';

const pdu = (o: Partial<SummaryPdu>): SummaryPdu => ({ association: 'a1', time: 0, from: 'requestor', offset: 0, length: 10, type: 'P-DATA-TF', ...o });

describe('hexToBytes', () => {
  it('reads two digits a byte, either case', () => {
    expect(hexToBytes('04000aFF')).toEqual(Uint8Array.from([4, 0, 10, 255]));
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
  });
});

describe('pduIndexAt', () => {
  const pdus = [
    pdu({ type: 'A-ASSOCIATE-RQ', offset: 0, length: 200 }),
    pdu({ from: 'acceptor', type: 'A-ASSOCIATE-AC', offset: 0, length: 180 }),
    pdu({ offset: 200, length: 80 }),
    pdu({ association: 'a2', offset: 200, length: 80 }),
    pdu({ offset: 280, length: 90 }),
  ];
  it('finds the PDU of the same association and direction that holds the offset', () => {
    expect(pduIndexAt(pdus, 'a1', 'requestor', 206)).toBe(2);
    expect(pduIndexAt(pdus, 'a2', 'requestor', 206)).toBe(3);
    expect(pduIndexAt(pdus, 'a1', 'requestor', 280)).toBe(4);
    expect(pduIndexAt(pdus, 'a1', 'acceptor', 206)).toBeNull();
    expect(pduIndexAt(pdus, 'a3', 'requestor', 0)).toBeNull();
  });
});

describe('commandElementRange', () => {
  // A P-DATA-TF at stream offset 200: header (6), then the command PDV item at 206: length (4), pc id, control, value from 212.
  const carrier = pdu({ offset: 200, length: 6 + 6 + 74, pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, length: 74 }] });

  it('maps an element to PDU header + PDV header + its offset, spanning its 8-byte header and value', () => {
    expect(commandElementRange(carrier, 206, 0, 4)).toEqual({ start: 12, end: 24 });
    expect(commandElementRange(carrier, 206, 12, 18)).toEqual({ start: 24, end: 50 });
  });

  it('handles a command PDV that is not the first item of the PDU', () => {
    const two = pdu({ offset: 0, length: 6 + 6 + 10 + 6 + 20, pdvs: [{ presentationContextId: 1, isCommand: false, isLast: true, length: 10 }, { presentationContextId: 3, isCommand: true, isLast: true, length: 20 }] });
    expect(commandElementRange(two, 22, 0, 4)).toEqual({ start: 28, end: 40 });
  });

  it('clips to the PDV of a fragmented command, null when the element is in a later fragment', () => {
    const frag = pdu({ offset: 0, length: 6 + 6 + 16, pdvs: [{ presentationContextId: 1, isCommand: true, isLast: false, length: 16 }] });
    expect(commandElementRange(frag, 6, 12, 10)).toEqual({ start: 24, end: 28 });
    expect(commandElementRange(frag, 6, 30, 2)).toBeNull();
  });

  it('null when the message is not in this PDU', () => {
    expect(commandElementRange(carrier, 100, 0, 4)).toBeNull();
    expect(commandElementRange(carrier, 400, 0, 4)).toBeNull();
  });
});

describe('hexRows', () => {
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i === 17 ? 0x41 : i));
  it('16 bytes a row with offset label, hex and ASCII (non-printables as dots)', () => {
    const rows = hexRows(bytes);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ offset: 0, label: '000000' });
    expect(rows[0].hex.slice(0, 3)).toEqual(['00', '01', '02']);
    expect(rows[1].label).toBe('000010');
    expect(rows[1].ascii).toBe('.A..............');
    expect(rows[2].hex).toHaveLength(8);
    expect(rows[2].indices[0]).toBe(32);
  });
  it('a window of rows', () => {
    expect(hexRows(bytes, 1, 1).map((r) => r.offset)).toEqual([16]);
    expect(hexRows(bytes, 0, 0)).toEqual([]);
  });
  it('inRange is half-open', () => {
    expect(inRange({ start: 2, end: 4 }, 2)).toBe(true);
    expect(inRange({ start: 2, end: 4 }, 4)).toBe(false);
    expect(inRange(null, 0)).toBe(false);
  });
});
