/**
 * C-STORE sub-operations of a C-MOVE on a new association to the move
 * destination (PS3.4 C.4.2.2.1), through the tap into the capture hub. Each
 * C-STORE-RQ carries the Move Originator AE title and message ID (PS3.7
 * §9.1.1.1). A settable pause after each sub-operation makes the flow
 * observable (teaching, C-CANCEL). Resolves when the sub-association is over.
 */
import { join } from 'node:path';
import dimse from '../../dimse/library.ts';
import type { CStoreRequest, CStoreResponse } from '../../dimse/library.ts';
import { sendTapped } from '../dimse-tap.ts';
import { dropQueuedRequests } from '../../dimse/client-network.ts';
import { loadBeforeSending, setCommandElement } from '../../dimse/requests.ts';
import { defaultTlsSettings, loadTls } from '../../tls/tls-settings.ts';
import type { StoredInstance } from './data-store.ts';
import { sleep, subOperationOutcome, type Counters, type PacsRuntime, type SubOperationResult } from './operation.ts';

const { Client, requests } = dimse;

export interface SubAssociationTarget {
  ae: string;
  host: string;
  port: number;
  /** Over TLS, with the PACS's certificate and trusted certificates (PacsConfig.tls). */
  tls?: boolean;
}

export interface SubOperationOptions {
  originator: { ae: string; messageId: number };
  cancelled: () => boolean;
  /** After each C-STORE-RSP, with the counters so far. */
  onProgress: (counters: Counters) => void;
}

/** A C-STORE-RQ for a stored instance, as a sub-operation of the originator's C-MOVE (or null for C-GET). */
export function subOperationRequest(runtime: PacsRuntime, instance: StoredInstance, originator: { ae: string; messageId: number } | null): CStoreRequest {
  const rq = new requests.CStoreRequest(join(runtime.store.instancesDir, instance.file));
  // The library reads the whole file just before sending it: read it through the store instead.
  // If the file went away meanwhile, the data set read at construction is sent and the peer's status tells.
  loadBeforeSending(rq, () => {
    try {
      rq.setDataset(runtime.store.read(instance));
    } catch {
      /* see above */
    }
  });
  if (originator) {
    setCommandElement(rq, 'MoveOriginatorApplicationEntityTitle', originator.ae);
    setCommandElement(rq, 'MoveOriginatorMessageID', originator.messageId);
  }
  return rq;
}

export function storeToDestination(runtime: PacsRuntime, target: SubAssociationTarget, instances: StoredInstance[], o: SubOperationOptions): Promise<SubOperationResult> {
  const counters: Counters = { remaining: instances.length, completed: 0, failed: 0, warning: 0 };
  const failedUids: string[] = [];
  const answered = new Set<string>();
  const client = new Client();
  for (const instance of instances) {
    const rq = subOperationRequest(runtime, instance, o.originator);
    rq.on('response', (rsp: CStoreResponse) => {
      counters.remaining--;
      const outcome = subOperationOutcome(rsp.getStatus());
      counters[outcome]++;
      answered.add(instance.sopInstanceUid);
      if (outcome === 'failed') failedUids.push(instance.sopInstanceUid);
      o.onProgress({ ...counters });
    });
    // The library sends the next request when this one is done: pause there, or stop after a C-CANCEL.
    const done = rq.raiseDoneEvent.bind(rq);
    rq.raiseDoneEvent = () => {
      void (async () => {
        if (runtime.config.subOperationDelayMs > 0 && !o.cancelled()) await sleep(runtime.config.subOperationDelayMs);
        if (o.cancelled()) dropQueuedRequests(client);
        try {
          done();
        } catch {
          // The library failed to send the next one: the sub-association ends, the rest count as failed.
          client.abort();
        }
      })();
    };
    client.addRequest(rq);
  }
  return new Promise<SubOperationResult>((resolve) => {
    client.on('closed', () => {
      // Sub-operations never answered (no association, context rejected, connection lost) failed,
      // unless a C-CANCEL stopped them: then they remain (PS3.4 C.4.2.1.5).
      if (!o.cancelled()) {
        counters.failed += counters.remaining;
        counters.remaining = 0;
        for (const i of instances) if (!answered.has(i.sopInstanceUid)) failedUids.push(i.sopInstanceUid);
      }
      resolve({ ...counters, failedUids });
    });
    sendTapped(client, runtime.hub, {
      host: target.host,
      port: target.port,
      callingAeTitle: runtime.config.ae,
      calledAeTitle: target.ae,
      clientOptions: { connectTimeout: 10_000, associationTimeout: 30_000, pduTimeout: 30_000 },
      // A TLS destination of a PACS without a certificate of its own: anonymous TLS, the public CAs trusted.
      tls: target.tls ? (runtime.config.tls?.material ?? loadTls(defaultTlsSettings())) : null,
    });
  });
}
