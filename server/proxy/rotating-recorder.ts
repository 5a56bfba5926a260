/**
 * The headless proxy's recording: one file, or a series of files rotated by
 * size and/or time, each a complete recording that `pacscope summary FILE`
 * reads on its own.
 *
 * Connections that span a rotation move to the next file at a clean point:
 * when both directions are between two DIMSE messages (message-boundary.ts),
 * at once if they are when the rotation happens, else at the first such
 * point after it. The earlier file then ends with whole messages and the
 * connection still open; the next begins with an `open` event for it (same
 * connection number and addresses, `midStream: true`, the time of the move)
 * followed by whole PDUs. Its association's AE titles and presentation
 * contexts are in the earlier file. While connections move, two files are
 * written at once, for `switchTimeoutMs` at most (default 10 s; a connection
 * that stalls mid-message or is not DICOM is then moved where it is, mid-PDU,
 * which the decoder handles as a capture started late). Each file's metadata
 * says its part number and the file before it. No byte is in two files or in
 * none.
 */
import { basename, join } from 'node:path';
import type { Side, WireEvent, WireOpen } from '../../shared/capture/wire-event.ts';
import type { RecordingSource } from '../../shared/capture/recording/recording-meta.ts';
import { VERSION } from '../version.ts';
import { BoundedRecordingFile } from './bounded-recording-file.ts';
import { MessageBoundaryTracker } from './message-boundary.ts';
import { STAGE_BYTES, StagePool } from './stage-pool.ts';

export interface RecorderOptions {
  /** One file (no rotation). */
  path?: string;
  /** A folder for a series of files `PREFIX-STAMP-NNNN.pacscope`. */
  dir?: string;
  prefix?: string;
  /** Start a new file once this many bytes were written to the current one. */
  rotateBytes?: number;
  /** Start a new file this often (ms), if anything was recorded since the last one. */
  rotateMs?: number;
  overwrite?: boolean;
  source: RecordingSource;
  metadata?: Record<string, unknown>;
  /** Bytes queued for the disk above which data is recorded as gaps (default 64 MiB). */
  maxPendingBytes?: number;
  /** How long a rotation waits for a connection to be between messages before moving it anyway (default 10 s). */
  switchTimeoutMs?: number;
  now?: () => number;
}

export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;

interface OpenConnection {
  open: WireOpen;
  fin: Record<Side, boolean>;
  /** The file its events go to: the current one, or an earlier one it has not left yet. */
  file: BoundedRecordingFile;
  /** Null when rotation is off (nothing to track). */
  boundaries: Record<Side, MessageBoundaryTracker> | null;
}

export class RotatingRecorder {
  /** Every file of this recording, in order (the last is the one being written). */
  readonly files: string[] = [];
  private current: BoundedRecordingFile;
  /** Earlier files that connections still write to (until they reach a clean point). */
  private readonly leaving = new Set<BoundedRecordingFile>();
  /** Files being flushed and closed. */
  private readonly closing: BoundedRecordingFile[] = [];
  private readonly closed_: Promise<void>[] = [];
  private switchTimer: NodeJS.Timeout | null = null;
  private readonly open = new Map<number, OpenConnection>();
  private readonly stamp: string;
  private readonly timer: NodeJS.Timeout | null = null;
  private eventsSinceRotation = 0;
  private finished = false;
  /** Data bytes recorded as gaps because the disk fell behind, in the files closed so far (`retired`). */
  private lostInClosed = 0;
  private readonly retired = new Set<BoundedRecordingFile>();
  private errors: Error[] = [];
  /** The staging buffers of every file of this recording: the budget plus a few stages (bounded-recording-file.ts). */
  private readonly pool: StagePool;

  private constructor(private readonly o: RecorderOptions) {
    if (!o.path && !o.dir) throw new Error('a recording needs a file or a folder');
    if (o.path && (o.rotateBytes || o.rotateMs)) throw new Error('rotation needs a folder (--record-dir), not one file');
    this.pool = new StagePool((o.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES) + 4 * STAGE_BYTES);
    this.stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    this.current = this.newFile(null);
    if (o.rotateMs) {
      this.timer = setInterval(() => {
        if (this.eventsSinceRotation > 0) this.rotate();
      }, o.rotateMs);
      this.timer.unref();
    }
  }

  /** Opens the first file; rejects when it cannot be created (exists, no such folder, no permission). */
  static async open(o: RecorderOptions): Promise<RotatingRecorder> {
    const r = new RotatingRecorder(o);
    try {
      await r.current.opened;
    } catch (e) {
      if (r.timer) clearInterval(r.timer);
      throw new Error(`cannot create recording ${r.current.path}: ${(e as Error).message}`);
    }
    return r;
  }

  /** The file being written now. */
  get path(): string {
    return this.current.path;
  }

  /**
   * Data bytes recorded as gaps because the disk fell behind, over all files:
   * each file's are counted once, from `lostInClosed` once it is closed, from
   * the file itself before (the current file is also among the closing ones
   * during close()).
   */
  get lostBytes(): number {
    let n = this.lostInClosed;
    for (const f of new Set([this.current, ...this.leaving, ...this.closing])) if (!this.retired.has(f)) n += f.lostBytes;
    return n;
  }

  /** Appends one wire event; rotates after it when the size limit is reached. Never throws. */
  write(event: WireEvent): void {
    if (this.finished) return;
    const c = this.open.get(event.conn);
    if (event.kind === 'open') {
      this.open.set(event.conn, {
        open: event,
        fin: { requestor: false, acceptor: false },
        file: this.current,
        boundaries: this.o.dir ? { requestor: new MessageBoundaryTracker(), acceptor: new MessageBoundaryTracker() } : null,
      });
      this.current.write(event);
    } else if (!c) {
      this.current.write(event); // refused, or an event of a connection never opened here
    } else if (event.kind === 'data') {
      this.writeData(c, event);
    } else {
      c.file.write(event);
      if (event.kind === 'gap' && c.boundaries) c.boundaries[event.from].lost = true;
      if (event.kind === 'close') this.closed(c, event.from, event.how);
    }
    this.eventsSinceRotation += 1;
    if (this.o.rotateBytes && this.current.bytesWritten >= this.o.rotateBytes) this.rotate();
  }

  /** Data of a connection: in its file, or split where it may move to the current file. */
  private writeData(c: OpenConnection, event: WireEvent & { kind: 'data' }): void {
    const cuts = c.boundaries ? c.boundaries[event.from].push(event.bytes) : [];
    if (c.file === this.current) {
      c.file.write(event);
      return;
    }
    const other = c.boundaries![event.from === 'requestor' ? 'acceptor' : 'requestor'];
    const at = other.betweenMessages && other.pdus > 0 ? cuts.find(() => true) : undefined;
    if (at === undefined) {
      c.file.write(event);
      return;
    }
    if (at > 0) c.file.write({ ...event, bytes: event.bytes.subarray(0, at) });
    this.move(c, event.time);
    if (at < event.bytes.length) c.file.write({ ...event, bytes: event.bytes.subarray(at) });
  }

  /** Starts the next file now (also called by the timer and on size). */
  rotate(): void {
    if (this.finished || !this.o.dir) return;
    // Connections still in an older file are moved where they are: one rotation waits for them at most.
    this.forceMoves();
    const old = this.current;
    this.current = this.newFile(old.path);
    this.eventsSinceRotation = 0;
    const now = (this.o.now ?? Date.now)();
    for (const c of this.open.values()) if (this.atCleanPoint(c)) this.move(c, now);
    this.leaving.add(old);
    this.retireIfLeft(old);
    if (this.leaving.has(old)) {
      this.switchTimer = setTimeout(() => this.forceMoves(), this.o.switchTimeoutMs ?? 10_000);
      this.switchTimer.unref();
    }
  }

  private atCleanPoint(c: OpenConnection): boolean {
    const b = c.boundaries;
    return b !== null && b.requestor.betweenMessages && b.acceptor.betweenMessages && b.requestor.pdus > 0 && b.acceptor.pdus > 0;
  }

  /** Connection `c` continues in the current file. */
  private move(c: OpenConnection, time: number): void {
    const old = c.file;
    c.file = this.current;
    this.current.write({ ...c.open, time, midStream: true });
    this.retireIfLeft(old);
  }

  private forceMoves(): void {
    if (this.switchTimer) clearTimeout(this.switchTimer);
    this.switchTimer = null;
    const now = (this.o.now ?? Date.now)();
    for (const c of this.open.values()) if (c.file !== this.current) this.move(c, now);
  }

  /** Closes an earlier file once no open connection writes to it any more. */
  private retireIfLeft(file: BoundedRecordingFile): void {
    if (file === this.current || !this.leaving.has(file)) return;
    for (const c of this.open.values()) if (c.file === file) return;
    this.leaving.delete(file);
    this.closing.push(file);
    this.closed_.push(
      file.close().then(
        () => this.retire(file),
        (e: Error) => {
          this.retire(file);
          this.errors.push(e);
        },
      ),
    );
  }

  private closed(c: OpenConnection, from: Side | null, how: 'fin' | 'reset' | 'error'): void {
    if (how === 'fin' && from !== null) c.fin[from] = true;
    if (how !== 'fin' || from === null || (c.fin.requestor && c.fin.acceptor)) {
      this.open.delete(c.open.conn);
      this.retireIfLeft(c.file);
    }
  }

  /** A metadata update (an `M` record, shallow-merged by readers) in the current file, e.g. a live capture's counters when it stops. */
  writeMetadata(metadata: Record<string, unknown>): void {
    if (!this.finished) this.current.writeMetadata(metadata);
  }

  /** Everything written so far is in the current file. */
  flush(): Promise<void> {
    return this.current.flush();
  }

  /** Flushes and closes every file; rejects with the first write error. */
  async close(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      if (this.timer) clearInterval(this.timer);
      if (this.switchTimer) clearTimeout(this.switchTimer);
      for (const f of [...this.leaving, this.current]) {
        this.closing.push(f);
        this.closed_.push(f.close().then(() => this.retire(f), (e: Error) => (this.retire(f), void this.errors.push(e))));
      }
      this.leaving.clear();
    }
    await Promise.all(this.closed_);
    if (this.errors.length > 0) throw this.errors[0];
  }

  /** Bytes queued in memory for every file still open. */
  /** Bytes queued in memory for the disk, over every file still being written. */
  get pendingBytes(): number {
    return this.allPending();
  }

  private allPending(): number {
    let n = this.current.pending;
    for (const f of this.leaving) n += f.pending;
    for (const f of this.closing) n += f.pending;
    return n;
  }

  private retire(old: BoundedRecordingFile): void {
    if (this.retired.has(old)) return;
    this.retired.add(old);
    this.lostInClosed += old.lostBytes;
    this.closing.splice(this.closing.indexOf(old), 1);
  }

  private newFile(previous: string | null): BoundedRecordingFile {
    const part = this.files.length + 1;
    const path = this.o.path ?? join(this.o.dir!, `${this.o.prefix ?? 'pacscope-proxy'}-${this.stamp}-${String(part).padStart(4, '0')}.pacscope`);
    const file: BoundedRecordingFile = new BoundedRecordingFile(
      path,
      { tool: { name: 'pacscope', version: VERSION }, startTime: (this.o.now ?? Date.now)(), source: this.o.source, metadata: { ...this.o.metadata } },
      {
        overwrite: this.o.overwrite,
        maxPendingBytes: this.o.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES,
        pool: this.pool,
        otherPending: (): number => this.allPending() - file.pending,
      },
    );
    if (this.o.dir) file.writeMetadata({ part, previous: previous === null ? null : basename(previous) });
    this.files.push(path);
    return file;
  }
}
