/**
 * What the TLS interop tests share: pacscope's CLI, a recording read back as
 * wire events (the `tls` events of each leg), `pacscope summary --json`'s
 * findings, and DCMTK's TLS flags with the test's certificates.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WireEvent, WireTls } from '../../../shared/capture/wire-event.ts';
import { RecordingDecoder } from '../../../shared/capture/recording/recording-decoder.ts';
import type { Finding } from '../../../shared/diagnosis/types.ts';
import { RunningProcess, runTool, type ToolResult } from './process.ts';
import { REPO_ROOT } from './pacscope-cli.ts';
import type { TlsCerts } from './tls-certs.ts';

export const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));

export function pacscope(args: string[], timeoutMs = 60_000): Promise<ToolResult> {
  return runTool(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeoutMs });
}

export async function recordedEvents(file: string): Promise<WireEvent[]> {
  const d = new RecordingDecoder();
  const out = d.push(new Uint8Array(await readFile(file)));
  const end = d.end();
  if (out.errors.length || end.errors.length) throw new Error(`${file}: ${JSON.stringify([...out.errors, ...end.errors])}`);
  return [...out.events, ...end.events];
}

export const tlsEvents = (events: WireEvent[]): WireTls[] => events.filter((e): e is WireTls => e.kind === 'tls');

export async function findings(file: string, extra: string[] = []): Promise<Finding[]> {
  const r = await pacscope(['summary', file, '--json', ...extra]);
  if (r.code !== 0) throw new Error(`pacscope summary ${file}: ${r.output}`);
  return (JSON.parse(r.output) as { findings: Finding[] }).findings;
}

/** DCMTK's TLS options with the test's client certificate and CA. */
export const dcmtkTls = (c: TlsCerts, who: { key: string; cert: string } = c.client): string[] => ['+tls', who.key, who.cert, '+cf', c.ca];


export interface TlsServe {
  proc: RunningProcess;
  pacsPort: number;
  storePort: number;
  pacsTlsPort: number;
  storeTlsPort: number;
  stop(): Promise<unknown>;
}

/** `pacscope serve` with TLS ports on free ports (PACS "PACSCOPE", store SCP "STORESCP"). */
export async function startTlsServe(dataDir: string, extra: string[]): Promise<TlsServe> {
  const args = [BIN, 'serve', '--http', '127.0.0.1:0', '--pacs', 'PACSCOPE@127.0.0.1:0', '--store', 'STORESCP@127.0.0.1:0', '--data', dataDir, '--pacs-tls-port', '0', '--store-tls-port', '0', ...(extra.includes('--record') ? [] : ['--no-record']), ...extra];
  const proc = new RunningProcess(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  await proc.waitFor(/limits of the DICOM ports.*\n/, 30_000);
  const n = (re: RegExp) => Number(re.exec(proc.output)?.[1]);
  const s = {
    proc,
    pacsPort: n(/PACS\s+PACSCOPE@127\.0\.0\.1:(\d+)/),
    storePort: n(/store SCP\s+STORESCP@127\.0\.0\.1:(\d+)/),
    pacsTlsPort: n(/TLS\s+PACS 127\.0\.0\.1:(\d+)/),
    storeTlsPort: n(/TLS\s+PACS 127\.0\.0\.1:\d+, store SCP 127\.0\.0\.1:(\d+)/),
    stop: () => proc.stop('SIGTERM', 10_000),
  };
  if (![s.pacsPort, s.storePort, s.pacsTlsPort, s.storeTlsPort].every((p) => p > 0)) throw new Error(`cannot read the ports of pacscope serve:\n${proc.output}`);
  return s;
}

/** `pacscope proxy` with the given routes (port 0 allowed); resolves with the bound listen ports in order. */
export async function startProxy(args: string[]): Promise<{ proc: RunningProcess; ports: number[] }> {
  const proc = new RunningProcess(process.execPath, [BIN, 'proxy', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  await proc.waitFor(/Ctrl-C stops/, 30_000);
  const ports = [...proc.output.matchAll(/^route (?:tls:)?127\.0\.0\.1:(\d+) /gm)].map((m) => Number(m[1]));
  return { proc, ports };
}
