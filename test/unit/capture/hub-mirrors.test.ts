/**
 * CaptureHub's mirror dedupe (server/capture/hub.ts): one TCP connection seen
 * by two taps of this process is recorded once, and two connections are never
 * taken for one. A proxy's relay names its real legs (client → proxy, proxy →
 * upstream) and opens as client → upstream, a pair no socket has; Linux gives
 * one ephemeral port to connections to different peers, so that pair can equal
 * another relay's real upstream leg.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { readRecordingFile } from '../../../server/recording/reader.ts';

const LISTEN = { host: '127.0.0.1', port: 11112 };
const UPSTREAM = { host: '127.0.0.1', port: 104 };
const at = (port: number) => ({ host: '127.0.0.1', port });

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

async function recordedOpens(run: (hub: CaptureHub) => void): Promise<number[]> {
  dir = await mkdtemp(join(tmpdir(), 'pacscope-hub-mirrors-'));
  const file = join(dir, 'r.pacscope');
  const hub = await CaptureHub.open({ recordPath: file, source: { kind: 'proxy', description: 'mirror test' } });
  run(hub);
  await hub.close();
  const { events } = await readRecordingFile(file);
  return events.filter((e) => e.kind === 'open').map((e) => e.conn);
}

describe('CaptureHub mirrors', () => {
  it('keeps a relay whose client port is the ephemeral port another relay uses towards the upstream', async () => {
    const opens = await recordedOpens((hub) => {
      const b = hub.nextConnection();
      const a = hub.nextConnection();
      // Relay B: client 127.0.0.1:40000 → proxy, proxy 127.0.0.1:50000 → upstream.
      hub.alsoKnownAs(b, [{ requestor: at(40000), acceptor: LISTEN }]);
      hub.alsoKnownAs(b, [{ requestor: at(50000), acceptor: UPSTREAM }]);
      hub.sink({ kind: 'open', conn: b, time: 1, requestor: at(40000), acceptor: UPSTREAM });
      // Relay A: its client has port 50000 too (towards the proxy, a different peer): client → upstream is B's upstream leg.
      hub.alsoKnownAs(a, [{ requestor: at(50000), acceptor: LISTEN }]);
      hub.alsoKnownAs(a, [{ requestor: at(50001), acceptor: UPSTREAM }]);
      hub.sink({ kind: 'open', conn: a, time: 2, requestor: at(50000), acceptor: UPSTREAM });
    });
    expect(opens).toHaveLength(2);
  });

  it('still records once a connection that an own tap and a relay both see', async () => {
    const opens = await recordedOpens((hub) => {
      // The own SCU's tap opens 127.0.0.1:40000 → proxy; then the relay names that same leg as its client leg.
      const scu = hub.nextConnection();
      hub.sink({ kind: 'open', conn: scu, time: 1, requestor: at(40000), acceptor: LISTEN });
      const relay = hub.nextConnection();
      hub.alsoKnownAs(relay, [{ requestor: at(40000), acceptor: LISTEN }]);
      hub.sink({ kind: 'open', conn: relay, time: 2, requestor: at(40000), acceptor: UPSTREAM });
    });
    expect(opens).toHaveLength(1);
  });
});
