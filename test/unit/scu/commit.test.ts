/**
 * `pacscope commit` (server/cli/commit.ts, server/endpoints/scu/commit*.ts):
 * the instances read from CLASS:INSTANCE pairs and from the File Meta
 * Information of Part 10 files (bad input listed, never a crash), and the
 * command in this process against the built-in PACS on loopback: exit 0 when
 * all is committed, 6 when failures exist, 5 when no report comes, 2 for a
 * usage error; the session recorded.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../server/cli/main.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import dimse from '../../../server/dimse/library.ts';
import { startPacs, type RunningPacs } from '../../../server/endpoints/pacs/pacs.ts';
import { fileMetaUids, instancesFromFiles, parseInstancePair } from '../../../server/endpoints/scu/commit-instances.ts';
import { CT_IMAGE_STORAGE, instanceUid } from '../../../server/endpoints/pacs/synthetic-studies.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { openWireSource } from '../../../server/sources/open-source.ts';

dimse.log.setLevel('silent');

let dir = '';
let hub: CaptureHub;
let pacs: RunningPacs;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pacscope-commit-'));
  hub = await CaptureHub.open({ source: { kind: 'test', description: 'commit' } });
  pacs = await startPacs({ ae: 'PACS', host: '127.0.0.1', port: 0, dataDir: join(dir, 'pacs'), destinations: new Map(), moveMode: 'sync', aePolicy: 'any', knownCallers: [], subOperationDelayMs: 0, commitReportMode: 'same-else-new', commitReportDelayMs: 0 }, hub);
});

afterAll(async () => {
  await pacs?.close();
  await hub?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], port = pacs.port): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    return { code: await main(['commit', '--aet', 'WS', '--aec', 'PACS', ...args, '127.0.0.1', String(port)]), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const held = (n: number) => `${CT_IMAGE_STORAGE}:${instanceUid(1, 1, n)}`;

describe('pacscope commit', () => {
  it('reads CLASS:INSTANCE pairs and the File Meta Information of files; bad input is listed', async () => {
    expect(parseInstancePair(' 1.2.3:4.5.6 ')).toEqual({ sopClass: '1.2.3', sopInstance: '4.5.6' });
    for (const bad of ['1.2.3', '1.2.3:', 'a.b:1.2', '1.2:3:4']) expect(parseInstancePair(bad)).toMatch(/expected SOPCLASSUID:SOPINSTANCEUID/);
    await writeFile(join(dir, 'not-dicom.txt'), 'hello');
    await writeFile(join(dir, 'truncated.dcm'), new Uint8Array(140));
    const list = await instancesFromFiles([join(pacs.dataDir, 'instances'), join(dir, 'not-dicom.txt'), join(dir, 'truncated.dcm'), join(dir, 'missing')]);
    expect(list.instances).toHaveLength(10);
    expect(list.instances).toContainEqual(expect.objectContaining({ sopClass: CT_IMAGE_STORAGE, sopInstance: instanceUid(1, 1, 1) }));
    expect(list.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/cannot read: ENOENT/), expect.stringMatching(/not a DICOM Part 10/), expect.stringMatching(/not a DICOM Part 10/)]);
    expect(fileMetaUids(new Uint8Array(10))).toBeNull();
  });

  it('all committed on the same association: exit 0, one line per instance, recorded', async () => {
    const record = join(dir, 'ok.pacscope');
    const r = await run(['--instance', held(1), '--instance', held(2), '--record', record]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('N-EVENT-REPORT-RQ event type 1 (storage commitment request successful) on the same association');
    expect(r.stdout).toContain(`committed ${CT_IMAGE_STORAGE} ${instanceUid(1, 1, 2)}`);
    expect(r.stdout).toMatch(/^commit: success; 2 committed, 0 failed$/m);
    const source = await openWireSource(record);
    const summary = await summarize(source.batches(), { path: record, format: source.format });
    expect(summary.messages.map((m) => m.commandField)).toEqual([0x0130, 0x8130, 0x0100, 0x8100]);
  });

  it('failures exist: exit 6 with the Failure Reason; no report: exit 5; usage errors: exit 2', async () => {
    const failed = await run(['--instance', held(1), '--instance', `${CT_IMAGE_STORAGE}:1.2.3.4`]);
    expect(failed.code).toBe(6);
    expect(failed.stdout).toContain(`failed ${CT_IMAGE_STORAGE} 1.2.3.4: 0x0112 no such object instance`);
    // A PACS that reports on new associations only, and has no entry for WS.
    const silent = await startPacs({ ae: 'PACS', host: '127.0.0.1', port: 0, dataDir: join(dir, 'pacs'), destinations: new Map(), moveMode: 'sync', aePolicy: 'any', knownCallers: [], subOperationDelayMs: 0, commitReportMode: 'new' }, hub);
    const none = await run(['--instance', held(1), '--report-timeout', '1'], silent.port).finally(() => silent.close());
    expect(none.code).toBe(5);
    expect(none.stdout).toMatch(/timed out: no N-EVENT-REPORT-RQ with this Transaction UID within 1 s/);
    expect((await run([])).code).toBe(2);
    expect((await run(['--instance', 'nonsense'])).code).toBe(2);
  });
});
