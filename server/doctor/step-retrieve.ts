/**
 * Step f: the one-instance retrieve. C-MOVE (PS3.4 C.4.2) of the instance the
 * C-FIND found to the destination — pacscope's own store SCP by default,
 * whose sub-association the hub sees — diagnosed by move-diagnosis.ts; then
 * C-GET (PS3.4 C.4.3) of the same instance when the peer accepted a GET
 * context, the instance coming back on the same association (SCP role for
 * its storage SOP class, PS3.7 D.3.3.4).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cMove } from '../endpoints/scu/move.ts';
import { cGet } from '../endpoints/scu/get.ts';
import { formatStatus, statusInfo } from '../../shared/dimse/status.ts';
import { QUERY_RETRIEVE_SOP_CLASSES } from '../endpoints/scu/sop-classes.ts';
import { formatCounters } from '../endpoints/scu/counters.ts';
import { associationById, associationIdOf, storeResponses, subAssociations, waitForModel } from './hub-evidence.ts';
import { diagnoseMove } from './move-diagnosis.ts';
import type { PickedInstance } from './step-find.ts';
import { DEFAULT_SUB_ASSOCIATION_WAIT_MS, scuTarget, step, type DoctorContext, type DoctorContextProbe, type DoctorStep } from './types.ts';

type Retrieve = NonNullable<PickedInstance['retrieve']>;

/** Whether the probe saw the model's service accepted (true when there was no probe). */
function offered(probes: readonly DoctorContextProbe[], uid: string): boolean {
  return probes.length === 0 || probes.some((p) => p.sopClass === uid && p.accepted.length > 0);
}

const what = (r: Retrieve) => (r.level === 'IMAGE' ? `instance ${r.sopInstanceUid}` : `series ${r.keys.SeriesInstanceUID}`);

export async function moveOne(ctx: DoctorContext, r: Retrieve, probes: readonly DoctorContextProbe[]): Promise<DoctorStep> {
  const { hub } = ctx;
  const store = ctx.options.storeScp ?? null;
  const destination = ctx.target.destination ?? store?.ae;
  const title = `C-MOVE of one ${r.level === 'IMAGE' ? 'instance' : 'series'}${destination ? ` to ${destination}` : ''}`;
  if (!destination) return step('move', title, null, 'skipped: no move destination (give one, or let the doctor run its store SCP)', []);
  if (!offered(probes, QUERY_RETRIEVE_SOP_CLASSES[r.model].move)) {
    return step('move', title, null, `skipped: the peer accepted no ${r.model === 'study' ? 'Study' : 'Patient'} Root C-MOVE context`, []);
  }
  const ours = store && store.ae.trim() === destination.trim() ? store : null;
  const result = await cMove({ ...scuTarget(ctx), model: r.model, level: r.level, keys: r.keys, destination }, hub, { signal: ctx.signal });
  const moveId = associationIdOf(hub, result.connection);
  const since = associationById(hub, moveId)?.start ?? 0;
  let waitedMs = 0;
  if (ours) {
    const subsNow = () => subAssociations(hub, ours, moveId, since);
    const arrived = () => {
      const subs = subsNow();
      // Done once the instance's C-STORE-RSP was seen, or every sub-association has ended.
      return storeResponses(hub, subs).some((s) => r.sopInstanceUid === null || s.instance === r.sopInstanceUid) || (subs.length > 0 && subs.every((a) => a.outcome !== 'open'));
    };
    const category = result.status === undefined ? null : statusInfo(result.status, 'C-MOVE').category;
    const hope = category === 'success' || category === 'warning' || result.counters.completed + result.counters.failed + result.counters.warning > 0 || subsNow().length > 0;
    const wait = hope ? (ctx.options.subAssociationWaitMs ?? DEFAULT_SUB_ASSOCIATION_WAIT_MS) : 0;
    const t0 = Date.now();
    await waitForModel(hub, arrived, wait, ctx.signal);
    waitedMs = Date.now() - t0;
  }
  const subs = ours ? subAssociations(hub, ours, moveId, since) : [];
  const verdict = diagnoseMove({
    destination,
    store: ours ? { host: ours.host, port: ours.port } : null,
    result,
    counters: result.counters,
    subs,
    stores: storeResponses(hub, subs),
    instance: r.sopInstanceUid,
    waitedMs,
  });
  const ids = [...(moveId ? [moveId] : []), ...subs.map((s) => s.id)];
  return step('move', title, verdict.ok, `${verdict.detail}\n(${what(r)})`, ids, {
    ...(verdict.fix ? { fix: verdict.fix } : {}),
    ...(result.status !== undefined ? { status: formatStatus(result.status) } : {}),
    counters: result.counters,
  });
}

export async function getOne(ctx: DoctorContext, r: Retrieve, probes: readonly DoctorContextProbe[]): Promise<DoctorStep> {
  const title = `C-GET of one ${r.level === 'IMAGE' ? 'instance' : 'series'}`;
  if (!offered(probes, QUERY_RETRIEVE_SOP_CLASSES[r.model].get)) {
    return step('get', title, null, `skipped: the peer accepted no ${r.model === 'study' ? 'Study' : 'Patient'} Root C-GET context (it offers C-MOVE only)`, []);
  }
  const own = ctx.options.getDir ? null : await mkdtemp(join(tmpdir(), 'pacscope-doctor-get-'));
  const outputDir = ctx.options.getDir ?? own!;
  try {
    const result = await cGet(
      { ...scuTarget(ctx), model: r.model, level: r.level, keys: r.keys, outputDir, storageSopClasses: r.sopClassUid ? [r.sopClassUid] : undefined },
      ctx.hub,
      { signal: ctx.signal },
    );
    const ids = [associationIdOf(ctx.hub, result.connection)].filter((x): x is string => x !== null);
    const status = result.status !== undefined ? `final ${formatStatus(result.status)} ${result.statusText ?? ''}`.trim() : (result.reason ?? result.outcome);
    const head = `${result.received.length === 0 ? 'no instance' : `${result.received.length} instance(s)`} received on the C-GET association\n${status}; ${formatCounters(result.counters)}\n(${what(r)})`;
    const more = { counters: result.counters, ...(result.status !== undefined ? { status: formatStatus(result.status) } : {}) };
    if (result.ok && result.received.length > 0) return step('get', title, true, head, ids, more);
    const fix =
      result.received.length === 0 && (result.counters.failed > 0 || /SCP role/.test(result.reason ?? ''))
        ? 'the peer could not send the instance back on the association: it must accept the storage presentation context with the SCP role for the SOP class (PS3.4 C.4.3.3); some PACSs need C-GET enabled per caller (Orthanc: DicomAlwaysAllowGet or the modality\'s AllowGet)'
        : 'see the reason above and the peer\'s log';
    return step('get', title, false, `${head}${result.reason ? `\n${result.reason}` : ''}`, ids, { ...more, fix });
  } finally {
    if (own) await rm(own, { recursive: true, force: true });
  }
}
