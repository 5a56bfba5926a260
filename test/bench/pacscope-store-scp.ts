/**
 * The pacscope side of the store benchmark: the built-in store SCP
 * (server/endpoints/store-scp.ts) on a free loopback port, every association
 * tapped into the hub. dcmjs-dimse's own logger is silenced, as the CLI does
 * without --verbose: a log line per message would measure the console.
 */
import type { CaptureHub } from '../../server/capture/hub.ts';
import dimse from '../../server/dimse/library.ts';
import { startStoreScp, type RunningStoreScp } from '../../server/endpoints/store-scp.ts';

export function startBenchStoreScp(hub: CaptureHub, outputDir: string): Promise<RunningStoreScp> {
  dimse.log.setLevel('silent');
  return startStoreScp({ ae: 'PACSCOPE', host: '127.0.0.1', port: 0, outputDir }, hub);
}
