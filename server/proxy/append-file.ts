/**
 * An append-only file written around the page cache where the system
 * allows it (O_DIRECT, Linux), for the proxy's recordings: gigabytes that
 * are written once and not read back while the proxy runs.
 *
 * Why: a buffered write puts every byte through the page cache, whose pages
 * the kernel must allocate, write back and reclaim on the CPUs the relay and
 * its peers need, and the recording then evicts pages the machine does use.
 * Measured on this project's 2-core VM (dd, 1 GB): 0.24–1.1 s of system time
 * buffered, 0.15 s direct; through the proxy benchmark, recording buffered
 * cost a third of the throughput (docs in test/bench/proxy-bench.ts).
 *
 * How: bytes are copied into aligned stages (stage-pool.ts) and each full
 * stage is written at once at an offset that is a multiple of its size, from
 * libuv's thread pool, one write at a time, so the relay never waits for the
 * disk. What is not a whole block yet (the tail of the stage being filled) is
 * written through a second, ordinary descriptor when the file is flushed:
 * `FLUSH_MS` after bytes arrive, on `flush()` and on `close()`; so a reader
 * sees every record within FLUSH_MS and a stop loses nothing. A later direct
 * write of that block rewrites the same bytes together with what followed.
 * Where O_DIRECT is not there (another OS, some file systems: open or a
 * write fails with EINVAL), or the pool has no stage free, the same writes
 * go through the ordinary descriptor.
 */
import { close, constants, open, write } from 'node:fs';
import { STAGE_BYTES, StagePool } from './stage-pool.ts';

/** Logical block size that direct writes are aligned to (4096 covers 512-byte and 4K-sector devices). */
const BLOCK = 4096;
/** How long appended bytes may wait before the tail is written. */
export const FLUSH_MS = 50;

interface Write {
  buf: Buffer;
  position: number;
  /** Through the O_DIRECT descriptor (aligned address, offset and length). */
  direct: boolean;
  /** The stage to give back to the pool once written (its last write). */
  release: Buffer | null;
  /** Counted in `pending` (false for tails: their bytes are counted in the stage). */
  counted: boolean;
  /** Called once written (or once the file failed). */
  done: (() => void) | null;
}

export interface AppendFileOptions {
  /** Replace an existing file (default: refuse). */
  overwrite?: boolean;
  /** Aligned stages, shared by the files of one recording; a pool of its own when not given. */
  pool?: StagePool;
}

export class AppendFile {
  private plainFd: number | null = null;
  private directFd: number | null = null;
  private readonly pool: StagePool;
  private stage: Buffer;
  /** File position of stage[0]: a multiple of STAGE_BYTES. */
  private base = 0;
  private fill = 0;
  /** stage[0, sent) is queued or written already (a multiple of BLOCK while direct). */
  private sent = 0;
  /** `fill` when the tail was last queued: nothing new, nothing to write. */
  private tailAt = 0;
  private readonly queue: Write[] = [];
  private writing = false;
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Until known otherwise, partial writes are cut at blocks so that O_DIRECT can take them. */
  private directPossible = Boolean(constants.O_DIRECT);
  private error: Error | null = null;
  private closing: Promise<void> | null = null;
  /** Bytes appended so far (the file's length once everything is written). */
  length = 0;
  readonly opened: Promise<void>;

  constructor(
    readonly path: string,
    o: AppendFileOptions = {},
  ) {
    this.pool = o.pool ?? new StagePool(4 * STAGE_BYTES);
    this.stage = this.newStage();
    this.opened = this.openFds(o.overwrite === true);
    this.opened.catch(() => undefined);
  }

  /** Whether full stages go to the disk directly (false until opened, and where not supported). */
  get direct(): boolean {
    return this.directFd !== null;
  }

  /** Bytes appended and not yet written. */
  get pending(): number {
    return this.queued + this.fill - this.sent;
  }

  get failed(): Error | null {
    return this.error;
  }

  /** Copies `bytes` to the end of the file (it keeps no reference to them). Never throws. */
  append(bytes: Uint8Array): void {
    if (this.closing || this.error) return;
    this.length += bytes.length;
    let p = 0;
    while (p < bytes.length) {
      const k = Math.min(bytes.length - p, STAGE_BYTES - this.fill);
      this.stage.set(p === 0 && k === bytes.length ? bytes : bytes.subarray(p, p + k), this.fill);
      this.fill += k;
      p += k;
      if (this.fill === STAGE_BYTES) this.sealStage();
    }
    if (this.fill > this.sent && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.queueTail();
      }, FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Resolves when everything appended so far is in the file. */
  flush(): Promise<void> {
    if (this.closing || this.error) return this.closing?.catch(() => undefined) ?? Promise.resolve();
    this.queueTail();
    return this.drained();
  }

  /** Writes what is left and closes; rejects with the first error (e.g. the file could not be created). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      try {
        await this.opened;
      } catch {
        return; // `error` says why
      }
      if (!this.error) this.queueTail();
      await this.drained();
      this.pool.give(this.stage);
      for (const fd of [this.directFd, this.plainFd]) if (fd !== null) await new Promise<void>((resolve) => close(fd, () => resolve()));
      this.directFd = this.plainFd = null;
    })().then(() => {
      if (this.error) throw this.error;
    });
    return this.closing;
  }

  private newStage(): Buffer {
    return this.pool.take() ?? Buffer.allocUnsafe(STAGE_BYTES);
  }

  private async openFds(overwrite: boolean): Promise<void> {
    const flags = constants.O_WRONLY | constants.O_CREAT | (overwrite ? constants.O_TRUNC : constants.O_EXCL);
    try {
      this.plainFd = await openFd(this.path, flags);
    } catch (e) {
      this.fail(e as Error);
      for (const w of this.queue.splice(0)) {
        if (w.release) this.pool.give(w.release);
        w.done?.();
      }
      throw e;
    }
    // O_DIRECT is Linux's (undefined elsewhere); a file system without it answers EINVAL.
    if (this.directPossible) this.directFd = await openFd(this.path, constants.O_WRONLY | constants.O_DIRECT).catch(() => null);
    this.directPossible = this.directFd !== null;
    this.pump();
  }

  /** The full stage goes to the file as it is; the next one is filled meanwhile. */
  private sealStage(): void {
    const stage = this.stage;
    this.enqueue({ buf: stage.subarray(this.sent), position: this.base + this.sent, direct: this.pool.owns(stage), release: stage, counted: true, done: null });
    this.base += STAGE_BYTES;
    this.stage = this.newStage();
    this.fill = this.sent = this.tailAt = 0;
  }

  /** Queues what waits in the stage: whole blocks directly, the rest (or all, without O_DIRECT) through the page cache. */
  private queueTail(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.fill === this.tailAt && this.fill === this.sent) return;
    const direct = this.pool.owns(this.stage) && this.directPossible;
    const blocks = direct ? this.fill - (this.fill % BLOCK) : this.fill;
    if (blocks > this.sent) {
      this.enqueue({ buf: this.stage.subarray(this.sent, blocks), position: this.base + this.sent, direct, release: null, counted: true, done: null });
      this.sent = blocks;
    }
    if (this.fill > this.sent && this.fill !== this.tailAt) {
      this.enqueue({ buf: this.stage.subarray(this.sent, this.fill), position: this.base + this.sent, direct: false, release: null, counted: false, done: null });
    }
    this.tailAt = this.fill;
  }

  private drained(): Promise<void> {
    if (this.queue.length === 0 && !this.writing) return Promise.resolve();
    return new Promise((resolve) => this.enqueue({ buf: Buffer.alloc(0), position: 0, direct: false, release: null, counted: false, done: resolve }));
  }

  private enqueue(w: Write): void {
    if (w.counted) this.queued += w.buf.length;
    this.queue.push(w);
    this.pump();
  }

  /** One write at a time, in order: a tail and the direct write that later covers it never race. */
  private pump(): void {
    if (this.writing || this.plainFd === null || this.queue.length === 0) return;
    const w = this.queue[0];
    if (this.error || w.buf.length === 0) return this.finish(w);
    const fd = w.direct && this.directFd !== null ? this.directFd : this.plainFd;
    this.writing = true;
    write(fd, w.buf, 0, w.buf.length, w.position, (err, n) => {
      this.writing = false;
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'EINVAL' && fd === this.directFd) {
          // The device wants another alignment: the page cache from now on.
          this.dropDirect();
        } else {
          this.fail(err);
        }
        return this.pump();
      }
      if (n < w.buf.length) {
        // A short write (the disk filled up, a signal): the rest, through the page cache (it may be unaligned now).
        if (w.counted) this.queued -= n;
        w.buf = w.buf.subarray(n);
        w.position += n;
        w.direct = false;
        return this.pump();
      }
      this.finish(w);
    });
  }

  private finish(w: Write): void {
    this.queue.shift();
    if (w.counted) this.queued -= w.buf.length;
    if (w.release) this.pool.give(w.release);
    w.done?.();
    this.pump();
  }

  private dropDirect(): void {
    const fd = this.directFd;
    this.directFd = null;
    this.directPossible = false;
    if (fd !== null) close(fd, () => undefined);
  }

  private fail(e: Error): void {
    this.error ??= e;
  }
}

function openFd(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, 0o666, (err, fd) => (err ? reject(err) : resolve(fd))));
}
