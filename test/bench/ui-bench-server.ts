/**
 * The UI benchmark's server: the pipeline of `pacscope serve` with a
 * recorded session already in it. A CaptureHub is fed the recording's wire
 * events through `hub.sink` (server/sources/open-source.ts, connection numbers
 * taken from the hub like a tap's), then the same live HTTP server as `serve`
 * (server/live/http-server.ts) serves the built UI and `/api/live`, and a
 * store SCP (server/endpoints/store-scp.ts) on the same hub answers C-ECHOs,
 * so live traffic can be added on top of the loaded session.
 *
 *   node --import tsx test/bench/ui-bench-server.ts RECORDING WEB_ROOT DATA_DIR
 * prints one JSON line {url, echoPort, echoAe, messages, loadSeconds, snapshotBytes,
 * snapshotJsonMs, snapshotFirstMs, share}, then
 * serves until SIGTERM or SIGINT.
 */
import { join } from 'node:path';
import { CaptureHub } from '../../server/capture/hub.ts';
import { startLiveServer } from '../../server/live/http-server.ts';
import { startStoreScp } from '../../server/endpoints/store-scp.ts';
import { dimse } from '../../server/endpoints/dimse-tap.ts';
import { openWireSource } from '../../server/sources/open-source.ts';
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import type { EndpointInfo } from '../../shared/events/live-messages.ts';
import { snapshotJson } from '../../shared/events/live-snapshot.ts';
import { WireMessageList } from '../../shared/events/wire-message.ts';

const [recording, webRoot, dataDir] = process.argv.slice(2);
if (!recording || !webRoot || !dataDir) throw new Error('usage: ui-bench-server.ts RECORDING WEB_ROOT DATA_DIR');
dimse.log.setLevel('error');

const started = performance.now();
// The whole session in the live window (pacscope serve --live-window): the bench measures drawing all of it.
const hub = await CaptureHub.open({ source: { kind: 'bench', description: `UI bench: ${recording}` }, liveWindow: 10_000_000 });
const source = await openWireSource(recording);
// The session is moved in time to end a second ago, so live traffic comes after it (the recording's clock is synthetic).
const events: WireEvent[] = [];
for await (const batch of source.batches()) events.push(...batch);
const shift = events.length ? Math.round(Date.now() - 1000 - events[events.length - 1].time) : 0;
const conns = new Map<number, number>();
for (const event of events) {
  let conn = conns.get(event.conn);
  if (conn === undefined) conns.set(event.conn, (conn = hub.nextConnection()));
  hub.sink({ ...event, conn, time: event.time + shift });
}
if (source.errors.length > 0) throw new Error(`${recording}: ${source.errors[0].reason}`);
const loadSeconds = (performance.now() - started) / 1000;
// What a page's snapshot costs the server (server/live/ws.ts): the model without PDUs as one JSON text, the messages' text kept
// between snapshots (so the first one costs more; the live server starts keeping it when it starts, before any page comes).
const summary = hub.summary();
const kept = new WireMessageList();
let t = performance.now();
const snapshot = snapshotJson(hub.sequence, summary, [], kept);
const snapshotFirstMs = performance.now() - t;
t = performance.now();
snapshotJson(hub.sequence, summary, [], kept);
const snapshotJsonMs = performance.now() - t;
const snapshotBytes = Buffer.byteLength(snapshot);
// PDUs: none in the snapshot; what asking for them costs.
const share = { messages: kept.json().length, pdus: 0, pdusOnRequest: JSON.stringify(summary.pdus).length };

const store = await startStoreScp({ ae: 'BENCHSCP', host: '127.0.0.1', port: 0, outputDir: join(dataDir, 'store-scp') }, hub);
const endpoints = (): EndpointInfo[] => [{ role: 'store-scp', ae: store.ae, host: store.host, port: store.port, outputDir: store.outputDir }];
const live = await startLiveServer({ host: '127.0.0.1', port: 0, hub, pacs: null, endpoints, getDir: join(dataDir, 'get'), token: null, webRoot });
process.stdout.write(JSON.stringify({ url: live.url, echoPort: store.port, echoAe: store.ae, messages: summary.messages.length, loadSeconds, snapshotBytes, snapshotJsonMs, snapshotFirstMs, share }) + '\n');

await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await live.close();
await store.close();
await hub.close();
