/**
 * Proxy benchmark (part of `npm run bench`): ≈1 GB of C-STORE (2,000 CT
 * images of ≈512 KB) sent by DCMTK `storescu` to DCMTK `storescp`, directly
 * and through `pacscope proxy` with capture on (recording every byte to a
 * file in a temp dir and decoding as it goes), in the same run, as a
 * throughput ratio, with the proxy's peak memory (and, to show what the
 * recording costs, the proxy decoding but not recording). The proxy runs in its own
 * process (`node bin/pacscope.js proxy`), so its peak RSS (VmHWM of
 * /proc/PID/status) is its own. Both DCMTK tools get TCP_NODELAY=1.
 * Target: ≥ 0.8 of direct, < 250 MB.
 *
 *   node --import tsx test/bench/proxy-bench.ts
 *   BENCH_PROXY_FILES=2000 BENCH_PROXY_ROUNDS=2 (defaults)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../server/version.ts';
import { freePort, waitListening } from '../interop/harness/net.ts';
import { RunningProcess, runTool } from '../interop/harness/process.ts';
import { storeFiles, type StoreFiles } from './store-files.ts';

const COUNT = Number(process.env.BENCH_PROXY_FILES ?? 2000);
const ROUNDS = Number(process.env.BENCH_PROXY_ROUNDS ?? 2);
const root = join(process.cwd(), '.tmp', 'bench', 'proxy');
const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
const TARGET_RATIO = 0.8;
const TARGET_RSS = 250e6;

interface Round {
  /** proxy-live: through the proxy decoding as it goes but recording nothing (to show what the recording costs). */
  path: 'direct' | 'proxy' | 'proxy-live';
  seconds: number;
  received: number;
  /** proxy only */
  peakRss?: number;
  recordingBytes?: number;
  storeRqs?: number;
  decodeErrors?: number;
  /** What the proxy said it could not record (the disk fell behind), or null. */
  lost?: string | null;
}

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

async function withStoreScp<T>(fn: (port: number, out: string) => Promise<T>): Promise<T> {
  const out = freshDir(join(root, 'out'));
  const port = await freePort();
  const scp = new RunningProcess('storescp', ['--aetitle', 'STORESCP', '-od', out, '-fe', '.dcm', String(port)]);
  try {
    await waitListening(port, 10_000, () => scp.output.slice(-1500));
    return await fn(port, out);
  } finally {
    await scp.stop();
  }
}

const directRound = (files: StoreFiles): Promise<Round> =>
  withStoreScp(async (port, out) => ({ path: 'direct', seconds: await sendAll(files, port), received: countFiles(out) }));

/** Peak resident set of a process so far (VmHWM), bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const proxyRound = (files: StoreFiles, record: boolean): Promise<Round> =>
  withStoreScp(async (scpPort, out) => {
    // In the OS's temp dir, as a user would record (not under .tmp/ with the inputs).
    const recording = join(freshDir(join(tmpdir(), 'pacscope-proxy-bench')), 'proxy.pacscope');
    const proxy = new RunningProcess(process.execPath, [BIN, 'proxy', '--route', `127.0.0.1:0=127.0.0.1:${scpPort}`, ...(record ? ['--record', recording] : [])]);
    try {
      await proxy.waitFor(/Ctrl-C stops/, 30_000);
      const port = Number(/route 127\.0\.0\.1:(\d+) /.exec(proxy.output)![1]); // (output read as latin1: no "→" here)
      const seconds = await sendAll(files, port);
      const rss = peakRss(proxy.pid!);
      await proxy.stop('SIGTERM', 60_000);
      const summary = proxy.output;
      const storeRqs = Number(/C-STORE-RQ (\d+)/.exec(summary)?.[1] ?? 0);
      const decodeErrors = Number(/decode errors (\d+)/.exec(summary)?.[1] ?? -1);
      const lost = /! (\S+ \S+) not recorded/.exec(summary)?.[1] ?? null;
      return { path: record ? 'proxy' : 'proxy-live', seconds, received: countFiles(out), peakRss: rss, recordingBytes: record ? statSync(recording).size : 0, storeRqs, decodeErrors, lost };
    } finally {
      await proxy.stop('SIGKILL', 1000);
    }
  });

function requireDcmtk(): void {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin']);
  const missing = ['storescu', 'storescp', 'dump2dcm'].filter((t) => !dirs.some((d) => d && existsSync(join(d, t))));
  if (missing.length > 0) {
    process.stderr.write(`proxy bench needs DCMTK (missing: ${missing.join(', ')}): run "node scripts/ensure-deps.mjs --test" or apt-get install dcmtk\n`);
    process.exit(1);
  }
}

requireDcmtk();
const files = await storeFiles(root, COUNT);
const rounds: Round[] = [];
let failure: Error | null = null;
// Warm-up: the page cache holds the files, the tools are loaded.
await directRound({ ...files, files: files.files.slice(0, 100) });
for (let i = 0; i < ROUNDS && !failure; i++) {
  try {
    rounds.push(await directRound(files));
    rounds.push(await proxyRound(files, true));
    rounds.push(await proxyRound(files, false));
  } catch (err) {
    failure = err as Error;
  }
}
rmSync(join(root, 'out'), { recursive: true, force: true });
rmSync(join(tmpdir(), 'pacscope-proxy-bench'), { recursive: true, force: true });

const mb = files.bytes / 1e6;
const best = (list: Round[]) => list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
process.stdout.write(`\npacscope ${VERSION} proxy bench: storescu → storescp, ${COUNT} CT files, ${mb.toFixed(0)} MB, one association, TCP_NODELAY=1, ${ROUNDS} rounds (best shown); node ${process.version}\n\n`);
process.stdout.write(`${'path'.padEnd(48)}${'s'.padStart(8)}${'MB/s'.padStart(9)}${'received'.padStart(10)}${'peak RSS'.padStart(11)}  rounds (s)\n`);
const row = (label: string, list: Round[]) => {
  const b = best(list);
  const rss = b.peakRss ? `${(b.peakRss / 1e6).toFixed(0)} MB` : '';
  process.stdout.write(`${label.padEnd(48)}${b.seconds.toFixed(2).padStart(8)}${(mb / b.seconds).toFixed(0).padStart(9)}${String(b.received).padStart(10)}${rss.padStart(11)}  ${list.map((r) => r.seconds.toFixed(2)).join(' ')}\n`);
  return b;
};
const directs = rounds.filter((r) => r.path === 'direct');
const proxied = rounds.filter((r) => r.path === 'proxy');
const live = rounds.filter((r) => r.path === 'proxy-live');
let ok = directs.length > 0 && directs.every((r) => r.received === COUNT);
if (directs.length > 0 && proxied.length > 0) {
  const d = row('direct', directs);
  const p = row('through pacscope proxy, recording + decoding', proxied);
  const l = live.length > 0 ? row('through pacscope proxy, decoding, no recording', live) : null;
  const ratio = d.seconds / p.seconds;
  const maxRss = Math.max(...[...proxied, ...live].map((r) => r.peakRss ?? 0));
  process.stdout.write(`\nproxy (capture on, recording) / direct throughput: ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO})`);
  if (l) process.stdout.write(`; without the recording file: ${(d.seconds / l.seconds).toFixed(2)}`);
  process.stdout.write(`\nproxy peak RSS over all rounds: ${(maxRss / 1e6).toFixed(0)} MB (target < ${TARGET_RSS / 1e6} MB); load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs\n`);
  const lost = proxied.flatMap((r) => (r.lost ? [r.lost] : []));
  process.stdout.write(`recording ${(p.recordingBytes! / 1e6).toFixed(0)} MB${lost.length > 0 ? ` (NOT complete: ${lost.join(', ')} recorded as gaps, the disk fell behind)` : ', complete'}; the proxy decoded ${p.storeRqs} C-STORE-RQ, ${p.decodeErrors} decode errors\n`);
  ok &&= lost.length === 0 && [...proxied, ...live].every((r) => r.received === COUNT && r.storeRqs === COUNT && r.decodeErrors === 0);
  process.stdout.write(`check: every round stored ${COUNT} files, the proxy decoded ${COUNT} C-STORE-RQs without error and recorded every byte: ${ok ? 'yes' : 'NO'}\n`);
  process.stdout.write(`targets met: throughput ${ratio >= TARGET_RATIO ? 'yes' : 'NO'}, memory ${maxRss < TARGET_RSS ? 'yes' : 'NO'}\n`);
}
if (failure) {
  process.stderr.write(`\nproxy bench failed: ${failure.message}\n`);
  process.exitCode = 1;
} else if (!ok) {
  process.exitCode = 1;
}
