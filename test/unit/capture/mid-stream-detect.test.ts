/**
 * The mid-stream DICOM probe (PS3.8 §9.3 PDU headers, confirmed by the next
 * header) and the requestor guess, on hand-made bytes: chunk boundaries
 * anywhere, noise, lookalike headers. The real captures are in
 * pcap-mid-stream.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { commandSide, MID_STREAM_SCAN_WINDOW, MidStreamProbe } from '../../../shared/capture/pcap/mid-stream-detect.ts';
import { Conversation, LINKTYPE, writePcap } from './capture-builder.ts';
import type { Packet } from './capture-builder.ts';
import { concat, importBytes, shape } from './import-helpers.ts';

/** A P-DATA-TF with one PDV (PS3.8 §9.3.5): context 1, message control header `mch`, value `value`. */
function pdata(value: Uint8Array, mch = 0x00, pcid = 1): Uint8Array {
  const b = new Uint8Array(12 + value.length);
  const v = new DataView(b.buffer);
  b[0] = 0x04;
  v.setUint32(2, 6 + value.length);
  v.setUint32(6, 2 + value.length);
  b[10] = pcid;
  b[11] = mch;
  b.set(value, 12);
  return b;
}

/** A-RELEASE-RQ (PS3.8 §9.3.6) and A-RELEASE-RP (§9.3.7). */
const RELEASE_RQ = new Uint8Array([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
const RELEASE_RP = new Uint8Array([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

/** A command set, implicit VR little endian (PS3.7 §6.3.1): (0000,0100) Command Field, then optional extra elements. */
function command(field: number, extra: [number, Uint8Array][] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  const element = (el: number, value: Uint8Array) => {
    const h = new Uint8Array(8);
    const v = new DataView(h.buffer);
    v.setUint16(2, el, true);
    v.setUint32(4, value.length, true);
    parts.push(h, value);
  };
  element(0x0002, new TextEncoder().encode('1.2.840.10008.1.1\0'));
  element(0x0100, new Uint8Array([field & 0xff, field >> 8]));
  for (const [el, value] of extra) element(el, value);
  return concat(...parts);
}

/** Pseudo-random bytes (xorshift), reproducible. */
function noise(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function probe(chunks: Uint8Array[], end = false): MidStreamProbe {
  const p = new MidStreamProbe();
  for (const c of chunks) p.push(c);
  if (end) p.end();
  return p;
}

describe('MidStreamProbe', () => {
  const tail = noise(300, 7); // the end of a PDU whose header was not captured
  const first = pdata(noise(500, 3));
  const stream = concat(tail, first, pdata(noise(40, 4), 0x02), RELEASE_RQ);

  it('finds a header inside the stream and confirms it by the next one, wherever the chunks split', () => {
    for (let cut = 1; cut < stream.length; cut += 1) {
      const p = probe([stream.subarray(0, cut), stream.subarray(cut)]);
      expect([cut, p.verdict, p.foundAt, p.foundType]).toEqual([cut, 'dicom', 300, 4]);
    }
    const bytewise = probe(Array.from(stream, (x) => new Uint8Array([x])));
    expect([bytewise.verdict, bytewise.foundAt]).toEqual(['dicom', 300]);
  });

  it('a header with nothing trustworthy where its PDU ends is not enough', () => {
    const p = probe([concat(first, noise(MID_STREAM_SCAN_WINDOW + 1000, 9))]);
    expect(p.verdict).toBe('not');
  });

  it('noise is not DICOM once the window is scanned', () => {
    for (const seed of [1, 2, 3]) {
      const b = noise(MID_STREAM_SCAN_WINDOW + 10, seed);
      expect(probe([b.subarray(0, 1000), b.subarray(1000)]).verdict).toBe('not');
    }
    expect(probe([new Uint8Array(MID_STREAM_SCAN_WINDOW)]).verdict).toBe('not');
  });

  it('refuses lookalikes: even presentation context, reserved control bits, an A-ASSOCIATE-RQ', () => {
    const even = concat(pdata(noise(20, 1), 0, 2), pdata(noise(20, 2), 0, 2), noise(MID_STREAM_SCAN_WINDOW, 5));
    expect(probe([even]).verdict).toBe('not');
    const bits = concat(pdata(noise(20, 1), 0x04), pdata(noise(20, 2), 0x04), noise(MID_STREAM_SCAN_WINDOW, 5));
    expect(probe([bits]).verdict).toBe('not');
    // A header followed by an A-ASSOCIATE-RQ header: not a confirmation.
    const rq = new Uint8Array(80);
    rq.set([0x01, 0, 0, 0, 0, 74, 0, 1]);
    expect(probe([concat(RELEASE_RQ, rq, noise(MID_STREAM_SCAN_WINDOW, 6))]).verdict).toBe('not');
  });

  it('at the end of the direction, a PDU that ends exactly at the last byte counts', () => {
    expect(probe([RELEASE_RP], true).verdict).toBe('dicom');
    expect(probe([concat(RELEASE_RP, new Uint8Array([0]))], true).verdict).toBe('ended');
    expect(probe([RELEASE_RP]).verdict).toBe('scanning');
  });
});

describe('commandSide', () => {
  it('reads the Command Field of a command fragment', () => {
    expect(commandSide(pdata(command(0x0020), 0x03))).toBe('requestor'); // C-FIND-RQ
    expect(commandSide(pdata(command(0x8021), 0x03))).toBe('acceptor'); // C-MOVE-RSP
    expect(commandSide(pdata(command(0x0fff), 0x03))).toBe('requestor'); // C-CANCEL-RQ
    expect(commandSide(pdata(command(0x0001), 0x03))).toBeNull(); // C-STORE-RQ: C-GET's acceptor sends it too
    expect(commandSide(pdata(command(0x0001, [[0x1030, new TextEncoder().encode('MOVESCU ')]]), 0x03))).toBe('requestor');
    expect(commandSide(pdata(command(0x8001), 0x03))).toBeNull();
    expect(commandSide(pdata(command(0x0020), 0x02))).toBeNull(); // a data set fragment
    expect(commandSide(pdata(command(0x0020), 0x03).subarray(0, 40))).toBeNull(); // cut before the field
  });
});

describe('connections caught mid-stream', () => {
  const client = { host: '10.0.0.1', port: 40000 };
  const server = { host: '10.0.0.2', port: 4242 };
  const run = (packets: Packet[]) => importBytes(writePcap(packets, { linkType: LINKTYPE.ethernet }));

  it('without evidence of the sides, the higher port is the requestor, whoever spoke first', () => {
    const c = new Conversation(client, server);
    c.handshake(); // not captured
    const { events } = run([c.send('s', RELEASE_RP), c.send('c', concat(RELEASE_RQ))]);
    // Each direction holds one whole PDU; the capture ends without FIN: decided at the end.
    expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242 mid-stream', 'data 1 acceptor 10', 'data 1 requestor 10']);
  });

  it('a C-FIND-RQ names its sender the requestor, against the ports', () => {
    const c = new Conversation({ host: '10.0.0.1', port: 104 }, { host: '10.0.0.2', port: 50000 });
    c.handshake();
    const rq = pdata(command(0x0020), 0x03);
    const find = concat(rq, pdata(noise(30, 1), 0x02));
    const { events } = run([c.send('c', find)]);
    expect(shape(events)).toEqual(['open 1 10.0.0.1:104 -> 10.0.0.2:50000 mid-stream', `data 1 requestor ${find.length}`]);
  });

  it('an A-ABORT then a reset: decided when the connection ends', () => {
    const c = new Conversation(client, server);
    c.handshake();
    const abort = new Uint8Array([0x07, 0, 0, 0, 0, 4, 0, 0, 0, 0]); // PS3.8 §9.3.8: source 0 (service user), reason 0
    const { events } = run([c.send('c', abort), c.rst('c')]);
    expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242 mid-stream', 'data 1 requestor 10', 'close 1 requestor reset']);
  });

  it('noise one way makes the connection not DICOM, whatever the other way says', () => {
    const c = new Conversation(client, server);
    c.handshake();
    const junk = noise(MID_STREAM_SCAN_WINDOW + 100, 3);
    const packets = [c.send('s', pdata(noise(100, 1)))];
    for (let i = 0; i < junk.length; i += 1400) packets.push(c.send('c', junk.subarray(i, i + 1400)));
    packets.push(c.send('s', pdata(noise(100, 2))));
    expect(run(packets).events).toEqual([]);
  });

  it('a port learnt from a connection proven by its bytes takes the next one; a guessed port is not learnt', () => {
    const a = new Conversation({ host: '10.0.0.1', port: 104 }, { host: '10.0.0.2', port: 50000 });
    const b = new Conversation({ host: '10.0.0.3', port: 41000 }, { host: '10.0.0.2', port: 50000 });
    a.handshake();
    b.handshake();
    const find = concat(pdata(command(0x0020), 0x03), pdata(noise(30, 1), 0x02));
    const { events } = run([a.send('c', find), b.send('c', noise(20, 1))]);
    expect(shape(events)).toEqual(['open 1 10.0.0.1:104 -> 10.0.0.2:50000 mid-stream', `data 1 requestor ${find.length}`, 'open 2 10.0.0.3:41000 -> 10.0.0.2:50000 mid-stream', 'data 2 requestor 20']);
    const c = new Conversation(client, server);
    const d = new Conversation({ host: '10.0.0.3', port: 41000 }, server);
    c.handshake();
    d.handshake();
    const second = run([c.send('s', RELEASE_RP), c.send('c', RELEASE_RQ), c.fin('c'), c.fin('s'), d.send('c', noise(20, 1))]);
    expect(shape(second.events).filter((x) => x.startsWith('open'))).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242 mid-stream']);
  });
});
