/**
 * `pacscope serve` (what `npm start` runs): the built-in teaching PACS, the
 * store SCP (its default move destination) and the HTTP server that the UI,
 * the live WebSocket stream and the operations API hang off (issue 4), with a
 * status endpoint listing the DICOM endpoints. Every association goes through
 * one capture hub (recorded with --record). Binds 127.0.0.1 unless told
 * otherwise. Settings: flags > --config FILE > defaults (see
 * server/endpoints/pacs/settings.ts).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { VERSION } from '../version.ts';
import { parseHostPort } from './host-port.ts';
import dimse from '../dimse/library.ts';
import { CaptureHub } from '../capture/hub.ts';
import { DEFAULT_LIVE_WINDOW } from '../capture/live-pages.ts';
import { startPacs, type RunningPacs } from '../endpoints/pacs/pacs.ts';
import { startStoreScp, type RunningStoreScp } from '../endpoints/store-scp.ts';
import { resolveServeSettings } from '../endpoints/pacs/settings.ts';
import { startLiveServer, type RunningLiveServer } from '../live/http-server.ts';
import { getDirOf } from '../live/api-operations.ts';
import { isLoopbackHost, newAccessToken } from '../live/security.ts';
import { SessionLibrary } from '../live/sessions.ts';
import { UploadStore } from '../live/uploads.ts';
import type { EndpointInfo } from '../../shared/events/live-messages.ts';
import { Proxy } from '../proxy/proxy.ts';
import { parseRoute } from '../proxy/route-spec.ts';
import { GuardContext } from '../endpoints/guard/guard-context.ts';
import { LIMITS, parseLimit, type GuardLimits } from '../endpoints/guard/limits.ts';
import { installLastResort } from '../endpoints/guard/last-resort.ts';
import { TLS_SERVER_OPTIONS, tlsSettingsFrom } from '../tls/tls-options.ts';
import { loadTls } from '../tls/tls-settings.ts';
import { closeKeyLogs } from '../tls/keylog.ts';

/** The TLS ports of the PACS and the store SCP (2762 is DICOM over TLS's registered port, PS3.15 B.1). */
const DEFAULT_PACS_TLS_PORT = 2762;
const DEFAULT_STORE_TLS_PORT = 2763;
import { CaptureRegistry } from '../sources/capture-registry.ts';
import { DEFAULT_BUFFER_MIB } from '../sources/live-capture.ts';

const DEFAULT_HTTP = '127.0.0.1:8104';
/** The built UI (scripts/build-web.mjs); PACSCOPE_WEB_ROOT serves another folder (UI development). */
export const WEB_ROOT = process.env.PACSCOPE_WEB_ROOT ? resolve(process.env.PACSCOPE_WEB_ROOT) : fileURLToPath(new URL('../../web/dist', import.meta.url));

const OPTIONS: readonly OptionSpec[] = [
  { name: 'http', value: 'HOST:PORT', help: `the HTTP server of the UI and its API (default ${DEFAULT_HTTP})` },
  { name: 'pacs', value: 'AET@HOST:PORT', help: 'the built-in PACS (default PACSCOPE@127.0.0.1:11112)' },
  { name: 'store', value: 'AET@HOST:PORT', help: 'the store SCP, a move destination of the PACS (default STORESCP@127.0.0.1:11113)' },
  { name: 'dest', value: 'AET=HOST:PORT', help: 'another C-MOVE destination of the PACS (repeatable)' },
  { name: 'move-mode', value: 'sync|async', help: 'C-MOVE: sync = a pending response after each C-STORE, the final one last; async = as Orthanc 1.10 with SynchronousCMove false: the pendings and a final "completed N" at once, the C-STOREs after (default sync)' },
  {
    name: 'ae-policy',
    value: 'any|called|known',
    help: 'accept any AE title; check the called one (else reject 1/1/7); or also only known callers (else reject 1/1/3) (default any)',
  },
  { name: 'sub-operation-delay', value: 'MS', help: 'pause between C-MOVE/C-GET sub-operations, to watch or cancel them (default 0)' },
  { name: 'commit-report', value: 'same|new|same-else-new', help: "storage commitment: where the PACS sends the N-EVENT-REPORT — on the N-ACTION's association while it is open, on a new association to the requestor's AE as --dest has it (as Orthanc does), or the same one if still open else a new one (default same-else-new)" },
  { name: 'commit-delay', value: 'MS', help: 'storage commitment: pause between the N-ACTION-RSP and the N-EVENT-REPORT (default 100)' },
  { name: 'data', value: 'DIR', help: "the PACS's store and what the store SCP receives (default $XDG_DATA_HOME/pacscope or ~/.local/share/pacscope)" },
  { name: 'config', value: 'FILE', help: 'JSON with the same settings (flags win)' },
  { name: 'route', value: 'LISTEN=UPSTREAM', help: 'a proxy route (repeatable): relay LISTEN to UPSTREAM, shown live and recorded like the built-in endpoints (see pacscope proxy --help)' },
  { name: 'capture', value: 'IF', help: 'capture live on this network interface with dumpcap (repeatable), e.g. eth0 or lo: DICOM between other hosts shown live, recorded and diagnosed (see pacscope capture --help)' },
  { name: 'capture-filter', value: 'BPF', help: 'the capture filter of --capture, in tcpdump syntax (default "tcp")' },
  { name: 'capture-buffer', value: 'MIB', help: `dumpcap's kernel buffer for each capture, in MiB (default ${DEFAULT_BUFFER_MIB})` },
  { name: 'record', value: 'FILE', help: 'record every association to FILE (default: a new file in the sessions folder, one per run)' },
  { name: 'no-record', help: 'record nothing' },
  { name: 'live-window', value: 'N', help: `DIMSE messages the UI's live view holds at most, in two pages of N/2 (default ${DEFAULT_LIVE_WINDOW}); older pages are read back from the recording` },
  { name: 'sessions', value: 'DIR', help: 'the sessions folder the UI lists and opens (default DATA/sessions)' },
  { name: 'public', help: 'allow binding to non-loopback addresses; every /api request then needs the access token printed at start' },
  // DICOM over TLS (PS3.15 Annex B): with --tls KEY CERT the PACS and the store SCP also listen on a TLS port each; the PACS's sub-associations to AE=tls:HOST:PORT destinations and the proxy's tls: legs use the same certificates.
  ...TLS_SERVER_OPTIONS,
  { name: 'pacs-tls-port', value: 'PORT', help: `with --tls: the PACS's TLS port, on its host (default ${DEFAULT_PACS_TLS_PORT}; 0: a free one)` },
  { name: 'store-tls-port', value: 'PORT', help: `with --tls: the store SCP's TLS port, on its host (default ${DEFAULT_STORE_TLS_PORT}; 0: a free one)` },
  // The limits of the DICOM ports, one flag each, from the limits table (README.md, "Limits of the DICOM ports").
  ...LIMITS.map((l): OptionSpec => ({ name: l.flag, value: l.unit === 'seconds' ? 'S' : 'N', help: `${l.help} (default ${l.default}${l.unit === 'bytes' ? ' bytes' : l.unit === 'seconds' ? ' s' : ''}; DCMTK: ${l.dcmtk})` })),
];

export const SERVE_HELP: CommandHelp = {
  name: 'serve',
  synopsis: ['[options]'],
  description: `Starts the built-in PACS, the store SCP (its default move destination) and the
HTTP server of the UI (what npm start runs), all on 127.0.0.1 unless told
otherwise, and records every association. Stop it with Ctrl-C.`,
  options: OPTIONS,
};

export const SERVE_COMMAND: CliCommand = { help: SERVE_HELP, run: serveCommand };

/** The proxy of the running `pacscope serve` (add/remove/list routes), for an HTTP API; null when none runs. */
export let runningProxy: Proxy | null = null;

/** The limits given as flags, each checked against its range. */
function limitFlags(last: (k: string) => string | undefined): Partial<GuardLimits> {
  const out: Partial<GuardLimits> = {};
  for (const spec of LIMITS) {
    const value = last(spec.flag);
    if (value !== undefined) out[spec.key] = parseLimit(spec, value, 'pacscope serve');
  }
  return out;
}

/** `--live-window N`: a whole number of messages, at least 100 (two pages of 50). */
function liveWindowFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIVE_WINDOW;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 100 || n > 10_000_000) throw new Error(`--live-window must be a whole number of DIMSE messages from 100 to 10000000, got "${value}"`);
  return n;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length > 0) throw new Error(`unexpected argument "${args.positionals[0]}"\n\n${formatUsage(SERVE_HELP)}(pacscope serve --help lists the options)`);
  const last = (k: string) => args.values.get(k)?.at(-1);
  const { host, port } = parseHostPort(last('http') ?? DEFAULT_HTTP);
  const settings = resolveServeSettings({
    pacs: last('pacs'),
    store: last('store'),
    dest: args.values.get('dest'),
    moveMode: last('move-mode'),
    aePolicy: last('ae-policy'),
    subOperationDelay: last('sub-operation-delay'),
    commitReport: last('commit-report'),
    commitDelay: last('commit-delay'),
    data: last('data'),
    config: last('config'),
    limits: limitFlags(last),
  });
  const tlsSettings = tlsSettingsFrom(args);
  const tls = tlsSettings ? loadTls(tlsSettings) : null;
  const tlsPort = (k: string, d: number) => {
    const v = last(k);
    if (v !== undefined && !tls) throw new Error(`--${k} needs --tls KEY CERT`);
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${k}: not a port: ${v}`);
    return n;
  };
  if (tls) {
    settings.pacs.tls = { material: tls, port: tlsPort('pacs-tls-port', DEFAULT_PACS_TLS_PORT) };
    settings.store.tls = { material: tls, port: tlsPort('store-tls-port', DEFAULT_STORE_TLS_PORT) };
  } else {
    tlsPort('pacs-tls-port', 0);
    tlsPort('store-tls-port', 0);
  }
  const isPublic = args.flags.has('public');
  const routes = (args.values.get('route') ?? []).map(parseRoute);
  const captureInterfaces = args.values.get('capture') ?? [];
  const captureFilter = last('capture-filter');
  if (captureFilter !== undefined && captureInterfaces.length === 0) throw new Error('--capture-filter needs --capture IF (the interface to capture on)');
  const captureBuffer = last('capture-buffer');
  if (captureBuffer !== undefined && !(/^\d+$/.test(captureBuffer) && Number(captureBuffer) >= 1 && Number(captureBuffer) <= 4096)) throw new Error(`--capture-buffer: expected MiB from 1 to 4096, got "${captureBuffer}"`);
  for (const h of [host, settings.pacs.host, settings.store.host]) {
    if (!isPublic && !isLoopbackHost(h)) throw new Error(`refusing to listen on ${h}: not a loopback address; add --public to allow it (the HTTP API then requires an access token)`);
  }
  // With --public the HTTP API always requires a token (printed below), whatever the bind address.
  const token = isPublic ? newAccessToken() : null;
  // dcmjs-dimse logs every PDU at INFO; the wire is in the capture hub instead.
  dimse.log.setLevel('error');

  // Every run is recorded unless told otherwise: the wire is the truth, and a
  // failure seen once can be opened again from the sessions list.
  const dataRoot = dirname(settings.pacs.dataDir);
  const sessionsDir = resolve(last('sessions') ?? join(dataRoot, 'sessions'));
  if (args.flags.has('no-record') && last('record')) throw new Error('--record and --no-record contradict each other');
  const record = args.flags.has('no-record') ? undefined : (last('record') ?? join(sessionsDir, `pacscope-${new Date().toISOString().replace(/[:.]/g, '-')}.pacscope`));
  await mkdir(sessionsDir, { recursive: true });
  if (record) await mkdir(dirname(resolve(record)), { recursive: true });
  const hub = await CaptureHub.open({ recordPath: record, source: { kind: 'serve', description: `pacscope serve (PACS ${settings.pacs.ae}, store SCP ${settings.store.ae})` }, liveWindow: liveWindowFlag(last('live-window')) });
  // One guard for both DICOM ports: the connection and association caps count them together.
  const guard = new GuardContext(settings.limits);
  const uninstall = installLastResort(guard);
  let store: RunningStoreScp | null = null;
  let pacs: RunningPacs | null = null;
  let live: RunningLiveServer | null = null;
  // Always there (with no route at first), so that routes can be added while serve runs.
  const proxy = new Proxy({ capture: hub, allowPublic: isPublic, tls });
  runningProxy = proxy;
  // Always there (none running at first), so that captures can be started from the UI too.
  const captures = new CaptureRegistry(hub, { bufferMiB: captureBuffer === undefined ? undefined : Number(captureBuffer) });
  const stopAll = async () => {
    await captures.close();
    await proxy.close();
    runningProxy = null;
    await live?.close();
    await pacs?.close();
    await store?.close();
    await hub.close();
    await closeKeyLogs();
    uninstall();
  };
  try {
    store = await startStoreScp(settings.store, hub, guard);
    // A store SCP on port 0 got a free port: that is where the PACS moves to.
    const own = settings.pacs.destinations.get(store.ae);
    if (own && own.port === 0) own.port = store.port;
    pacs = await startPacs(settings.pacs, hub, guard);
    const endpoints = (): EndpointInfo[] => [
      { role: 'pacs', ae: pacs!.ae, host: pacs!.host, port: pacs!.port, moveMode: pacs!.moveMode, aePolicy: pacs!.aePolicy, destinations: Object.fromEntries([...pacs!.destinations].map(([ae, d]) => [ae, `${d.host}:${d.port}`])), limits: guard.limits, guard: guard.status() },
      { role: 'store-scp', ae: store!.ae, host: store!.host, port: store!.port, outputDir: store!.outputDir, limits: guard.limits, guard: guard.status() },
    ];
    live = await startLiveServer({
      host,
      port,
      hub,
      pacs,
      endpoints,
      getDir: getDirOf(dataRoot),
      sessions: new SessionLibrary(sessionsDir, record ?? null, () => hub.flush()),
      uploads: await UploadStore.open(join(dataRoot, 'uploads')),
      token,
      webRoot: WEB_ROOT,
      doctorStoreScp: { ae: store.ae, host: store.host, port: store.port },
      proxy,
      captures,
    });
    for (const r of routes) await proxy.add(r);
    for (const iface of captureInterfaces) await captures.start({ interface: iface, filter: captureFilter });
    const out = [
      `pacscope ${VERSION} serving on ${live.url}  (status: /api/status)`,
      ...(token ? [`access token: ${token}  (required on every /api request: ?token= or Authorization: Bearer)`] : []),
      'DICOM endpoints:',
      `  PACS       ${pacs.ae}@${pacs.host}:${pacs.port}  (C-ECHO, C-FIND, C-MOVE ${pacs.moveMode}, C-GET, C-STORE, worklist, MPPS, storage commitment report ${settings.pacs.commitReportMode ?? 'same-else-new'}; AE policy ${pacs.aePolicy}; ${pacs.instanceCount()} instances in ${settings.pacs.dataDir})`,
      `  store SCP  ${store.ae}@${store.host}:${store.port}  (saves to ${store.outputDir})`,
      ...(tls ? [`  TLS        PACS ${pacs.host}:${pacs.tlsPort}, store SCP ${store.host}:${store.tlsPort}  (${tls.describe('server')})`] : []),
      `  move destinations of ${pacs.ae}: ${[...pacs.destinations].map(([ae, d]) => `${ae}=${d.tls ? 'tls:' : ''}${d.host}:${d.port}`).join(', ')}`,
      ...proxy.list().map((r) => `  proxy      ${r.listen} → ${r.upstream}`),
      ...captures.list().map((c) => `  capture    ${c.interface} (filter "${c.filter}"): DICOM on any port, live`),
      `limits of the DICOM ports: ARTIM ${guard.limits.acseTimeout} s, idle ${guard.limits.dimseTimeout} s, PDU ${guard.limits.maxPduReceive} bytes, ${guard.limits.maxConnections} connections, ${guard.limits.maxAssociations} associations (pacscope serve --help)`,
      record ? `recording every association to ${record}` : 'recording nothing (--no-record)',
      `sessions folder: ${sessionsDir}`,
    ];
    process.stdout.write(out.join('\n') + '\n');
  } catch (e) {
    await stopAll();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`address in use: ${err.message.replace(/^listen EADDRINUSE: address already in use /, '')} (another pacscope or PACS running? choose other ports with --pacs/--store/--http)`);
    throw e;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stopAll();
  return 0;
}
