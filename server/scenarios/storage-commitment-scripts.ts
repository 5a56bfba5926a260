/**
 * The actors of the storage commitment scenarios
 * (shared/scenarios/storage-commitment-scenarios.ts): the built-in PACS as
 * Storage Commitment SCP (server/endpoints/pacs/storage-commitment.ts) in
 * the report mode each scenario needs, and pacscope's own commitment SCU
 * (server/endpoints/scu/commit.ts), listening on a port of the stage when
 * the report is to come on a new association. Everything goes through the
 * stage's capture hub.
 */
import { COMMIT_AE } from '../../shared/scenarios/storage-commitment-scenarios.ts';
import { requestCommitment, type CommitTarget } from '../endpoints/scu/commit.ts';
import { CT_IMAGE_STORAGE, instanceUid } from '../endpoints/pacs/synthetic-studies.ts';
import type { CommitReportMode } from '../endpoints/pacs/commitment-settings.ts';
import type { Stage } from './stage.ts';
import type { ScenarioScript } from './scripts.ts';

const { scu: SCU, pacs: PACS } = COMMIT_AE;
const HOST = '127.0.0.1';
/** Two CT images of the synthetic studies (study 1, series 1). */
const HELD = [1, 2].map((n) => ({ sopClass: CT_IMAGE_STORAGE, sopInstance: instanceUid(1, 1, n) }));
/** An image the PACS never received. */
const MISSING = { sopClass: CT_IMAGE_STORAGE, sopInstance: `${instanceUid(1, 1, 1)}.999` };

interface Plan {
  mode: CommitReportMode;
  /** The PACS has an entry for the SCU (at its listening port). */
  known?: boolean;
  /** The SCU listens on a port of its own (and releases at once). */
  listen?: { knownCallers?: string[]; refuseScpRole?: boolean };
  instances?: CommitTarget['instances'];
  reportTimeoutMs?: number;
}

async function commit(s: Stage, plan: Plan): Promise<void> {
  const port = plan.listen || plan.known ? await s.closedPort() : 0;
  const pacs = await s.pacs(PACS, {
    destinations: plan.known ? new Map([[SCU, { host: HOST, port }]]) : new Map(),
    commitReportMode: plan.mode,
    commitReportDelayMs: 200,
  });
  await requestCommitment(
    {
      ...s.target(SCU, PACS, pacs.port),
      instances: plan.instances ?? HELD,
      reportTimeoutMs: plan.reportTimeoutMs ?? 5000,
      listen: plan.listen ? { host: HOST, port, ...plan.listen } : undefined,
    },
    s.hub,
  );
}

export const STORAGE_COMMITMENT_SCRIPTS: Record<string, ScenarioScript> = {
  'commit-same-association': (s) => commit(s, { mode: 'same' }),
  'commit-new-association': (s) => commit(s, { mode: 'same-else-new', known: true, listen: {} }),
  'commit-failures': (s) => commit(s, { mode: 'same-else-new', instances: [HELD[0], MISSING] }),
  'commit-report-rejected': (s) => commit(s, { mode: 'new', known: true, listen: { knownCallers: ['ARCHIVE'] }, reportTimeoutMs: 1500 }),
  'commit-no-scp-role': (s) => commit(s, { mode: 'new', known: true, listen: { refuseScpRole: true }, reportTimeoutMs: 1500 }),
  'commit-never-comes': (s) => commit(s, { mode: 'new', reportTimeoutMs: 2000 }),
};
