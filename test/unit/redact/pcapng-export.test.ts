/**
 * The pcapng export read back by pacscope's own pcap importer: the same
 * connections, the same bytes per direction, refused connections (SYN → RST),
 * capture gaps (a hole in the sequence numbers), closes, and the timestamps
 * to the microsecond — over Ethernet and raw IP, IPv4 and IPv6.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { PcapngWriter, type PcapngWriterOptions } from '../../../shared/capture/export/pcapng-writer.ts';
import { PcapImporter } from '../../../shared/capture/pcap/pcap-importer.ts';
import { concatBytes } from '../../../shared/pdu/bytes.ts';
import { cmd, SessionBuilder, SOP } from './session-builder.ts';
import { dataSet } from './session-builder.ts';
import { el } from '../dimse/encode.ts';

function roundTrip(events: WireEvent[], options?: PcapngWriterOptions): { back: WireEvent[]; errors: unknown[] } {
  const w = new PcapngWriter(options);
  const file = concatBytes([w.header(), ...events.flatMap((e) => w.write(e))]);
  const importer = new PcapImporter({ dicomPorts: [104, 11113] });
  const back = [...importer.push(file), ...importer.end()];
  return { back, errors: importer.errors };
}

function stream(events: WireEvent[], conn: number, from: string): Uint8Array {
  return concatBytes(events.filter((e): e is Extract<WireEvent, { kind: 'data' }> => e.kind === 'data' && e.conn === conn && e.from === from).map((e) => e.bytes));
}

function session(v6: boolean): WireEvent[] {
  const s = new SessionBuilder(70_000);
  const hosts = v6 ? { requestor: { host: 'fd00::20', port: 40001 }, acceptor: { host: 'fd00::10', port: 104 } } : {};
  const a = s.associate({ calling: 'SCU', called: 'SCP', contexts: [[SOP.ct, 'explicit']], ...hosts });
  s.send(a, 'requestor', SOP.ct, cmd.storeRq(1, SOP.ct, '1.2.3'), dataSet([el(0x00080018, 'UI', '1.2.3'), el(0x7fe00010, 'OW', new Uint8Array(200_000).map((_, i) => i & 0xff))], 'explicit'));
  s.send(a, 'acceptor', SOP.ct, cmd.storeRsp(1, SOP.ct, '1.2.3'));
  s.release(a);
  s.refused({ host: v6 ? 'fd00::20' : '192.168.1.20', port: 40002 }, { host: v6 ? 'fd00::10' : '192.168.1.10', port: 11113 });
  return s.events;
}

describe('pcapng export', () => {
  for (const [name, v6, options] of [
    ['Ethernet, IPv4', false, {}],
    ['raw IP, IPv4', false, { linkType: 'raw' }],
    ['Ethernet, IPv6', true, {}],
  ] as const) {
    it(`reads back as the same wire events (${name})`, () => {
      const events = session(v6);
      const { back, errors } = roundTrip(events, options);
      expect(errors).toEqual([]);
      // (Buffer.equals: a deep toEqual on 200 kB arrays takes seconds.)
      for (const from of ['requestor', 'acceptor']) expect(Buffer.from(stream(back, 1, from)).equals(stream(events, 1, from))).toBe(true);
      const open = back.find((e) => e.kind === 'open')!;
      expect(open).toMatchObject({ requestor: events[0].kind === 'open' ? events[0].requestor : null, time: events[0].time });
      expect(back.filter((e) => e.kind === 'close').map((e) => e.kind === 'close' && [e.from, e.how])).toEqual([
        ['requestor', 'fin'],
        ['acceptor', 'fin'],
      ]);
      expect(back.find((e) => e.kind === 'refused')).toMatchObject({ acceptor: { port: 11113 } });
      // Timestamps are kept to the microsecond.
      const times = (x: WireEvent[]) => x.filter((e) => e.kind === 'data').map((e) => Math.round(e.time * 1000));
      expect(new Set(times(back))).toEqual(new Set(times(events)));
    });
  }

  it('shows a capture gap as a hole in the sequence numbers, read back as a gap', () => {
    const events = session(false);
    const i = events.findIndex((e) => e.kind === 'data' && e.from === 'requestor' && e.bytes.length > 1000);
    const data = events[i] as Extract<WireEvent, { kind: 'data' }>;
    events.splice(i, 1, { ...data, bytes: data.bytes.subarray(0, 100) }, { kind: 'gap', conn: 1, time: data.time, from: 'requestor', length: 500 }, { ...data, bytes: data.bytes.subarray(600) });
    const { back } = roundTrip(events);
    expect(back.filter((e) => e.kind === 'gap').map((e) => e.kind === 'gap' && [e.from, e.length])).toEqual([['requestor', 500]]);
  });
});
