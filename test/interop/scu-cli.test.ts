/**
 * pacscope's SCU commands (echo, find, move, get, store) run as a user runs
 * them (`node bin/pacscope.js …`) against real DCMTK peers: dcmqrscp (QRSCP)
 * with two move destinations, storescp (STORESCP) and a slow storescp
 * (SLOWSCP, --sleep-after 1, so a C-MOVE is still running when the C-CANCEL
 * arrives). Checks stdout, the exit code, files that arrive, and that a
 * recording made with --record decodes (pacscope summary) to the same messages.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts, waitListening } from './harness/net.ts';
import { DcmQrScp, StoreScp } from './harness/peers.ts';
import { RunningProcess, runTool, type ToolResult } from './harness/process.ts';
import { pacscopeSummary } from './harness/pacscope-cli.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';

const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

let dir = '';
let qr: DcmQrScp | null = null;
let store: StoreScp | null = null;
let slow: RunningProcess | null = null;
let qrPort = 0;
let storeDir = '';
let instances: FixtureInstance[] = [];

function pacscope(...args: string[]): Promise<ToolResult> {
  return runTool(process.execPath, [BIN, ...args], { cwd: REPO, timeoutMs: 30_000, encoding: 'utf8' });
}

const peer = () => ['--aet', 'PSCU', '--aec', 'QRSCP', '127.0.0.1', String(qrPort)];

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-scu-'));
  instances = await generateFixtures(join(dir, 'fixtures'));
  await writeFile(join(dir, 'fixtures', 'README.txt'), 'not DICOM\n');
  const [q, s, sl] = await freePorts(3);
  qrPort = q;
  storeDir = join(dir, 'storescp-out');
  store = await StoreScp.start({ port: s, aeTitle: 'STORESCP', outDir: storeDir });
  await mkdir(join(dir, 'slow-out'), { recursive: true });
  slow = new RunningProcess('storescp', ['--aetitle', 'SLOWSCP', '--sleep-after', '1', '-od', join(dir, 'slow-out'), '-fe', '.dcm', String(sl)]);
  await waitListening(sl, 10_000, () => slow?.output ?? '');
  qr = await DcmQrScp.start({ dir: join(dir, 'dcmqrscp'), port: q, aeTitle: 'QRSCP', destinations: { STORESCP: s, SLOWSCP: sl } });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([qr?.stop(), store?.stop(), slow?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pacscope SCU commands against DCMTK', () => {
  it('store sends a folder recursively and skips what is not DICOM', async () => {
    const r = await pacscope('store', ...peer(), join(dir, 'fixtures'));
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/^C-STORE-RSP \d+ 0x0000 /gm)).toHaveLength(instances.length);
    expect(r.output).toContain('skipped ');
    expect(r.output).toMatch(/^store: success 0x0000 .*; 5 sent, 0 failed, \d+ skipped$/m);
  });

  it('echo succeeds, and its recording decodes to the same exchange', async () => {
    const rec = join(dir, 'echo.pacscope');
    const r = await pacscope('echo', ...peer(), '--record', rec);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/^C-ECHO-RSP 0x0000 Success$/m);
    expect(r.output).toMatch(/^echo: success 0x0000 Success$/m);
    const s = await pacscopeSummary(rec);
    expect(s.associations.map((a) => [a.requestor.ae, a.acceptor.ae, a.outcome])).toEqual([['PSCU', 'QRSCP', 'released']]);
    expect(s.associations[0].maxPdu.requestor).toBe(16384);
    expect(s.messages.map((m) => `${commandOf(m)} ${statusCodeOf(m) ?? ''}`.trim())).toEqual(['C-ECHO-RQ', 'C-ECHO-RSP 0x0000']);
    expect(s.errors).toEqual([]);
  });

  it('echo to an unknown called AE exits 4 with the reject reason', async () => {
    const r = await pacscope('echo', '--aec', 'WRONGAE', '127.0.0.1', String(qrPort));
    expect(r.code, r.output).toBe(4);
    expect(r.output).toContain('association rejected: called AE title not recognized (1/1/7)');
  });

  it('store to an unknown called AE exits 4 and sends nothing', async () => {
    const r = await pacscope('store', '--aec', 'WRONGAE', '127.0.0.1', String(qrPort), instances[0].file);
    expect(r.code, r.output).toBe(4);
    expect(r.output).toMatch(/^store: rejected; 0 sent, 0 failed, 0 skipped — association rejected: called AE title not recognized \(1\/1\/7\)$/m);
  });

  it('echo to a port where nothing listens exits 3', async () => {
    const [free] = await freePorts(1);
    const r = await pacscope('echo', '127.0.0.1', String(free));
    expect(r.code, r.output).toBe(3);
    expect(r.output).toMatch(/^echo: refused — cannot connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED/m);
  });

  it('a usage error exits 2', async () => {
    const r = await pacscope('find', '-k', 'NoSuchKeyword=1', '127.0.0.1', String(qrPort));
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('"NoSuchKeyword" is not a keyword of the data dictionary');
  });

  it('find at STUDY level with a wildcard returns both studies, one line each', async () => {
    const r = await pacscope('find', ...peer(), '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=PSC*', '-k', 'StudyInstanceUID', '-k', '(0010,0010)', '--ts', 'explicit');
    expect(r.code, r.output).toBe(0);
    const matches = r.output.split('\n').filter((l) => l.startsWith('match '));
    expect(matches).toHaveLength(2);
    for (const study of STUDIES) expect(matches.some((m) => m.includes(`StudyInstanceUID=${study.studyInstanceUid}`) && m.includes(`PatientID=${study.patientId}`))).toBe(true);
    expect(r.output).toMatch(/^find: success 0x0000 .*; 2 match\(es\)$/m);
  });

  it('find in the Patient Root model at PATIENT level, big endian proposed', async () => {
    const r = await pacscope('find', ...peer(), '-P', '--level', 'PATIENT', '-k', 'PatientID=PSC001', '-k', 'PatientName', '--ts', 'big');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/^match 1 0xFF00: .*PatientName=DOE\^JOHN/m);
    expect(r.output).toMatch(/; 1 match\(es\)$/m);
  });

  it('move to STORESCP completes, the files arrive, and the recording shows the same responses', async () => {
    const rec = join(dir, 'move.pacscope');
    const ct = instances.filter((x) => x.modality === 'CT');
    const r = await pacscope('move', ...peer(), '--dest', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${ct[0].studyInstanceUid}`, '--record', rec);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/^move: success 0x0000 .*; remaining=- completed=3 failed=0 warning=0$/m);
    const pendingLines = r.output.split('\n').filter((l) => l.startsWith('pending '));
    const files = await readdir(storeDir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const s = await pacscopeSummary(rec);
    expect(s.associations.map((a) => a.outcome)).toEqual(['released']);
    const rsps = s.messages.filter((m) => m.commandField === CommandField.CMoveRsp);
    expect(rsps.filter((m) => m.status === 0xff00)).toHaveLength(pendingLines.length);
    expect(rsps.at(-1)).toMatchObject({ status: 0x0000, completed: 3, failed: 0 });
    expect(s.messages.find((m) => m.commandField === CommandField.CMoveRq)?.moveDestination?.trim()).toBe('STORESCP');
  });

  it('move to an unknown destination exits 6 with the status meaning', async () => {
    const r = await pacscope('move', ...peer(), '--dest', 'NOWHERE', '-k', `StudyInstanceUID=${instances[0].studyInstanceUid}`);
    expect(r.code, r.output).toBe(6);
    expect(r.output).toMatch(/^move: failure 0xA801 .*move destination unknown/im);
  });

  it('get writes the MR study to --od as Part 10 files', async () => {
    const out = join(dir, 'get-out');
    const mr = instances.filter((x) => x.modality === 'MR');
    const r = await pacscope('get', ...peer(), '--od', out, '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${mr[0].studyInstanceUid}`, '-k', `SeriesInstanceUID=${mr[0].seriesInstanceUid}`);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/^get: success 0x0000 .*completed=2 failed=0 warning=0, 2 file\(s\) written$/m);
    expect((await readdir(out)).sort()).toEqual(mr.map((x) => `${x.sopInstanceUid}.dcm`).sort());
    // DCMTK reads what we wrote, and the pixel data is the original's.
    for (const x of mr) {
      const dump = await runTool('dcmdump', ['+P', 'SOPInstanceUID', '+P', 'PatientName', join(out, `${x.sopInstanceUid}.dcm`)]);
      expect(dump.code, dump.output).toBe(0);
      expect(dump.output).toContain(x.sopInstanceUid);
      const original = await readFile(x.file);
      const copy = await readFile(join(out, `${x.sopInstanceUid}.dcm`));
      expect(copy.subarray(-32).equals(original.subarray(-32))).toBe(true);
    }
  });

  it('get without a storage context for what the peer holds fails with the SCP role hint', async () => {
    const mr = instances.filter((x) => x.modality === 'MR');
    const r = await pacscope('get', ...peer(), '--od', join(dir, 'get-none'), '--sop-class', '1.2.840.10008.5.1.4.1.1.2', '-k', `StudyInstanceUID=${mr[0].studyInstanceUid}`);
    expect(r.code, r.output).toBe(6);
    expect(r.output).toMatch(/^get: failure 0x[0-9A-F]{4} .*failed=2.* — no instance arrived: the peer needs a storage presentation context with the SCP role/m);
  });

  it('find with a non-ASCII key declares UTF-8 (ISO_IR 192) on the wire', async () => {
    const rec = join(dir, 'utf8.pacscope');
    const r = await pacscope('find', ...peer(), '-k', 'PatientName=MÜ*', '-k', 'PatientID', '--record', rec);
    expect(r.code, r.output).toBe(0);
    const s = await pacscopeSummary(rec);
    const rq = s.messages.find((m) => m.commandField === CommandField.CFindRq);
    expect(JSON.stringify(rq)).toContain('ISO_IR 192');
  });

  it('--cancel-after 1 cancels a running get (dcmqrscp waits for our C-STORE-RSP, so it sees the C-CANCEL before the end)', async () => {
    const rec = join(dir, 'get-cancel.pacscope');
    const ct = instances.filter((x) => x.modality === 'CT');
    const r = await pacscope('get', ...peer(), '--od', join(dir, 'get-cancel'), '--cancel-after', '1', '-k', `StudyInstanceUID=${ct[0].studyInstanceUid}`, '--record', rec);
    expect(r.code, r.output).toBe(7);
    expect(r.output).toMatch(/^get: cancel 0xFE00 .*; remaining=1 completed=2 failed=0 warning=0, 2 file\(s\) written$/m);
    const s = await pacscopeSummary(rec);
    const names = s.messages.map((m) => `${commandOf(m)} ${statusCodeOf(m) ?? ''}`.trim());
    expect(names.indexOf('C-CANCEL-RQ')).toBeGreaterThan(names.indexOf('C-GET-RSP 0xFF00'));
    expect(names.at(-1)).toBe('C-GET-RSP 0xFE00');
  });

  it('--cancel-after 1 cancels a running move (slow destination): exit 7, status 0xFE00, the C-CANCEL on the wire', async () => {
    const rec = join(dir, 'cancel.pacscope');
    const ct = instances.filter((x) => x.modality === 'CT');
    const r = await pacscope('move', ...peer(), '--dest', 'SLOWSCP', '--cancel-after', '1', '-k', `StudyInstanceUID=${ct[0].studyInstanceUid}`, '--record', rec);
    expect(r.output).toContain('C-CANCEL sent after 1 pending response(s)');
    expect(r.code, r.output).toBe(7);
    expect(r.output).toMatch(/^move: cancel 0xFE00 /m);
    const s = await pacscopeSummary(rec);
    const commands = s.messages.map((m) => commandOf(m));
    expect(commands).toContain('C-CANCEL-RQ');
    const final = s.messages.filter((m) => m.commandField === CommandField.CMoveRsp).at(-1)!;
    expect(final.status).toBe(0xfe00);
    expect(final.completed).toBeLessThan(3);
  }, 20_000);
});
