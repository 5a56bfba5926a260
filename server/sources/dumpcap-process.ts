/**
 * Debian's `dumpcap` (package wireshark-common) as a child process: the
 * capture engine of `pacscope capture` and `pacscope serve --capture`. It
 * opens the interface with the rights it was given (root, the wireshark
 * group, or file capabilities), applies the BPF filter in the kernel and
 * writes pcapng to its stdout (`-w -`), flushing each packet when the output
 * is a pipe, so the packets reach us as they are captured.
 *
 * What dumpcap says on stderr is read as it comes:
 * - `Capturing on 'Loopback: lo'` comes before the interface is really open
 *   (it is printed for an interface that does not exist too): the capture is
 *   open once the first pcapng bytes (section header and interface
 *   description) arrive on stdout; a failure comes with no byte there.
 * - `Packets: N` every half second or so (without `-q`): the packets it has
 *   captured so far — its only live counter. Drops are known when it stops:
 *   in the Interface Statistics Block it writes at the end of the pcapng
 *   (isb_ifdrop = libpcap's ps_drop + its own drops + packets flushed;
 *   dumpcap.c, capture_loop_close_output) and in its last stderr line,
 *   `Packets received/dropped on interface 'lo': 30/0 (pcap:0/dumpcap:0/
 *   flushed:0/ps_ifdrop:0) (100.0%)`. Its `-S` mode prints counters once a
 *   second, but of handles of its own, not of the capture's: no use here.
 * - an error (`dumpcap: …` and the lines after it), which
 *   dumpcap-problems.ts turns into what the user should do.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface DumpcapOptions {
  /** Interface name or number of `dumpcap -D`. */
  interface: string;
  /** The BPF filter given to dumpcap (-f); '' for none. */
  filter: string;
  /** Kernel buffer in MiB (-B; dumpcap's default is 2). */
  bufferMiB?: number;
  /** The program (default `dumpcap`, found on PATH; PACSCOPE_DUMPCAP overrides). */
  command?: string;
}

/** dumpcap's own account at the end (its last stderr line), per interface. */
export interface DumpcapFinalCounts {
  received: number;
  dropped: number;
  /** The breakdown dumpcap gives: "pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0". */
  detail: string;
}

export interface DumpcapExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when it could not be started at all (ENOENT: not installed or not on PATH; EACCES). */
  spawnError: NodeJS.ErrnoException | null;
  /** Everything it wrote on stderr (its counters' carriage returns as new lines). */
  stderr: string;
}

const STDERR_KEEP = 64 * 1024;

export function dumpcapCommand(): string {
  return process.env.PACSCOPE_DUMPCAP || 'dumpcap';
}

export function dumpcapArgs(o: DumpcapOptions): string[] {
  return ['-i', o.interface, ...(o.filter ? ['-f', o.filter] : []), ...(o.bufferMiB ? ['-B', String(o.bufferMiB)] : []), '-w', '-'];
}

export class DumpcapProcess {
  /** Packets captured so far, as dumpcap last said (its `Packets: N`). */
  packets = 0;
  /** Its account at the end, once it printed it. */
  finalCounts: DumpcapFinalCounts | null = null;
  /** Resolves with the first stdout bytes (the capture is open), or rejects with the exit if it ends before. */
  readonly opened: Promise<void>;
  readonly exited: Promise<DumpcapExit>;
  readonly command: string;
  private readonly child: ChildProcess;
  private stderr = '';
  private spawnError: NodeJS.ErrnoException | null = null;
  private exit: DumpcapExit | null = null;

  /** Starts dumpcap; every stdout chunk goes to `onData` (a plain Uint8Array view, valid during the call). */
  constructor(o: DumpcapOptions, onData: (chunk: Uint8Array) => void) {
    this.command = o.command ?? dumpcapCommand();
    // C locale: the messages matched here are dumpcap's English ones. A process group of its own: a Ctrl-C in
    // the terminal goes to pacscope, which stops dumpcap itself after its last probe (live-capture.ts), rather
    // than to both at once (dumpcap ending first would look like a capture that died).
    this.child = spawn(this.command, dumpcapArgs(o), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, detached: true });
    // pacscope ending any other way (an exception, process.exit) takes dumpcap with it.
    const orphaned = () => this.child.kill('SIGKILL');
    process.once('exit', orphaned);
    let markOpened: () => void = () => undefined;
    let failOpen: (e: DumpcapExit) => void = () => undefined;
    this.opened = new Promise<void>((resolve, reject) => {
      markOpened = resolve;
      failOpen = reject;
    });
    // Nobody may await `opened` (a caller that stops first): no unhandled rejection.
    this.opened.catch(() => undefined);
    let open = false;
    this.child.stdout!.on('data', (b: Buffer) => {
      if (!open) {
        open = true;
        markOpened();
      }
      onData(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => this.onStderr(s));
    this.exited = new Promise<DumpcapExit>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exit) return;
        this.exit = { code, signal, spawnError: this.spawnError, stderr: this.stderr };
        if (!open) failOpen(this.exit);
        resolve(this.exit);
      };
      this.child.on('error', (e: NodeJS.ErrnoException) => {
        this.spawnError = e;
        // A spawn failure emits no 'close' when nothing was started.
        if (this.child.pid === undefined) {
          process.off('exit', orphaned);
          done(null, null);
        }
      });
      this.child.on('close', (code, signal) => {
        process.off('exit', orphaned);
        done(code, signal);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** What dumpcap said on stderr so far. */
  get log(): string {
    return this.stderr;
  }

  /**
   * Stops the capture as Ctrl-C does (SIGINT): dumpcap writes the packets it
   * holds and its Interface Statistics Block, then exits; SIGKILL after
   * `graceMs`.
   */
  async stop(graceMs = 5000): Promise<DumpcapExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    timer.unref();
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private onStderr(text: string): void {
    const s = text.replace(/\r/g, '\n');
    this.stderr = (this.stderr + s).slice(-STDERR_KEEP);
    // A count is whole once a blank follows it (a chunk may end inside the number).
    for (const m of this.stderr.slice(-256).matchAll(/Packets(?: captured)?: (\d+)\s/g)) this.packets = Math.max(this.packets, Number(m[1]));
    const last = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+) \(([^)]*)\)/.exec(this.stderr);
    if (last) this.finalCounts = { received: Number(last[1]), dropped: Number(last[2]), detail: last[3] };
  }
}
