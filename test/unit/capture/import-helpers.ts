/** Test helpers: run the importer over bytes in chunks, and summarise wire events. */
import { PcapImporter } from '../../../shared/capture/pcap/pcap-importer.ts';
import type { PcapImportOptions } from '../../../shared/capture/pcap/pcap-importer.ts';
import type { WireEvent, WireData } from '../../../shared/capture/wire-event.ts';

export function importBytes(file: Uint8Array, options: PcapImportOptions = {}, chunk = 4096): { events: WireEvent[]; importer: PcapImporter } {
  const importer = new PcapImporter(options);
  const events: WireEvent[] = [];
  for (let i = 0; i < file.length; i += chunk) events.push(...importer.push(file.subarray(i, i + chunk)));
  events.push(...importer.end());
  return { events, importer };
}

/** The bytes of one direction of one connection, concatenated. */
export function stream(events: WireEvent[], conn: number, from: 'requestor' | 'acceptor'): Uint8Array {
  const parts = events.filter((e): e is WireData => e.kind === 'data' && e.conn === conn && e.from === from).map((e) => e.bytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** Events without data bytes (for readable assertions). */
export function shape(events: WireEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'open': return `open ${e.conn} ${e.requestor.host}:${e.requestor.port} -> ${e.acceptor.host}:${e.acceptor.port}${e.midStream ? ' mid-stream' : ''}`;
      case 'data': return `data ${e.conn} ${e.from} ${e.bytes.length}`;
      case 'gap': return `gap ${e.conn} ${e.from} ${e.length}`;
      case 'close': return `close ${e.conn} ${e.from} ${e.how}`;
      case 'refused': return `refused ${e.conn} ${e.requestor.host}:${e.requestor.port} -> ${e.acceptor.host}:${e.acceptor.port} ${e.reason}`;
      case 'tls': return `tls ${e.conn} ${e.leg} ${e.role} ${e.outcome}${e.version ? ` ${e.version}` : ''}${e.sni ? ` sni=${e.sni}` : ''}`;
    }
  });
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
