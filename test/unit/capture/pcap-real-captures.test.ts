/**
 * Real captures of DCMTK traffic on the loopback interface (made with
 * dumpcap: echoscu and storescu against storescp, TCP_NODELAY=1), converted
 * with editcap to classic pcap (µs) and nanosecond pcap; the "-sll" file was
 * captured on the "any" interface (Linux cooked capture); node-ipv6 is Node
 * sockets on ::1 (DCMTK 3.6.7 has no IPv6). The expected byte
 * totals are tshark's sums of tcp.len per direction; when tshark is installed
 * they are recomputed from the file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importBytes, shape, stream } from './import-helpers.ts';

const dir = fileURLToPath(new URL('../../fixtures/pcap/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(dir + name));
const hasTshark = existsSync('/usr/bin/tshark');

/** tshark's payload byte totals: [from the requestor (client port), from the acceptor (port 11112)]. */
function tsharkTotals(name: string): [number, number] {
  const out = execFileSync('tshark', ['-r', dir + name, '-Y', 'tcp.len>0', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const totals: [number, number] = [0, 0];
  for (const line of out.trim().split('\n')) {
    const [port, len] = line.split('\t').map(Number);
    totals[port === 11112 ? 1 : 0] += len;
  }
  return totals;
}

const cases: { file: string; format: 'pcap' | 'pcapng'; totals: [number, number] }[] = [
  { file: 'dcmtk-echo.pcapng', format: 'pcapng', totals: [301, 290] },
  { file: 'dcmtk-echo-nsec.pcap', format: 'pcap', totals: [301, 290] },
  { file: 'dcmtk-echo-sll.pcapng', format: 'pcapng', totals: [301, 290] },
  { file: 'dcmtk-store.pcapng', format: 'pcapng', totals: [70513, 4407] },
  { file: 'dcmtk-store.pcap', format: 'pcap', totals: [70513, 4407] },
];

describe('real DCMTK captures', () => {
  for (const c of cases) {
    it(`${c.file}: one association, all bytes both ways, closed by both sides`, () => {
      const { events, importer } = importBytes(read(c.file), {}, 1000);
      expect(importer.format).toBe(c.format);
      expect(importer.errors).toEqual([]);
      const s = shape(events).filter((x) => !x.startsWith('data'));
      expect(s).toHaveLength(3);
      expect(s[0]).toMatch(/^open 1 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:11112$/);
      expect(s.slice(1).sort()).toEqual(['close 1 acceptor fin', 'close 1 requestor fin']);
      const totals = hasTshark ? tsharkTotals(c.file) : c.totals;
      expect(totals).toEqual(c.totals);
      expect([stream(events, 1, 'requestor').length, stream(events, 1, 'acceptor').length]).toEqual(totals);
      // The requestor's stream starts with its A-ASSOCIATE-RQ, called AE "STORESCP" (PS3.8 §9.3.2: bytes 10–25).
      const rq = stream(events, 1, 'requestor');
      expect(rq[0]).toBe(0x01);
      expect(new TextDecoder().decode(rq.subarray(10, 26)).trim()).toBe('STORESCP');
      expect(stream(events, 1, 'acceptor')[0]).toBe(0x02); // A-ASSOCIATE-AC
    });
  }

  it('gives the same events whatever the chunk size, and the same in pcap and pcapng', () => {
    const whole = importBytes(read('dcmtk-store.pcapng'), {}, 1 << 30).events;
    const tiny = importBytes(read('dcmtk-store.pcapng'), {}, 7).events;
    const pcap = importBytes(read('dcmtk-store.pcap'), {}, 65536).events;
    expect(tiny).toEqual(whole);
    expect(shape(pcap)).toEqual(shape(whole));
    expect(stream(pcap, 1, 'requestor')).toEqual(stream(whole, 1, 'requestor'));
  });

  it('reads nanosecond timestamps: the same times as the pcapng it was converted from', () => {
    const ng = importBytes(read('dcmtk-echo.pcapng')).events;
    const ns = importBytes(read('dcmtk-echo-nsec.pcap')).events;
    expect(ns.length).toBe(ng.length);
    ns.forEach((e, i) => expect(e.time).toBeCloseTo(ng[i].time, 3));
    // Times are ms since the epoch with sub-ms precision.
    expect(ng[0].time).toBeGreaterThan(1.6e12);
    expect(ng[0].time % 1).not.toBe(0);
  });

  it('a connection to a closed port: SYN answered by RST is a refused event', () => {
    const { events, importer } = importBytes(read('dcmtk-refused.pcapng'));
    expect(importer.errors).toEqual([]);
    expect(shape(events)).toEqual([expect.stringMatching(/^refused 1 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:11999 connection refused \(RST\)$/)]);
  });

  it('node-ipv6.pcapng: a real IPv6 loopback connection (Node sockets on ::1, a minimal A-ASSOCIATE-RQ/AC and release)', () => {
    const { events, importer } = importBytes(read('node-ipv6.pcapng'));
    expect(importer.errors).toEqual([]);
    expect(shape(events)).toEqual([
      expect.stringMatching(/^open 1 ::1:\d+ -> ::1:11113$/),
      'data 1 requestor 74',
      'data 1 acceptor 74',
      'data 1 requestor 10',
      'data 1 acceptor 10',
      'close 1 requestor fin',
      'close 1 acceptor fin',
    ]);
  });

  it('with the port named, the same capture is still one association', () => {
    const { events } = importBytes(read('dcmtk-echo.pcapng'), { dicomPorts: [11112] });
    expect(shape(events).filter((x) => x.startsWith('open'))).toHaveLength(1);
  });
});
