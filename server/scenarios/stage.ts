/**
 * The built-in actors of a teaching scenario, on 127.0.0.1 free ports in a
 * temp folder of their own, all through the caller's capture hub: PACSs with
 * the synthetic studies, store SCPs, and the SCU side's targets. Everything
 * a stage started is closed and its folder removed by `close()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureHub } from '../capture/hub.ts';
import { startPacs, type RunningPacs } from '../endpoints/pacs/pacs.ts';
import { startStoreScp, type RunningStoreScp } from '../endpoints/store-scp.ts';
import type { PacsConfig, StoreScpConfig } from '../endpoints/pacs/config.ts';
import type { QueryTarget, ScuTarget } from '../endpoints/scu/options.ts';

const HOST = '127.0.0.1';

export class Stage {
  /** Ports of the stage's actors (and of the closed ports it hands out): its associations are those to these ports. */
  readonly ports = new Set<number>();
  private readonly closers: (() => Promise<void>)[] = [];

  private constructor(
    readonly hub: CaptureHub,
    private readonly dir: string,
    /** Pause before each sub-operation, so that a class can watch them. */
    readonly subOperationDelayMs: number,
  ) {}

  static async open(hub: CaptureHub, subOperationDelayMs = 0): Promise<Stage> {
    return new Stage(hub, await mkdtemp(join(tmpdir(), 'pacscope-scenario-')), subOperationDelayMs);
  }

  async pacs(ae: string, over: Partial<PacsConfig> = {}): Promise<RunningPacs> {
    const pacs = await startPacs(
      { ae, host: HOST, port: 0, dataDir: join(this.dir, ae), destinations: new Map(), moveMode: 'sync', aePolicy: 'any', knownCallers: [], subOperationDelayMs: this.subOperationDelayMs, ...over },
      this.hub,
    );
    this.ports.add(pacs.port);
    this.closers.push(() => pacs.close());
    return pacs;
  }

  async storeScp(ae: string, over: Partial<StoreScpConfig> = {}): Promise<RunningStoreScp> {
    const store = await startStoreScp({ ae, host: HOST, port: 0, outputDir: join(this.dir, `${ae}-received`), ...over }, this.hub);
    this.ports.add(store.port);
    this.closers.push(() => store.close());
    return store;
  }

  /** A loopback port where nothing listens (taken from the OS, then let go). */
  async closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.ports.add(port);
    return port;
  }

  target(callingAeTitle: string, calledAeTitle: string, port: number): ScuTarget {
    return { host: HOST, port, callingAeTitle, calledAeTitle };
  }

  /** A Study Root query/retrieve target at STUDY level. */
  study(callingAeTitle: string, pacs: RunningPacs, keys: Record<string, unknown>, calledAeTitle = pacs.ae): QueryTarget {
    return { ...this.target(callingAeTitle, calledAeTitle, pacs.port), model: 'study', level: 'STUDY', keys };
  }

  /** A folder for what an SCU receives (C-GET). */
  folder(name: string): string {
    return join(this.dir, name);
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Resolves once `test` holds (polled), or after `ms` anyway. */
export async function until(test: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!test() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
