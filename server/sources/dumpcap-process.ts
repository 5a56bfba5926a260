/**
 * Debian's `dumpcap` (package wireshark-common) as a child process: the
 * capture engine of `pacscope capture` and `pacscope serve --capture`. It
 * opens the interface with the rights it was given (root, the wireshark
 * group, or file capabilities), applies the BPF filter in the kernel and
 * writes pcapng to a ring of files in a spool directory, which pacscope reads
 * as they grow and deletes once read (capture-spool.ts says why files and not
 * a pipe: dumpcap then never waits on pacscope, and the kernel never drops
 * for pacscope's sake).
 *
 * What dumpcap says on stderr is read as it comes:
 * - `Capturing on 'Loopback: lo'` comes before the interface is really open
 *   (it is printed for an interface that does not exist too): the capture is
 *   open once the first pcapng bytes (section header and interface
 *   description, which dumpcap flushes as it opens the file) are read; a
 *   failure comes with no file.
 * - `File: PATH` as it opens each file of the ring (the spool follows them).
 * - `Packets: N` after each update (every half second or so, without `-q`),
 *   when it has just flushed its file: the packets it has captured so far —
 *   its only live counter. Drops are known when it stops, from its last
 *   stderr line, `Packets received/dropped on interface 'lo': 30/0
 *   (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)` (written to a pipe it
 *   also put them in an Interface Statistics Block; its ring files have none).
 *   Its `-S` mode prints counters once a second, but of handles of its own,
 *   not of the capture's: no use here.
 * - an error (`dumpcap: …` and the lines after it), which
 *   dumpcap-problems.ts turns into what the user should do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CaptureSpool, SPOOL_FILE_KIB } from './capture-spool.ts';

export interface DumpcapOptions {
  /** Interface name or number of `dumpcap -D`. */
  interface: string;
  /** The BPF filter given to dumpcap (-f); '' for none. */
  filter: string;
  /** Kernel buffer in MiB (-B; dumpcap's default is 2). */
  bufferMiB?: number;
  /** The program (default `dumpcap`, found on PATH; PACSCOPE_DUMPCAP overrides). */
  command?: string;
  /** Where dumpcap's files wait to be read (default: a directory of its own under the OS's temp dir, removed at the end). */
  spoolDir?: string;
  /** True while the reader holds too much to be given more (capture-spool.ts). */
  busy?: () => boolean;
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

/** `target`: the ring's file name (dumpcap inserts a number and a time before its extension). */
export function dumpcapArgs(o: DumpcapOptions, target: string): string[] {
  return ['-i', o.interface, ...(o.filter ? ['-f', o.filter] : []), ...(o.bufferMiB ? ['-B', String(o.bufferMiB)] : []), '-b', `filesize:${SPOOL_FILE_KIB}`, '-w', target];
}

export class DumpcapProcess {
  /** Packets captured so far, as dumpcap last said (its `Packets: N`). */
  packets = 0;
  /** Its account at the end, once it printed it. */
  finalCounts: DumpcapFinalCounts | null = null;
  /** Resolves with the first bytes of its first file (the capture is open), or rejects with the exit if it ends before. */
  readonly opened: Promise<void>;
  readonly exited: Promise<DumpcapExit>;
  readonly command: string;
  private readonly child: ChildProcess;
  private readonly spool: CaptureSpool;
  private stderr = '';
  /** The stderr line not yet ended. */
  private partial = '';
  private spawnError: NodeJS.ErrnoException | null = null;
  private exit: DumpcapExit | null = null;

  /** Starts dumpcap; every chunk of its capture goes to `onData` (valid during the call), in order, as it is written. */
  constructor(o: DumpcapOptions, onData: (chunk: Uint8Array) => void) {
    this.command = o.command ?? dumpcapCommand();
    let open = false;
    this.spool = new CaptureSpool((chunk) => {
      if (!open) {
        open = true;
        markOpened();
      }
      onData(chunk);
    }, o.spoolDir, o.busy);
    // C locale: the messages matched here are dumpcap's English ones. A process group of its own: a Ctrl-C in
    // the terminal goes to pacscope, which stops dumpcap itself after its last probe (live-capture.ts), rather
    // than to both at once (dumpcap ending first would look like a capture that died).
    this.child = spawn(this.command, dumpcapArgs(o, this.spool.target), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, detached: true });
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
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => this.onStderr(s));
    this.exited = new Promise<DumpcapExit>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exit) return;
        this.exit = { code, signal, spawnError: this.spawnError, stderr: this.stderr };
        const exit = this.exit;
        // Every byte it wrote is read before the exit is told: the capture's last packets, then its end.
        void this.spool.end().then(
          () => {
            if (!open) failOpen(exit);
            resolve(exit);
          },
          (e: Error) => {
            this.stderr += `\npacscope: reading dumpcap's files in ${this.spool.dir}: ${e.message}\n`;
            if (!open) failOpen(exit);
            resolve(exit);
          },
        );
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
        if (this.partial) this.onStderr('\n');
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

  /** Bytes of the capture read so far, and how far behind dumpcap the reading fell (whole files waiting, at most). */
  get spooled(): { bytes: number; maxBacklogFiles: number; dir: string } {
    return { bytes: this.spool.bytesRead, maxBacklogFiles: this.spool.maxBacklogFiles, dir: this.spool.dir };
  }

  private onStderr(text: string): void {
    const s = text.replace(/\r/g, '\n');
    this.stderr = (this.stderr + s).slice(-STDERR_KEEP);
    const lines = (this.partial + s).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      // "Packets: 7 File: /tmp/…/capture_00002_20261206224007.pcapng": a path runs to the end of its line.
      const file = /(?:^|\s)File: (.+)$/.exec(line);
      if (file) this.spool.named(file[1]);
    }
    // Each count follows a flush of the file: its packets can be read now.
    if (/Packets/.test(s)) this.spool.wake();
    // A count is whole once a blank follows it (a chunk may end inside the number).
    for (const m of this.stderr.slice(-256).matchAll(/Packets(?: captured)?: (\d+)\s/g)) this.packets = Math.max(this.packets, Number(m[1]));
    const last = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+) \(([^)]*)\)/.exec(this.stderr);
    if (last) this.finalCounts = { received: Number(last[1]), dropped: Number(last[2]), detail: last[3] };
  }
}
