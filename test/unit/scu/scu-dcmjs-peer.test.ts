/**
 * The SCU operations against a dcmjs-dimse SCP on loopback that behaves in ways
 * DCMTK's dcmqrscp does not show: matches sent slowly with status 0xFF01 (the
 * library's SCU would end the C-FIND at the first one), a C-CANCEL honoured
 * while matches are still coming, a peer that never answers (timeout).
 * Everything goes through one capture hub; the checks read its summary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { dimse, listenTapped, type TappedServer } from '../../../server/endpoints/dimse-tap.ts';
import { cFind } from '../../../server/endpoints/scu/find.ts';
import { cEcho } from '../../../server/endpoints/scu/echo.ts';
import type { QueryTarget } from '../../../server/endpoints/scu/options.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const { Scp, association, requests, responses, constants } = dimse;
dimse.log.setLevel('silent');
type FindRequest = InstanceType<typeof requests.CFindRequest>;
type FindResponse = InstanceType<typeof responses.CFindResponse>;

const MATCHES = 20;
const INTERVAL_MS = 30;

/** Accepts Q/R FIND and Verification; sends MATCHES pending 0xFF01 responses, one per INTERVAL_MS; honours C-CANCEL; SILENT answers no C-FIND. */
class SlowFindScp extends Scp {
  private cancelled = false;
  override associationRequested(assoc: InstanceType<typeof association.Association>) {
    for (const context of assoc.getPresentationContexts()) {
      const pc = assoc.getPresentationContext(context.id);
      const ts = pc.getTransferSyntaxUids()[0];
      pc.setResult(constants.PresentationContextResult.Accept, ts);
    }
    this.sendAssociationAccept();
  }
  override cEchoRequest(request: InstanceType<typeof requests.CEchoRequest>, callback: (r: InstanceType<typeof responses.CEchoResponse>) => void) {
    const response = responses.CEchoResponse.fromRequest(request);
    response.setStatus(constants.Status.Success);
    callback(response);
  }
  override cFindRequest(request: FindRequest, callback: (r: FindResponse[]) => void) {
    const keys = request.getDataset()?.getElements() ?? {};
    if (keys.PatientID === 'SILENT') return;
    if (keys.PatientID === 'ABORT') {
      this.sendAbort(constants.AbortSource.ServiceProvider, constants.AbortReason.UnexpectedPdu);
      return;
    }
    let sent = 0;
    const response = (status: number, patientId?: string) => {
      const r = responses.CFindResponse.fromRequest(request);
      // fromRequest always says Study Root (docs/architecture.md, "Known traps").
      r.setAffectedSopClassUid(request.getAffectedSopClassUid());
      r.setStatus(status);
      if (patientId) r.setDataset(new dimse.Dataset({ QueryRetrieveLevel: 'PATIENT', PatientID: patientId }));
      return r;
    };
    const timer = setInterval(() => {
      if (this.cancelled || sent === MATCHES) {
        clearInterval(timer);
        callback([response(this.cancelled ? constants.Status.Cancel : constants.Status.Success)]);
        return;
      }
      sent += 1;
      this.sendResponse(request, response(0xff01, `P${sent}`));
    }, INTERVAL_MS);
  }
  override cCancelRequest() {
    this.cancelled = true;
  }
  override associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
  }
}

let server: TappedServer | null = null;
let scpHub: CaptureHub | null = null;
afterEach(async () => {
  await server?.close();
  await scpHub?.close();
  server = null;
  scpHub = null;
});

async function start(): Promise<{ hub: CaptureHub; target: QueryTarget }> {
  scpHub = await CaptureHub.open({ source: { kind: 'test', description: 'slow find scp' } });
  server = await listenTapped(SlowFindScp as never, scpHub, '127.0.0.1', 0);
  const hub = await CaptureHub.open({ source: { kind: 'test', description: 'scu' } });
  return { hub, target: { host: '127.0.0.1', port: server.port, callingAeTitle: 'SCU', calledAeTitle: 'SLOWFIND', model: 'patient', level: 'PATIENT', keys: { PatientID: '*' } } };
}

describe('SCU operations against a dcmjs-dimse SCP', () => {
  it('keeps a C-FIND open through 0xFF01 pending responses', async () => {
    const { hub, target } = await start();
    const result = await cFind(target, hub);
    await hub.close();
    expect(result).toMatchObject({ ok: true, outcome: 'success', status: 0 });
    expect(result.matches.map((m) => m.PatientID)).toEqual(Array.from({ length: MATCHES }, (_, i) => `P${i + 1}`));
    const s = hub.summary();
    expect(s.messages.filter((m) => m.commandField === CommandField.CFindRsp).map((m) => m.status)).toEqual([...Array(MATCHES).fill(0xff01), 0x0000]);
    expect(s.associations[0].outcome).toBe('released');
  });

  it('sends a C-CANCEL when the signal aborts, and ends with the peer\'s 0xFE00', async () => {
    const { hub, target } = await start();
    const controller = new AbortController();
    const result = await cFind(target, hub, { signal: controller.signal, onMatch: (_m, i) => i === 3 && controller.abort() });
    await hub.close();
    expect(result).toMatchObject({ ok: false, outcome: 'cancel', status: 0xfe00 });
    expect(result.matches.length).toBeGreaterThanOrEqual(3);
    expect(result.matches.length).toBeLessThan(MATCHES);
    const s = hub.summary();
    const cancel = s.messages.find((m) => m.commandField === CommandField.CCancelRq);
    expect(cancel?.respondsTo).toBe(1);
    expect(s.messages.at(-1)).toMatchObject({ commandField: 0x8020, status: 0xfe00 });
  });

  it('proposes our max PDU and transfer syntaxes', async () => {
    const { hub, target } = await start();
    const result = await cEcho({ ...target, maxPdu: 8192, transferSyntaxes: ['1.2.840.10008.1.2.1'] }, hub);
    await hub.close();
    expect(result.outcome).toBe('success');
    const a = hub.summary().associations[0];
    expect(a.maxPdu.requestor).toBe(8192);
    expect(a.presentationContexts.map((p) => p.transferSyntaxes)).toEqual([['1.2.840.10008.1.2.1']]);
  });

  it('aborts after the timeout when the peer never answers', async () => {
    const { hub, target } = await start();
    const result = await cFind({ ...target, keys: { PatientID: 'SILENT' }, timeoutMs: 1000 }, hub);
    await hub.close();
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toMatch(/timed out after 1000 ms/);
    expect(hub.summary().associations[0].outcome).toBe('aborted');
  }, 10_000);

  it('reports an A-ABORT from the peer and closes the connection', async () => {
    const { hub, target } = await start();
    const result = await cFind({ ...target, keys: { PatientID: 'ABORT' } }, hub);
    await hub.close();
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toBe('association aborted by the peer: DICOM UL service-provider (initiated abort), unexpected-PDU (2/2)');
    expect(hub.summary().associations[0].abort).toMatchObject({ source: 2, reason: 2, by: 'acceptor' });
  });

  it('refuses an impossible query without connecting', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'scu' } });
    const result = await cFind({ host: '127.0.0.1', port: 1, callingAeTitle: 'A', calledAeTitle: 'B', model: 'study', level: 'PATIENT', keys: {} }, hub);
    await hub.close();
    expect(result).toMatchObject({ ok: false, outcome: 'error' });
    expect(result.reason).toContain('no PATIENT level');
    expect(hub.summary().associations).toEqual([]);
  });

  it('answers a bad target with an error result, not an exception', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'scu' } });
    const bad = await Promise.all([
      cEcho({ host: '127.0.0.1', port: 0, callingAeTitle: 'A', calledAeTitle: 'B' }, hub),
      cEcho({ host: '127.0.0.1', port: 104, callingAeTitle: 'A\\B', calledAeTitle: 'B' }, hub),
      cEcho({ host: '127.0.0.1', port: 104, callingAeTitle: 'A', calledAeTitle: 'SEVENTEEN-CHARS-X' }, hub),
    ]);
    await hub.close();
    expect(bad.map((r) => [r.ok, r.outcome])).toEqual([[false, 'error'], [false, 'error'], [false, 'error']]);
    expect(bad[0].reason).toBe('port out of range: 0');
    expect(hub.summary().associations).toEqual([]);
  });
});
