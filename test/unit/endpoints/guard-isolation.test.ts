/**
 * Issue 14, item 4: a failure in one association never ends the process.
 * An SCP that throws in its handler gets its association aborted (A-ABORT
 * 0/0, recorded), the next association works; one that throws later, in a
 * callback of its own, is caught by the last-resort net of `pacscope serve`
 * (server/endpoints/guard/last-resort.ts), which aborts the association it
 * belongs to and keeps the process alive. DCMTK echoscu is the peer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { dimse, listenTapped, type TappedServer } from '../../../server/endpoints/dimse-tap.ts';
import { RunningProcess, runTool } from '../../interop/harness/process.ts';
import { requireRealPeers } from '../../interop/harness/lab.ts';

const { Scp, constants, responses } = dimse;

let server: TappedServer | null = null;
let child: RunningProcess | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  await child?.stop('SIGKILL');
  child = null;
});

const echoscu = (port: number) => runTool('echoscu', ['-aec', 'ANY', '-to', '5', '-ta', '5', '127.0.0.1', String(port)], { timeoutMs: 10_000 });
/** echoscu exits 0 even when the echo failed (DCMTK 3.6.7): its log says it. */
const succeeded = (r: { code: number | null; output: string }) => r.code === 0 && !/Failed|Abort|Reject/i.test(r.output);

describe('a failing SCP ends its association, not the process', () => {
  it('an exception in a handler: A-ABORT 0/0 for that association, recorded; the next association is served', async () => {
    requireRealPeers();
    let calls = 0;
    class ThrowingEchoScp extends Scp {
      override associationRequested(a: InstanceType<typeof dimse.association.Association>) {
        for (const { id } of a.getPresentationContexts()) a.getPresentationContext(id).setResult(constants.PresentationContextResult.Accept, constants.TransferSyntax.ImplicitVRLittleEndian);
        this.sendAssociationAccept();
      }
      override cEchoRequest(request: InstanceType<typeof dimse.requests.CEchoRequest>, callback: (r: InstanceType<typeof responses.CEchoResponse>) => void) {
        if (++calls === 1) throw new Error('a bug in the C-ECHO handler');
        const rsp = responses.CEchoResponse.fromRequest(request);
        rsp.setStatus(constants.Status.Success);
        callback(rsp);
      }
      override associationReleaseRequested() {
        this.sendAssociationReleaseResponse();
      }
    }
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'isolation' } });
    server = await listenTapped(ThrowingEchoScp as never, hub, '127.0.0.1', 0);
    const first = await echoscu(server.port);
    expect(first.output).toMatch(/Echo Failed.*Peer aborted Association/);
    expect(succeeded(await echoscu(server.port))).toBe(true);
    expect(server.guard.stats.counts['internal-error']).toBe(1);
    expect(server.guard.stats.latest().find((e) => e.kind === 'internal-error')?.what).toMatch(/cEchoRequest: a bug in the C-ECHO handler/);
    await new Promise((r) => setTimeout(r, 100));
    await hub.close();
    const [a1, a2] = hub.summary().associations;
    expect(a1).toMatchObject({ outcome: 'aborted', abort: { source: 0, reason: 0, by: 'acceptor' } });
    expect(a2.outcome).toBe('released');
  });

  it('an exception thrown later, outside the handler: the last-resort net aborts that association and the process goes on', async () => {
    requireRealPeers();
    const script = fileURLToPath(new URL('./throwing-scp-process.ts', import.meta.url));
    child = new RunningProcess(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    await child.waitFor(/listening \d+/, 20_000);
    const port = Number(/listening (\d+)/.exec(child.output)![1]);
    const first = await echoscu(port);
    expect(first.output).toMatch(/Echo Failed.*Peer aborted Association/);
    expect(succeeded(await echoscu(port))).toBe(true);
    expect(child.hasExited).toBe(false);
    const waitStats = child.waitFor(/\{"counts"/, 10_000);
    const exit = child.stop('SIGTERM', 10_000);
    await waitStats;
    expect((await exit).code).toBe(0);
    const stats = JSON.parse(/\{"counts".*\}/.exec(child.output)![0]) as { counts: Record<string, number>; outcomes: string[] };
    expect(stats.counts['internal-error']).toBeGreaterThanOrEqual(1);
    expect(stats.outcomes).toEqual(['aborted', 'released']);
  });
});
