/** The connection table: closed connections linger (late ACKs and retransmitted FINs stay theirs), then are forgotten, so memory stays bounded. */
import { describe, expect, it } from 'vitest';
import { TcpTracker } from '../../../shared/capture/pcap/tcp-tracker.ts';
import { parseTcpSegment } from '../../../shared/capture/pcap/tcp-segment.ts';
import type { TcpSegment } from '../../../shared/capture/pcap/tcp-segment.ts';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { associateRq, Conversation } from './capture-builder.ts';
import type { Packet } from './capture-builder.ts';
import { shape } from './import-helpers.ts';

function feed(tracker: TcpTracker, packets: Packet[], out: WireEvent[]): void {
  for (const p of packets) tracker.segment(parseTcpSegment(p.frame, 0, 0) as TcpSegment, p.time, out);
}

describe('TcpTracker', () => {
  it('keeps a closed connection for 2 minutes of capture time, then forgets it', () => {
    const tracker = new TcpTracker({ dicomPorts: [104], maxOutOfOrderBytes: 1 << 20 });
    const out: WireEvent[] = [];
    for (let i = 0; i < 100; i++) {
      const c = new Conversation({ host: '10.0.0.1', port: 20000 + i }, { host: '10.0.0.2', port: 104 }, { time: 1_000_000 + i * 10, link: 'raw' });
      feed(tracker, [...c.handshake(), c.send('c', associateRq()), c.fin('c'), c.fin('s')], out);
      // The last ACK comes after both FINs: it belongs to the closed connection, not to a new mid-stream one.
      feed(tracker, [c.send('c', new Uint8Array(0))], out);
    }
    expect(shape(out).filter((s) => s.startsWith('open'))).toHaveLength(100);
    expect(tracker.size).toBe(100);
    const later = new Conversation({ host: '10.0.0.3', port: 30000 }, { host: '10.0.0.2', port: 104 }, { time: 1_000_000 + 200_000, link: 'raw' });
    feed(tracker, later.handshake(), out);
    expect(tracker.size).toBe(1);
  });
});
