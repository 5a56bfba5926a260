/**
 * `pacscope serve` as its own process for the hostile-input suite and the
 * soak: started with the flags given (free loopback ports, no recording
 * unless asked), its ports read from what it prints, its memory read from
 * /proc (VmRSS now, VmHWM the peak), its guard's status from /api/status.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RunningProcess } from './process.ts';
import { REPO_ROOT } from './pacscope-cli.ts';

const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));

export interface GuardStatus {
  connections: number;
  associations: number;
  bufferedBytes: number;
  accepted: number;
  peakConnections: number;
  counts: Record<string, number>;
  latest: { kind: string; what: string; endpoint: string }[];
}

export class ServeProcess {
  private constructor(
    readonly proc: RunningProcess,
    readonly pacsPort: number,
    readonly storePort: number,
    readonly httpUrl: string,
  ) {}

  /** Starts `pacscope serve` (PACS "PACSCOPE", store SCP "STORESCP", any AE policy) with `--data DIR` and the extra flags. */
  static async start(dataDir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<ServeProcess> {
    const args = [BIN, 'serve', '--http', '127.0.0.1:0', '--pacs', 'PACSCOPE@127.0.0.1:0', '--store', 'STORESCP@127.0.0.1:0', '--data', dataDir, ...(extra.includes('--record') ? [] : ['--no-record']), ...extra];
    const proc = new RunningProcess(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', env });
    await proc.waitFor(/limits of the DICOM ports.*\n/, 30_000);
    const pacsPort = Number(/PACS\s+PACSCOPE@127\.0\.0\.1:(\d+)/.exec(proc.output)?.[1]);
    const storePort = Number(/store SCP\s+STORESCP@127\.0\.0\.1:(\d+)/.exec(proc.output)?.[1]);
    const httpUrl = /serving on (http:\/\/\S+?)\/?\s/.exec(proc.output)?.[1] ?? '';
    if (!(pacsPort > 0 && storePort > 0 && httpUrl)) throw new Error(`cannot read the ports of pacscope serve:\n${proc.output}`);
    return new ServeProcess(proc, pacsPort, storePort, httpUrl);
  }

  get alive(): boolean {
    return !this.proc.hasExited;
  }

  /** Resident memory now and at its peak, in MiB (/proc/PID/status VmRSS, VmHWM). */
  async memory(): Promise<{ rss: number; peak: number }> {
    const text = await readFile(`/proc/${this.proc.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  }

  /** GET /api/status: the guard's status, and how long the HTTP server took to answer. */
  async status(): Promise<{ guard: GuardStatus; ms: number }> {
    const t0 = performance.now();
    const res = await fetch(`${this.httpUrl}/api/status`);
    const body = (await res.json()) as { endpoints: { role: string; guard: GuardStatus }[] };
    const guard = body.endpoints.find((e) => e.role === 'pacs')!.guard;
    return { guard, ms: performance.now() - t0 };
  }

  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.proc.stop('SIGTERM', 10_000);
  }
}
