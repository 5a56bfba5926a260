/**
 * dumpcap's ring of capture files, read as they grow (issue 17).
 *
 * Why files and not a pipe: with `-w -`, dumpcap blocks on the pipe whenever
 * its reader is busy, and while it blocks the kernel's buffer fills and the
 * kernel drops packets. pacscope decodes and records every DICOM byte; on a
 * loaded machine (the capture benchmark: a 1 GB loopback C-STORE, 2 CPUs
 * shared with storescu, storescp and dumpcap) it fell behind the transfer for
 * seconds at a time and the kernel dropped ~100,000 packets, where dumpcap
 * alone writing a file dropped none. Written to files, dumpcap never waits on
 * pacscope: the disk takes up the difference, and pacscope reads behind it,
 * late by the backlog but losing nothing. Wireshark's own GUI reads a live
 * capture the same way (dumpcap writes a temporary file, the GUI follows it).
 *
 * The files: dumpcap `-b filesize:N -w DIR/capture.pcapng` writes
 * DIR/capture_00001_<time>.pcapng, …_00002_…, each a pcapng section of its
 * own (a Section Header Block and the Interface Description Blocks again),
 * and names each on stderr ("File: PATH") once it has opened it, after it has
 * closed the one before. So a file is whole once the next one is named, or
 * once dumpcap has exited; it is read to its end, then deleted: the disk
 * holds only the backlog. dumpcap flushes a file after each of its updates
 * (every 0.5 s, when it prints "Packets: N"), so that is when its packets can
 * be read; `wake()` is called then, a timer looks again besides.
 */
import { mkdtempSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Each file of the ring, in KiB (dumpcap's `-b filesize:`): what one deletion frees. */
export const SPOOL_FILE_KIB = 64 * 1024;
const READ_BYTES = 1024 * 1024;
const POLL_MS = 50;
const BUSY_MS = 5;

export class CaptureSpool {
  /** The files dumpcap named so far, in order. */
  private readonly files: string[] = [];
  private index = 0;
  private ended = false;
  private waiting: (() => void) | null = null;
  /** Bytes read from the files so far. */
  bytesRead = 0;
  /** The largest number of whole files that waited to be read at once: how far behind the reader fell. */
  maxBacklogFiles = 0;
  /** Resolves once every byte of every file was given to `onData` after `end()`. */
  readonly drained: Promise<void>;

  readonly dir: string;
  private readonly keepDir: boolean;

  /**
   * A spool in `dir` (kept, its files deleted as read), or in a directory of
   * its own under the OS's temp dir (removed at the end). While `busy()` says
   * so (whoever takes the chunks holds too much: events to decode, bytes for
   * its recording's disk), nothing more is read: the backlog waits on disk,
   * not in memory.
   */
  constructor(
    private readonly onData: (chunk: Uint8Array) => void,
    dir?: string,
    private readonly busy: () => boolean = () => false,
  ) {
    this.keepDir = dir !== undefined;
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'pacscope-capture-'));
    this.drained = this.follow();
  }

  /** The `-w` path to give dumpcap, with `-b filesize:SPOOL_FILE_KIB`. */
  get target(): string {
    return join(this.dir, 'capture.pcapng');
  }

  /** dumpcap named a new file (its stderr's "File: PATH"): the one before is whole. */
  named(path: string): void {
    this.files.push(path);
    this.maxBacklogFiles = Math.max(this.maxBacklogFiles, this.files.length - this.index - 1);
    this.wake();
  }

  /** Something may have been written: look now rather than at the next tick. */
  wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  /** dumpcap has exited: every file is whole; read them to their ends. */
  end(): Promise<void> {
    this.ended = true;
    this.wake();
    return this.drained;
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), POLL_MS);
      this.waiting = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async follow(): Promise<void> {
    // One buffer, reused: `onData`'s chunk is valid during the call only (the importer copies what it keeps).
    const buffer = new Uint8Array(READ_BYTES);
    let file: FileHandle | null = null;
    let offset = 0;
    try {
      for (;;) {
        if (file === null) {
          if (this.index < this.files.length) {
            file = await open(this.files[this.index], 'r');
            offset = 0;
          } else if (this.ended) break;
          else {
            await this.pause();
            continue;
          }
        }
        if (this.busy()) {
          await new Promise((resolve) => setTimeout(resolve, BUSY_MS));
          continue;
        }
        // Whole before the read: a read of nothing after it is the true end of the file.
        const whole = this.ended || this.index + 1 < this.files.length;
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        if (bytesRead > 0) {
          offset += bytesRead;
          this.bytesRead += bytesRead;
          this.onData(buffer.subarray(0, bytesRead));
        } else if (whole) {
          await file.close();
          file = null;
          await rm(this.files[this.index], { force: true });
          this.index += 1;
        } else await this.pause();
      }
    } finally {
      await file?.close().catch(() => undefined);
      if (!this.keepDir) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
