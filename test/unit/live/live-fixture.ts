/**
 * A live server as `pacscope serve` wires it, in process, on free loopback
 * ports: a capture hub, the built-in PACS (its data in a temp folder) and the
 * HTTP/WebSocket server; plus a WebSocket client that collects messages.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { startPacs, type RunningPacs } from '../../../server/endpoints/pacs/pacs.ts';
import { startLiveServer, type RunningLiveServer } from '../../../server/live/http-server.ts';
import { SessionLibrary } from '../../../server/live/sessions.ts';
import { UploadStore } from '../../../server/live/uploads.ts';
import type { LiveServerMessage } from '../../../shared/events/live-messages.ts';

export interface LiveFixture {
  hub: CaptureHub;
  pacs: RunningPacs;
  live: RunningLiveServer;
  base: string;
  /** The temp folder (pacs/, sessions/ when asked, uploads/). */
  dir: string;
  stop(): Promise<void>;
}

export async function startLiveFixture(o: { host?: string; token?: string | null; webRoot?: string; sessions?: boolean } = {}): Promise<LiveFixture> {
  dimse.log.setLevel('error');
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-live-'));
  // With sessions: recorded into the sessions folder, as `pacscope serve` does.
  const record = o.sessions ? join(dir, 'sessions', 'live.pacscope') : undefined;
  if (record) await mkdir(join(dir, 'sessions'));
  const hub = await CaptureHub.open({ source: { kind: 'test', description: 'live server test' }, recordPath: record });
  const pacs = await startPacs(
    { ae: 'LIVEPACS', host: '127.0.0.1', port: 0, dataDir: join(dir, 'pacs'), destinations: new Map(), moveMode: 'sync', aePolicy: 'any', knownCallers: [], subOperationDelayMs: 0 },
    hub,
  );
  const live = await startLiveServer({
    host: o.host ?? '127.0.0.1',
    port: 0,
    hub,
    pacs,
    endpoints: () => [{ role: 'pacs', ae: pacs.ae, host: pacs.host, port: pacs.port, moveMode: pacs.moveMode }],
    getDir: join(dir, 'get'),
    sessions: o.sessions ? new SessionLibrary(join(dir, 'sessions'), record!, () => hub.flush()) : null,
    uploads: await UploadStore.open(join(dir, 'uploads')),
    token: o.token ?? null,
    webRoot: o.webRoot ?? join(dir, 'no-ui'),
  });
  const host = o.host && o.host !== '0.0.0.0' ? o.host : '127.0.0.1';
  return {
    hub,
    pacs,
    live,
    dir,
    base: `http://${host}:${live.port}`,
    stop: async () => {
      await live.close();
      await pacs.close();
      await hub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A WebSocket client that keeps every message it gets. */
export class LiveClient {
  readonly messages: LiveServerMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as LiveServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new LiveClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Waits until `test` holds for the messages so far. */
  async until(test: (m: LiveServerMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!test(this.messages)) {
      if (Date.now() > end) throw new Error(`timed out; got ${this.messages.length} messages`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}
