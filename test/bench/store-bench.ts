/**
 * Store benchmark (part of `npm run bench`): C-STORE throughput into
 * pacscope's built-in store SCP with capture on (a CaptureHub recording every
 * byte to a file and decoding it live), as a ratio against DCMTK's storescp,
 * on the same files in the same run. DCMTK's `storescu` sends to both, so the
 * sender is the same; both peers get TCP_NODELAY=1 (docs/architecture.md, "Tests against real peers"). Rounds
 * alternate between the two receivers; the best round of each is compared.
 *
 *   node --import tsx test/bench/store-bench.ts
 *   BENCH_STORE_FILES=200 BENCH_STORE_ROUNDS=3 (defaults)
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureHub } from '../../server/capture/hub.ts';
import { VERSION } from '../../server/version.ts';
import { freePort, waitListening } from '../interop/harness/net.ts';
import { RunningProcess, runTool } from '../interop/harness/process.ts';
import { storeFiles, type StoreFiles } from './store-files.ts';
import { startBenchStoreScp } from './pacscope-store-scp.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const COUNT = Number(process.env.BENCH_STORE_FILES ?? 200);
const ROUNDS = Number(process.env.BENCH_STORE_ROUNDS ?? 3);
const root = join(process.cwd(), '.tmp', 'bench');
const SCU_AE = 'BENCHSCU';

interface Round {
  /** pacscope-live: the hub decodes live but writes no recording (to show what the recording costs). */
  receiver: 'dcmtk' | 'pacscope' | 'pacscope-live';
  seconds: number;
  received: number;
  /** pacscope only: the recording's size and what the live decoder saw. */
  recordingBytes?: number;
  storeResponses?: number;
  decodeErrors?: number;
}

/** Regular files under `dir` (what a store SCP wrote). */
function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, String(f))).isFile()).length;
}

function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** storescu sending every file on one association; the wall time of the whole tool run. */
async function sendAll(files: StoreFiles, calledAe: string, port: number): Promise<number> {
  const res = await runTool('storescu', ['-aet', SCU_AE, '-aec', calledAe, '127.0.0.1', String(port), ...files.files], { timeoutMs: 300_000 });
  if (res.code !== 0) throw new Error(`${res.command.slice(0, 200)}… exited ${res.code}:\n${res.output.slice(-2000)}`);
  return res.ms / 1000;
}

async function dcmtkRound(files: StoreFiles): Promise<Round> {
  const out = freshDir(join(root, 'out-dcmtk'));
  const port = await freePort();
  // No -d: a debug log per message would measure logging, not storing.
  const scp = new RunningProcess('storescp', ['--aetitle', 'STORESCP', '-od', out, '-fe', '.dcm', String(port)]);
  try {
    await waitListening(port, 10_000, () => scp.output.slice(-1500));
    const seconds = await sendAll(files, 'STORESCP', port);
    return { receiver: 'dcmtk', seconds, received: countFiles(out) };
  } finally {
    await scp.stop();
  }
}

async function pacscopeRound(files: StoreFiles, record: boolean): Promise<Round> {
  const out = freshDir(join(root, 'out-pacscope'));
  const recording = join(root, 'store.pacscope');
  rmSync(recording, { force: true });
  const hub = await CaptureHub.open({
    recordPath: record ? recording : undefined,
    source: { kind: 'bench', description: 'store benchmark: storescu → pacscope store SCP' },
  });
  const scp = await startBenchStoreScp(hub, out);
  let seconds: number;
  try {
    seconds = await sendAll(files, scp.ae, scp.port);
  } finally {
    await scp.close();
    await hub.close();
  }
  const summary = hub.summary();
  const rsps = summary.messages.filter((m) => m.commandField === CommandField.CStoreRsp && m.status === 0x0000).length;
  return {
    receiver: record ? 'pacscope' : 'pacscope-live',
    seconds,
    received: countFiles(out),
    recordingBytes: record ? statSync(recording).size : 0,
    storeResponses: rsps,
    decodeErrors: summary.errors.length,
  };
}

const mbps = (bytes: number, r: Round) => bytes / 1e6 / r.seconds;
const best = (rounds: Round[]) => rounds.reduce((a, b) => (b.seconds < a.seconds ? b : a));

/** DCMTK is a test dependency (ensure-deps --test): say so instead of failing on a spawn error. */
function requireDcmtk(): void {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin']);
  const missing = ['storescu', 'storescp', 'dump2dcm'].filter((t) => !dirs.some((d) => d && existsSync(join(d, t))));
  if (missing.length > 0) {
    process.stderr.write(`store bench needs DCMTK (missing: ${missing.join(', ')}): run "node scripts/ensure-deps.mjs --test" or apt-get install dcmtk\n`);
    process.exit(1);
  }
}

requireDcmtk();
const files = await storeFiles(root, COUNT);
const rounds: Round[] = [];
let pacscopeError: Error | null = null;
// Warm-up: the page cache holds the files, storescu and storescp are loaded.
await dcmtkRound(files);
for (let i = 0; i < ROUNDS; i++) {
  rounds.push(await dcmtkRound(files));
  if (pacscopeError) continue;
  try {
    rounds.push(await pacscopeRound(files, true));
    rounds.push(await pacscopeRound(files, false));
  } catch (err) {
    pacscopeError = err as Error;
  }
}

const mb = files.bytes / 1e6;
process.stdout.write(`\npacscope ${VERSION} store bench: storescu → store SCP, ${COUNT} CT files, ${mb.toFixed(1)} MB, one association, TCP_NODELAY=1, ${ROUNDS} rounds (best shown); node ${process.version}\n\n`);
process.stdout.write(`${'receiver'.padEnd(44)}${'s'.padStart(8)}${'MB/s'.padStart(9)}${'files/s'.padStart(9)}${'received'.padStart(10)}  rounds (s)\n`);
const row = (label: string, list: Round[]) => {
  const b = best(list);
  const all = list.map((r) => r.seconds.toFixed(2)).join(' ');
  process.stdout.write(`${label.padEnd(44)}${b.seconds.toFixed(2).padStart(8)}${mbps(files.bytes, b).toFixed(0).padStart(9)}${(COUNT / b.seconds).toFixed(0).padStart(9)}${String(b.received).padStart(10)}  ${all}\n`);
  return b;
};
const dcmtk = row('DCMTK storescp (writes files)', rounds.filter((r) => r.receiver === 'dcmtk'));
const mine = rounds.filter((r) => r.receiver === 'pacscope');
const live = rounds.filter((r) => r.receiver === 'pacscope-live');
let ok = dcmtk.received === COUNT;
if (mine.length > 0) {
  const p = row('pacscope store SCP + capture hub, recording', mine);
  const l = live.length > 0 ? row('pacscope store SCP + capture hub, no file', live) : null;
  const ratio = mbps(files.bytes, p) / mbps(files.bytes, dcmtk);
  process.stdout.write(`\npacscope (capture on, recording) / DCMTK throughput: ${ratio.toFixed(2)}`);
  if (l) process.stdout.write(`; without the recording file: ${(mbps(files.bytes, l) / mbps(files.bytes, dcmtk)).toFixed(2)}`);
  process.stdout.write(`\nrecording ${(p.recordingBytes! / 1e6).toFixed(1)} MB, ${p.storeResponses} C-STORE-RSP 0x0000 decoded live, ${p.decodeErrors} decode errors\n`);
  ok &&= [...mine, ...live].every((r) => r.received === COUNT && r.storeResponses === COUNT && r.decodeErrors === 0);
  process.stdout.write(`check: every round received ${COUNT} files and decoded ${COUNT} successful C-STORE-RSPs: ${ok ? 'yes' : 'NO'}\n`);
}
if (pacscopeError) {
  process.stderr.write(`\npacscope side failed: ${pacscopeError.message}\n`);
  process.exitCode = 1;
} else if (!ok) {
  process.exitCode = 1;
}
