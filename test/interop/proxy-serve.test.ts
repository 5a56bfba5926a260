/**
 * `pacscope serve --route`: the proxy inside serve, on the serve's capture
 * hub. DCMTK movescu calls the built-in PACS through a route; the
 * association is recorded once (the proxy and the PACS's own tap see the
 * same connection: the hub keeps it once), with the proxy's view: requestor
 * = movescu, acceptor = the PACS. A route to a port where nothing listens
 * shows up as a refused association with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunningProcess, runTool } from './harness/process.ts';
import { freePorts } from './harness/net.ts';
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

describe('pacscope serve --route', () => {
  it('relays to the built-in PACS, shows each association once, and a dead upstream as refused', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-proxy-serve-'));
    const record = join(dir, 'serve.pacscope');
    const [pacsPort, deadPort] = await freePorts(2);
    proc = new RunningProcess(
      process.execPath,
      [BIN, 'serve', '--http', '127.0.0.1:0', '--pacs', `TEACHPACS@127.0.0.1:${pacsPort}`, '--store', 'STORESCP@127.0.0.1:0', '--data', join(dir, 'data'), '--record', record,
        '--route', `127.0.0.1:0=127.0.0.1:${pacsPort}`, '--route', `127.0.0.1:0=127.0.0.1:${deadPort}`],
      { cwd: REPO_ROOT },
    );
    await proc.waitFor(/recording every association/, 30_000);
    // Output read as latin1: match up to the arrow.
    const routes = [...proc.output.matchAll(/proxy\s+127\.0\.0\.1:(\d+) \S+ 127\.0\.0\.1:(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(routes.map((r) => r[1])).toEqual([pacsPort, deadPort]);
    const [routeA, routeDead] = routes.map((r) => r[0]);

    const move = await runTool('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'TEACHPACS', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(2)}`, '127.0.0.1', String(routeA)]);
    expect(move.code, move.output.slice(-1500)).toBe(0);
    const echo = await runTool('echoscu', ['-aet', 'ECHOSCU', '-aec', 'NOBODY', '127.0.0.1', String(routeDead)]);
    expect(echo.code).not.toBe(0);

    expect((await proc.stop('SIGTERM')).code).toBe(0);
    proc = null;
    const summary = await pacscopeSummary(record);
    expect(summary.errors).toEqual([]);
    const moves = summary.associations.filter((a) => a.requestor.ae === 'MOVESCU');
    expect(moves).toHaveLength(1);
    expect([moves[0].acceptor.ae, moves[0].acceptor.port, moves[0].outcome]).toEqual(['TEACHPACS', pacsPort, 'released']);
    expect(summary.messages.filter((m) => m.association === moves[0].id && m.commandField === CommandField.CMoveRsp).at(-1)?.status).toBe(0x0000);
    expect(summary.messages.filter((m) => m.commandField === CommandField.CStoreRq)).toHaveLength(4);
    const refused = summary.associations.filter((a) => a.outcome === 'refused');
    expect(refused.map((a) => [a.acceptor.port, a.closeReason])).toEqual([[deadPort, `upstream 127.0.0.1:${deadPort} refused`]]);
  }, 60_000);
});
