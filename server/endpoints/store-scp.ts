/**
 * The store SCP, the usual C-MOVE destination: its own AE title and port,
 * accepts Verification and a settable list of storage SOP classes and
 * transfer syntaxes (a context outside them is rejected, PS3.8 §9.3.3.2, so a
 * rejected storage context can be shown) and saves what it receives as Part
 * 10 files `<SOPInstanceUID>.dcm` in `outputDir`: the data set bytes as they
 * came off the wire behind a File Meta Information header (store-receive.ts,
 * PS3.10 §7.1), written asynchronously. Every association is tapped into the
 * capture hub.
 *
 *   const store = await startStoreScp({ ae: 'STORESCP', host: '127.0.0.1', port: 11113, outputDir }, hub);
 *   store.acceptedSopClasses = ['1.2.840.10008.5.1.4.1.1.2'];  // CT only, from the next association on
 *   store.received   // SOP Instance UIDs saved, in order
 *   await store.close();
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type net from 'node:net';
import dimse from '../dimse/library.ts';
import type { Association, CStoreRequest, CStoreResponse } from '../dimse/library.ts';
import { listenTapped } from './dimse-tap.ts';
import type { CaptureHub } from '../capture/hub.ts';
import type { StoreScpConfig } from './pacs/config.ts';
import { checkAssociation } from './pacs/policy.ts';
import { storeFailureStatus } from './store-receive.ts';
import { ReceivingScp } from './receiving-scp.ts';
import { GuardContext } from './guard/guard-context.ts';
import { STORAGE_SOP_CLASSES, UNCOMPRESSED, negotiateContexts } from './pacs/qr-scp.ts';

const { constants, responses } = dimse;

export interface RunningStoreScp {
  readonly ae: string;
  readonly host: string;
  readonly port: number;
  readonly outputDir: string;
  /** Undefined: every storage SOP class. Settable at run time. */
  acceptedSopClasses?: string[];
  /** Undefined: Explicit then Implicit VR Little Endian. Settable at run time. */
  acceptedTransferSyntaxes?: string[];
  /** SOP Instance UIDs saved since start, in order. */
  readonly received: string[];
  /** The guard of its port (guard/). */
  readonly guard: GuardContext;
  /** Its TLS port (PS3.15 Annex B), on the same host; null: plain only. */
  readonly tlsPort: number | null;
  close(): Promise<void>;
}

class StoreScp extends ReceivingScp {
  private readonly state: RunningStoreScp & { policy: StoreScpConfig['aePolicy'] };

  constructor(socket: net.Socket, opts?: Record<string, unknown>) {
    const state = (opts?.customOptions as { store: StoreScp['state'] }).store;
    super(socket, opts, () => state.outputDir);
    this.state = state;
  }

  override associationRequested(association: Association): void {
    const s = this.state;
    const reject = checkAssociation(s.policy ?? 'any', s.ae, association.getCalledAeTitle(), association.getCallingAeTitle(), []);
    if (reject) return this.sendAssociationReject(reject.result, reject.source, reject.reason);
    const sopClasses = s.acceptedSopClasses ? new Set(s.acceptedSopClasses) : STORAGE_SOP_CLASSES;
    negotiateContexts(association, (uid) => uid === constants.SopClass.Verification || sopClasses.has(uid), s.acceptedTransferSyntaxes ?? UNCOMPRESSED);
    this.sendAssociationAccept();
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponse) => void): void {
    const rsp = responses.CStoreResponse.fromRequest(request);
    this.receiver
      .take(request)
      .then(async (file) => {
        await file.commit(join(this.state.outputDir, `${file.sopInstanceUid}.dcm`));
        this.state.received.push(file.sopInstanceUid);
        rsp.setStatus(constants.Status.Success);
      })
      .catch((e: unknown) => {
        rsp.setStatus(storeFailureStatus(e));
        rsp.setErrorComment(String((e as Error).message).slice(0, 64));
      })
      .finally(() => {
        if (!this.closed) callback(rsp);
      });
  }
}

/** `guard`: the guard shared by the process's DICOM ports (pacscope serve); one of its own by default. */
export async function startStoreScp(config: StoreScpConfig, hub: CaptureHub, guard?: GuardContext): Promise<RunningStoreScp> {
  mkdirSync(config.outputDir, { recursive: true });
  const state = {
    ae: config.ae,
    host: config.host,
    port: config.port,
    outputDir: config.outputDir,
    acceptedSopClasses: config.acceptedSopClasses,
    acceptedTransferSyntaxes: config.acceptedTransferSyntaxes,
    received: [] as string[],
    policy: config.aePolicy,
    guard: guard ?? new GuardContext(),
    tlsPort: null as number | null,
    close: async () => {},
  };
  const server = await listenTapped(StoreScp, hub, config.host, config.port, { customOptions: { store: state } }, { context: state.guard, name: `store SCP ${config.ae}` });
  const secure = config.tls
    ? await listenTapped(StoreScp, hub, config.host, config.tls.port, { customOptions: { store: state } }, { context: state.guard, name: `store SCP ${config.ae} (TLS)`, tls: config.tls.material }).catch(async (e) => {
        await server.close();
        throw e;
      })
    : null;
  state.port = server.port;
  state.tlsPort = secure?.port ?? null;
  state.close = async () => {
    await secure?.close();
    await server.close();
  };
  return state;
}
