/**
 * Live passive capture, headless (issue 17): `pacscope capture` on the
 * loopback interface while DCMTK processes talk to each other — pacscope not
 * in the path. What it records equals, association for association and
 * message for message, what a dumpcap file of the same traffic decodes to;
 * an association already running when the capture starts is found from its
 * PDU headers (mid-stream); packets the kernel really dropped (dumpcap with a
 * 1 MiB buffer, stopped with SIGSTOP) are counted from
 * dumpcap's counters and reported as a capture-health finding, also when the
 * recording is read again; recordings rotate; and each way a capture cannot
 * start (no dumpcap, no such interface, no right to capture, a bad filter)
 * says what to do.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixtures, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { storeFiles, type StoreFiles } from '../bench/store-files.ts';
import { Capture } from './harness/capture.ts';
import { requireRealPeers, STORE_AE } from './harness/lab.ts';
import { freePort, freePorts } from './harness/net.ts';
import { pacscopeSummary, REPO_ROOT } from './harness/pacscope-cli.ts';
import { StoreScp } from './harness/peers.ts';
import { RunningProcess, runTool } from './harness/process.ts';
import { ServeProcess } from './harness/serve-process.ts';
import { alignTimes, withoutSource } from './harness/same-summary.ts';
import { diagnose } from '../../shared/diagnosis/diagnose.ts';

const BIN = join(REPO_ROOT, 'bin', 'pacscope.js');

let dir = '';
let scp: StoreScp;
let port = 0;
let deadPort = 0;
let small: FixtureInstance[] = [];
let big: StoreFiles;

/** `pacscope capture …` as a user runs it; resolves once it says the capture is live. */
async function startCapture(args: string[], env: Record<string, string> = {}): Promise<RunningProcess> {
  const proc = new RunningProcess(process.execPath, [BIN, 'capture', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });
  await proc.waitFor(/Ctrl-C stops/, 30_000);
  return proc;
}

/** Ctrl-C, and what it printed. */
async function stopCapture(proc: RunningProcess): Promise<string> {
  const exit = await proc.stop('SIGINT', 30_000);
  expect(exit.code, `${JSON.stringify(exit)} ${proc.output}`).toBe(0);
  return proc.output;
}

const dcmtk = (tool: string, args: string[], env: Record<string, string> = {}) => runTool(tool, args, { timeoutMs: 60_000, env });
beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-live-capture-'));
  small = await generateFixtures(join(dir, 'files'));
  big = await storeFiles(join(dir, 'big'), 24);
  [port, deadPort] = await freePorts(2);
  scp = await StoreScp.start({ port, aeTitle: STORE_AE, outDir: join(dir, 'received') });
});

afterAll(async () => {
  await scp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pacscope capture (headless, on lo)', () => {
  it('records DCMTK traffic between two other processes as a dumpcap file of the same traffic decodes', async () => {
    const pcapng = join(dir, 'same-traffic.pcapng');
    const recording = join(dir, 'same-traffic.pacscope');
    const reference = await Capture.start(pcapng, [port, deadPort]);
    const live = await startCapture(['--interface', 'lo', '--filter', `tcp port ${port} or tcp port ${deadPort}`, '--record', recording]);
    try {
      expect((await dcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', STORE_AE, '127.0.0.1', String(port)])).code).toBe(0);
      expect((await dcmtk('storescu', ['-aet', 'STORESCU', '-aec', STORE_AE, '127.0.0.1', String(port), ...small.map((f) => f.file)])).code).toBe(0);
      expect((await dcmtk('echoscu', ['-aec', STORE_AE, '--abort', '127.0.0.1', String(port)])).code).toBe(0);
      expect((await dcmtk('echoscu', ['-aec', 'NOBODY', '127.0.0.1', String(deadPort)])).code).not.toBe(0);
    } finally {
      await reference.stop(300);
    }
    const out = await stopCapture(live);
    expect(out).toMatch(/packets: \d+ captured by dumpcap, 0 dropped/);
    expect(out).toMatch(/DICOM connections 3 \(refused 1\); associations: /);

    const fromCapture = await pacscopeSummary(recording);
    const fromFile = await pacscopeSummary(pcapng);
    expect(fromCapture.source.format).toBe('recording');
    expect(fromFile.source.format).toBe('pcapng');
    expect(fromCapture.associations.map((a) => a.outcome)).toEqual(['released', 'released', 'aborted', 'refused']);
    expect(fromCapture.messages.length).toBe(2 + 2 * small.length + 2);
    expect(fromCapture.errors).toEqual([]);
    // The whole model — associations, contexts, PDUs, messages with their times and links — is the same.
    expect(alignTimes(withoutSource(fromFile), withoutSource(fromCapture))).toEqual(withoutSource(fromFile));
    expect(Math.abs(Date.parse(fromCapture.source.start!) - Date.parse(fromFile.source.start!))).toBeLessThanOrEqual(1);
  });

  it('finds an association already running when the capture starts, from its PDU headers (mid-stream)', async () => {
    const recording = join(dir, 'mid-stream.pacscope');
    // Without TCP_NODELAY each C-ECHO waits for a delayed ACK (≈44 ms here): 150 of them take 6 s or so.
    const echoes = dcmtk('echoscu', ['-aet', 'LONGECHO', '-aec', STORE_AE, '--repeat', '150', '127.0.0.1', String(port)], { TCP_NODELAY: '0' });
    await new Promise((r) => setTimeout(r, 1000));
    const live = await startCapture(['--interface', 'lo', '--filter', `tcp port ${port}`, '--record', recording]);
    expect((await echoes).code).toBe(0);
    await stopCapture(live);
    const summary = await pacscopeSummary(recording);
    expect(summary.associations).toHaveLength(1);
    const [a] = summary.associations;
    expect(a.midStream).toBe(true);
    expect(a.outcome).toBe('released');
    expect(a.acceptor.port).toBe(port);
    const echoMessages = summary.messages.length;
    expect(echoMessages).toBeGreaterThan(10);
    expect(echoMessages).toBeLessThan(300);
    expect(summary.messages.every((m) => m.association === a.id)).toBe(true);
    expect(diagnose(summary).map((f) => f.rule)).toContain('capture.mid-stream');
  });

  it("counts the packets the kernel dropped (dumpcap's counters) and reports them, live and from the recording", async () => {
    const recording = join(dir, 'drops.pacscope');
    const live = await startCapture(['--interface', 'lo', '--filter', `tcp port ${port}`, '--buffer-size', '1', '--record', recording]);
    // dumpcap stops reading the kernel's 1 MiB buffer, which fills, and the kernel drops. (Stopping pacscope
    // instead no longer does: dumpcap writes files, which pacscope reads behind it — capture-spool.ts.)
    const dumpcapPid = Number(execFileSync('pgrep', ['-P', String(live.pid), '-x', 'dumpcap'], { encoding: 'utf8' }).trim());
    expect(dumpcapPid).toBeGreaterThan(0);
    process.kill(dumpcapPid, 'SIGSTOP');
    let sent;
    try {
      sent = await dcmtk('storescu', ['-aec', STORE_AE, '127.0.0.1', String(port), ...big.files]);
    } finally {
      process.kill(dumpcapPid, 'SIGCONT');
    }
    expect(sent.code).toBe(0);
    const out = await stopCapture(live);
    const dropped = Number(/packets: \d+ captured by dumpcap, (\d+) dropped/.exec(out)?.[1]);
    expect(dropped, out).toBeGreaterThan(0);
    expect(out).toMatch(new RegExp(`capture: the capture dropped ${dropped} packet\\(s\\) on interface lo \\(${dropped} by the kernel's capture buffer, \\d+ received; dumpcap's account`));
    const summary = await pacscopeSummary(recording);
    const finding = diagnose(summary).find((f) => f.rule === 'capture.packets-dropped');
    expect(finding?.title).toBe(`The capture dropped ${dropped} packet(s) on lo`);
  });

  it('rotates its recording (--record-dir, --rotate-size): each file is read on its own, no message is lost or doubled', async () => {
    const recordDir = join(dir, 'rotated');
    const live = await startCapture(['--interface', 'lo', '--filter', `tcp port ${port}`, '--record-dir', recordDir, '--rotate-size', '2MiB']);
    expect((await dcmtk('storescu', ['-aec', STORE_AE, '127.0.0.1', String(port), ...big.files])).code).toBe(0);
    const out = await stopCapture(live);
    const files = (await readdir(recordDir)).filter((f) => f.endsWith('.pacscope')).sort();
    expect(files.length, out).toBeGreaterThanOrEqual(4);
    let stores = 0;
    for (const f of files) {
      const s = await pacscopeSummary(join(recordDir, f));
      stores += s.messages.filter((m) => m.side === 'requestor' && m.affectedSopInstance !== null).length;
      expect(s.associations).toHaveLength(1);
    }
    expect(stores).toBe(big.files.length);
    expect(out).toMatch(new RegExp(`recording: ${files.length} files`));
  });
});

describe('pacscope capture when dumpcap dies', () => {
  it('ends, says so, prints what it saw and exits 1', async () => {
    const live = await startCapture(['--interface', 'lo', '--filter', `tcp port ${port}`, '--verbose']);
    expect((await dcmtk('echoscu', ['-aec', STORE_AE, '127.0.0.1', String(port)])).code).toBe(0);
    await live.waitFor(/#1 .* closed by the requestor/, 10_000);
    const children = (await readFile(`/proc/${live.pid}/task/${live.pid}/children`, 'utf8')).trim().split(/\s+/).map(Number);
    const dumpcap = [];
    for (const pid of children) if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === 'dumpcap') dumpcap.push(pid);
    expect(dumpcap).toHaveLength(1);
    process.kill(dumpcap[0], 'SIGKILL');
    await live.waitFor(/the capture ended: /, 10_000);
    const exit = await live.stop('SIGINT', 10_000);
    expect(exit.code).toBe(1);
    expect(live.output).toMatch(/pacscope capture: the capture ended: dumpcap was ended by SIGKILL\n/);
    expect(live.output).toMatch(/DICOM connections 1 \(refused 0\); associations: 1 released/);
  });
});

describe('pacscope serve --capture', () => {
  it("records its own endpoints' associations once, though its taps and the capture both see them", async () => {
    const data = join(dir, 'serve-data');
    const recording = join(dir, 'serve-own.pacscope');
    // The capture takes the built-in PACS's port too, which its own tap already reports.
    const pacsPort = await freePort();
    const filter = `tcp port ${pacsPort} or tcp port ${port}`;
    const serve = await ServeProcess.start(data, ['--pacs', `PACSCOPE@127.0.0.1:${pacsPort}`, '--capture', 'lo', '--capture-filter', filter, '--record', recording]);
    try {
      expect(serve.proc.output).toContain(`capture    lo (filter "${filter}")`);
      expect((await dcmtk('echoscu', ['-aet', 'OWNECHO', '-aec', 'PACSCOPE', '127.0.0.1', String(serve.pacsPort)])).code).toBe(0);
      // Another on a DCMTK peer, which only the capture sees.
      expect((await dcmtk('echoscu', ['-aet', 'OTHERECHO', '-aec', STORE_AE, '127.0.0.1', String(port)])).code).toBe(0);
      // The capture hands its packets over within a quarter second (the kernel's block timeout).
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await serve.stop();
    }
    const summary = await pacscopeSummary(recording);
    expect(summary.associations.map((a) => `${a.requestor.ae} ${a.outcome}`)).toEqual(['OWNECHO released', 'OTHERECHO released']);
    expect(summary.errors).toEqual([]);
  });
});

describe('pacscope capture says what to do when it cannot capture', () => {
  const fails = async (args: string[], env: Record<string, string> = {}, wrap: string[] = []) => {
    const cmd = wrap.length ? wrap[0] : process.execPath;
    const res = await runTool(cmd, [...wrap.slice(1), ...(wrap.length ? [process.execPath] : []), BIN, 'capture', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env, timeoutMs: 30_000 });
    expect(res.code, res.output).toBe(1);
    return res.output.trim();
  };

  it('no dumpcap', async () => {
    expect(await fails(['--interface', 'lo'], { PATH: '/nonexistent' })).toMatch(/^pacscope capture: dumpcap is not installed \(no "dumpcap" on PATH\): .*apt-get install wireshark-common/);
  });

  it('an interface that does not exist, named with the ones that do', async () => {
    expect(await fails(['--interface', 'nosuch0'])).toMatch(/^pacscope capture: there is no interface "nosuch0": capture on one of .*\blo \(\d+\)/);
  });

  it('no right to capture: the wireshark group or the capabilities (as user nobody)', async () => {
    const out = await fails(['--interface', 'lo'], {}, ['setpriv', '--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups']);
    expect(out).toMatch(/^pacscope capture: you may not capture on lo: .*usermod -aG wireshark .*setcap cap_net_raw,cap_net_admin\+eip/);
  });

  it('the same user and an interface that does not exist: the interface is named, not the permission', async () => {
    const out = await fails(['--interface', 'nosuch0'], {}, ['setpriv', '--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups']);
    expect(out).toMatch(/^pacscope capture: there is no interface "nosuch0"/);
  });

  it('a filter that is not BPF', async () => {
    expect(await fails(['--interface', 'lo', '--filter', 'tcp port'])).toMatch(/^pacscope capture: the capture filter "tcp port" is not a valid BPF filter \(can't parse filter expression: syntax error\)/);
  });
});
