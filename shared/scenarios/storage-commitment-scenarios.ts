/**
 * The teaching scenarios of storage commitment (PS3.4 Annex J, Push Model;
 * issue 16 §2): a modality that sent its images asks the PACS to take
 * responsibility for them (N-ACTION-RQ), and the PACS answers later with an
 * N-EVENT-REPORT-RQ — on the same association if the modality still holds
 * it, else on a new association the PACS opens back to the modality, which
 * must listen, know the PACS and accept the SCP role for it. As data, in the
 * shape of catalogue.ts (which lists them after its own); the actors'
 * scripts are in server/scenarios/storage-commitment-scripts.ts.
 *
 * Actors: the SCU WORKSTATION and the built-in PACS TEACHPACS
 * (catalogue.ts's SCENARIO_AE, not imported so that the catalogue can list
 * these without an import cycle).
 */
import type { NarrationStep, ScenarioInfo } from './catalogue.ts';
import type { StatusCategory } from '../dimse/types.ts';
import type { AssociationOutcome } from '../model/summary-types.ts';

export const COMMIT_AE = { scu: 'WORKSTATION', pacs: 'TEACHPACS' } as const;

const { scu, pacs } = COMMIT_AE;

const open = (callingAe: string, calledAe: string, text: string, section = 'PS3.8 §7.1.1', outcome?: AssociationOutcome): NarrationStep => ({ match: { association: { callingAe, calledAe, ...(outcome ? { outcome } : {}) } }, text, section });
const msg = (command: string, text: string, section: string, more: { statusCategory?: StatusCategory; fromAe?: string; toAe?: string } = {}): NarrationStep => ({ match: { message: { command, ...more } }, text, section });

const request = (extra = '', afterwards = ''): NarrationStep[] => [
  open(scu, pacs, `${scu} opens an association proposing the Storage Commitment Push Model SOP Class (1.2.840.10008.1.20.1).`),
  msg('N-ACTION-RQ', `"Request Storage Commitment" (Action Type 1): a new Transaction UID and the Referenced SOP Sequence, the SOP Class and Instance UID of each image ${scu} sent before.${extra}`, 'PS3.4 J.3.2'),
  msg('N-ACTION-RSP', `0x0000 means "request received", not "committed": the answer comes later, in an N-EVENT-REPORT carrying the same Transaction UID.${afterwards}`, 'PS3.4 J.3.2.1.3'),
];

export const STORAGE_COMMITMENT_SCENARIOS: readonly ScenarioInfo[] = [
  {
    name: 'commit-same-association',
    title: 'Storage commitment: the report on the same association',
    summary: `${scu} asks ${pacs} to commit two images and holds its association open; ${pacs} reports on it.`,
    misconfigured: false,
    steps: [
      ...request(),
      msg('N-EVENT-REPORT-RQ', `The result, on the same association, in the other direction: Event Type 1 "storage commitment request successful", the Transaction UID and the committed images. ${scu} held its association open, so ${pacs} could use it; the default roles allow it (the acceptor is the Storage Commitment SCP).`, 'PS3.4 J.3.3.1.2', { fromAe: pacs }),
      msg('N-EVENT-REPORT-RSP', `${scu} confirms with 0x0000 and may now delete its copies. Then it releases.`, 'PS3.4 J.3.3.1.3', { fromAe: scu }),
    ],
  },
  {
    name: 'commit-new-association',
    title: 'Storage commitment: the report on a new association',
    summary: `${scu} releases right after the N-ACTION-RSP, as most modalities do; ${pacs} opens a new association back to it to report.`,
    misconfigured: false,
    steps: [
      ...request(),
      open(pacs, scu, `${scu} has released. ${pacs} looks ${scu} up in its AE table (the same table as its C-MOVE destinations) and opens a new association to it: now the PACS is the requestor, yet still the Storage Commitment SCP, so it proposes the SCP role (SCP/SCU Role Selection), and ${scu} accepts it.`, 'PS3.4 J.3.3.1.3, PS3.7 D.3.3.4'),
      msg('N-EVENT-REPORT-RQ', 'The report: Event Type 1, the same Transaction UID, the committed images. The diagram draws this association under the N-ACTION that caused it.', 'PS3.4 J.3.3.1.2', { fromAe: pacs }),
      msg('N-EVENT-REPORT-RSP', `${scu} confirms with 0x0000.`, 'PS3.4 J.3.3.1.3', { fromAe: scu }),
    ],
  },
  {
    name: 'commit-failures',
    title: 'Storage commitment: failures exist',
    summary: `${scu} asks ${pacs} to commit two images, one of which ${pacs} never received.`,
    misconfigured: false,
    steps: [
      ...request(` One of them never reached ${pacs}.`),
      msg('N-EVENT-REPORT-RQ', `Event Type 2 "failures exist": the Referenced SOP Sequence lists the committed image, the Failed SOP Sequence the other with Failure Reason 0x0112 "no such object instance". ${scu} must keep that one and send it again.`, 'PS3.4 J.3.3.1.1', { fromAe: pacs }),
    ],
  },
  {
    name: 'commit-report-rejected',
    title: 'Misconfigured: the modality rejects the report association',
    summary: `${scu} accepts associations only from the AEs it knows, and ${pacs} is not one of them: the report association is rejected.`,
    misconfigured: true,
    steps: [
      ...request(),
      open(pacs, scu, `${pacs} opens the report association; ${scu} answers A-ASSOCIATE-RJ 1/1/3: calling AE title not recognised. The report never arrives, nothing is committed. Fix: add ${pacs} to the AEs ${scu} accepts.`, 'PS3.8 §9.3.4', 'rejected'),
    ],
  },
  {
    name: 'commit-no-scp-role',
    title: 'Misconfigured: the modality refuses the SCP role',
    summary: `${scu} accepts ${pacs}'s report association but answers the SCP role it proposes with 0: ${pacs} may not send the report.`,
    misconfigured: true,
    steps: [
      ...request(),
      open(pacs, scu, `${pacs} proposes the Push Model with the SCP role for itself; ${scu} accepts the context but answers SCP role 0. Without that role the requestor is only an SCU and may not send the N-EVENT-REPORT: ${pacs} releases without reporting. Fix: make ${scu} accept the SCP role on its port.`, 'PS3.4 J.3.3.1.3, PS3.7 D.3.3.4'),
    ],
  },
  {
    name: 'commit-never-comes',
    title: 'Misconfigured: the report never comes',
    summary: `${pacs} reports on new associations only, but has no entry for ${scu} in its AE table: ${scu} waits in vain.`,
    misconfigured: true,
    steps: request('', ` Here none follows: ${scu} waits on its association, but ${pacs} reports on a new association only and has no address for ${scu}. After a few seconds ${scu} gives up and releases; nothing is committed. Fix: an entry for ${scu} in ${pacs}'s AE table, and ${scu} listening there.`),
  },
];
