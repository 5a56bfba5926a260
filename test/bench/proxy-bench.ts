/**
 * Proxy benchmark (part of `npm run bench`): ≈1 GB of C-STORE (2,000 CT
 * images of ≈512 KB) sent by DCMTK `storescu` to DCMTK `storescp`, directly
 * and through `pacscope proxy` with capture on (recording every byte to a
 * file in the OS's temp dir and decoding as it goes), in the same run, as a
 * throughput ratio, with the proxy's peak memory. Two more paths explain the
 * ratio: the proxy decoding but not recording (what the recording file
 * costs), and pacscope's relay with no capture at all (relay-only.ts: what
 * the extra hop itself costs on this machine). The proxy runs in its own
 * process (`node bin/pacscope.js proxy`), so its peak RSS (VmHWM of
 * /proc/PID/status) is its own. Both DCMTK tools get TCP_NODELAY=1.
 * Target: ≥ 0.8 of direct, < 250 MB.
 *
 * Method: ROUNDS rounds, each running every path once, in an order rotated
 * per round; before each run the previous run's files are deleted, `sync`
 * writes dirty pages out, so the disk writeback of one run (2 GB written by
 * storescp and the recording) does not land in the next, and the input
 * files are read once so that every run starts with them cached. Per
 * path the median and the best run are printed with every run's time; the
 * ratio against the target is the one of the medians; the median of each
 * round's own ratio (direct / proxy of the same round) is printed beside it.
 *
 *   node --import tsx test/bench/proxy-bench.ts
 *   BENCH_PROXY_FILES=2000 BENCH_PROXY_ROUNDS=5 (defaults)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../server/version.ts';
import { freePort, waitListening } from '../interop/harness/net.ts';
import { RunningProcess, runTool } from '../interop/harness/process.ts';
import { storeFiles, type StoreFiles } from './store-files.ts';

const COUNT = Number(process.env.BENCH_PROXY_FILES ?? 2000);
const ROUNDS = Number(process.env.BENCH_PROXY_ROUNDS ?? 5);
const root = join(process.cwd(), '.tmp', 'bench', 'proxy');
const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
const RELAY_ONLY = fileURLToPath(new URL('./relay-only.ts', import.meta.url));
// In the OS's temp dir, as a user would record (not under .tmp/ with the inputs).
const recordingDir = join(tmpdir(), 'pacscope-proxy-bench');
const TARGET_RATIO = 0.8;
const TARGET_RSS = 250e6;

type Path = 'direct' | 'proxy' | 'proxy-live' | 'relay';
const PATHS: Path[] = ['direct', 'proxy', 'proxy-live', 'relay'];
const LABELS: Record<Path, string> = {
  direct: 'direct',
  proxy: 'through pacscope proxy, recording + decoding',
  'proxy-live': 'through pacscope proxy, decoding, no recording',
  relay: "through pacscope's relay alone (no capture)",
};

interface Run {
  path: Path;
  /** The round it ran in (0-based). */
  round: number;
  seconds: number;
  received: number;
  /** CPU time (user + system) of the relaying process during the transfer, s (proxies and the relay alone). */
  cpu?: number;
  /** pacscope proxy only */
  peakRss?: number;
  recordingBytes?: number;
  storeRqs?: number;
  decodeErrors?: number;
  /** What the proxy said it could not record (the disk fell behind), or null. */
  lost?: string | null;
}

type Measured = Omit<Run, 'round'>;

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).filter((f) => f.endsWith('.dcm')).length;
}

function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function sendAll(files: StoreFiles, port: number): Promise<number> {
  const res = await runTool('storescu', ['-aet', 'BENCHSCU', '-aec', 'STORESCP', '127.0.0.1', String(port), ...files.files], { timeoutMs: 900_000 });
  if (res.code !== 0) throw new Error(`storescu … exited ${res.code}:\n${res.output.slice(-2000)}`);
  return res.ms / 1000;
}

/**
 * Reads every input file, so that each run finds them in the page cache
 * (some virtual machines reclaim cached pages after seconds, so a run
 * would otherwise read from the disk whatever the time since the last).
 */
function warmInputs(files: StoreFiles): void {
  for (const f of files.files) readFileSync(f);
}

/** A fresh storescp; before it starts, the last run's files are gone, its dirty pages written out, the inputs cached. */
async function withStoreScp<T>(files: StoreFiles, fn: (port: number, out: string) => Promise<T>): Promise<T> {
  const out = freshDir(join(root, 'out'));
  freshDir(recordingDir);
  execFileSync('sync');
  warmInputs(files);
  const port = await freePort();
  const scp = new RunningProcess('storescp', ['--aetitle', 'STORESCP', '-od', out, '-fe', '.dcm', String(port)]);
  try {
    await waitListening(port, 10_000, () => scp.output.slice(-1500));
    return await fn(port, out);
  } finally {
    await scp.stop();
  }
}

const directRun = (files: StoreFiles): Promise<Measured> =>
  withStoreScp(files, async (port, out) => ({ path: 'direct', seconds: await sendAll(files, port), received: countFiles(out) }));

const relayRun = (files: StoreFiles): Promise<Measured> =>
  withStoreScp(files, async (scpPort, out) => {
    const relay = new RunningProcess(process.execPath, ['--import', 'tsx', RELAY_ONLY, String(scpPort)]);
    try {
      await relay.waitFor(/listening \d+/, 30_000);
      const port = Number(/listening (\d+)/.exec(relay.output)![1]);
      return { path: 'relay', ...(await sendThrough(files, port, relay.pid!)), received: countFiles(out) };
    } finally {
      await relay.stop('SIGKILL', 1000);
    }
  });

/** CPU time (user + system) of a process so far, s (/proc/PID/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Sends the files through a relaying process; its CPU time during the transfer. */
async function sendThrough(files: StoreFiles, port: number, pid: number): Promise<{ seconds: number; cpu: number }> {
  const before = cpuSeconds(pid);
  const seconds = await sendAll(files, port);
  return { seconds, cpu: cpuSeconds(pid) - before };
}

/** Peak resident set of a process so far (VmHWM), bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const proxyRun = (files: StoreFiles, record: boolean): Promise<Measured> =>
  withStoreScp(files, async (scpPort, out) => {
    const recording = join(recordingDir, 'proxy.pacscope');
    const proxy = new RunningProcess(process.execPath, [BIN, 'proxy', '--route', `127.0.0.1:0=127.0.0.1:${scpPort}`, ...(record ? ['--record', recording] : [])]);
    try {
      await proxy.waitFor(/Ctrl-C stops/, 30_000);
      const port = Number(/route 127\.0\.0\.1:(\d+) /.exec(proxy.output)![1]); // (output read as latin1: no "→" here)
      const { seconds, cpu } = await sendThrough(files, port, proxy.pid!);
      const rss = peakRss(proxy.pid!);
      await proxy.stop('SIGTERM', 60_000);
      const summary = proxy.output;
      const storeRqs = Number(/C-STORE-RQ (\d+)/.exec(summary)?.[1] ?? 0);
      const decodeErrors = Number(/decode errors (\d+)/.exec(summary)?.[1] ?? -1);
      const lost = /! (\S+ \S+) not recorded/.exec(summary)?.[1] ?? null;
      return { path: record ? 'proxy' : 'proxy-live', seconds, cpu, received: countFiles(out), peakRss: rss, recordingBytes: record ? statSync(recording).size : 0, storeRqs, decodeErrors, lost };
    } finally {
      await proxy.stop('SIGKILL', 1000);
    }
  });

const runPath = (path: Path, files: StoreFiles): Promise<Measured> =>
  path === 'direct' ? directRun(files) : path === 'relay' ? relayRun(files) : proxyRun(files, path === 'proxy');

function requireDcmtk(): void {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin']);
  const missing = ['storescu', 'storescp', 'dump2dcm'].filter((t) => !dirs.some((d) => d && existsSync(join(d, t))));
  if (missing.length > 0) {
    process.stderr.write(`proxy bench needs DCMTK (missing: ${missing.join(', ')}): run "node scripts/ensure-deps.mjs --test" or apt-get install dcmtk\n`);
    process.exit(1);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

requireDcmtk();
const files = await storeFiles(root, COUNT);
const runs: Run[] = [];
let failure: Error | null = null;
// Warm-up: the page cache holds the files, the tools are loaded.
await directRun({ ...files, files: files.files.slice(0, 100) });
for (let round = 0; round < ROUNDS && !failure; round++) {
  // Each path runs first, second, … in turn: no path always follows the same one.
  const order = PATHS.map((_, i) => PATHS[(i + round) % PATHS.length]);
  for (const path of order) {
    try {
      runs.push({ ...(await runPath(path, files)), round });
    } catch (err) {
      failure = err as Error;
      break;
    }
  }
}
rmSync(join(root, 'out'), { recursive: true, force: true });
rmSync(recordingDir, { recursive: true, force: true });

const mb = files.bytes / 1e6;
const of = (path: Path) => runs.filter((r) => r.path === path);
process.stdout.write(`\npacscope ${VERSION} proxy bench: storescu → storescp, ${COUNT} CT files, ${mb.toFixed(0)} MB, one association, TCP_NODELAY=1; ${ROUNDS} rounds, every path once per round, sync and inputs cached before each run; node ${process.version}\n\n`);
process.stdout.write(`${'path'.padEnd(48)}${'median s'.padStart(9)}${'MB/s'.padStart(7)}${'best s'.padStart(8)}${'received'.padStart(10)}${'peak RSS'.padStart(10)}${'relay CPU s'.padStart(12)}  runs (s)\n`);
for (const path of PATHS) {
  const list = of(path);
  if (list.length === 0) continue;
  const m = median(list.map((r) => r.seconds));
  const best = Math.min(...list.map((r) => r.seconds));
  const received = Math.min(...list.map((r) => r.received));
  const rss = Math.max(...list.map((r) => r.peakRss ?? 0));
  const cpu = list.every((r) => r.cpu !== undefined) ? median(list.map((r) => r.cpu!)).toFixed(2) : '';
  process.stdout.write(
    `${LABELS[path].padEnd(48)}${m.toFixed(2).padStart(9)}${(mb / m).toFixed(0).padStart(7)}${best.toFixed(2).padStart(8)}${String(received).padStart(10)}${(rss ? `${(rss / 1e6).toFixed(0)} MB` : '').padStart(10)}${cpu.padStart(12)}  ${list.map((r) => r.seconds.toFixed(2)).join(' ')}\n`,
  );
}
const directs = of('direct');
const proxied = of('proxy');
let ok = directs.length > 0 && directs.every((r) => r.received === COUNT);
if (directs.length > 0 && proxied.length > 0) {
  const direct = median(directs.map((r) => r.seconds));
  const ratio = (path: Path) => direct / median(of(path).map((r) => r.seconds));
  const bestRatio = Math.min(...directs.map((r) => r.seconds)) / Math.min(...proxied.map((r) => r.seconds));
  // Paired: each round's direct run against its own proxy run, which cancels a drift of the machine over the bench.
  const paired = median(proxied.flatMap((p) => directs.filter((d) => d.round === p.round).map((d) => d.seconds / p.seconds)));
  const r = ratio('proxy');
  process.stdout.write(`\nproxy (capture on, recording) / direct throughput, medians: ${r.toFixed(2)} (target ≥ ${TARGET_RATIO}); median of the rounds' own ratios: ${paired.toFixed(2)}; best runs: ${bestRatio.toFixed(2)}\n`);
  const others = (['proxy-live', 'relay'] as Path[]).filter((p) => of(p).length > 0);
  if (others.length > 0) process.stdout.write(`for comparison, medians / direct: ${others.map((p) => `${p === 'relay' ? "pacscope's relay without capture" : 'proxy without the recording file'} ${ratio(p).toFixed(2)}`).join('; ')}\n`);
  const live = of('proxy-live');
  const maxRss = Math.max(...[...proxied, ...live].map((x) => x.peakRss ?? 0));
  process.stdout.write(`proxy peak RSS over all runs: ${(maxRss / 1e6).toFixed(0)} MB (target < ${TARGET_RSS / 1e6} MB); load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs\n`);
  const lost = proxied.flatMap((x) => (x.lost ? [x.lost] : []));
  const last = proxied[proxied.length - 1];
  process.stdout.write(`recording ${(last.recordingBytes! / 1e6).toFixed(0)} MB${lost.length > 0 ? ` (NOT complete: ${lost.join(', ')} recorded as gaps, the disk fell behind)` : ', complete'}; the proxy decoded ${last.storeRqs} C-STORE-RQ, ${last.decodeErrors} decode errors\n`);
  ok &&= lost.length === 0 && runs.every((x) => x.received === COUNT) && [...proxied, ...live].every((x) => x.storeRqs === COUNT && x.decodeErrors === 0);
  process.stdout.write(`check: every run stored ${COUNT} files, the proxy decoded ${COUNT} C-STORE-RQs without error and recorded every byte: ${ok ? 'yes' : 'NO'}\n`);
  process.stdout.write(`targets met: throughput ${r >= TARGET_RATIO ? 'yes' : 'NO'}, memory ${maxRss < TARGET_RSS ? 'yes' : 'NO'}\n`);
}
if (failure) {
  process.stderr.write(`\nproxy bench failed: ${failure.message}\n`);
  process.exitCode = 1;
} else if (!ok) {
  process.exitCode = 1;
}
