/**
 * What the worklist and MPPS teaching scenarios of
 * shared/scenarios/worklist-scenarios.ts do, on a Stage: the CT scanner is
 * pacscope's own worklist, MPPS and store SCU (server/endpoints/scu/), the
 * built-in PACS its worklist, MPPS and storage SCP. Listed in scripts.ts.
 */
import { join } from 'node:path';
import { WORKLIST_AE } from '../../shared/scenarios/worklist-scenarios.ts';
import { cFindWorklist, worklistKeys } from '../endpoints/scu/worklist.ts';
import { mppsCreateAttributes, mppsSetAttributes, nCreateMpps, nSetMpps, type MppsResult } from '../endpoints/scu/mpps.ts';
import { cStore } from '../endpoints/scu/store.ts';
import { newUid } from '../endpoints/pacs/mpps.ts';
import { dayAfter } from '../endpoints/pacs/worklist-items.ts';
import { CT_IMAGE_STORAGE, instanceUid, seriesUid } from '../endpoints/pacs/synthetic-studies.ts';
import type { RunningPacs } from '../endpoints/pacs/pacs.ts';
import type { ScuTarget } from '../endpoints/scu/options.ts';
import type { Stage } from './stage.ts';

const { modality: CT, misconfigured: CT01, pacs: PACS } = WORKLIST_AE;

type Script = (stage: Stage) => Promise<void>;

const SPS = 'ScheduledProcedureStepSequence[0]';
const today = (offset = 0) => dayAfter(new Date(), offset);

/** The worklist query of a station for one day (or a range). */
async function query(s: Stage, target: ScuTarget, keys: string[]): Promise<Record<string, unknown>[]> {
  const r = await cFindWorklist({ ...target, keys: worklistKeys(keys) }, s.hub);
  if (!r.ok) throw new Error(`worklist query failed: ${r.reason ?? r.outcome}`);
  return r.matches;
}

/** Patient n's first CT series of the synthetic studies, as the images the exam made (n = 1: ADAMS, 3: NÚÑEZ). */
function series(pacs: RunningPacs, patient: number, count: number) {
  const images = Array.from({ length: count }, (_, i) => ({ sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: instanceUid(patient, 1, i + 1) }));
  return { seriesInstanceUid: seriesUid(patient, 1), images, paths: images.map((i) => join(pacs.dataDir, 'instances', `${i.sopInstanceUid}.dcm`)), retrieveAe: PACS };
}

async function create(s: Stage, target: ScuTarget, item: Record<string, unknown> | null): Promise<MppsResult> {
  const r = await nCreateMpps({ ...target, attributes: mppsCreateAttributes(item, { stationAe: target.callingAeTitle }) }, s.hub);
  if (!r.ok) throw new Error(`N-CREATE failed: ${r.reason ?? r.outcome}`);
  return r;
}

/** One exam of the day: MPPS IN PROGRESS, the images, and (unless `leaveOpen`) MPPS COMPLETED. */
async function exam(s: Stage, pacs: RunningPacs, target: ScuTarget, item: Record<string, unknown>, patient: number, leaveOpen = false): Promise<void> {
  const step = await create(s, target, item);
  const made = series(pacs, patient, patient === 1 ? 3 : 2);
  const stored = await cStore({ ...target, paths: made.paths }, s.hub);
  if (!stored.ok) throw new Error(`C-STORE failed: ${stored.reason ?? stored.outcome}`);
  if (leaveOpen) return;
  await nSetMpps({ ...target, sopInstanceUid: step.sopInstanceUid, attributes: mppsSetAttributes('COMPLETED', { series: [made] }) }, s.hub);
}

export const WORKLIST_SCRIPTS: Record<string, Script> = {
  'modality-day': async (s) => {
    const pacs = await s.pacs(PACS);
    const target = s.target(CT, PACS, pacs.port);
    const [first] = await query(s, target, [`${SPS}.ScheduledStationAETitle=${CT}`, `${SPS}.ScheduledProcedureStepStartDate=${today()}`]);
    await exam(s, pacs, target, first, 1);
  },

  'worklist-wrong-station': async (s) => {
    const pacs = await s.pacs(PACS);
    const target = s.target(CT01, PACS, pacs.port);
    await query(s, target, [`${SPS}.ScheduledStationAETitle=${CT01}`, `${SPS}.ScheduledProcedureStepStartDate=${today()}`]);
    await query(s, target, [`${SPS}.Modality=CT`, `${SPS}.ScheduledProcedureStepStartDate=${today()}`]);
  },

  'worklist-wrong-date': async (s) => {
    const pacs = await s.pacs(PACS);
    const target = s.target(CT, PACS, pacs.port);
    await query(s, target, [`${SPS}.ScheduledStationAETitle=${CT}`, `${SPS}.ScheduledProcedureStepStartDate=${today(-1)}`]);
    await query(s, target, [`${SPS}.ScheduledStationAETitle=${CT}`, `${SPS}.ScheduledProcedureStepStartDate=${today()}-${today(1)}`]);
  },

  'mpps-never-completed': async (s) => {
    const pacs = await s.pacs(PACS);
    const target = s.target(CT, PACS, pacs.port);
    const items = await query(s, target, [`${SPS}.ScheduledStationAETitle=${CT}`, `${SPS}.ScheduledProcedureStepStartDate=${today()}`]);
    await exam(s, pacs, target, items[0], 1, true);
    await exam(s, pacs, target, items[1], 3);
  },

  'mpps-unknown-instance': async (s) => {
    const pacs = await s.pacs(PACS);
    const target = s.target(CT, PACS, pacs.port);
    await nSetMpps({ ...target, sopInstanceUid: newUid(), attributes: mppsSetAttributes('COMPLETED') }, s.hub);
  },

  'mpps-set-after-completed': async (s) => {
    const pacs = await s.pacs(PACS);
    const target = s.target(CT, PACS, pacs.port);
    const step = await create(s, target, null);
    await nSetMpps({ ...target, sopInstanceUid: step.sopInstanceUid, attributes: mppsSetAttributes('COMPLETED') }, s.hub);
    await nSetMpps({ ...target, sopInstanceUid: step.sopInstanceUid, attributes: mppsSetAttributes('DISCONTINUED') }, s.hub);
  },
};
