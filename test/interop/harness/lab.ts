/**
 * The interop lab: a temp dir with generated DICOM files, a storescp (move
 * destination STORESCP) and a dcmqrscp (QRSCP) on free loopback ports, and
 * `flow()`, which runs one DCMTK client under a dumpcap capture of both ports
 * and keeps everything a test compares: the pcapng, the client's `-d` log,
 * the part of storescp's log written during the flow.
 *
 * Real peers are required: a missing tool is an error, never a skip
 * (`npm test` installs them through scripts/ensure-deps.mjs --test).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFixtures, type FixtureInstance } from '../../fixtures/dicom/generate.ts';
import { Capture, type CaptureResult } from './capture.ts';
import { freePorts } from './net.ts';
import { DcmQrScp, StoreScp } from './peers.ts';
import { runTool, type ToolResult } from './process.ts';

export const QR_AE = 'QRSCP';
export const STORE_AE = 'STORESCP';
export const SCU_AE = 'SCU';

const REQUIRED_TOOLS = ['echoscu', 'findscu', 'movescu', 'getscu', 'storescu', 'storescp', 'dcmqrscp', 'dump2dcm', 'tshark', 'dumpcap'];

/** Throws, naming every missing program, unless all real peers are installed. */
export function requireRealPeers(): void {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin']);
  const missing = REQUIRED_TOOLS.filter((t) => !dirs.some((d) => d && existsSync(join(d, t))));
  if (missing.length > 0) {
    throw new Error(
      `interop tests need DCMTK and tshark; missing: ${missing.join(', ')}. ` +
        `Run "node scripts/ensure-deps.mjs --test" (npm test does) or apt-get install dcmtk tshark.`,
    );
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    // dumpcap needs CAP_NET_RAW; Debian grants it to the wireshark group only when configured.
    console.warn('[interop] not running as root: dumpcap must be allowed to capture on lo');
  }
}

export interface FlowResult {
  name: string;
  pcap: string;
  capture: CaptureResult;
  tool: ToolResult;
  /** What storescp logged while the flow ran. */
  storeScpLog: string;
}

export class InteropLab {
  dir = '';
  qrPort = 0;
  storePort = 0;
  qr: DcmQrScp | null = null;
  store: StoreScp | null = null;
  instances: FixtureInstance[] = [];

  async start(): Promise<void> {
    requireRealPeers();
    this.dir = await mkdtemp(join(tmpdir(), 'pacscope-interop-'));
    this.instances = await generateFixtures(join(this.dir, 'fixtures'));
    [this.qrPort, this.storePort] = await freePorts(2);
    this.store = await StoreScp.start({ port: this.storePort, aeTitle: STORE_AE, outDir: join(this.dir, 'storescp-out') });
    this.qr = await DcmQrScp.start({
      dir: join(this.dir, 'dcmqrscp'),
      port: this.qrPort,
      aeTitle: QR_AE,
      destinations: { [STORE_AE]: this.storePort },
    });
  }

  /** Stops the servers; keeps the temp dir when PACSCOPE_KEEP_INTEROP is set (to inspect captures). */
  async stop(): Promise<void> {
    await Promise.allSettled([this.qr?.stop(), this.store?.stop()]);
    if (this.dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(this.dir, { recursive: true, force: true });
    else if (this.dir) console.info(`[interop] kept ${this.dir}`);
  }

  /** Runs a DCMTK client under a capture of the dcmqrscp and storescp ports. */
  async flow(name: string, cmd: string, args: readonly string[]): Promise<FlowResult> {
    const pcap = join(this.dir, `${name}.pcapng`);
    const storeLogStart = this.store?.log.length ?? 0;
    const capture = await Capture.start(pcap, [this.qrPort, this.storePort]);
    let tool: ToolResult;
    try {
      tool = await runTool(cmd, args, { cwd: this.dir, timeoutMs: 30_000 });
    } catch (err) {
      // Stop the capture even when the tool could not start: no dumpcap outlives the test.
      await capture.stop(0).catch(() => undefined);
      throw err;
    }
    const result = await capture.stop();
    return { name, pcap, capture: result, tool, storeScpLog: this.store?.log.slice(storeLogStart) ?? '' };
  }

  /** Standard client arguments: debug log, calling AE SCU, called AE, the dcmqrscp address. */
  client(calledAe = QR_AE): string[] {
    return ['-d', '-aet', SCU_AE, '-aec', calledAe];
  }

  get peer(): string[] {
    return ['127.0.0.1', String(this.qrPort)];
  }
}
