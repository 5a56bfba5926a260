/**
 * The built-in teaching PACS: a Q/R SCP (C-ECHO, C-FIND, C-MOVE, C-GET,
 * C-STORE, C-CANCEL) over an on-disk store that starts with synthetic
 * studies, every association tapped into the capture hub (its
 * sub-associations to move destinations too).
 *
 *   const pacs = await startPacs(config, hub);
 *   pacs.ae, pacs.host, pacs.port
 *   pacs.destinations.set('VIEWER', { host: '127.0.0.1', port: 4242 });  // editable at run time
 *   pacs.setMoveMode('async'); pacs.setAePolicy('known');
 *   pacs.setSubOperationDelay(500);
 *   await pacs.close();
 *
 * `config` fields: see PacsConfig (config.ts); port 0 picks a free port.
 */
import type { CaptureHub } from '../../capture/hub.ts';
import { listenTapped } from '../dimse-tap.ts';
import type { GuardContext } from '../guard/guard-context.ts';
import type { AePolicy, Destination, MoveMode, PacsConfig } from './config.ts';
import { DataStore } from './data-store.ts';
import type { PacsRuntime } from './operation.ts';
import { QrScp } from './qr-scp.ts';

export interface RunningPacs {
  readonly ae: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** AE title → host:port; edits apply to the next C-MOVE. */
  readonly destinations: Map<string, Destination>;
  readonly moveMode: MoveMode;
  readonly aePolicy: AePolicy;
  setMoveMode(mode: MoveMode): void;
  setAePolicy(policy: AePolicy): void;
  setKnownCallers(aeTitles: string[]): void;
  setSubOperationDelay(ms: number): void;
  /** Number of stored instances. */
  instanceCount(): number;
  /** The guard of its port (guard/): limits, counts, what it refused. */
  readonly guard: GuardContext;
  /** Its TLS port (PS3.15 Annex B), on the same host; null: plain only. */
  readonly tlsPort: number | null;
  /** Stops listening, ends open associations, waits for asynchronous sub-operations. */
  close(): Promise<void>;
}

/** `guard`: the guard shared by the process's DICOM ports (pacscope serve); one of its own by default. */
export async function startPacs(config: PacsConfig, hub: CaptureHub, guard?: GuardContext): Promise<RunningPacs> {
  const store = DataStore.open(config.dataDir);
  const runtime: PacsRuntime = { config: { ...config, destinations: config.destinations, knownCallers: [...config.knownCallers] }, store, hub, background: new Set() };
  const server = await listenTapped(QrScp, hub, config.host, config.port, { customOptions: { pacs: runtime } }, { context: guard, name: `PACS ${config.ae}` });
  // The TLS port shares the plain one's guard (caps and limits count both), and its SCP state.
  const secure = config.tls
    ? await listenTapped(QrScp, hub, config.host, config.tls.port, { customOptions: { pacs: runtime } }, { context: server.guard, name: `PACS ${config.ae} (TLS)`, tls: config.tls.material }).catch(async (e) => {
        await server.close();
        throw e;
      })
    : null;
  const c = runtime.config;
  return {
    ae: c.ae,
    host: server.host,
    port: server.port,
    dataDir: c.dataDir,
    destinations: c.destinations,
    get moveMode() {
      return c.moveMode;
    },
    get aePolicy() {
      return c.aePolicy;
    },
    setMoveMode: (mode) => void (c.moveMode = mode),
    setAePolicy: (policy) => void (c.aePolicy = policy),
    setKnownCallers: (aeTitles) => void (c.knownCallers = [...aeTitles]),
    setSubOperationDelay: (ms) => void (c.subOperationDelayMs = Math.max(0, ms)),
    instanceCount: () => store.instances().length,
    guard: server.guard,
    tlsPort: secure?.port ?? null,
    close: async () => {
      await secure?.close();
      await server.close();
      await Promise.allSettled([...runtime.background]);
    },
  };
}
