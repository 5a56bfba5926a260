/**
 * DICOM over TLS benchmark (part of `npm run bench`, issue 17): C-STORE of
 * BENCH_TLS_FILES CT images of ≈512 KB by DCMTK `storescu +tls` into DCMTK
 * `storescp +tls`, directly and through `pacscope proxy` terminating TLS on
 * both legs (tls:LISTEN=tls:UPSTREAM: decrypt, relay, re-encrypt) while it
 * records every decrypted byte to a file and decodes as it goes, in the same
 * run, with the proxy's peak memory. Certificates are made by openssl for
 * the run. ROUNDS rounds, each path once per round in a rotated order; medians
 * and every run's time are printed.
 *
 *   node --import tsx test/bench/tls-bench.ts
 *   BENCH_TLS_FILES=400 BENCH_TLS_ROUNDS=3 (defaults)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitListening } from '../interop/harness/net.ts';
import { RunningProcess, runTool } from '../interop/harness/process.ts';
import { makeTlsCerts, type TlsCerts } from '../interop/harness/tls-certs.ts';
import { storeFiles, type StoreFiles } from './store-files.ts';

const COUNT = Number(process.env.BENCH_TLS_FILES ?? 400);
const ROUNDS = Number(process.env.BENCH_TLS_ROUNDS ?? 3);
const root = join(process.cwd(), '.tmp', 'bench', 'tls');
const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
const recording = join(tmpdir(), 'pacscope-tls-bench.pacscope');

type Path = 'direct' | 'proxy';
interface Run {
  path: Path;
  seconds: number;
  received: number;
  peakRss?: number;
}

const fresh = (dir: string) => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
};
const count = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.dcm')).length : 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const peakRss = (pid: number) => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

async function run(path: Path, files: StoreFiles, c: TlsCerts): Promise<Run> {
  const out = fresh(join(root, 'out'));
  rmSync(recording, { force: true });
  execFileSync('sync');
  for (const f of files.files) readFileSync(f);
  const scpPort = await freePort();
  const scp = new RunningProcess('storescp', ['--aetitle', 'STORESCP', '+tls', c.server.key, c.server.cert, '+cf', c.ca, '-od', out, '-fe', '.dcm', String(scpPort)]);
  let proxy: RunningProcess | null = null;
  try {
    await waitListening(scpPort, 10_000, () => scp.output.slice(-1500));
    let port = scpPort;
    if (path === 'proxy') {
      proxy = new RunningProcess(process.execPath, [BIN, 'proxy', '--route', `tls:127.0.0.1:0=tls:127.0.0.1:${scpPort}`, '--tls', c.server.key, c.server.cert, '+cf', c.ca, '--record', recording]);
      await proxy.waitFor(/Ctrl-C stops/, 30_000);
      port = Number(/^route tls:127\.0\.0\.1:(\d+) /m.exec(proxy.output)![1]);
    }
    const res = await runTool('storescu', ['-aet', 'BENCHSCU', '-aec', 'STORESCP', '+tls', c.client.key, c.client.cert, '+cf', c.ca, '127.0.0.1', String(port), ...files.files], { timeoutMs: 900_000 });
    if (res.code !== 0) throw new Error(`storescu +tls exited ${res.code}:\n${res.output.slice(-2000)}`);
    const rss = proxy ? peakRss(proxy.pid!) : undefined;
    return { path, seconds: res.ms / 1000, received: count(out), peakRss: rss };
  } finally {
    await proxy?.stop('SIGINT', 20_000);
    await scp.stop();
  }
}

async function main(): Promise<void> {
  for (const tool of ['storescu', 'storescp', 'openssl']) {
    if ((await runTool('which', [tool])).code !== 0) throw new Error(`tls-bench needs ${tool} (npm test installs dcmtk)`);
  }
  const files = await storeFiles(join(root, 'files'), COUNT);
  const c = await makeTlsCerts();
  const runs: Run[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order: Path[] = round % 2 === 0 ? ['direct', 'proxy'] : ['proxy', 'direct'];
      for (const p of order) {
        const r = await run(p, files, c);
        if (r.received !== files.files.length) throw new Error(`${p}: ${r.received} of ${files.files.length} files arrived`);
        runs.push(r);
      }
    }
  } finally {
    await c.remove();
    rmSync(recording, { force: true });
  }
  const mb = files.bytes / 1e6;
  const of = (p: Path) => runs.filter((r) => r.path === p);
  const line = (p: Path, label: string) => {
    const s = median(of(p).map((r) => r.seconds));
    return `  ${label.padEnd(58)} ${(mb / s).toFixed(1).padStart(7)} MB/s  median ${s.toFixed(2)} s  runs ${of(p).map((r) => r.seconds.toFixed(2)).join(', ')}`;
  };
  const direct = median(of('direct').map((r) => r.seconds));
  const proxied = median(of('proxy').map((r) => r.seconds));
  process.stdout.write(
    [
      `TLS benchmark: ${files.files.length} CT images, ${mb.toFixed(1)} MB, DCMTK storescu +tls → storescp +tls, ${ROUNDS} rounds`,
      line('direct', 'direct TLS transfer'),
      line('proxy', 'through pacscope proxy tls:→tls:, recording + decoding'),
      `  ratio proxy/direct ${(direct / proxied).toFixed(2)}; proxy peak RSS ${(Math.max(...of('proxy').map((r) => r.peakRss ?? 0)) / 1e6).toFixed(0)} MB`,
      '',
    ].join('\n'),
  );
}

main().catch((e: Error) => {
  process.stderr.write(`tls-bench: ${e.message}\n`);
  process.exit(1);
});
