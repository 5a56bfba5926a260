/**
 * What each teaching scenario of shared/scenarios/catalogue.ts does, on the
 * actors of a Stage. The SCU operations are the product's own (server/
 * endpoints/scu/), so every byte goes through the capture hub like any other
 * traffic. A script throws only when the scenario itself could not be staged;
 * the failures it shows on purpose are its result.
 */
import { SCENARIO_AE } from '../../shared/scenarios/catalogue.ts';
import { cEcho } from '../endpoints/scu/echo.ts';
import { cFind } from '../endpoints/scu/find.ts';
import { cMove } from '../endpoints/scu/move.ts';
import { cGet } from '../endpoints/scu/get.ts';
import { MR_IMAGE_STORAGE, studyUid } from '../endpoints/pacs/synthetic-studies.ts';
import { type Stage, until } from './stage.ts';
import { WORKLIST_SCRIPTS } from './worklist-scripts.ts';
import { STORAGE_COMMITMENT_SCRIPTS } from './storage-commitment-scripts.ts';

const { scu, pacs: PACS, asyncPacs: ASYNC, viewer: VIEWER, archive: ARCHIVE } = SCENARIO_AE;
/** Study 1 of the synthetic studies: CT, 4 instances over 2 series. */
const CT_STUDY = { StudyInstanceUID: studyUid(1) };
const CT_INSTANCES = 4;

export type ScenarioScript = (stage: Stage) => Promise<void>;

const address = (port: number) => ({ host: '127.0.0.1', port });

export const SCRIPTS: Record<string, ScenarioScript> = {
  echo: async (s) => {
    const pacs = await s.pacs(PACS);
    await cEcho(s.target(scu, PACS, pacs.port), s.hub);
  },

  find: async (s) => {
    const pacs = await s.pacs(PACS);
    await cFind(s.study(scu, pacs, { PatientName: '', PatientID: '', StudyDate: '', StudyDescription: '', StudyInstanceUID: '' }), s.hub);
  },

  'move-to-self': async (s) => {
    const own = await s.storeScp(scu);
    const pacs = await s.pacs(PACS, { destinations: new Map([[scu, address(own.port)]]) });
    await cMove({ ...s.study(scu, pacs, CT_STUDY), destination: scu }, s.hub);
  },

  'move-third-party': async (s) => {
    const archive = await s.storeScp(ARCHIVE);
    const pacs = await s.pacs(PACS, { destinations: new Map([[ARCHIVE, address(archive.port)]]) });
    await cMove({ ...s.study(scu, pacs, CT_STUDY), destination: ARCHIVE }, s.hub);
  },

  'sync-vs-async': async (s) => {
    const viewer = await s.storeScp(VIEWER);
    const destinations = () => new Map([[VIEWER, address(viewer.port)]]);
    const sync = await s.pacs(PACS, { destinations: destinations() });
    const async = await s.pacs(ASYNC, { destinations: destinations(), moveMode: 'async' });
    await cMove({ ...s.study(scu, sync, CT_STUDY), destination: VIEWER }, s.hub);
    await cMove({ ...s.study(scu, async, CT_STUDY), destination: VIEWER }, s.hub);
    // The asynchronous PACS is still sending when its final response came.
    await until(() => viewer.received.length >= 2 * CT_INSTANCES, 10_000);
  },

  get: async (s) => {
    const pacs = await s.pacs(PACS);
    await cGet({ ...s.study(scu, pacs, CT_STUDY), outputDir: s.folder('get') }, s.hub);
  },

  'cancel-move': async (s) => {
    const viewer = await s.storeScp(VIEWER);
    const pacs = await s.pacs(PACS, { destinations: new Map([[VIEWER, address(viewer.port)]]), subOperationDelayMs: Math.max(s.subOperationDelayMs, 300) });
    const abort = new AbortController();
    await cMove({ ...s.study(scu, pacs, CT_STUDY), destination: VIEWER }, s.hub, { signal: abort.signal, onPending: () => abort.abort() });
  },

  'wrong-called-ae': async (s) => {
    const pacs = await s.pacs(PACS, { aePolicy: 'called' });
    await cEcho(s.target(scu, 'PACS', pacs.port), s.hub);
  },

  'unknown-caller': async (s) => {
    const pacs = await s.pacs(PACS, { aePolicy: 'known', knownCallers: [scu] });
    await cEcho(s.target('STRANGER', PACS, pacs.port), s.hub);
  },

  'unknown-destination': async (s) => {
    const pacs = await s.pacs(PACS);
    await cMove({ ...s.study(scu, pacs, CT_STUDY), destination: 'NOWHERE' }, s.hub);
  },

  'destination-down': async (s) => {
    const pacs = await s.pacs(PACS, { destinations: new Map([[VIEWER, address(await s.closedPort())]]) });
    await cMove({ ...s.study(scu, pacs, CT_STUDY), destination: VIEWER }, s.hub);
  },

  'storage-rejected': async (s) => {
    const viewer = await s.storeScp(VIEWER, { acceptedSopClasses: [MR_IMAGE_STORAGE] });
    const pacs = await s.pacs(PACS, { destinations: new Map([[VIEWER, address(viewer.port)]]) });
    await cMove({ ...s.study(scu, pacs, CT_STUDY), destination: VIEWER }, s.hub);
  },

  'get-without-role': async (s) => {
    const pacs = await s.pacs(PACS);
    await cGet({ ...s.study(scu, pacs, CT_STUDY), outputDir: s.folder('get'), storageSopClasses: [MR_IMAGE_STORAGE] }, s.hub);
  },

  ...WORKLIST_SCRIPTS, // worklist and MPPS (worklist-scripts.ts)
  ...STORAGE_COMMITMENT_SCRIPTS, // storage commitment (storage-commitment-scripts.ts)
};
