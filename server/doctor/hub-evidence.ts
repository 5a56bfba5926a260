/**
 * What the capture hub decoded, as the doctor's evidence (docs/architecture.md
 * §1): association ids for a step, the A-ASSOCIATE-RJ codes, the
 * presentation context results of an A-ASSOCIATE-AC, and the sub-associations
 * a C-MOVE caused towards pacscope's own store SCP.
 */
import type { CaptureHub } from '../capture/hub.ts';
import type { SummaryAssociation } from '../../shared/model/summary-types.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { statusCodeOf, statusMeaningOf } from '../../shared/dimse/message-words.ts';

/** The association id of a connection (the hub numbers connections, the model names associations), or null. */
export function associationIdOf(hub: CaptureHub, connection: number | undefined): string | null {
  if (!connection) return null;
  return hub.associationOf(connection);
}

export function associationById(hub: CaptureHub, id: string | null): SummaryAssociation | null {
  if (id === null) return null;
  return hub.summary().associations.find((a) => a.id === id) ?? null;
}

/** The association ids of these connections, in order, without the unknown ones. */
export function idsOf(hub: CaptureHub, connections: (number | undefined)[]): string[] {
  return connections.map((c) => associationIdOf(hub, c)).filter((id): id is string => id !== null);
}

export interface StoreEndpoint {
  ae: string;
  host: string;
  port: number;
}

/**
 * Associations to `store` that opened after `since` (seconds of the hub's clock, an association's
 * `start`): the C-MOVE's sub-associations when `store` is its destination (PS3.4 C.4.2.3.1), or a
 * sub-association the correlator linked to the C-MOVE's association.
 */
export function subAssociations(hub: CaptureHub, store: StoreEndpoint, moveAssociation: string | null, since: number): SummaryAssociation[] {
  return hub.summary().associations.filter(
    (a) =>
      a.id !== moveAssociation &&
      ((moveAssociation !== null && a.cause?.relation === 'c-move' && a.cause.association === moveAssociation) || (a.acceptor.port === store.port && a.start >= since)),
  );
}

const clean = (uid: string | null): string => (uid ?? '').replace(/[\0 ]+$/, '');

/** The C-STORE-RSPs on these associations, with the instance each answered for. */
export function storeResponses(hub: CaptureHub, associations: readonly SummaryAssociation[]): { association: string; instance: string; status: string | null; category: string | null; meaning: string | null }[] {
  const ids = new Set(associations.map((a) => a.id));
  return hub
    .summary()
    .messages.filter((m) => ids.has(m.association) && m.commandField === CommandField.CStoreRsp)
    .map((m) => ({ association: m.association, instance: clean(m.affectedSopInstance), status: statusCodeOf(m), category: m.statusCategory, meaning: statusMeaningOf(m) }));
}

/**
 * Waits until `done()` holds for the hub's model, re-checked on each derived event, or `ms` pass.
 * Event-driven (no polling loop): a sub-association may arrive after the final C-MOVE-RSP.
 */
export function waitForModel(hub: CaptureHub, done: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (done()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (value: boolean) => {
      clearTimeout(timer);
      off();
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => finish(done());
    const off = hub.onDerived(() => {
      if (done()) finish(true);
    });
    const timer = setTimeout(() => finish(done()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
