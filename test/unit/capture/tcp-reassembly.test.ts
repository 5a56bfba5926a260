/** TCP reassembly and DICOM detection on synthetic captures (RFC 9293 sequence space; PS3.8 §9.3.2 for the A-ASSOCIATE-RQ). */
import { describe, expect, it } from 'vitest';
import { associateRq, bytes, Conversation, LINKTYPE, writePcap } from './capture-builder.ts';
import type { Link, Packet } from './capture-builder.ts';
import { concat, importBytes, shape, stream } from './import-helpers.ts';
import type { PcapImportOptions } from '../../../shared/capture/pcap/pcap-importer.ts';

const client = { host: '10.0.0.1', port: 40000 };
const server = { host: '10.0.0.2', port: 4242 };

function run(packets: Packet[], options: PcapImportOptions = {}, link: Link = 'ethernet') {
  return importBytes(writePcap(packets, { linkType: LINKTYPE[link] }), options);
}

describe('TCP reassembly', () => {
  it('delivers an in-order conversation: open, data both ways, FIN from each side', () => {
    const c = new Conversation(client, server);
    const rq = associateRq();
    const ac = bytes(100, 2);
    const pkts = [...c.handshake(), c.send('c', rq), c.send('s', ac), c.fin('c'), c.fin('s')];
    const { events, importer } = run(pkts);
    expect(importer.errors).toEqual([]);
    expect(shape(events)).toEqual([
      'open 1 10.0.0.1:40000 -> 10.0.0.2:4242',
      'data 1 requestor 74',
      'data 1 acceptor 100',
      'close 1 requestor fin',
      'close 1 acceptor fin',
    ]);
    expect(stream(events, 1, 'requestor')).toEqual(rq);
    // The open event carries the SYN-ACK's time; data carry their packets' times.
    expect(events[0].time).toBe(pkts[1].time);
    expect(events[1].time).toBe(pkts[3].time);
  });

  it('holds out-of-order segments and delivers them in order', () => {
    const c = new Conversation(client, server);
    const [a, b, d] = [bytes(500, 1), bytes(700, 2), bytes(300, 3)];
    const hs = c.handshake();
    const rq = c.send('c', associateRq());
    const p1 = c.send('c', a);
    const p2 = c.send('c', b);
    const p3 = c.send('c', d);
    const { events } = run([...hs, rq, p3, p2, p1, c.fin('c')]);
    expect(stream(events, 1, 'requestor')).toEqual(concat(associateRq(), a, b, d));
    expect(events.filter((e) => e.kind === 'gap')).toEqual([]);
  });

  it('drops retransmissions and trims overlapping segments', () => {
    const c = new Conversation(client, server);
    const payload = bytes(3000, 5);
    const hs = c.handshake();
    const rq = c.send('c', associateRq());
    const base = c.clientSeq;
    const p1 = c.send('c', payload.subarray(0, 1000));
    const p2 = c.send('c', payload.subarray(1000, 2000));
    // A retransmission of p1, a segment overlapping p2 and p3, a keep-alive (one old byte), p3.
    const again = c.send('c', payload.subarray(0, 1000), base);
    const overlap = c.send('c', payload.subarray(1500, 2500), base + 1500);
    const keepAlive = c.send('c', payload.subarray(999, 1000), base + 999);
    const p3 = c.send('c', payload.subarray(2000, 3000), base + 2000);
    const { events } = run([...hs, rq, p1, again, p2, p1, overlap, keepAlive, p3]);
    expect(stream(events, 1, 'requestor')).toEqual(concat(associateRq(), payload));
  });

  it('out-of-order overlap: a later segment overlapping a held one', () => {
    const c = new Conversation(client, server);
    const payload = bytes(3000, 6);
    const hs = c.handshake();
    const rq = c.send('c', associateRq());
    const base = c.clientSeq;
    const late = c.send('c', payload.subarray(2000, 3000), base + 2000);
    const mid = c.send('c', payload.subarray(1200, 2600), base + 1200);
    const first = c.send('c', payload.subarray(0, 1500), base);
    const { events } = run([...hs, rq, late, mid, first]);
    expect(stream(events, 1, 'requestor')).toEqual(concat(associateRq(), payload));
  });

  it('follows sequence numbers across the 2^32 wrap', () => {
    const c = new Conversation(client, server, { clientIsn: 0xffffffff - 100, serverIsn: 0xfffffff0 });
    const big = bytes(5000, 7);
    const hs = c.handshake();
    const pkts = [c.send('c', associateRq()), c.send('c', big.subarray(0, 2000)), c.send('s', bytes(40, 8))];
    const p3 = c.send('c', big.subarray(2000, 4000));
    const p4 = c.send('c', big.subarray(4000));
    const { events } = run([...hs, ...pkts, p4, p3, c.fin('c'), c.fin('s')]);
    expect(stream(events, 1, 'requestor')).toEqual(concat(associateRq(), big));
    expect(stream(events, 1, 'acceptor')).toEqual(bytes(40, 8));
    expect(shape(events).filter((s) => s.startsWith('close'))).toEqual(['close 1 requestor fin', 'close 1 acceptor fin']);
  });

  it('a hole never filled becomes a gap of its length, then the data after it: once the other side acknowledges past it', () => {
    const c = new Conversation(client, server);
    const hs = c.handshake();
    const rq = c.send('c', associateRq());
    const lost = c.send('c', bytes(1234, 1));
    const after = c.send('c', bytes(200, 2));
    // The server's FIN acknowledges every client byte: the capture lost the hole, the server did not (RFC 9293 §3.4).
    const { events } = run([...hs, rq, after, c.fin('c'), c.fin('s')]);
    void lost;
    expect(shape(events)).toEqual([
      'open 1 10.0.0.1:40000 -> 10.0.0.2:4242',
      'data 1 requestor 74',
      'gap 1 requestor 1234',
      'data 1 requestor 200',
      'close 1 requestor fin',
      'close 1 acceptor fin',
    ]);
  });

  it('a hole is declared a gap when the held data exceeds maxOutOfOrderBytes', () => {
    const c = new Conversation(client, server);
    const hs = c.handshake();
    const rq = c.send('c', associateRq());
    c.send('c', bytes(100, 1)); // lost
    const later = [c.send('c', bytes(1000, 2)), c.send('c', bytes(1000, 3)), c.send('c', bytes(1000, 4))];
    const next = c.send('c', bytes(10, 5));
    const { events } = run([...hs, rq, ...later, next], { maxOutOfOrderBytes: 2500 });
    expect(shape(events)).toEqual([
      'open 1 10.0.0.1:40000 -> 10.0.0.2:4242',
      'data 1 requestor 74',
      'gap 1 requestor 100',
      'data 1 requestor 1000',
      'data 1 requestor 1000',
      'data 1 requestor 1000',
      'data 1 requestor 10',
    ]);
    // Open at the end: the model reports it as still open.
  });

  it('the capture ending with a hole: end() flushes it as a gap and leaves the connection open', () => {
    const c = new Conversation(client, server);
    const hs = c.handshake();
    const rq = c.send('c', associateRq());
    c.send('c', bytes(64, 1));
    const tail = c.send('c', bytes(32, 2));
    const { events } = run([...hs, rq, tail]);
    expect(shape(events).slice(2)).toEqual(['gap 1 requestor 64', 'data 1 requestor 32']);
  });

  it('RST after data closes with how "reset" from the side that sent it', () => {
    const c = new Conversation(client, server);
    const { events } = run([...c.handshake(), c.send('c', associateRq()), c.rst('s')]);
    expect(shape(events).at(-1)).toBe('close 1 acceptor reset');
  });

  it('SYN answered by RST is refused, on any port; conn numbers follow appearance', () => {
    const a = new Conversation(client, { host: '10.0.0.2', port: 9999 });
    const b = new Conversation({ host: '10.0.0.1', port: 40001 }, server, { time: 1_700_000_000_100 });
    const { events } = run([a.syn(), a.rst('s'), ...b.handshake(), b.send('c', associateRq())]);
    expect(shape(events)).toEqual([
      'refused 1 10.0.0.1:40000 -> 10.0.0.2:9999 connection refused (RST)',
      'open 2 10.0.0.1:40001 -> 10.0.0.2:4242',
      'data 2 requestor 74',
    ]);
  });

  it('a SYN never answered on a DICOM port is reported refused at the end', () => {
    const a = new Conversation(client, server);
    const { events } = run([a.syn(), a.syn()], { dicomPorts: [4242] });
    expect(shape(events)).toEqual(['refused 1 10.0.0.1:40000 -> 10.0.0.2:4242 no answer to SYN before the capture ended']);
  });

  it('truncated packets (snaplen): the captured bytes, then a gap for the rest', () => {
    const c = new Conversation(client, server);
    const pkts = [...c.handshake(), c.send('c', associateRq()), c.send('c', bytes(1000, 1))];
    const last = pkts[pkts.length - 1];
    last.captured = last.frame.length - 600;
    const { events } = run(pkts);
    expect(shape(events).slice(2)).toEqual(['data 1 requestor 400', 'gap 1 requestor 600']);
  });

  it('a new SYN on the same ports after a close is a new connection', () => {
    const a = new Conversation(client, server);
    const first = [...a.handshake(), a.send('c', associateRq()), a.fin('c'), a.fin('s'), a.send('c', new Uint8Array(0))];
    const b = new Conversation(client, server, { clientIsn: 77777, time: a.time + 10 });
    const second = [...b.handshake(), b.send('c', associateRq())];
    const { events } = run([...first, ...second]);
    expect(shape(events).filter((s) => s.startsWith('open'))).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242', 'open 2 10.0.0.1:40000 -> 10.0.0.2:4242']);
  });
});

describe('which connections are DICOM', () => {
  it('a non-DICOM connection emits nothing; DICOM is found on any port from the A-ASSOCIATE-RQ', () => {
    const http = new Conversation({ host: '10.0.0.1', port: 50000 }, { host: '10.0.0.9', port: 80 });
    const dicom = new Conversation(client, { host: '10.0.0.2', port: 31337 }, { time: 1_700_000_000_050 });
    const pkts = [...http.handshake(), http.send('c', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), http.send('s', bytes(500)), http.fin('c'), http.fin('s')];
    pkts.push(...dicom.handshake(), dicom.send('c', associateRq()), dicom.send('s', bytes(80)));
    const { events } = run(pkts);
    expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:31337', 'data 1 requestor 74', 'data 1 acceptor 80']);
  });

  it('a server that speaks first is not DICOM (an acceptor never sends first)', () => {
    const smtp = new Conversation(client, server);
    const { events } = run([...smtp.handshake(), smtp.send('s', new TextEncoder().encode('220 hello\r\n')), smtp.send('c', associateRq())]);
    expect(events).toEqual([]);
  });

  it('an A-ASSOCIATE-RQ header split over two segments is still detected', () => {
    const c = new Conversation(client, server);
    const rq = associateRq();
    const { events } = run([...c.handshake(), c.send('c', rq.subarray(0, 6)), c.send('c', rq.subarray(6))]);
    expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242', 'data 1 requestor 6', 'data 1 requestor 68']);
  });

  it('mid-stream on a DICOM port: open with midStream, the side on the port is the acceptor', () => {
    const c = new Conversation(client, server);
    c.handshake(); // not captured
    const pkts = [c.send('s', bytes(30, 1)), c.send('c', bytes(20, 2))];
    const { events } = run(pkts, { dicomPorts: [4242] });
    expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242 mid-stream', 'data 1 acceptor 30', 'data 1 requestor 20']);
  });

  it('mid-stream without a known port is skipped, unless it starts with an A-ASSOCIATE-RQ', () => {
    const c = new Conversation(client, server);
    c.handshake();
    expect(run([c.send('c', bytes(30, 1))]).events).toEqual([]);
    const d = new Conversation(client, server);
    d.handshake();
    expect(shape(run([d.send('c', associateRq())]).events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242 mid-stream', 'data 1 requestor 74']);
  });

  it('a port where DICOM was detected takes later mid-stream connections to it', () => {
    const a = new Conversation(client, server);
    const b = new Conversation({ host: '10.0.0.3', port: 41000 }, server, { time: 1_700_000_001_000 });
    b.handshake(); // not captured
    const { events } = run([...a.handshake(), a.send('c', associateRq()), b.send('c', bytes(12, 3))]);
    expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242', 'data 1 requestor 74', 'open 2 10.0.0.3:41000 -> 10.0.0.2:4242 mid-stream', 'data 2 requestor 12']);
  });

  it('a capture that starts at the SYN-ACK is not mid-stream', () => {
    const c = new Conversation(client, server);
    const [, synAck, ack] = c.handshake();
    const { events } = run([synAck, ack, c.send('c', associateRq())]);
    expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242', 'data 1 requestor 74']);
  });
});

describe('network layers', () => {
  for (const link of ['ethernet', 'vlan', 'qinq', 'null-le', 'null-be', 'loop', 'sll', 'sll2', 'raw', 'ipv4'] as Link[]) {
    it(`IPv4 behind link type ${link}`, () => {
      const c = new Conversation(client, server, { link });
      const { events, importer } = run([...c.handshake(), c.send('c', associateRq()), c.fin('c')], {}, link);
      expect(importer.errors).toEqual([]);
      expect(shape(events)).toEqual(['open 1 10.0.0.1:40000 -> 10.0.0.2:4242', 'data 1 requestor 74', 'close 1 requestor fin']);
    });
  }

  for (const link of ['ethernet', 'vlan', 'null-le', 'null-be', 'loop', 'sll2', 'raw', 'ipv6'] as Link[]) {
    it(`IPv6 behind link type ${link}, hosts in RFC 5952 text`, () => {
      const c = new Conversation({ host: '2001:db8:0:0:0:0:0:1', port: 40000 }, { host: '0:0:0:0:0:0:0:1', port: 104 }, { link });
      const { events } = run([...c.handshake(), c.send('c', associateRq())], {}, link);
      expect(shape(events)).toEqual(['open 1 2001:db8::1:40000 -> ::1:104', 'data 1 requestor 74']);
    });
  }

  it('IPv6 extension headers are skipped on the way to TCP', async () => {
    const { tcpPacket, linkFrame } = await import('./capture-builder.ts');
    const seg = (seq: number, flags: number, payload?: Uint8Array, fromClient = true) =>
      linkFrame('ethernet', tcpPacket({ src: fromClient ? 'fe80::1' : 'fe80::2', sport: fromClient ? 5000 : 104, dst: fromClient ? 'fe80::2' : 'fe80::1', dport: fromClient ? 104 : 5000, seq, flags, payload, extensionHeaders: true }));
    const pkts: Packet[] = [
      { time: 1, frame: seg(10, 0x02) },
      { time: 2, frame: seg(20, 0x12, undefined, false) },
      { time: 3, frame: seg(11, 0x18, associateRq()) },
    ];
    expect(shape(run(pkts).events)).toEqual(['open 1 fe80::1:5000 -> fe80::2:104', 'data 1 requestor 74']);
  });

  it('IPv4 fragments are ignored and counted in one error', async () => {
    const { tcpPacket, linkFrame } = await import('./capture-builder.ts');
    const frag = linkFrame('ethernet', tcpPacket({ src: '1.1.1.1', sport: 1, dst: '2.2.2.2', dport: 2, seq: 1, flags: 0x18, payload: bytes(10), fragment: true }));
    const { events, importer } = run([{ time: 1, frame: frag }, { time: 2, frame: frag }]);
    expect(events).toEqual([]);
    expect(importer.errors).toEqual([{ offset: 24, reason: '2 fragmented IP packets ignored (IP reassembly is not supported)' }]);
  });
});
