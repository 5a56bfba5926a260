/**
 * Orthanc 1.10 (Debian's /usr/sbin/Orthanc) as a real peer: started from a
 * JSON configuration written to its own temp dir, on free ports, with
 * `TCP_NODELAY=1` in its environment (docs/architecture.md: Orthanc's DICOM side is
 * DCMTK, which leaves Nagle on otherwise). Orthanc 1.10 has no bind-address
 * option: it listens on all interfaces, so tests send it loopback traffic
 * only, and HTTP is closed to remote hosts (`RemoteAccessAllowed` false).
 *
 * Nothing here depends on a system-wide Orthanc (the Debian service on
 * 4242/8042): every instance has its own ports, storage and index.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, waitListening } from './net.ts';
import { RunningProcess } from './process.ts';

export const ORTHANC_BIN = '/usr/sbin/Orthanc';

/** A remote modality: AE title, host, port (Orthanc's short form). */
export type OrthancModality = [ae: string, host: string, port: number];

export interface OrthancOptions {
  aeTitle?: string;
  /** Name → [AE, host, port]: the callers allowed to query and the move destinations. */
  modalities?: Record<string, OrthancModality>;
  /** Orthanc's default is true: the C-MOVE SCP sends its final response after the sub-operations. */
  synchronousCMove?: boolean;
  checkCalledAet?: boolean;
  /** Defaults true, so that unregistered callers may query and retrieve (Orthanc's own default is false). */
  alwaysAllowFind?: boolean;
  alwaysAllowMove?: boolean;
  alwaysAllowGet?: boolean;
  /** More configuration keys, merged last. */
  extra?: Record<string, unknown>;
  /** Orthanc logs at `--verbose` (DICOM details in its log). */
  verbose?: boolean;
  /** Parent of the instance's temp dir (default: the OS temp dir). */
  parentDir?: string;
}

/** Throws a clear error unless Orthanc is installed (never skip: npm test installs it). */
export function requireOrthanc(): void {
  if (!existsSync(ORTHANC_BIN)) {
    throw new Error(`Orthanc interop tests need ${ORTHANC_BIN}; run "node scripts/ensure-deps.mjs --test" (npm test does) or apt-get install orthanc.`);
  }
}

/** The configuration file's content (keys of the Orthanc Book, 1.10). */
export function orthancConfig(o: OrthancOptions, dir: string, dicomPort: number, httpPort: number): Record<string, unknown> {
  return {
    Name: 'pacscope-interop',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    Plugins: [],
    LuaScripts: [],
    HttpServerEnabled: true,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    OrthancExplorerEnabled: false,
    WebDavEnabled: false,
    DicomServerEnabled: true,
    DicomAet: o.aeTitle ?? 'ORTHANC',
    DicomPort: dicomPort,
    DicomCheckCalledAet: o.checkCalledAet ?? false,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    DicomAlwaysAllowFind: o.alwaysAllowFind ?? true,
    DicomAlwaysAllowMove: o.alwaysAllowMove ?? true,
    DicomAlwaysAllowGet: o.alwaysAllowGet ?? true,
    DicomModalities: o.modalities ?? {},
    SynchronousCMove: o.synchronousCMove ?? true,
    // Jobs of an earlier run must not come back; nothing is kept anyway (own temp dir).
    SaveJobs: false,
    StableAge: 1,
    ConcurrentJobs: 2,
    MetricsEnabled: false,
    DeidentifyLogs: false,
    ...o.extra,
  };
}

export interface OrthancInstance {
  id: string;
  sopInstanceUid: string;
}

export class OrthancServer {
  private constructor(
    readonly dir: string,
    readonly aeTitle: string,
    readonly dicomPort: number,
    readonly httpPort: number,
    readonly config: Record<string, unknown>,
    readonly proc: RunningProcess,
  ) {}

  /** Starts Orthanc and waits until both its REST API and its DICOM port answer. */
  static async start(options: OrthancOptions = {}): Promise<OrthancServer> {
    requireOrthanc();
    const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'pacscope-orthanc-'));
    const [dicomPort, httpPort] = await freePorts(2);
    const config = orthancConfig(options, dir, dicomPort, httpPort);
    await mkdir(join(dir, 'storage'), { recursive: true });
    const cfgFile = join(dir, 'orthanc.json');
    await writeFile(cfgFile, JSON.stringify(config, null, 2));
    const args = [...(options.verbose ? ['--verbose'] : []), '--no-jobs', cfgFile];
    const proc = new RunningProcess(ORTHANC_BIN, args, { cwd: dir, env: { TCP_NODELAY: '1' } });
    const server = new OrthancServer(dir, String(config.DicomAet), dicomPort, httpPort, config, proc);
    try {
      await waitListening(httpPort, 20_000, () => proc.output.slice(-2000));
      await waitListening(dicomPort, 20_000, () => proc.output.slice(-2000));
      await server.waitRest(20_000);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get log(): string {
    return this.proc.output;
  }

  private async waitRest(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.baseUrl}/system`);
        if (res.ok) {
          const info = (await res.json()) as { DicomAet?: string };
          if (info.DicomAet !== this.aeTitle) throw new Error(`REST on ${this.baseUrl} is not ours (AE ${info.DicomAet})`);
          return;
        }
      } catch (err) {
        if (err instanceof Error && /is not ours/.test(err.message)) throw err;
      }
      if (this.proc.hasExited) throw new Error(`Orthanc exited during start-up:\n${this.proc.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`Orthanc REST did not answer within ${timeoutMs} ms:\n${this.proc.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A REST call; throws with Orthanc's answer unless the status is 2xx. */
  async rest<T = unknown>(method: string, path: string, body?: BodyInit, contentType?: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, { method, body, headers: contentType ? { 'content-type': contentType } : undefined });
    const text = await res.text();
    if (!res.ok) throw new Error(`Orthanc ${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** Uploads DICOM files (POST /instances, one file per request); returns Orthanc's ids. */
  async upload(files: readonly string[]): Promise<OrthancInstance[]> {
    const out: OrthancInstance[] = [];
    for (const file of files) {
      const bytes = await readFile(file);
      const r = await this.rest<{ ID: string; Status: string }>('POST', '/instances', bytes, 'application/dicom');
      if (r.Status !== 'Success' && r.Status !== 'AlreadyStored') throw new Error(`Orthanc refused ${file}: ${r.Status}`);
      const tags = await this.rest<{ SOPInstanceUID?: string }>('GET', `/instances/${r.ID}/simplified-tags`);
      out.push({ id: r.ID, sopInstanceUid: tags.SOPInstanceUID ?? '' });
    }
    return out;
  }

  /** Orthanc's counts (GET /statistics). */
  statistics(): Promise<{ CountPatients: number; CountStudies: number; CountSeries: number; CountInstances: number }> {
    return this.rest('GET', '/statistics');
  }

  /** Stops Orthanc (SIGTERM: it shuts down cleanly) and removes its temp dir unless PACSCOPE_KEEP_INTEROP is set. */
  async stop(): Promise<void> {
    await this.proc.stop('SIGTERM', 10_000);
    if (process.env.PACSCOPE_KEEP_INTEROP) console.info(`[interop] kept ${this.dir}`);
    else await rm(this.dir, { recursive: true, force: true });
  }
}
