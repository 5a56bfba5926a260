/** pcap and pcapng file handling (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng): byte orders, time resolutions, block kinds, damage. */
import { describe, expect, it } from 'vitest';
import { associateRq, Conversation, LINKTYPE, writePcap, writePcapng } from './capture-builder.ts';
import type { NgPacket, Packet } from './capture-builder.ts';
import { importBytes, shape } from './import-helpers.ts';

const T0 = 1_700_000_000_123.456;

function conversation(time = T0, port = 33333): Packet[] {
  const c = new Conversation({ host: '10.1.1.1', port }, { host: '10.1.1.2', port: 11112 }, { time });
  return [...c.handshake(), c.send('c', associateRq()), c.fin('c')];
}

const expected = ['open 1 10.1.1.1:33333 -> 10.1.1.2:11112', 'data 1 requestor 74', 'close 1 requestor fin'];

describe('classic pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanoseconds of [false, true]) {
      it(`${bigEndian ? 'big' : 'little'}-endian, ${nanoseconds ? 'nanosecond' : 'microsecond'} timestamps`, () => {
        const pkts = conversation();
        const { events, importer } = importBytes(writePcap(pkts, { linkType: 1, bigEndian, nanoseconds }), {}, 33);
        expect(importer.format).toBe('pcap');
        expect(importer.errors).toEqual([]);
        expect(shape(events)).toEqual(expected);
        expect(events[1].time).toBeCloseTo(pkts[3].time, 3);
      });
    }
  }

  it('a truncated last record is an error; everything before it is kept', () => {
    const file = writePcap(conversation(), { linkType: 1 });
    const { events, importer } = importBytes(file.subarray(0, file.length - 10));
    expect(shape(events)).toEqual(expected.slice(0, 2));
    expect(importer.errors).toHaveLength(1);
    expect(importer.errors[0].reason).toMatch(/^truncated packet record: \d+ of \d+ bytes at the end of the file$/);
  });

  it('an impossible record length stops reading with an error, keeping what came before', () => {
    const file = writePcap(conversation(), { linkType: 1 });
    const lastRecord = file.length - (16 + conversation()[4].frame.length);
    new DataView(file.buffer).setUint32(lastRecord + 8, 0x7fffffff, true);
    const { events, importer } = importBytes(file);
    expect(shape(events)).toEqual(expected.slice(0, 2));
    expect(importer.errors).toEqual([{ offset: lastRecord, reason: expect.stringMatching(/^bad pcap record header: record length \d+ exceeds the limit/) }]);
  });

  it('an unknown link type: one error, its packets skipped', () => {
    const { events, importer } = importBytes(writePcap(conversation(), { linkType: 147 }));
    expect(events).toEqual([]);
    expect(importer.errors).toEqual([{ offset: 24, reason: 'unsupported link type 147: its packets are skipped' }]);
  });

  it('a file header alone, or a part of it', () => {
    const file = writePcap([], { linkType: 1 });
    expect(importBytes(file).importer.errors).toEqual([]);
    expect(importBytes(file.subarray(0, 10)).importer.errors).toEqual([{ offset: 0, reason: 'truncated file header: 10 bytes at the end of the file' }]);
  });
});

describe('pcapng', () => {
  it('sections of both byte orders, interfaces with if_tsresol as powers of 10 and of 2, EPB/SPB/PB, unknown blocks skipped', () => {
    const a = conversation(T0);
    const b = conversation(T0 + 5000, 33334);
    const toNg = (pkts: Packet[], iface: number, blocks: NgPacket['block'][] = []): NgPacket[] => pkts.map((p, i) => ({ ...p, iface, block: blocks[i] }));
    const file = writePcapng([
      // Section 1: little-endian; interface 0 microseconds, interface 1 nanoseconds (if_tsresol 9).
      { interfaces: [{ linkType: 1 }, { linkType: 1, tsresol: 9 }], packets: toNg(a, 1, ['epb', 'pb', 'epb', 'epb', 'epb']), unknownBlock: true },
      // Section 2: big-endian; interface 0 with 2^-20 s units (if_tsresol 0x94).
      { bigEndian: true, interfaces: [{ linkType: 1, tsresol: 0x80 | 20 }], packets: toNg(b, 0, ['epb', 'epb', 'epb', 'spb', 'epb']) },
    ]);
    const { events, importer } = importBytes(file, {}, 50);
    expect(importer.format).toBe('pcapng');
    expect(importer.errors).toEqual([]);
    expect(shape(events)).toEqual([...expected, ...expected.map((s) => s.replace(/ 1 /, ' 2 ').replace('33333', '33334'))]);
    expect(events[0].time).toBeCloseTo(a[1].time, 3);
    expect(events[3].time).toBeCloseTo(b[1].time, 2);
    // The SPB has no timestamp: its data takes the previous packet's time.
    expect(events[4].time).toBeCloseTo(b[2].time, 2);
  });

  it('a packet for an undeclared interface is an error, the rest is read', () => {
    const pkts: NgPacket[] = conversation().map((p, i) => ({ ...p, iface: i === 0 ? 3 : 0 }));
    const { importer } = importBytes(writePcapng([{ interfaces: [{ linkType: 1 }], packets: pkts }]));
    expect(importer.errors).toHaveLength(1);
    expect(importer.errors[0].reason).toBe('packet for interface 3, which no interface description block declared; skipped');
  });

  it('a block length that is not a multiple of 4 stops reading with an error', () => {
    const file = writePcapng([{ interfaces: [{ linkType: 1 }], packets: conversation() }]);
    new DataView(file.buffer).setUint32(28 + 4, 23, true); // the IDB follows the 28-byte SHB
    const { events, importer } = importBytes(file);
    expect(events).toEqual([]);
    expect(importer.errors).toEqual([{ offset: 28, reason: 'bad pcapng block: block total length 23 is not a multiple of 4; the rest of the file is skipped' }]);
  });

  it('a truncated last block is an error; earlier packets are kept', () => {
    const file = writePcapng([{ interfaces: [{ linkType: 1 }], packets: conversation() }]);
    const { events, importer } = importBytes(file.subarray(0, file.length - 3), {}, 64);
    expect(shape(events)).toEqual(expected.slice(0, 2));
    expect(importer.errors[0].reason).toMatch(/^truncated block: \d+ of \d+ bytes at the end of the file$/);
  });
});

describe('not a capture', () => {
  it('garbage: format null, one error', () => {
    const { events, importer } = importBytes(new TextEncoder().encode('hello, this is text'));
    expect(events).toEqual([]);
    expect(importer.format).toBeNull();
    expect(importer.errors).toEqual([{ offset: 0, reason: 'not a pcap or pcapng file (starts with 68 65 6c 6c)' }]);
  });

  it('empty input', () => {
    expect(importBytes(new Uint8Array(0)).importer.errors).toEqual([{ offset: 0, reason: 'empty file' }]);
  });
});

void LINKTYPE;
