/**
 * `npm run bench`: decoder throughput and peak memory on ≈1 GB of C-STOREs
 * (2,000 × 512 KiB, max PDU 16384), from a pacscope recording and from a
 * pcapng of the same traffic, each beside the raw read speed of the same file
 * in the same run. Figures are ratios measured side by side, not absolute
 * pass/fail timings. Targets (issue 2): decode ≥ 500 MB/s, peak < 200 MB.
 * Beside them (issue 6), tshark's DICOM dissection of the same pcapng
 * (`tshark -r F -d tcp.port==11112,dicom -Y dicom`): pacscope ≥ 20× faster
 * with under a fifth of tshark's peak memory. BENCH_TSHARK=0 leaves it out.
 * Set BENCH_INSTANCES to run a smaller stream.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cstoreWireEvents, type CStoreStreamOptions } from './cstore-stream.ts';
import { RecordingWriter } from '../../server/recording/writer.ts';
import { PcapngWriter } from '../../shared/capture/export/pcapng-writer.ts';
import { VERSION } from '../../server/version.ts';
import { DEFAULT_CHUNK_BYTES } from '../../server/sources/file-chunks.ts';
import { RECORDING_FORMAT_VERSION } from '../../shared/capture/recording/recording-meta.ts';

const options: CStoreStreamOptions = {
  instances: Number(process.env.BENCH_INSTANCES ?? 2000),
  dataSetBytes: 512 * 1024,
  maxPdu: 16384,
  readBytes: 64 * 1024,
};
const dir = join(process.cwd(), '.tmp', 'bench');
// The recording's format version too: inputs written in an older version are made again.
const stamp = JSON.stringify({ ...options, generator: 1, format: RECORDING_FORMAT_VERSION });
const recording = join(dir, 'cstore.pacscope');
const pcapng = join(dir, 'cstore.pcapng');

async function generate(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const stampFile = join(dir, 'stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(recording) && existsSync(pcapng)) return;
  process.stdout.write(`generating ${options.instances} C-STOREs × ${options.dataSetBytes / 1024} KiB in ${dir} …\n`);
  rmSync(recording, { force: true });
  const rec = await RecordingWriter.open(recording + '.part', { tool: { name: 'pacscope', version: VERSION }, startTime: Date.now(), source: { kind: 'bench', description: 'synthetic C-STORE stream' }, metadata: {} }, { overwrite: true });
  const png = createWriteStream(pcapng + '.part');
  const writer = new PcapngWriter();
  png.write(writer.header());
  let n = 0;
  for (const event of cstoreWireEvents(options)) {
    rec.write(event);
    for (const block of writer.write(event)) {
      if (!png.write(block)) await new Promise<void>((r) => png.once('drain', () => r()));
    }
    if (++n % 256 === 0) await rec.flush();
  }
  await rec.close();
  await new Promise<void>((r) => png.end(r));
  renameSync(recording + '.part', recording);
  renameSync(pcapng + '.part', pcapng);
  writeFileSync(stampFile, stamp);
}

interface PhaseResult {
  phase: string;
  bytes: number;
  seconds: number;
  maxRssBytes: number;
  messages?: number;
  errors?: number;
  firstError?: string | null;
}

function run(phase: string, file: string): PhaseResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join('test', 'bench', 'bench-phase.ts'), phase, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PhaseResult;
}

/**
 * tshark's DICOM dissection of `file`: wall time, and peak RSS read from
 * /proc/PID/status (VmHWM, a high-water mark) while it runs.
 */
async function tshark(file: string): Promise<PhaseResult | null> {
  if (process.env.BENCH_TSHARK === '0') return null;
  const bin = '/usr/bin/tshark';
  if (!existsSync(bin)) {
    process.stdout.write('tshark not installed: its comparison is left out (npm test installs it)\n');
    return null;
  }
  const start = performance.now();
  const child = spawn(bin, ['-r', file, '-d', 'tcp.port==11112,dicom', '-Y', 'dicom'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let hwm = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]) * 1024);
    } catch {
      // exited between polls
    }
  }, 25);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`tshark exited with ${code}: ${stderr.trim()}`);
  return { phase: 'tshark', bytes: statSync(file).size, seconds: (performance.now() - start) / 1000, maxRssBytes: hwm };
}

const mb = (bytes: number) => bytes / 1e6;
const rate = (r: PhaseResult) => mb(r.bytes) / r.seconds;

await generate();
const rows: [string, PhaseResult, PhaseResult | null][] = [];
for (const [label, file] of [['recording', recording], ['pcapng', pcapng]] as const) {
  run('raw', file); // warm the page cache so that both measured phases read from memory
  const raw = run('raw', file);
  const decode = run('decode', file);
  rows.push([`raw read (${label})`, raw, null], [`decode ${label} → summary`, decode, raw]);
}
process.stdout.write(`\npacscope ${VERSION} bench: ${options.instances} C-STOREs × ${options.dataSetBytes / 1024} KiB, max PDU ${options.maxPdu}, socket reads of ${options.readBytes / 1024} KiB, file reads of ${DEFAULT_CHUNK_BYTES / 1024} KiB; node ${process.version}\n\n`);
process.stdout.write(`${'phase'.padEnd(32)}${'size MB'.padStart(9)}${'s'.padStart(8)}${'MB/s'.padStart(9)}${'peak RSS MB'.padStart(13)}${'vs raw'.padStart(8)}  messages/errors\n`);
for (const [label, r, base] of rows) {
  const ratio = base ? (rate(r) / rate(base)).toFixed(2) : '1.00';
  const counts = r.messages !== undefined ? `${r.messages}/${r.errors}${r.firstError ? ` (${r.firstError})` : ''}` : '';
  process.stdout.write(`${label.padEnd(32)}${mb(r.bytes).toFixed(0).padStart(9)}${r.seconds.toFixed(2).padStart(8)}${rate(r).toFixed(0).padStart(9)}${mb(r.maxRssBytes).toFixed(0).padStart(13)}${ratio.padStart(8)}  ${counts}\n`);
}
const decodes = rows.filter(([, , base]) => base !== null).map(([, r]) => r);
const dissect = await tshark(pcapng);
if (dissect) {
  const ours = rows.find(([label]) => label === 'decode pcapng → summary')![1];
  process.stdout.write(`${'tshark -Y dicom (same pcapng)'.padEnd(32)}${mb(dissect.bytes).toFixed(0).padStart(9)}${dissect.seconds.toFixed(2).padStart(8)}${rate(dissect).toFixed(0).padStart(9)}${mb(dissect.maxRssBytes).toFixed(0).padStart(13)}\n`);
  const speed = dissect.seconds / ours.seconds;
  const memory = ours.maxRssBytes / dissect.maxRssBytes;
  process.stdout.write(`\npcapng import + decode vs tshark's DICOM dissection: ${speed.toFixed(1)}× faster, ${(memory * 100).toFixed(0)}% of its peak memory (target ≥ 20× and < 20%: ${speed >= 20 && memory < 0.2 ? 'met' : 'NOT met'})\n`);
}
const ok = decodes.every((r) => rate(r) >= 500 && mb(r.maxRssBytes) < 200 && r.errors === 0 && r.messages === 2 * options.instances);
process.stdout.write(`\ntarget: decode ≥ 500 MB/s with peak RSS < 200 MB, ${2 * options.instances} messages, 0 errors: ${ok ? 'met' : 'NOT met'}\n`);
