/**
 * The set-up of the pacs-*.test.ts interop tests: a capture hub, the built-in
 * PACS and the store SCP on free loopback ports (port 0) with a temp data dir,
 * and small helpers to read the hub's summary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dimse from '../../server/dimse/library.ts';
import { CaptureHub } from '../../server/capture/hub.ts';
import { startPacs, type RunningPacs } from '../../server/endpoints/pacs/pacs.ts';
import { startStoreScp, type RunningStoreScp } from '../../server/endpoints/store-scp.ts';
import type { PacsConfig, StoreScpConfig } from '../../server/endpoints/pacs/config.ts';
import type { SummaryMessage } from '../../shared/model/summary-types.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';

export interface PacsLab {
  dir: string;
  hub: CaptureHub;
  pacs: RunningPacs;
  store: RunningStoreScp;
  /** Stops the endpoints (keeps the dir unless `removeDir`). */
  stop(removeDir?: boolean): Promise<void>;
}

/** dcmjs-dimse logs every PDU at INFO; tests read the wire from the hub instead. */
dimse.log.setLevel('error');

export async function startLab(options: { dir?: string; pacs?: Partial<PacsConfig>; store?: Partial<StoreScpConfig> } = {}): Promise<PacsLab> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'pacscope-pacs-')));
  const hub = await CaptureHub.open({ source: { kind: 'test', description: 'pacs interop' } });
  const store = await startStoreScp({ ae: 'STORESCP', host: '127.0.0.1', port: 0, outputDir: join(dir, 'received'), ...options.store }, hub);
  const pacs = await startPacs(
    {
      ae: 'PACSCOPE',
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'pacs'),
      destinations: new Map([['STORESCP', { host: '127.0.0.1', port: store.port }]]),
      moveMode: 'sync',
      aePolicy: 'any',
      knownCallers: [],
      subOperationDelayMs: 0,
      ...options.pacs,
    },
    hub,
  );
  return {
    dir,
    hub,
    pacs,
    store,
    stop: async (removeDir = true) => {
      await pacs.close();
      await store.close();
      await hub.close();
      if (removeDir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Messages of the hub's summary as "a1 C-MOVE-RSP 0xFF00" lines, for order checks. */
export function messageLines(messages: SummaryMessage[]): string[] {
  return messages.map((m) => `${m.association} ${commandOf(m)}${m.status !== null ? ` ${statusCodeOf(m)}` : ''}`);
}

/** Waits until `check` is true (polls the hub's model, which fills as events arrive). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
