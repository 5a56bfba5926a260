/**
 * The base of every SCP here that accepts C-STORE (the built-in PACS, the
 * store SCP): data sets go to disk as they arrive, unparsed and unchanged,
 * through a StoreReceiver (store-receive.ts); an association that ends mid
 * data set leaves no file behind. Both also answer C-ECHO (Verification,
 * PS3.4 Annex A) and A-RELEASE-RQ the same way.
 */
import type net from 'node:net';
import type { Writable } from 'node:stream';
import dimse from '../dimse/library.ts';
import type { CEchoRequest, CEchoResponse, CStoreRequest, Dataset, PresentationContext } from '../dimse/library.ts';
import { onceScpClosed } from '../dimse/scp.ts';
import { StoreReceiver } from './store-receive.ts';

export abstract class ReceivingScp extends dimse.Scp {
  protected readonly receiver: StoreReceiver;
  /** The connection is gone: answers are no longer sent. */
  protected closed = false;

  /** `directory` is asked at each C-STORE: the folder may change at run time. */
  constructor(socket: net.Socket, opts: Record<string, unknown> | undefined, directory: () => string) {
    super(socket, opts);
    this.receiver = new StoreReceiver(directory);
    onceScpClosed(this, () => {
      this.closed = true;
      this.receiver.abortAll();
    });
  }

  override createStoreWritableStream(pc: PresentationContext, request: CStoreRequest): Writable {
    return this.receiver.writable(pc, request);
  }

  override createDatasetFromStoreWritableStream(_writable: Writable, pc: PresentationContext, callback: (dataset: Dataset) => void): void {
    callback(this.receiver.placeholder(pc));
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
  }

  /** An A-ABORT from the peer: the guard has recorded it and closes the connection ('close' follows). */
  override abort(): void {}

  override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponse) => void): void {
    const rsp = dimse.responses.CEchoResponse.fromRequest(request);
    rsp.setStatus(dimse.constants.Status.Success);
    callback(rsp);
  }
}
