/**
 * Captures that start after the association was set up: the importer must
 * find DICOM from the PDU headers alone (mid-stream-detect.ts), and must not
 * take other TCP traffic for it.
 *
 * The fixtures are real captures, cut with editcap so that they start late:
 * - dcmtk-store-after-ac.pcapng: `editcap -r dcmtk-store.pcapng OUT 7-32`
 *   (storescu → storescp; starts at the ACK after the A-ASSOCIATE-AC).
 * - dcmtk-store-mid-dataset.pcapng: `editcap -r dcmtk-store.pcapng OUT 11-32`
 *   (starts with the 16372-byte value of the first data set's first PDV).
 * - dcmtk-store-release-only.pcapng: `editcap -r dcmtk-store.pcapng OUT 28-32`
 *   (A-RELEASE-RQ, A-RELEASE-RP and the FINs only).
 * - dcmtk-move-after-ac.pcapng, dcmtk-move-mid-retrieve.pcapng: a movescu
 *   flow of the interop lab (test/interop/harness/lab.ts, TCP_NODELAY=1) with
 *   dcmqrscp on port 61000 and storescp on 61001, above Linux's ephemeral
 *   range, so that every requestor has the lower port and the port rule
 *   alone would get the sides wrong; cut with `editcap -r move.pcapng OUT 7-`
 *   (after the A-ASSOCIATE-AC) and `… 28-` (between the C-STORE
 *   sub-operations; the sub-association is caught mid-stream too).
 * - http-tls-midstream.pcapng: curl fetching a DICOM file and 40000 random
 *   bytes from `python3 -m http.server` and a DICOM file from
 *   `openssl s_server -WWW` over TLS, on loopback; the handshakes, requests
 *   and response headers were removed (`editcap FULL OUT 1-6 13-18 27-33`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { WireEvent, WireOpen } from '../../../shared/capture/wire-event.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { importBytes, shape, stream } from './import-helpers.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';

const dir = fileURLToPath(new URL('../../fixtures/pcap/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(dir + name));
const opens = (events: WireEvent[]) => events.filter((e): e is WireOpen => e.kind === 'open');
const summary = (events: WireEvent[]): Promise<Summary> => summarize([events], { path: 'test', format: 'pcapng' });
const commands = (s: Summary, association = 'a1') => s.messages.filter((m) => m.association === association).map((m) => `${m.side} ${commandOf(m)}${m.messageId !== null ? ` #${m.messageId}` : ''}${m.respondsTo !== null ? ` ->#${m.respondsTo}` : ''}`);

/** Bytes of the A-ASSOCIATE-RQ and -AC in dcmtk-store.pcapng (frames 4 and 6). */
const RQ_BYTES = 9615;
const AC_BYTES = 4129;

describe('captures that start after the A-ASSOCIATE-AC', () => {
  it('dcmtk-store-after-ac: the association, open mid-stream, every byte after the cut, no errors', async () => {
    const { events, importer } = importBytes(read('dcmtk-store-after-ac.pcapng'));
    expect(importer.errors).toEqual([]);
    const s = shape(events).filter((x) => !x.startsWith('data'));
    expect(s).toEqual(['open 1 127.0.0.1:45486 -> 127.0.0.1:11112 mid-stream', 'close 1 requestor fin', 'close 1 acceptor fin']);
    const full = importBytes(read('dcmtk-store.pcapng')).events;
    expect(stream(events, 1, 'requestor')).toEqual(stream(full, 1, 'requestor').subarray(RQ_BYTES));
    expect(stream(events, 1, 'acceptor')).toEqual(stream(full, 1, 'acceptor').subarray(AC_BYTES));

    const sum = await summary(events);
    expect(sum.associations).toHaveLength(1);
    expect(sum.associations[0].outcome).toBe('released');
    expect(sum.associations[0].midStream).toBe(true);
    expect(commands(sum)).toEqual(['requestor C-STORE-RQ #1', 'acceptor C-STORE-RSP ->#1', 'requestor C-STORE-RQ #2', 'acceptor C-STORE-RSP ->#2']);
    expect(sum.errors).toEqual([]);
  });

  it('dcmtk-store-mid-dataset: found although the stream starts inside a data set; only the resynchronisation is reported', async () => {
    const { events, importer } = importBytes(read('dcmtk-store-mid-dataset.pcapng'));
    expect(importer.errors).toEqual([]);
    expect(opens(events)).toEqual([expect.objectContaining({ midStream: true, requestor: { host: '127.0.0.1', port: 45486 }, acceptor: { host: '127.0.0.1', port: 11112 } })]);
    const full = importBytes(read('dcmtk-store.pcapng')).events;
    expect(stream(events, 1, 'requestor')).toEqual(stream(full, 1, 'requestor').subarray(RQ_BYTES + 12 + 122 + 12));

    const sum = await summary(events);
    expect(sum.associations[0].outcome).toBe('released');
    expect(commands(sum)).toEqual(['acceptor C-STORE-RSP ->#1', 'requestor C-STORE-RQ #2', 'acceptor C-STORE-RSP ->#2']);
    // The framer skips the rest of the first PDU, then the data set's last fragment has no command before it.
    expect(sum.errors.map((e) => [e.side, e.offset, e.reason])).toEqual([
      ['requestor', 0, 'skipped 16372 byte(s) that are not PDUs; resynchronised at a PDU header at offset 16372'],
      ['requestor', 16378, expect.stringMatching(/^data set fragment on presentation context \d+ with no command waiting for a data set/)],
    ]);
  });

  it('gives the same events whatever the chunk size', () => {
    const file = read('dcmtk-store-mid-dataset.pcapng');
    const whole = importBytes(file, {}, 1 << 30).events;
    for (const chunk of [1, 7, 100, 1500]) expect(importBytes(file, {}, chunk).events).toEqual(whole);
  });

  it('dcmtk-store-release-only: one PDU each way, each ending exactly at the FIN, is enough', async () => {
    const { events } = importBytes(read('dcmtk-store-release-only.pcapng'));
    expect(shape(events)).toEqual([
      'open 1 127.0.0.1:45486 -> 127.0.0.1:11112 mid-stream',
      'data 1 requestor 10',
      'data 1 acceptor 10',
      'close 1 requestor fin',
      'close 1 acceptor fin',
    ]);
    const sum = await summary(events);
    expect(sum.associations[0].outcome).toBe('released');
    expect(sum.errors).toEqual([]);
  });

  it('dcmtk-move-after-ac: the C-MOVE-RQ names the requestor (the port rule would not); the sub-association is seen whole', async () => {
    const { events, importer } = importBytes(read('dcmtk-move-after-ac.pcapng'));
    expect(importer.errors).toEqual([]);
    const [main, sub] = opens(events);
    expect(main).toMatchObject({ midStream: true, acceptor: { port: 61000 } });
    expect(main.requestor.port).toBeLessThan(61000);
    expect(sub.midStream).toBeUndefined();
    expect(sub.acceptor.port).toBe(61001);

    const sum = await summary(events);
    expect(sum.associations.map((a) => a.outcome)).toEqual(['released', 'released']);
    expect(commands(sum)).toEqual([
      'requestor C-MOVE-RQ #1',
      'acceptor C-MOVE-RSP ->#1',
      'acceptor C-MOVE-RSP ->#1',
      'acceptor C-MOVE-RSP ->#1',
      'acceptor C-MOVE-RSP ->#1',
    ]);
    expect(commands(sum, 'a2').filter((c) => c.includes('C-STORE-RQ'))).toHaveLength(3);
    expect(sum.errors).toEqual([]);
  });

  it('dcmtk-move-mid-retrieve: a C-MOVE-RSP names the acceptor, a sub-operation C-STORE-RQ (Move Originator) the requestor', async () => {
    const { events, importer } = importBytes(read('dcmtk-move-mid-retrieve.pcapng'));
    expect(importer.errors).toEqual([]);
    const byAcceptor = new Map(opens(events).map((o) => [o.acceptor.port, o]));
    expect([...byAcceptor.keys()].sort()).toEqual([61000, 61001]);
    for (const o of byAcceptor.values()) {
      expect(o.midStream).toBe(true);
      expect(o.requestor.port).toBeLessThan(o.acceptor.port);
    }
    const sum = await summary(events);
    const sides = sum.messages.map((m) => `${m.side} ${commandOf(m)}`);
    expect(new Set(sides)).toEqual(new Set(['acceptor C-MOVE-RSP', 'requestor C-STORE-RQ', 'acceptor C-STORE-RSP']));
    expect(sum.errors).toEqual([]);
  });
});

describe('other TCP traffic caught mid-stream', () => {
  it('http-tls-midstream: HTTP carrying a DICOM file and random bytes, and TLS, are not DICOM', () => {
    const { events, importer } = importBytes(read('http-tls-midstream.pcapng'));
    expect(importer.errors).toEqual([]);
    expect(events).toEqual([]);
  });

  it('the port rule still applies when the port is named', () => {
    const { events } = importBytes(read('http-tls-midstream.pcapng'), { dicomPorts: [18080] });
    expect(opens(events)).toHaveLength(2);
  });
});
