/**
 * `pacscope serve` as a user runs it: it prints its DICOM endpoints, answers
 * DCMTK on them (C-ECHO, C-MOVE to the store SCP, its default destination),
 * records every association with --record, and stops on SIGTERM. Also: bad
 * flags give a clear error and exit code 1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunningProcess, runTool } from './harness/process.ts';
import { pacscopeSummary, REPO_ROOT } from './harness/pacscope-cli.ts';
import { studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
let proc: RunningProcess | null = null;
let dir = '';
afterEach(async () => {
  await proc?.stop('SIGTERM');
  proc = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pacscope serve', () => {
  it('starts the PACS and the store SCP, prints them, serves DCMTK, records, stops on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-serve-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ aePolicy: 'called', subOperationDelayMs: 0 }));
    const record = join(dir, 'serve.psrec');
    proc = new RunningProcess(process.execPath, [BIN, 'serve', '--http', '127.0.0.1:0', '--pacs', 'TEACHPACS@127.0.0.1:0', '--store', 'STORESCP@127.0.0.1:0', '--data', join(dir, 'data'), '--config', config, '--record', record], { cwd: REPO_ROOT });
    await proc.waitFor(/move destinations of .*\n/, 30_000);
    const pacsPort = Number(/PACS\s+TEACHPACS@127\.0\.0\.1:(\d+)/.exec(proc.output)?.[1]);
    const storePort = Number(/store SCP\s+STORESCP@127\.0\.0\.1:(\d+)/.exec(proc.output)?.[1]);
    expect(pacsPort).toBeGreaterThan(0);
    expect(proc.output).toContain(`STORESCP=127.0.0.1:${storePort}`);
    expect(proc.output).toMatch(/10 instances/);

    const echo = await runTool('echoscu', ['-aec', 'TEACHPACS', '127.0.0.1', String(pacsPort)]);
    expect(echo.code).toBe(0);
    const wrong = await runTool('echoscu', ['-aec', 'OTHER', '127.0.0.1', String(pacsPort)]);
    expect(wrong.output).toMatch(/Called AE Title Not Recognized/i);
    const move = await runTool('movescu', ['-S', '-aec', 'TEACHPACS', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(2)}`, '127.0.0.1', String(pacsPort)]);
    expect(move.code).toBe(0);
    expect((await readdir(join(dir, 'data', 'store-scp'))).filter((f) => f.endsWith('.dcm'))).toHaveLength(4);

    expect((await proc.stop('SIGTERM')).code).toBe(0);
    proc = null;
    const summary = await pacscopeSummary(record);
    const outcomes = summary.associations.map((a) => `${a.requestor.ae}→${a.acceptor.ae} ${a.outcome}`);
    expect(outcomes).toEqual(expect.arrayContaining(['ECHOSCU→TEACHPACS released', 'ECHOSCU→OTHER rejected', 'MOVESCU→TEACHPACS released', 'TEACHPACS→STORESCP released']));
    expect(summary.messages.filter((m) => m.commandField === CommandField.CStoreRq)).toHaveLength(4); // both ends are tapped in-process; the hub keeps the connection once
  });

  it('refuses bad flags with a clear message', async () => {
    const r = await runTool(process.execPath, [BIN, 'serve', '--move-mode', 'sometimes'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/move mode must be sync or async/);
    const d = await runTool(process.execPath, [BIN, 'serve', '--dest', 'NOPORT'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(d.output).toMatch(/expected AET=HOST:PORT/);
  });
});
