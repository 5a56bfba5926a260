/**
 * Running DCMTK and Wireshark tools: one-shot tools whose combined output is
 * captured, and servers that run in their own process group until stopped.
 * Every DCMTK process gets TCP_NODELAY=1 (docs/architecture.md: Nagle + delayed ACK
 * otherwise adds ~40 ms per small exchange).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ToolResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr as they arrived (DCMTK logs to both). */
  output: string;
  ms: number;
}

export interface ToolOptions {
  cwd?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** How to decode the output: DCMTK logs are Latin-1 bytes, pacscope prints UTF-8. */
  encoding?: 'latin1' | 'utf8';
  /** RunningProcess only: take stdout as raw bytes (it is then not part of `output`). */
  stdout?: (chunk: Buffer) => void;
}

function toolEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, TCP_NODELAY: '1', LC_ALL: 'C', ...extra };
}

function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/[\s'"|*]/.test(a) ? `'${a}'` : a)).join(' ');
}

/** Runs a tool to its end; never rejects because of its exit code (callers assert on it). */
export function runTool(cmd: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const started = Date.now();
  const command = describe(cmd, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: toolEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const enc = opts.encoding ?? 'latin1';
    child.stdout.setEncoding(enc).on('data', (s: string) => (output += s));
    child.stderr.setEncoding(enc).on('data', (s: string) => (output += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      output += `\n[harness] killed after ${opts.timeoutMs ?? 30_000} ms\n`;
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ command, code, signal, output, ms: Date.now() - started });
    });
  });
}

/** A long-running process (storescp, dcmqrscp, dumpcap) in its own process group. */
export class RunningProcess {
  readonly command: string;
  output = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private waiters: { re: RegExp; resolve: () => void }[] = [];

  constructor(cmd: string, args: readonly string[], opts: ToolOptions = {}) {
    this.command = describe(cmd, args);
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: toolEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: dcmqrscp forks a child per association; stop() ends them all.
      detached: true,
    });
    const onText = (s: string) => {
      this.output += s;
      this.waiters = this.waiters.filter((w) => {
        if (!w.re.test(this.output)) return true;
        w.resolve();
        return false;
      });
    };
    const raw = opts.stdout;
    if (raw) this.child.stdout!.on('data', (b: Buffer) => raw(b));
    else this.child.stdout!.setEncoding('latin1').on('data', onText);
    this.child.stderr!.setEncoding('latin1').on('data', onText);
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      this.child.on('error', (err) => {
        this.output += `\n[harness] spawn error: ${err.message}\n`;
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== null;
  }

  /** Resolves once the output matches `re`; rejects on timeout or exit. */
  waitFor(re: RegExp, timeoutMs: number): Promise<void> {
    if (re.test(this.output)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.command}: no ${re} after ${timeoutMs} ms; output:\n${this.output.slice(-2000)}`)), timeoutMs);
      this.waiters.push({ re, resolve: () => (clearTimeout(timer), resolve()) });
      void this.exited.then((info) => {
        clearTimeout(timer);
        if (!re.test(this.output)) reject(new Error(`${this.command} exited (${info.code ?? info.signal}) before ${re}; output:\n${this.output.slice(-2000)}`));
      });
    });
  }

  /** Sends `signal` to the process group, waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exitInfo) return this.exitInfo;
    const pid = this.child.pid;
    if (pid === undefined) return this.exited;
    const send = (sig: NodeJS.Signals, group: boolean) => {
      try {
        process.kill(group ? -pid : pid, sig);
      } catch {
        /* already gone */
      }
    };
    send(signal, signal !== 'SIGINT');
    const timer = setTimeout(() => send('SIGKILL', true), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    // Forked children (dcmqrscp) may outlive the parent: end the group.
    if (signal !== 'SIGINT') send('SIGKILL', true);
    return info;
  }
}
