/**
 * `pacscope proxy --route LISTEN=UPSTREAM …`: the transparent DICOM proxy
 * without the UI, for long captures. Bytes are relayed at once and
 * unchanged; each association is recorded (one file, or files rotated by
 * size or time) and counted with bounded memory. On SIGINT/SIGTERM every
 * connection is closed, every byte relayed is flushed to the recording, and
 * a short summary is printed. `pacscope serve --route` runs the same proxy
 * beside the UI.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { VERSION } from '../version.ts';
import { Proxy, type RouteInfo } from '../proxy/proxy.ts';
import { HeadlessCapture } from '../proxy/headless-capture.ts';
import { RotatingRecorder } from '../proxy/rotating-recorder.ts';
import { resolveProxySettings } from '../proxy/proxy-config.ts';
import { formatRoute } from '../proxy/route-spec.ts';
import type { RouteStats } from '../proxy/proxy-stats.ts';
import { TLS_SERVER_OPTIONS, tlsSettingsFrom } from '../tls/tls-options.ts';
import { loadTls } from '../tls/tls-settings.ts';
import { closeKeyLogs } from '../tls/keylog.ts';

const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'route',
    value: 'LISTEN=UPSTREAM',
    help: 'relay LISTEN to UPSTREAM (repeatable), e.g. 127.0.0.1:4243=127.0.0.1:4242; LISTEN may be a bare port (on 127.0.0.1) or port 0 (a free one)',
  },
  { name: 'record', value: 'FILE', help: 'record every association to FILE (pacscope summary FILE reads it) (default: not recorded)' },
  { name: 'record-dir', value: 'DIR', help: 'record to a series of files in DIR, each readable on its own' },
  { name: 'rotate-size', value: 'SIZE', help: 'with --record-dir: a new file after SIZE, e.g. 100MB, 1GiB (default: no limit)' },
  { name: 'rotate-time', value: 'TIME', help: 'with --record-dir: a new file every TIME, e.g. 1h, 30m (default: no limit)' },
  { name: 'overwrite', help: 'replace an existing --record FILE (default: refuse)' },
  { name: 'connect-timeout', value: 'S', help: 'how long the upstream may take to accept the connection (default 10)' },
  { name: 'config', value: 'FILE', help: 'JSON: {"routes": […], "record", "recordDir", "rotateSize", "rotateTime", "connectTimeout"}; flags win, routes add up' },
  { name: 'public', help: 'allow listening on non-loopback addresses (default: loopback only)' },
  { name: 'verbose', aliases: ['-v'], help: 'one line per connection as it ends (refused, reset, closed by the client)' },
  // The certificates of the tls: legs (a route tls:LISTEN=… or …=tls:UPSTREAM): the proxy's own key and certificate serve both legs.
  ...TLS_SERVER_OPTIONS,
];

export const PROXY_HELP: CommandHelp = {
  name: 'proxy',
  synopsis: ['--route LISTEN=UPSTREAM … [options]'],
  description: `The transparent DICOM proxy, headless: relays each route's connections at
once and unchanged, and records and decodes them beside the relay.`,
  options: OPTIONS,
  epilogue: `Stop with Ctrl-C (SIGINT) or SIGTERM: connections are closed, the recording
is flushed and closed, and a summary per route is printed.`,
};

export const PROXY_COMMAND: CliCommand = { help: PROXY_HELP, run: proxyCommand };
const USAGE = `${formatUsage(PROXY_HELP)}(pacscope proxy --help lists the options)`;

const mb = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

export async function proxyCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length > 0) throw new Error(`unexpected argument "${args.positionals[0]}" (routes are given with --route LISTEN=UPSTREAM)\n\n${USAGE}`);
  const last = (k: string) => args.values.get(k)?.at(-1);
  const settings = resolveProxySettings({
    route: args.values.get('route'),
    config: last('config'),
    record: last('record'),
    recordDir: last('record-dir'),
    rotateSize: last('rotate-size'),
    rotateTime: last('rotate-time'),
    connectTimeout: last('connect-timeout'),
  });
  if (settings.routes.length === 0) throw new Error(`no route: give at least one --route LISTEN=UPSTREAM\n\n${USAGE}`);
  const tlsSettings = tlsSettingsFrom(args);
  const tls = tlsSettings ? loadTls(tlsSettings) : null;

  const description = `pacscope proxy ${settings.routes.map(formatRoute).join(', ')}`;
  if (settings.recordDir) await mkdir(resolve(settings.recordDir), { recursive: true });
  const recorder =
    settings.record || settings.recordDir
      ? await RotatingRecorder.open({
          path: settings.record ? resolve(settings.record) : undefined,
          dir: settings.recordDir ? resolve(settings.recordDir) : undefined,
          rotateBytes: settings.rotateBytes ?? undefined,
          rotateMs: settings.rotateMs ?? undefined,
          overwrite: args.flags.has('overwrite'),
          source: { kind: 'proxy', description },
          metadata: { routes: settings.routes.map(formatRoute) },
        })
      : null;
  const capture = new HeadlessCapture(recorder);
  const verbose = args.flags.has('verbose');
  const proxy = new Proxy({
    capture,
    connectTimeoutMs: settings.connectTimeoutMs,
    allowPublic: args.flags.has('public'),
    onConnection: (conn, route) => capture.stats.assign(conn, route.listen),
    tls,
  });
  const started = Date.now();
  try {
    for (const r of settings.routes) {
      const info = await proxy.add(r);
      process.stdout.write(`route ${r.listenTls ? 'tls:' : ''}${info.listen} → ${r.upstreamTls ? 'tls:' : ''}${info.upstream}\n`);
    }
  } catch (e) {
    await proxy.close();
    await recorder?.close().catch(() => undefined);
    throw e;
  }
  if (verbose) logConnections(capture);
  if (tls) process.stdout.write(`${tls.describe('server')}\n`);
  // The handlers go in before the line that says Ctrl-C stops: a signal sent as soon as it is read must find them.
  const signalled = new Promise<void>((done) => {
    const stop = () => {
      // A second signal while stopping: leave at once.
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write(
    `pacscope ${VERSION} proxy relaying ${settings.routes.length} route(s); ` +
      (recorder ? `recording to ${settings.recordDir ? `${resolve(settings.recordDir)}/ (${rotationText(settings.rotateBytes, settings.rotateMs)})` : recorder.path}` : 'not recording (--record FILE or --record-dir DIR)') +
      '; Ctrl-C stops\n',
  );

  await signalled;
  const routes = proxy.list();
  await proxy.close();
  let recordError: Error | null = null;
  await capture.close().catch((e: Error) => (recordError = e));
  await closeKeyLogs();
  process.stdout.write(summaryText(routes, capture.stats.finish(), recorder, (Date.now() - started) / 1000));
  if (recordError) {
    process.stderr.write(`pacscope proxy: the recording is incomplete: ${(recordError as Error).message}\n`);
    return 1;
  }
  return 0;
}

function rotationText(bytes: number | null, ms: number | null): string {
  const parts = [bytes ? `a new file every ${mb(bytes)}` : '', ms ? `every ${ms / 1000} s` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' or ') : 'one file';
}

/** --verbose: a line per connection as it ends badly or is closed by the client. */
function logConnections(capture: HeadlessCapture): void {
  const opened = new Map<number, string>();
  capture.listener = (e) => {
    const t = new Date(e.time).toISOString().slice(11, 23);
    if (e.kind === 'open') opened.set(e.conn, `${e.requestor.host}:${e.requestor.port} → ${e.acceptor.host}:${e.acceptor.port}`);
    else if (e.kind === 'refused') process.stdout.write(`${t} #${e.conn} ${e.requestor.host}:${e.requestor.port}: ${e.reason}\n`);
    else if (e.kind === 'close' && (e.how !== 'fin' || e.from === 'requestor')) {
      process.stdout.write(`${t} #${e.conn} ${opened.get(e.conn) ?? ''} ${e.how === 'fin' ? 'closed by the client' : `${e.how}${e.reason ? `: ${e.reason}` : ''}`}\n`);
      opened.delete(e.conn);
    }
  };
}

export function summaryText(routes: RouteInfo[], stats: RouteStats[], recorder: RotatingRecorder | null, seconds: number): string {
  const out = [`\npacscope proxy stopped after ${seconds.toFixed(1)} s`];
  for (const r of routes) {
    const s = stats.find((x) => x.route === r.listen);
    const outcomes = s ? Object.entries(s.outcomes).map(([k, n]) => `${n} ${k}`).join(', ') : '';
    const msgs = s ? Object.values(s.messages).reduce((a, b) => a + b, 0) : 0;
    const byCommand = s ? Object.entries(s.messages).map(([k, n]) => `${k} ${n}`).join(', ') : '';
    const c = r.counters;
    out.push(`route ${r.listen} → ${r.upstream}`);
    out.push(`  connections ${c.connections} (refused ${c.refused}, reset ${c.resets}, errors ${c.errors}); associations: ${outcomes || 'none'}`);
    out.push(`  messages ${msgs}${byCommand ? ` (${byCommand})` : ''}; decode errors ${s?.decodeErrors ?? 0}`);
    out.push(`  bytes: ${mb(c.bytesToUpstream)} to upstream, ${mb(c.bytesToClient)} to clients`);
    for (const p of s?.problems ?? []) out.push(`  ! ${p}`);
  }
  if (recorder) {
    out.push(`recording: ${recorder.files.length === 1 ? recorder.files[0] : `${recorder.files.length} files, ${recorder.files[0]} … ${recorder.files.at(-1)}`}`);
    if (recorder.lostBytes > 0) out.push(`  ! ${mb(recorder.lostBytes)} not recorded (recorded as gaps): the disk was slower than the traffic`);
  }
  out.push(`peak memory (RSS) ${mb(process.resourceUsage().maxRSS * 1024)}`);
  return out.join('\n') + '\n';
}
