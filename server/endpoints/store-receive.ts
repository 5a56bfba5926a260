/**
 * The C-STORE receive path shared by the store SCP and the PACS: the data set
 * of a C-STORE-RQ (PS3.7 §9.1.1) is written to disk as it comes off the wire,
 * PDV by PDV, behind a File Meta Information header (PS3.10 §7.1) made from
 * the request's Affected SOP Class/Instance UIDs and the presentation
 * context's accepted transfer syntax — no parse, no re-encoding, so the saved
 * data set is byte for byte what the peer sent (its Specific Character Set
 * included). Asynchronous (fs/promises) and atomic: a hidden temporary file
 * in the destination directory, renamed when the SCP accepts the instance.
 *
 * It plugs into dcmjs-dimse's Scp hooks (one StoreReceiver per Scp):
 *
 *   override createStoreWritableStream(pc, request) { return this.receiver.writable(pc, request); }
 *   override createDatasetFromStoreWritableStream(_w, pc, cb) { cb(this.receiver.placeholder(pc)); }
 *   override cStoreRequest(request, cb) { this.receiver.take(request).then((file) => file.commit(path)) … }
 *   on 'close': this.receiver.abortAll();
 */
import { randomUUID } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import dimse from '../dimse/library.ts';
import type { CStoreRequest, Dataset, PresentationContext } from '../dimse/library.ts';
import { encodeFileMetaInformation, isValidUid } from './file-meta.ts';

const { Dataset: DatasetClass } = dimse;

/** PS3.4 Table B.2-1: Refused: Out of Resources (the disk), Error: Cannot understand (bad request). */
export const STORE_STATUS = Object.freeze({ OutOfResources: 0xa700, CannotUnderstand: 0xc000 });

/** A failed C-STORE with the status its response should carry. */
export class StoreFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The status for an error of the receive path (0xC000 unless it says otherwise). */
export function storeFailureStatus(error: unknown): number {
  return error instanceof StoreFailure ? error.status : STORE_STATUS.CannotUnderstand;
}

/** A complete Part 10 file under a temporary name, waiting to be kept or dropped. */
export interface ReceivedFile {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly tmpPath: string;
  /** Length of the File Meta Information (preamble included): the data set starts here. */
  readonly datasetOffset: number;
  readonly datasetBytes: number;
  /** Renames the file to `path` (same directory: atomic); on failure the temporary file is removed. */
  commit(path: string): Promise<void>;
  /** Removes the temporary file. */
  discard(): Promise<void>;
}

/**
 * dcmjs-dimse awaits 'drain' only for the first PDV of a data set and does not
 * serialise its PDU handlers: a `false` from write() would let later PDUs
 * overtake the waiting one. So this stream never reports itself full (the
 * bytes wait in memory while the disk catches up, as in the library's own
 * memory stream) and never errors (a failure is kept and reported in `result`).
 */
const NEVER_FULL = 2 ** 31;
/**
 * Received bytes are written in pieces of about this size: each write is a round trip through
 * libuv's thread pool, so not one per PDV, but early enough that little is left when the last
 * PDV arrives (and memory stays bounded for big instances).
 */
const FLUSH_BYTES = 256 * 1024;

class Part10Sink extends Writable {
  private handle: FileHandle | null = null;
  private failure: Error | null;
  private finished = false;
  private settle!: { resolve: (f: ReceivedFile) => void; reject: (e: Error) => void };
  private datasetBytes = 0;
  /** Bytes not yet handed to the file (the header first). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  readonly result: Promise<ReceivedFile>;

  constructor(
    private readonly tmpPath: string,
    private readonly meta: { sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string },
    private readonly head: Uint8Array | null,
    problem: Error | null,
  ) {
    super({ highWaterMark: NEVER_FULL, decodeStrings: false });
    this.failure = problem;
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.result.catch(() => {}); // Nobody may ask (an aborted association): not an unhandled rejection.
  }

  override _construct(callback: () => void): void {
    if (this.failure || !this.head) return callback();
    this.pending.push(this.head);
    this.pendingBytes += this.head.length;
    open(this.tmpPath, 'wx')
      .then((h) => (this.handle = h))
      .catch((e: Error) => this.fail(e))
      .finally(callback);
  }

  override _writev(chunks: { chunk: Uint8Array }[], callback: () => void): void {
    for (const { chunk } of chunks) {
      this.datasetBytes += chunk.length;
      if (this.failure) continue;
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    // Few, large writes: each one is a round trip through libuv's thread pool.
    if (this.pendingBytes < FLUSH_BYTES) return callback();
    this.flush().finally(callback);
  }

  /** Writes what is pending (libuv writes all of the buffers, looping over short writes and IOV_MAX). */
  private async flush(): Promise<void> {
    const buffers = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.failure || !this.handle || buffers.length === 0) return;
    await this.handle.writev(buffers).catch((e: Error) => this.fail(e));
  }

  override _final(callback: () => void): void {
    void this.flush().finally(() => {
      this.finished = true;
      if (this.failure) {
        void this.closeHandle()
          .then(() => unlink(this.tmpPath))
          .catch(() => {});
        this.settle.reject(this.failure);
      } else {
        // All bytes are written: the file may be renamed (and its C-STORE-RSP sent) while it is closed.
        void this.closeHandle();
        this.settle.resolve(this.received());
      }
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.finished) return callback();
    this.pending = [];
    this.closeHandle()
      .then(() => (this.head ? unlink(this.tmpPath) : undefined))
      .catch(() => {})
      .finally(() => {
        this.settle.reject(new StoreFailure('the association ended before the data set was complete', STORE_STATUS.CannotUnderstand));
        callback();
      });
    void error;
  }

  private fail(e: Error): void {
    this.failure ??= new StoreFailure(`cannot write ${this.tmpPath}: ${e.message}`, STORE_STATUS.OutOfResources);
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.close().catch((e: Error) => this.fail(e));
  }

  private received(): ReceivedFile {
    const tmpPath = this.tmpPath;
    const discard = () => unlink(tmpPath).catch(() => {});
    return {
      ...this.meta,
      tmpPath,
      datasetOffset: this.head!.length,
      datasetBytes: this.datasetBytes,
      discard,
      commit: async (path: string) => {
        try {
          await rename(tmpPath, path);
        } catch (e) {
          await discard();
          throw new StoreFailure(`cannot save ${path}: ${(e as Error).message}`, STORE_STATUS.OutOfResources);
        }
      },
    };
  }
}

/** One per Scp: the data sets of its C-STORE-RQs on their way to `dir()`. */
export class StoreReceiver {
  private readonly byRequest = new WeakMap<object, Part10Sink>();
  private readonly unfinished = new Set<Part10Sink>();

  /** `dir`: where the temporary files go — the directory the files are committed to (rename stays atomic). */
  constructor(private readonly dir: () => string) {}

  /** For Scp.createStoreWritableStream: a stream that writes the data set into a temporary Part 10 file. */
  writable(pc: PresentationContext, request: CStoreRequest): Writable {
    const meta = {
      sopClassUid: request.getAffectedSopClassUid() ?? '',
      sopInstanceUid: request.getAffectedSopInstanceUid() ?? '',
      transferSyntaxUid: pc.getAcceptedTransferSyntaxUid() ?? '',
    };
    let head: Uint8Array | null = null;
    let problem: Error | null = null;
    try {
      // The UID names the file: only digits and dots reach a path (isValidUid).
      head = encodeFileMetaInformation({
        ...meta,
        implementationClassUid: dimse.Implementation.getImplementationClassUid(),
        implementationVersionName: dimse.Implementation.getImplementationVersion(),
      });
    } catch (e) {
      problem = new StoreFailure((e as Error).message, STORE_STATUS.CannotUnderstand);
    }
    const name = isValidUid(meta.sopInstanceUid) ? meta.sopInstanceUid : 'invalid';
    const sink = new Part10Sink(join(this.dir(), `.${name}.${randomUUID().slice(0, 8)}.tmp`), meta, head, problem);
    this.byRequest.set(request, sink);
    this.unfinished.add(sink);
    sink.once('close', () => this.unfinished.delete(sink));
    sink.once('finish', () => this.unfinished.delete(sink));
    return sink;
  }

  /**
   * For Scp.createDatasetFromStoreWritableStream: what the library hands to cStoreRequest as the
   * request's data set. An empty one: the bytes are in the file, and parsing them is what this avoids.
   */
  placeholder(pc: PresentationContext): Dataset {
    return new DatasetClass({}, pc.getAcceptedTransferSyntaxUid()) as Dataset;
  }

  /** The file of a request's data set, once it is all on disk. */
  take(request: CStoreRequest): Promise<ReceivedFile> {
    const sink = this.byRequest.get(request);
    if (!sink) return Promise.reject(new StoreFailure('no data set received', STORE_STATUS.CannotUnderstand));
    this.byRequest.delete(request);
    return sink.result;
  }

  /** The association ended: data sets still arriving are dropped with their temporary files (complete ones are left to take()). */
  abortAll(): void {
    for (const sink of this.unfinished) if (!sink.writableEnded) sink.destroy();
    this.unfinished.clear();
  }
}
