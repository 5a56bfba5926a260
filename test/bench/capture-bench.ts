/**
 * Live capture benchmark (part of `npm run bench`, issue 17): ≈1 GB of
 * C-STORE (2,000 CT images of ≈512 KB, one association) sent by DCMTK
 * `storescu` to DCMTK `storescp` over loopback — pacscope not in the path —
 * three ways in the same run: with no capture, with `dumpcap` alone writing
 * the capture to a file, and with `pacscope capture` (its own process: dumpcap
 * writing pcapng to a ring of files, pacscope reading them behind it,
 * reassembling, decoding and recording every DICOM byte to rotated files). Printed side by side: the
 * transfer's time and throughput, dumpcap's drop counter (its last account
 * of the capture, the Interface Statistics Block for pacscope), pacscope's
 * peak RSS (its own, from what it prints at the end: the process's maxRSS)
 * and CPU time, dumpcap's peak RSS (its kernel ring is mapped into it). Both
 * capture paths give dumpcap the same kernel buffer (BENCH_CAPTURE_BUFFER
 * MiB, default pacscope's default). Checked: every run stored every file,
 * dumpcap dropped nothing, pacscope decoded every C-STORE-RQ without error
 * and recorded every byte, its memory stayed below the target.
 *
 * Method as the proxy bench's: ROUNDS rounds, each path once per round in an
 * order rotated per round, the previous run's files deleted, `sync` and the
 * inputs read into the page cache before each run; medians and every run.
 * The inputs are the proxy bench's (.tmp/bench/proxy/files), made once.
 *
 *   node --import tsx test/bench/capture-bench.ts
 *   BENCH_CAPTURE_FILES=2000 BENCH_CAPTURE_ROUNDS=3 BENCH_CAPTURE_BUFFER=MiB
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../server/version.ts';
import { DEFAULT_BUFFER_MIB } from '../../server/sources/live-capture.ts';
import { freePort, waitListening } from '../interop/harness/net.ts';
import { RunningProcess, runTool } from '../interop/harness/process.ts';
import { storeFiles, type StoreFiles } from './store-files.ts';

const COUNT = Number(process.env.BENCH_CAPTURE_FILES ?? 2000);
const ROUNDS = Number(process.env.BENCH_CAPTURE_ROUNDS ?? 3);
const BUFFER_MIB = Number(process.env.BENCH_CAPTURE_BUFFER ?? DEFAULT_BUFFER_MIB);
const inputs = join(process.cwd(), '.tmp', 'bench', 'proxy');
const out = join(process.cwd(), '.tmp', 'bench', 'capture', 'out');
const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
// Where a user would write captures: the OS's temp dir.
const captureDir = join(tmpdir(), 'pacscope-capture-bench');
const TARGET_RSS = 250e6;

type Path = 'direct' | 'dumpcap' | 'pacscope';
const PATHS: Path[] = ['direct', 'dumpcap', 'pacscope'];
const LABELS: Record<Path, string> = {
  direct: 'no capture',
  dumpcap: 'dumpcap alone, writing a pcapng file',
  pacscope: 'pacscope capture, decoding + recording',
};

interface Run {
  path: Path;
  round: number;
  seconds: number;
  received: number;
  /** dumpcap's drop counter (capture paths). */
  dropped?: number;
  /** Packets dumpcap captured. */
  packets?: number;
  /** Bytes written: the pcapng file, or pacscope's recording files. */
  written?: number;
  /** pacscope only */
  peakRss?: number;
  cpu?: number;
  /** From the transfer's end to pacscope's exit after Ctrl-C: how far behind the capture it read (the backlog waited in dumpcap's files). */
  behind?: number;
  storeRqs?: number;
  decodeErrors?: number;
  gaps?: number;
  lost?: string | null;
  /** dumpcap's peak RSS (VmHWM), bytes. */
  dumpcapRss?: number;
}

const freshDir = (dir: string): string => (rmSync(dir, { recursive: true, force: true }), mkdirSync(dir, { recursive: true }), dir);
const countFiles = (dir: string): number => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.dcm')).length : 0);
const dirBytes = (dir: string): number => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

function status(pid: number, key: string): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU time (user + system) of a process so far, s. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pid of `pid`'s child named `name` (dumpcap under pacscope). */
function childPid(pid: number, name: string): number | null {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.find((k) => readFileSync(`/proc/${k}/comm`, 'utf8').trim() === name) ?? null;
  } catch {
    return null;
  }
}

async function send(files: StoreFiles, port: number): Promise<number> {
  const res = await runTool('storescu', ['-aet', 'BENCHSCU', '-aec', 'STORESCP', '127.0.0.1', String(port), ...files.files], { timeoutMs: 900_000 });
  if (res.code !== 0) throw new Error(`storescu exited ${res.code}:\n${res.output.slice(-2000)}`);
  return res.ms / 1000;
}

/** A fresh storescp; the last run's files gone, dirty pages written out, the inputs cached. */
async function withStoreScp(files: StoreFiles, fn: (port: number) => Promise<Omit<Run, 'round' | 'received'>>): Promise<Omit<Run, 'round'>> {
  freshDir(out);
  freshDir(captureDir);
  execFileSync('sync');
  for (const f of files.files) readFileSync(f);
  const port = await freePort();
  const scp = new RunningProcess('storescp', ['--aetitle', 'STORESCP', '-od', out, '-fe', '.dcm', String(port)]);
  try {
    await waitListening(port, 10_000, () => scp.output.slice(-1500));
    const run = await fn(port);
    return { ...run, received: countFiles(out) };
  } finally {
    await scp.stop();
  }
}

const directRun = (files: StoreFiles) => withStoreScp(files, async (port) => ({ path: 'direct', seconds: await send(files, port) }));

/** dumpcap alone, as a user would: to a file, with the same filter and kernel buffer as pacscope gives it. */
const dumpcapRun = (files: StoreFiles) =>
  withStoreScp(files, async (port) => {
    const file = join(captureDir, 'capture.pcapng');
    const dumpcap = new RunningProcess('dumpcap', ['-i', 'lo', '-f', `tcp port ${port}`, '-B', String(BUFFER_MIB), '-w', file]);
    try {
      await dumpcap.waitFor(/File: /, 10_000);
      // dumpcap says "File:" before its filter is live (test/interop/harness/capture.ts); give it the time pacscope's probe takes.
      await new Promise((r) => setTimeout(r, 500));
      const seconds = await send(files, port);
      const dumpcapRss = status(dumpcap.pid!, 'VmHWM');
      await new Promise((r) => setTimeout(r, 300));
      await dumpcap.stop('SIGINT', 30_000);
      const m = /received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(dumpcap.output);
      if (!m) throw new Error(`dumpcap printed no counters:\n${dumpcap.output.slice(-1500)}`);
      return { path: 'dumpcap', seconds, packets: Number(m[1]), dropped: Number(m[2]), written: statSync(file).size, dumpcapRss };
    } finally {
      await dumpcap.stop('SIGKILL', 1000);
    }
  });

const pacscopeRun = (files: StoreFiles) =>
  withStoreScp(files, async (port) => {
    const dir = join(captureDir, 'recording');
    const proc = new RunningProcess(process.execPath, [BIN, 'capture', '--interface', 'lo', '--filter', `tcp port ${port}`, '--buffer-size', String(BUFFER_MIB), '--record-dir', dir, '--rotate-size', '256MB'], { encoding: 'utf8' });
    try {
      await proc.waitFor(/Ctrl-C stops/, 30_000);
      const before = cpuSeconds(proc.pid!);
      const seconds = await send(files, port);
      const cpu = cpuSeconds(proc.pid!) - before;
      const dumpcapPid = childPid(proc.pid!, 'dumpcap');
      const dumpcapRss = dumpcapPid === null ? undefined : status(dumpcapPid, 'VmHWM');
      const stopAt = performance.now();
      await proc.stop('SIGINT', 120_000);
      const behind = (performance.now() - stopAt) / 1000;
      const text = proc.output;
      const counts = /packets: (\d+) captured by dumpcap, (\d+) dropped/.exec(text);
      if (!counts) throw new Error(`pacscope capture printed no counters:\n${text.slice(-3000)}`);
      const rss = /peak memory \(RSS\) ([\d.]+) MB/.exec(text);
      return {
        path: 'pacscope',
        seconds,
        cpu,
        behind,
        packets: Number(counts[1]),
        dropped: Number(counts[2]),
        written: dirBytes(dir),
        peakRss: rss ? Number(rss[1]) * 1e6 : NaN,
        storeRqs: Number(/C-STORE-RQ (\d+)/.exec(text)?.[1] ?? 0),
        decodeErrors: Number(/decode errors (\d+)/.exec(text)?.[1] ?? -1),
        gaps: Number(/(\d+) gap\(s\) in the TCP streams/.exec(text)?.[1] ?? 0),
        lost: /! (\S+ \S+) not recorded/.exec(text)?.[1] ?? null,
        dumpcapRss,
      };
    } finally {
      await proc.stop('SIGKILL', 1000);
    }
  });

const runPath = (path: Path, files: StoreFiles) => (path === 'direct' ? directRun(files) : path === 'dumpcap' ? dumpcapRun(files) : pacscopeRun(files));

function requireTools(): void {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin']);
  const missing = ['storescu', 'storescp', 'dump2dcm', 'dumpcap'].filter((t) => !dirs.some((d) => d && existsSync(join(d, t))));
  if (missing.length > 0) {
    process.stderr.write(`capture bench needs DCMTK and dumpcap (missing: ${missing.join(', ')}): run "node scripts/ensure-deps.mjs --test"\n`);
    process.exit(1);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

requireTools();
const files = await storeFiles(inputs, COUNT);
const runs: Run[] = [];
let failure: Error | null = null;
await directRun({ ...files, files: files.files.slice(0, 100) }); // warm-up
for (let round = 0; round < ROUNDS && !failure; round++) {
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
rmSync(out, { recursive: true, force: true });
rmSync(captureDir, { recursive: true, force: true });

const mb = files.bytes / 1e6;
const of = (path: Path) => runs.filter((r) => r.path === path);
const fmt = (bytes: number | undefined) => (bytes === undefined || Number.isNaN(bytes) ? '' : `${(bytes / 1e6).toFixed(0)} MB`);
process.stdout.write(
  `\npacscope ${VERSION} capture bench: storescu → storescp over loopback, ${COUNT} CT files, ${mb.toFixed(0)} MB, one association, TCP_NODELAY=1; dumpcap -B ${BUFFER_MIB} MiB; ${ROUNDS} rounds, every path once per round; node ${process.version}, ${cpus().length} CPUs\n\n`,
);
process.stdout.write(`${'path'.padEnd(40)}${'median s'.padStart(9)}${'MB/s'.padStart(7)}${'received'.padStart(10)}${'dropped'.padStart(9)}${'written'.padStart(9)}${'pacscope RSS'.padStart(14)}${'CPU s'.padStart(7)}${'dumpcap RSS'.padStart(13)}  runs (s)\n`);
for (const path of PATHS) {
  const list = of(path);
  if (list.length === 0) continue;
  const m = median(list.map((r) => r.seconds));
  const dropped = list.every((r) => r.dropped === undefined) ? '' : String(Math.max(...list.map((r) => r.dropped ?? 0)));
  const rss = Math.max(...list.map((r) => r.peakRss ?? 0));
  const cpu = list.every((r) => r.cpu !== undefined) ? median(list.map((r) => r.cpu!)).toFixed(2) : '';
  const dumpcapRss = Math.max(...list.map((r) => r.dumpcapRss ?? 0));
  process.stdout.write(
    `${LABELS[path].padEnd(40)}${m.toFixed(2).padStart(9)}${(mb / m).toFixed(0).padStart(7)}${String(Math.min(...list.map((r) => r.received))).padStart(10)}${dropped.padStart(9)}${fmt(list.at(-1)!.written).padStart(9)}${(rss ? fmt(rss) : '').padStart(14)}${cpu.padStart(7)}${(dumpcapRss ? fmt(dumpcapRss) : '').padStart(13)}  ${list.map((r) => r.seconds.toFixed(2)).join(' ')}\n`,
  );
}
const pacscope = of('pacscope');
const alone = of('dumpcap');
let ok = !failure && runs.every((r) => r.received === COUNT);
if (pacscope.length > 0 && alone.length > 0) {
  const ratio = median(alone.map((r) => r.seconds)) / median(pacscope.map((r) => r.seconds));
  const maxRss = Math.max(...pacscope.map((r) => r.peakRss ?? Infinity));
  const drops = [...pacscope, ...alone].map((r) => r.dropped ?? -1);
  process.stdout.write(`\npacscope capture / dumpcap alone, transfer throughput (medians): ${ratio.toFixed(2)}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const last = pacscope[pacscope.length - 1];
  process.stdout.write(
    `pacscope read behind the capture (its backlog in dumpcap's files on disk, not in memory): it exited ${median(pacscope.map((r) => r.behind ?? NaN)).toFixed(2)} s after the transfer's end and Ctrl-C (median; runs ${pacscope.map((r) => r.behind?.toFixed(2)).join(' ')}); CPU s is pacscope's during the transfer\n`,
  );
  process.stdout.write(`pacscope decoded ${last.storeRqs} C-STORE-RQ, ${last.decodeErrors} decode errors, ${last.gaps} gaps; recording ${fmt(last.written)}${pacscope.some((r) => r.lost) ? ` (NOT complete: ${pacscope.map((r) => r.lost).filter(Boolean).join(', ')} recorded as gaps)` : ', complete'}\n`);
  const complete = pacscope.every((r) => r.storeRqs === COUNT && r.decodeErrors === 0 && r.gaps === 0 && !r.lost);
  ok &&= complete && drops.every((d) => d === 0) && maxRss < TARGET_RSS;
  process.stdout.write(`check: every run stored ${COUNT} files, dumpcap's drop counter 0 on every capture: ${drops.every((d) => d === 0) ? 'yes' : `NO (${drops.join(', ')})`}; pacscope decoded and recorded all: ${complete ? 'yes' : 'NO'}\n`);
  process.stdout.write(`targets met: keeps up (no drop) ${drops.every((d) => d === 0) ? 'yes' : 'NO'}, pacscope peak RSS ${fmt(maxRss)} < ${TARGET_RSS / 1e6} MB ${maxRss < TARGET_RSS ? 'yes' : 'NO'}\n`);
}
if (failure) {
  process.stderr.write(`\ncapture bench failed: ${failure.message}\n`);
  process.exitCode = 1;
} else if (!ok) {
  process.exitCode = 1;
}
