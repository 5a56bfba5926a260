/** dcmjs-dimse client and SCP on loopback with every byte going through the tap into one capture hub. */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { dimse, listenTapped, sendTapped, type TappedServer } from '../../../server/endpoints/dimse-tap.ts';
import { commandOf, statusCodeOf } from '../../../shared/dimse/message-words.ts';

const { Scp, Client, association, requests, responses, constants } = dimse;

/** A verification-only SCP, the smallest real one. */
class EchoScp extends Scp {
  override associationRequested(assoc: InstanceType<typeof association.Association>) {
    for (const context of assoc.getPresentationContexts()) {
      const pc = assoc.getPresentationContext(context.id);
      if (pc.getAbstractSyntaxUid() === constants.SopClass.Verification) pc.setResult(constants.PresentationContextResult.Accept, constants.TransferSyntax.ImplicitVRLittleEndian);
      else pc.setResult(constants.PresentationContextResult.RejectAbstractSyntaxNotSupported);
    }
    this.sendAssociationAccept();
  }
  override cEchoRequest(request: InstanceType<typeof requests.CEchoRequest>, callback: (r: InstanceType<typeof responses.CEchoResponse>) => void) {
    const response = responses.CEchoResponse.fromRequest(request);
    response.setStatus(constants.Status.Success);
    callback(response);
  }
  override associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
  }
}

let server: TappedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function echo(hub: CaptureHub, port: number): Promise<number> {
  return new Promise((resolve) => {
    const client = new Client();
    let status = -1;
    const request = new requests.CEchoRequest();
    request.on('response', (r: InstanceType<typeof responses.CEchoResponse>) => (status = r.getStatus()));
    client.addRequest(request);
    client.on('closed', () => resolve(status));
    client.on('networkError', () => resolve(status));
    sendTapped(client, hub, { host: '127.0.0.1', port, callingAeTitle: 'ECHOSCU', calledAeTitle: 'ECHOSCP' });
  });
}

describe('dcmjs-dimse through the tap', () => {
  it('a C-ECHO seen from both ends is one connection in the hub: one released association', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'echo' } });
    server = await listenTapped(EchoScp as never, hub, '127.0.0.1', 0);
    expect(await echo(hub, server.port)).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    await hub.close();
    const s = hub.summary();
    // The client's socket and the server's socket are two taps of one TCP connection: the hub keeps it once.
    expect(s.associations.map((a) => [a.requestor.ae, a.acceptor.ae, a.outcome])).toEqual([['ECHOSCU', 'ECHOSCP', 'released']]);
    expect(s.messages.map((m) => `${m.association} ${commandOf(m)} ${statusCodeOf(m) ?? ''}`.trim())).toEqual(['a1 C-ECHO-RQ', 'a1 C-ECHO-RSP 0x0000']);
    expect(s.errors).toEqual([]);
  });

  it('a refused connection is recorded as refused', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'refused' } });
    await echo(hub, port);
    await hub.close();
    expect(hub.summary().associations.map((a) => [a.outcome, a.acceptor.port])).toEqual([['refused', port]]);
  });
});
