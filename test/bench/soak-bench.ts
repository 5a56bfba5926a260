/**
 * Soak benchmark (part of `npm run bench`, issue 14): a real `pacscope serve`
 * recording every byte, held for minutes under thousands of idle TCP
 * connections (no byte sent) and half-open ones (an A-ASSOCIATE-RQ begun and
 * never finished), a few associations that go silent after the
 * A-ASSOCIATE-AC, while DCMTK `storescu` stores into the store SCP and
 * `findscu` queries the PACS without pause, each in its own loop. The idle
 * ones are opened again as the guard closes them (ARTIM, the idle timer), so
 * their number holds.
 *
 * Checked at the end: every storescu and findscu run succeeded; every file
 * sent is in the store SCP's folder; the recording (decoded by `pacscope
 * summary`, the whole pipeline) holds every C-STORE and C-FIND the tools
 * sent, each answered Success, with no decode error. Printed: the figures
 * of the run, /api/status latency (the UI stays responsive), and the
 * process' RSS every few seconds.
 *
 * Memory must be flat (issue 14): the hub keeps a window of the live
 * session, not the session (server/capture/live-window.ts). The first third
 * of the DICOM load is warm-up (the window and the 64 MiB byte log fill, V8
 * sizes its heap); the rest is cut in three, and the lowest RSS of the last
 * third may be at most FLAT_MIB above that of the first — garbage comes and
 * goes between collections, what is kept shows in the lows.
 *
 *   node --import tsx test/bench/soak-bench.ts
 *   BENCH_SOAK_SECONDS=300 BENCH_SOAK_IDLE=2000 BENCH_SOAK_HALF_OPEN=1000 BENCH_SOAK_SILENT=8 (defaults)
 *   BENCH_SOAK_WINDOW=N  pacscope serve --live-window N (default: serve's)
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import dimse from '../../server/dimse/library.ts';
import { runTool } from '../interop/harness/process.ts';
import { pacscopeSummary } from '../interop/harness/pacscope-cli.ts';
import { ServeProcess } from '../interop/harness/serve-process.ts';
import { associateRq } from '../interop/harness/raw-peer.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf } from '../../shared/dimse/message-words.ts';

// 5 minutes: at ~130 C-STOREs a second (2 shared CPUs) the RSS was still settling after 3 (the live window fills at
// 20,000 messages, V8's heap after it); at 5 the last two thirds are flat.
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
const IDLE = Number(process.env.BENCH_SOAK_IDLE ?? 2000);
const HALF_OPEN = Number(process.env.BENCH_SOAK_HALF_OPEN ?? 1000);
const SILENT = Number(process.env.BENCH_SOAK_SILENT ?? 8);
const WINDOW = process.env.BENCH_SOAK_WINDOW;
/** How far the RSS lows may rise after warm-up and still be flat (MiB). */
const FLAT_MIB = 32;
const FILES = 100;
const BATCH = 25;
const root = join(process.cwd(), '.tmp', 'bench', 'soak');
const UID_ROOT = '2.25.1447014';

/** FILES small CT images (64 × 64 × 16 bit), each its own SOP Instance UID, made once with dcmjs. */
function soakFiles(): string[] {
  const dir = join(root, 'files');
  mkdirSync(dir, { recursive: true });
  const names = Array.from({ length: FILES }, (_, i) => join(dir, `ct-${String(i + 1).padStart(3, '0')}.dcm`));
  for (const [i, file] of names.entries()) {
    if (existsSync(file)) continue;
    const pixels = new Uint16Array(64 * 64).map((_, k) => (k * 7 + i * 13) & 0x0fff);
    new dimse.Dataset(
      {
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
        SOPInstanceUID: `${UID_ROOT}.1.1.${i + 1}`,
        StudyInstanceUID: `${UID_ROOT}.1`,
        SeriesInstanceUID: `${UID_ROOT}.1.1`,
        PatientName: [{ Alphabetic: 'SOAK^BENCH' }],
        PatientID: 'SOAK001',
        StudyDate: '20240301',
        Modality: 'CT',
        InstanceNumber: String(i + 1),
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        Rows: 64,
        Columns: 64,
        BitsAllocated: 16,
        BitsStored: 12,
        HighBit: 11,
        PixelRepresentation: 0,
        PixelData: [pixels.buffer],
        _vrMap: { PixelData: 'OW' },
      },
      '1.2.840.10008.1.2.1',
    ).toFile(file);
  }
  return names;
}

/** Keeps `count` connections of one kind open: each one closed (by the guard) is opened again until `stop`. */
class Holder {
  opened = 0;
  closed = 0;
  private readonly sockets = new Set<net.Socket>();
  private stopped = false;

  constructor(
    private readonly port: number,
    private readonly count: number,
    /** What is sent once connected (nothing, half an A-ASSOCIATE-RQ, a whole one). */
    private readonly first: Uint8Array | null,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.count; i++) {
      this.open();
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
    }
  }

  private open(): void {
    if (this.stopped) return;
    const s = net.connect({ host: '127.0.0.1', port: this.port });
    this.opened++;
    this.sockets.add(s);
    s.on('connect', () => this.first && s.write(this.first));
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => {
      this.closed++;
      this.sockets.delete(s);
      setTimeout(() => this.open(), 100);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.sockets) s.destroy();
  }
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

async function main(): Promise<void> {
  rmSync(join(root, 'data'), { recursive: true, force: true });
  const files = soakFiles();
  const recording = join(root, 'soak.pacscope');
  rmSync(recording, { force: true });
  const serve = await ServeProcess.start(join(root, 'data'), ['--record', recording, '--max-connections', String(IDLE + HALF_OPEN + 1000), ...(WINDOW ? ['--live-window', WINDOW] : [])]);
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const rss: { t: number; rss: number; messages: number }[] = [];
  const latencies: number[] = [];
  let messages = 0;
  const sample = async () => {
    const m = await serve.memory();
    const { ms } = await serve.status();
    latencies.push(ms);
    rss.push({ t: (Date.now() - started) / 1000, rss: m.rss, messages });
  };
  process.stdout.write(`soak: pacscope serve (PACS :${serve.pacsPort}, store SCP :${serve.storePort}) for ${SECONDS} s; ${IDLE} idle + ${HALF_OPEN} half-open connections, ${SILENT} silent associations, storescu and findscu in loops\n`);
  await sample();

  // Phase 1 (first fifth): only the idle, half-open and silent connections: RSS must not move.
  const idle = new Holder(serve.pacsPort, IDLE / 2, null);
  const idleStore = new Holder(serve.storePort, IDLE / 2, null);
  const halfOpen = new Holder(serve.pacsPort, HALF_OPEN, associateRq().subarray(0, 20));
  const silent = new Holder(serve.pacsPort, SILENT, associateRq({ called: 'PACSCOPE' }));
  await Promise.all([idle.start(), idleStore.start(), halfOpen.start(), silent.start()]);
  const timer = setInterval(() => void sample().catch(() => {}), 3000);
  const phase1End = started + (SECONDS * 1000) / 5;
  while (Date.now() < phase1End) await new Promise((r) => setTimeout(r, 500));
  const afterFlood = (await serve.memory()).rss;

  // Phase 2: DICOM work on top, until the deadline.
  let stores = 0;
  let finds = 0;
  const failures: string[] = [];
  const storeLoop = async (w: number) => {
    for (let i = w * BATCH; Date.now() < deadline; i = (i + BATCH) % FILES) {
      const batch = files.slice(i, i + BATCH);
      const r = await runTool('storescu', ['-aet', `SOAK${w}`, '-aec', 'STORESCP', '127.0.0.1', String(serve.storePort), ...batch], { timeoutMs: 60_000 });
      if (r.code !== 0) failures.push(`storescu: ${r.output.slice(-500)}`);
      else stores += batch.length;
      messages += batch.length * 2;
    }
  };
  const findLoop = async (w: number) => {
    for (let i = 0; Date.now() < deadline; i++) {
      const name = i % 10 === 9 ? '*A*A*A*A*A*A*A*B' : 'SOAK*';
      const r = await runTool('findscu', ['-S', '-aet', `FIND${w}`, '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `PatientName=${name}`, '127.0.0.1', String(serve.pacsPort)], { timeoutMs: 60_000 });
      if (r.code !== 0) failures.push(`findscu: ${r.output.slice(-500)}`);
      else finds++;
      messages += 2;
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  await Promise.all([storeLoop(0), storeLoop(1), findLoop(0), findLoop(1)]);
  clearInterval(timer);
  await sample();
  const status = (await serve.status()).guard;
  for (const h of [idle, idleStore, halfOpen, silent]) h.stop();
  const endRss = (await serve.memory()).rss;
  const peak = (await serve.memory()).peak;
  await serve.stop();

  // Every file stored; every C-STORE and C-FIND in the recording, answered Success, nothing undecodable.
  const stored = new Set(readdirSync(join(root, 'data', 'store-scp')).filter((f) => f.endsWith('.dcm')));
  const missing = files.filter((_, i) => !stored.has(`${UID_ROOT}.1.1.${i + 1}.dcm`)).length;
  const summary = await pacscopeSummary(recording);
  const count = (command: string) => summary.messages.filter((m) => commandOf(m) === command).length;
  const success = (m: { status: number | null }) => m.status === 0;
  const storeRsp = summary.messages.filter((m) => m.commandField === CommandField.CStoreRsp);
  const findFinal = summary.messages.filter((m) => m.commandField === CommandField.CFindRsp && m.status !== 0xff00);
  // A half-open connection ends inside its A-ASSOCIATE-RQ: one decode error each, as it should. The DICOM work must have none.
  const working = new Set(summary.messages.map((m) => m.association));
  const workErrors = summary.errors.filter((e) => e.association !== null && working.has(e.association));
  const recordedBytes = statSync(recording).size;

  const first = rss[0];
  const loadStart = rss.find((s) => s.t >= (phase1End - started) / 1000) ?? rss[0];
  const last = rss[rss.length - 1];
  const perMessage = ((last.rss - loadStart.rss) * 1024) / Math.max(1, last.messages);
  const memory = flatness(rss.filter((x) => x.t >= loadStart.t));
  const lines = [
    `soak: ${((Date.now() - started) / 1000).toFixed(0)} s, connections accepted ${status.accepted} (peak ${status.peakConnections} open at once)`,
    `  idle ${idle.opened + idleStore.opened} opened, half-open ${halfOpen.opened} opened, silent associations ${silent.opened} opened; the guard: ${JSON.stringify(status.counts)}`,
    `  C-STORE ${stores} (${(stores / (SECONDS * 0.8)).toFixed(0)}/s), C-FIND ${finds}; failures ${failures.length}${failures.length ? `: ${failures[0]}` : ''}`,
    `  recording ${(recordedBytes / 1e6).toFixed(0)} MB: ${count('C-STORE-RQ')} C-STORE-RQ, ${storeRsp.filter(success).length} Success; ${count('C-FIND-RQ')} C-FIND-RQ, ${findFinal.filter(success).length} Success; ${workErrors.length} decode errors in them (${summary.errors.length} in all: each half-open connection ends inside its A-ASSOCIATE-RQ)`,
    `  files: ${FILES - missing} of ${FILES} in the store SCP's folder`,
    `  /api/status latency: p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p95 ${quantile(latencies, 0.95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    `  RSS: start ${first.rss.toFixed(0)} MiB, after the idle flood ${afterFlood.toFixed(0)} MiB (${(afterFlood - first.rss).toFixed(0)} MiB for ${IDLE + HALF_OPEN} connections), end ${endRss.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB; under load +${perMessage.toFixed(1)} KiB per DIMSE message (the session model)`,
    `  RSS samples (s: MiB): ${rss.map((s) => `${s.t.toFixed(0)}: ${s.rss.toFixed(0)}`).join(', ')}`,
    `  memory after warm-up (${memory.warmUp.toFixed(0)} s of load): RSS lows of each third ${memory.lows.map((l) => `${l.rss.toFixed(0)} MiB at ${l.t.toFixed(0)} s (${l.messages} messages)`).join(', ')}; ${memory.growth >= 0 ? '+' : ''}${memory.growth.toFixed(1)} MiB over ${memory.messages} DIMSE messages (${memory.perMessage.toFixed(2)} KiB per message): ${memory.flat ? 'FLAT' : 'NOT FLAT'} (at most +${FLAT_MIB} MiB)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const problems = [
    failures.length > 0 && `${failures.length} tool runs failed`,
    missing > 0 && `${missing} files missing`,
    count('C-STORE-RQ') !== stores && `recording holds ${count('C-STORE-RQ')} C-STORE-RQ, ${stores} were stored`,
    storeRsp.some((m) => !success(m)) && 'a C-STORE-RSP was not Success',
    findFinal.length !== finds && `${findFinal.length} final C-FIND-RSP for ${finds} C-FIND-RQ`,
    count('C-FIND-RQ') !== finds && `recording holds ${count('C-FIND-RQ')} C-FIND-RQ, ${finds} ran`,
    workErrors.length > 0 && `${workErrors.length} decode errors in the C-STORE/C-FIND associations`,
    afterFlood - first.rss > 100 && `the idle flood took ${(afterFlood - first.rss).toFixed(0)} MiB`,
    Math.max(...latencies) > 1000 && `/api/status took ${Math.max(...latencies).toFixed(0)} ms`,
    !memory.flat && `memory is not flat: the RSS lows rose ${memory.growth.toFixed(0)} MiB after warm-up`,
  ].filter(Boolean);
  if (problems.length) {
    process.stdout.write(`soak: FAILED: ${problems.join('; ')}\n  the guard's latest: ${JSON.stringify(status.latest.slice(-5))}\n`);
    process.exitCode = 1;
  } else process.stdout.write('soak: every file stored, every message recorded, the UI responsive, memory flat\n');
}

/** The verdict on memory: the load phase's first third is warm-up, the rest in thirds, their RSS lows compared. */
function flatness(load: { t: number; rss: number; messages: number }[]): { warmUp: number; lows: { t: number; rss: number; messages: number }[]; growth: number; messages: number; perMessage: number; flat: boolean } {
  const t0 = load[0]?.t ?? 0;
  const span = (load.at(-1)?.t ?? 0) - t0;
  const warmUp = span / 3;
  const after = load.filter((x) => x.t >= t0 + warmUp);
  const third = (after.length > 0 ? after.at(-1)!.t - after[0].t : 0) / 3;
  const lows = [0, 1, 2]
    .map((k) => after.filter((x) => x.t >= after[0].t + k * third && (k === 2 || x.t < after[0].t + (k + 1) * third)))
    .filter((part) => part.length > 0)
    .map((part) => part.reduce((a, b) => (b.rss < a.rss ? b : a)));
  if (lows.length < 2) return { warmUp, lows, growth: 0, messages: 0, perMessage: 0, flat: false };
  const growth = lows.at(-1)!.rss - lows[0].rss;
  const messages = lows.at(-1)!.messages - lows[0].messages;
  return { warmUp, lows, growth, messages, perMessage: (Math.max(0, growth) * 1024) / Math.max(1, messages), flat: growth <= FLAT_MIB };
}

await main();
