/**
 * ≥ 50 associations at once through the proxy (issue 5): parallel DCMTK
 * storescu → proxy → DCMTK storescp, each storescu with its own calling AE.
 * A dumpcap capture of both legs (client → proxy, proxy → storescp) is the
 * independent account of what each peer sent: for every association, the
 * bytes the proxy recorded in each direction must equal, by checksum, the
 * client leg's bytes (matched by the client's port) and one upstream leg's
 * bytes. Each association's summary (from the recording) must be right.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Side, WireEvent } from '../../shared/capture/wire-event.ts';
import { CaptureHub } from '../../server/capture/hub.ts';
import { Proxy } from '../../server/proxy/proxy.ts';
import { readRecordingFile } from '../../server/recording/reader.ts';
import { openWireSource } from '../../server/sources/open-source.ts';
import { generateFixtures, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { Capture } from './harness/capture.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePort, waitListening } from './harness/net.ts';
import { pacscopeSummary } from './harness/pacscope-cli.ts';
import { RunningProcess, runTool } from './harness/process.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const PARALLEL = 56;
let dir = '';
let instances: FixtureInstance[] = [];
let storescp: RunningProcess | null = null;
let storePort = 0;

/** Per connection, per direction: sha256 and length of the bytes, and the connection's endpoints. */
interface Stream {
  requestorPort: number;
  acceptorPort: number;
  sha: Record<Side, string>;
  length: Record<Side, number>;
}

function streams(events: Iterable<WireEvent>): Stream[] {
  const byConn = new Map<number, { s: Stream; h: Record<Side, ReturnType<typeof createHash>> }>();
  for (const e of events) {
    if (e.kind === 'open') {
      byConn.set(e.conn, {
        s: { requestorPort: e.requestor.port, acceptorPort: e.acceptor.port, sha: { requestor: '', acceptor: '' }, length: { requestor: 0, acceptor: 0 } },
        h: { requestor: createHash('sha256'), acceptor: createHash('sha256') },
      });
    } else if (e.kind === 'data') {
      const c = byConn.get(e.conn)!;
      c.h[e.from].update(e.bytes);
      c.s.length[e.from] += e.bytes.length;
    } else if (e.kind === 'gap') {
      throw new Error(`capture gap in connection ${e.conn}`);
    }
  }
  return [...byConn.values()].map(({ s, h }) => ({ ...s, sha: { requestor: h.requestor.digest('hex'), acceptor: h.acceptor.digest('hex') } }));
}

/** The most connections open at the same time in `events`. */
function maxOpen(events: Iterable<WireEvent>): number {
  const fins = new Map<number, number>();
  let open = 0;
  let max = 0;
  for (const e of events) {
    if (e.kind === 'open') {
      fins.set(e.conn, 0);
      max = Math.max(max, ++open);
    } else if (e.kind === 'close' && fins.has(e.conn)) {
      const n = fins.get(e.conn)! + 1;
      fins.set(e.conn, n);
      if (e.how !== 'fin' || n === 2) {
        fins.delete(e.conn);
        open -= 1;
      }
    }
  }
  return max;
}

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-proxy-concurrency-'));
  instances = await generateFixtures(join(dir, 'fixtures'));
  storePort = await freePort();
  // --fork: one process per association, so they all run at once; --sleep-during 1: each C-STORE
  // takes a second, so the associations overlap even when the storescu start-ups are spread out;
  // +uf: a unique file name per received instance, so every C-STORE of every association is counted.
  storescp = new RunningProcess('storescp', ['--fork', '--sleep-during', '1', '--aetitle', 'STORESCP', '-od', join(dir, 'out'), '+uf', '-fe', '.dcm', String(storePort)]);
  await mkdir(join(dir, 'out'));
  await waitListening(storePort, 10_000, () => storescp!.output.slice(-1500));
}, 60_000);

afterAll(async () => {
  await storescp?.stop();
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
  else if (dir) console.info(`[interop] kept ${dir}`);
});

describe('the proxy under concurrency', () => {
  it(`${PARALLEL} parallel storescu associations: every byte of each side recorded, each association right`, async () => {
    const file = join(dir, 'concurrency.pacscope');
    const hub = await CaptureHub.open({ recordPath: file, source: { kind: 'proxy', description: 'interop concurrency' } });
    const proxy = new Proxy({ capture: hub });
    const listenPort = Number((await proxy.add(`127.0.0.1:0=127.0.0.1:${storePort}`)).listen.split(':')[1]);
    const pcap = join(dir, 'both-legs.pcapng');
    const capture = await Capture.start(pcap, [listenPort, storePort]);
    const files = instances.slice(0, 3).map((x) => x.file);
    let results;
    try {
      results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          runTool('storescu', ['-aet', `SCU${String(i).padStart(3, '0')}`, '-aec', 'STORESCP', '127.0.0.1', String(listenPort), ...files], { timeoutMs: 60_000 }),
        ),
      );
      const deadline = Date.now() + 10_000;
      while (proxy.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await capture.stop(300);
      await proxy.close();
      await hub.close();
    }
    for (const r of results) expect(r.code, r.output.slice(-1500)).toBe(0);
    expect((await readdir(join(dir, 'out'))).filter((f) => f.endsWith('.dcm'))).toHaveLength(PARALLEL * files.length);
    expect(proxy.list()).toEqual([]);

    // What the proxy recorded, per association and direction.
    const recording = await readRecordingFile(file);
    expect(recording.errors).toEqual([]);
    const recorded = streams(recording.events);
    expect(recorded).toHaveLength(PARALLEL);
    const atOnce = maxOpen(recording.events);
    console.info(`[proxy-concurrency] at most ${atOnce} of ${PARALLEL} associations open at once`);
    expect(atOnce).toBeGreaterThanOrEqual(50);
    // What the peers sent, seen by the kernel on each leg (dumpcap, TCP reassembled).
    const source = await openWireSource(pcap);
    const wire = streams(await (async () => {
      const all: WireEvent[] = [];
      for await (const batch of source.batches()) all.push(...batch);
      return all;
    })());
    const clientLegs = new Map(wire.filter((s) => s.acceptorPort === listenPort).map((s) => [s.requestorPort, s]));
    const upstreamLegs = wire.filter((s) => s.acceptorPort === storePort);
    expect(clientLegs.size).toBe(PARALLEL);
    expect(upstreamLegs).toHaveLength(PARALLEL);
    const key = (s: Stream) => `${s.sha.requestor}/${s.sha.acceptor}`;
    const upstreamKeys = upstreamLegs.map(key).sort();
    for (const r of recorded) {
      expect(r.acceptorPort).toBe(storePort);
      const client = clientLegs.get(r.requestorPort);
      expect(client, `client leg of port ${r.requestorPort}`).toBeDefined();
      expect(r.sha).toEqual(client!.sha);
      expect(r.length.requestor).toBeGreaterThan(0);
    }
    // Each upstream leg carried exactly the bytes of one recorded association, both ways.
    expect(recorded.map(key).sort()).toEqual(upstreamKeys);

    // Each association's summary, from the recording.
    const summary = await pacscopeSummary(file);
    expect(summary.errors).toEqual([]);
    expect(summary.associations).toHaveLength(PARALLEL);
    expect(new Set(summary.associations.map((a) => a.requestor.ae)).size).toBe(PARALLEL);
    for (const a of summary.associations) {
      expect([a.acceptor.ae, a.acceptor.port, a.outcome]).toEqual(['STORESCP', storePort, 'released']);
      const mine = summary.messages.filter((m) => m.association === a.id);
      expect(mine.filter((m) => m.commandField === CommandField.CStoreRq).map((m) => m.affectedSopInstance).sort()).toEqual(instances.slice(0, 3).map((x) => x.sopInstanceUid).sort());
      expect(mine.filter((m) => m.commandField === CommandField.CStoreRsp).map((m) => m.status)).toEqual(Array(files.length).fill(0x0000));
    }
  }, 120_000);
});
