/**
 * A process for guard-isolation.test.ts: an SCP on a guarded port whose
 * first C-ECHO handler throws later, in a callback of its own (what the
 * guard's wrapping cannot catch), with the last-resort net of `pacscope
 * serve` installed. It prints its port; on SIGTERM it prints the guard's
 * counts and exits 0 — if it is still alive.
 */
import { CaptureHub } from '../../../server/capture/hub.ts';
import { dimse, listenTapped } from '../../../server/endpoints/dimse-tap.ts';
import { GuardContext } from '../../../server/endpoints/guard/guard-context.ts';
import { installLastResort } from '../../../server/endpoints/guard/last-resort.ts';

const { Scp, constants, responses } = dimse;
let calls = 0;

class LateThrowingEchoScp extends Scp {
  override associationRequested(a: InstanceType<typeof dimse.association.Association>) {
    for (const { id } of a.getPresentationContexts()) a.getPresentationContext(id).setResult(constants.PresentationContextResult.Accept, constants.TransferSyntax.ImplicitVRLittleEndian);
    this.sendAssociationAccept();
  }
  override cEchoRequest(request: InstanceType<typeof dimse.requests.CEchoRequest>, callback: (r: InstanceType<typeof responses.CEchoResponse>) => void) {
    if (++calls === 1) {
      setImmediate(() => {
        throw new Error('a bug in a callback of the SCP');
      });
      return;
    }
    const rsp = responses.CEchoResponse.fromRequest(request);
    rsp.setStatus(constants.Status.Success);
    callback(rsp);
  }
  override associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
  }
}

dimse.log.setLevel('error');
const hub = await CaptureHub.open({ source: { kind: 'test', description: 'last resort' } });
const guard = new GuardContext();
installLastResort(guard, () => {});
const server = await listenTapped(LateThrowingEchoScp as never, hub, '127.0.0.1', 0, {}, { context: guard });
process.stdout.write(`listening ${server.port}\n`);
process.once('SIGTERM', () => {
  const summary = hub.summary();
  process.stdout.write(`${JSON.stringify({ counts: guard.stats.counts, outcomes: summary.associations.map((a) => a.outcome) })}\n`);
  void server.close().then(() => process.exit(0));
});
