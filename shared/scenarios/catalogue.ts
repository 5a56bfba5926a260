/**
 * The teaching scenarios (issue 7 §2): what each one shows and its narration,
 * as data. Each runs on built-in actors on 127.0.0.1 (server/scenarios/);
 * the narration is matched against the session the run produced
 * (narrate.ts), so the same text follows the arrows live, in a replay and in
 * `pacscope scenario NAME`. Pure: the browser shows the same catalogue.
 *
 * Actors (AE titles): the SCU WORKSTATION, the built-in PACS TEACHPACS (a
 * second one, ASYNCPACS, answers C-MOVE asynchronously), and store SCPs
 * VIEWER and ARCHIVE.
 */
import type { AssociationOutcome } from '../model/summary-types.ts';
import type { StatusCategory } from '../dimse/types.ts';
import { WORKLIST_SCENARIOS } from './worklist-scenarios.ts';
import { STORAGE_COMMITMENT_SCENARIOS } from './storage-commitment-scenarios.ts';

export const SCENARIO_AE = { scu: 'WORKSTATION', pacs: 'TEACHPACS', asyncPacs: 'ASYNCPACS', viewer: 'VIEWER', archive: 'ARCHIVE' } as const;

/** What a narration step points at: the start of an association, or a DIMSE message, the first after the previous step's. */
export type StepMatch =
  | { association: { callingAe?: string; calledAe?: string; outcome?: AssociationOutcome } }
  | { message: { command: string; statusCategory?: StatusCategory; fromAe?: string; toAe?: string } };

export interface NarrationStep {
  match: StepMatch;
  /** Plain words, for a classroom. */
  text: string;
  /** Where the standard decides, e.g. "PS3.4 C.4.2.1.4". */
  section: string;
}

export interface ScenarioInfo {
  name: string;
  title: string;
  /** One line: what it shows. */
  summary: string;
  /** true: a misconfiguration on purpose (the diagnosis should find it). */
  misconfigured: boolean;
  steps: NarrationStep[];
}

const { scu, pacs, asyncPacs, viewer, archive } = SCENARIO_AE;

const open = (callingAe: string, calledAe: string, text: string, section = 'PS3.8 §7.1.1'): NarrationStep => ({ match: { association: { callingAe, calledAe } }, text, section });
const msg = (command: string, text: string, section: string, more: { statusCategory?: StatusCategory; fromAe?: string; toAe?: string } = {}): NarrationStep => ({ match: { message: { command, ...more } }, text, section });

export const SCENARIOS: readonly ScenarioInfo[] = [
  {
    name: 'echo',
    title: 'C-ECHO: is anybody there?',
    summary: `${scu} verifies that ${pacs} answers DICOM.`,
    misconfigured: false,
    steps: [
      open(scu, pacs, `${scu} opens an association: an A-ASSOCIATE-RQ naming itself (calling AE) and the peer it wants (called AE), proposing the Verification SOP Class. ${pacs} accepts it with an A-ASSOCIATE-AC.`),
      msg('C-ECHO-RQ', 'The C-ECHO request: the DICOM "ping". It carries no data set.', 'PS3.7 §9.1.5'),
      msg('C-ECHO-RSP', 'Status 0x0000 Success: the peer is reachable, speaks DICOM and accepts this AE pair. The association is then released (A-RELEASE-RQ/RP).', 'PS3.7 §9.3.5'),
    ],
  },
  {
    name: 'find',
    title: 'C-FIND: query the PACS',
    summary: `${scu} asks ${pacs} for every study (Study Root, STUDY level).`,
    misconfigured: false,
    steps: [
      open(scu, pacs, 'The association proposes the Study Root Query/Retrieve – FIND SOP Class.'),
      msg('C-FIND-RQ', 'The identifier holds the matching keys (empty = universal matching) and the return keys the SCU wants back, at QueryRetrieveLevel STUDY.', 'PS3.4 C.4.1.1.3'),
      msg('C-FIND-RSP', 'Each match comes back in its own response with status 0xFF00 Pending and an identifier.', 'PS3.4 C.4.1.1.4', { statusCategory: 'pending' }),
      msg('C-FIND-RSP', 'The last response, 0x0000 Success with no identifier, says there are no more matches.', 'PS3.4 C.4.1.1.4', { statusCategory: 'success' }),
    ],
  },
  {
    name: 'move-to-self',
    title: 'C-MOVE to self',
    summary: `${scu} retrieves a study to its own store SCP: the usual viewer set-up.`,
    misconfigured: false,
    steps: [
      open(scu, pacs, 'The C-MOVE association: the SCU proposes Study Root – MOVE.'),
      msg('C-MOVE-RQ', `The Move Destination is ${scu} itself: the PACS will not answer with images on this association, it opens a new one to the AE named here, looked up in its own AE table.`, 'PS3.4 C.4.2.1.4'),
      open(pacs, scu, `The sub-association: now ${pacs} is the SCU and ${scu}'s store SCP the acceptor. Host and port come from the PACS's table, not from the SCU's connection.`, 'PS3.4 C.4.2.3.1'),
      msg('C-STORE-RQ', 'Each instance is sent with C-STORE. Its Move Originator AE Title and Message ID tie it to the C-MOVE.', 'PS3.7 §9.1.1.1', { toAe: scu }),
      msg('C-MOVE-RSP', 'A pending response after each sub-operation, with the counters Remaining, Completed, Failed, Warning.', 'PS3.4 C.4.2.1.5', { statusCategory: 'pending' }),
      msg('C-MOVE-RSP', 'The final response: Success, all sub-operations completed.', 'PS3.4 C.4.2.1.5', { statusCategory: 'success' }),
    ],
  },
  {
    name: 'move-third-party',
    title: 'C-MOVE to a third party',
    summary: `${scu} asks ${pacs} to send a study to ${archive}, a system that never asked for it.`,
    misconfigured: false,
    steps: [
      msg('C-MOVE-RQ', `Move Destination ${archive}: the requester is not the receiver. The PACS must know ${archive} in its AE table.`, 'PS3.4 C.4.2.1.4'),
      open(pacs, archive, `${pacs} associates with ${archive}; ${scu} only watches the counters.`, 'PS3.4 C.4.2.3.1'),
      msg('C-STORE-RQ', `The instances go to ${archive}, with ${scu} as Move Originator.`, 'PS3.7 §9.1.1.1', { toAe: archive }),
      msg('C-MOVE-RSP', 'The final response reaches the SCU, which never saw an image.', 'PS3.4 C.4.2.1.5', { statusCategory: 'success' }),
    ],
  },
  {
    name: 'sync-vs-async',
    title: 'Synchronous vs asynchronous C-MOVE',
    summary: `The same move against ${pacs} (a pending response after each C-STORE, the final one last) and ${asyncPacs} (as Orthanc 1.10 with SynchronousCMove false: every pending response and a final "completed 4" at once, the C-STOREs after).`,
    misconfigured: false,
    steps: [
      msg('C-MOVE-RQ', `First against ${pacs}, which works synchronously.`, 'PS3.4 C.4.2.1.4', { toAe: pacs }),
      msg('C-STORE-RQ', 'Its C-STOREs come while the C-MOVE is still open…', 'PS3.4 C.4.2.3.1', { fromAe: pacs }),
      msg('C-MOVE-RSP', '…and its final response comes last: when the SCU sees Success, the images are there.', 'PS3.4 C.4.2.1.5', { statusCategory: 'success', fromAe: pacs }),
      msg('C-MOVE-RQ', `Now the same request to ${asyncPacs}.`, 'PS3.4 C.4.2.1.4', { toAe: asyncPacs }),
      msg('C-MOVE-RSP', `${asyncPacs} answers at once, before sending anything: back to back, a pending response for each instance but the last (Remaining 3, 2, 1; Completed 1, 2, 3). It counts what it has queued, not what was stored — what Orthanc 1.10 does with SynchronousCMove false.`, 'PS3.4 C.4.2.1.5', { statusCategory: 'pending', fromAe: asyncPacs }),
      msg('C-MOVE-RSP', `Then the final Success, "completed 4, failed 0", still before a single C-STORE. An SCU that takes it as "the images arrived" is wrong: they are still to come, and it would say "completed 4" even if ${viewer} were down.`, 'PS3.4 C.4.2.1.5', { statusCategory: 'success', fromAe: asyncPacs }),
      msg('C-STORE-RQ', `Only now does ${asyncPacs} open the sub-association to ${viewer} and send the C-STOREs: the C-MOVE was fully answered before.`, 'PS3.4 C.4.2.3.1', { fromAe: asyncPacs }),
    ],
  },
  {
    name: 'get',
    title: 'C-GET: images on the same association',
    summary: `${scu} retrieves a study with C-GET: no AE table, no second connection.`,
    misconfigured: false,
    steps: [
      open(scu, pacs, 'The SCU proposes Study Root – GET and, for each storage SOP class it wants, a context with the SCP role (SCP/SCU Role Selection): it will receive C-STOREs on this very association.', 'PS3.7 D.3.3.4'),
      msg('C-GET-RQ', 'The C-GET request: no destination, the images come back here.', 'PS3.4 C.4.3.1.3'),
      msg('C-STORE-RQ', 'The PACS sends C-STORE-RQs on the same association, in the other direction.', 'PS3.4 C.4.3.3'),
      msg('C-GET-RSP', 'The final response with the counters.', 'PS3.4 C.4.3.1.4', { statusCategory: 'success' }),
    ],
  },
  {
    name: 'cancel-move',
    title: 'C-CANCEL during a C-MOVE',
    summary: `${scu} starts a slow move and cancels it after the first image.`,
    misconfigured: false,
    steps: [
      msg('C-MOVE-RQ', 'A C-MOVE of a whole study, sub-operations slowed down to watch them.', 'PS3.4 C.4.2.1.4'),
      msg('C-CANCEL-RQ', 'The SCU sends C-CANCEL-RQ with the Message ID of the C-MOVE (Message ID Being Responded To).', 'PS3.7 §9.3.4.3'),
      msg('C-MOVE-RSP', 'The PACS stops between sub-operations and answers 0xFE00 Cancel with the counters so far.', 'PS3.4 C.4.2.1.5', { statusCategory: 'cancel' }),
    ],
  },
  {
    name: 'wrong-called-ae',
    title: 'Misconfigured: wrong called AE title',
    summary: `${scu} calls the PACS "PACS", but it is called ${pacs} and checks it.`,
    misconfigured: true,
    steps: [{ match: { association: { calledAe: 'PACS', outcome: 'rejected' } }, text: `A-ASSOCIATE-RJ result 1 (permanent), source 1 (service user), reason 7: called AE title not recognised. Fix: set the SCU's called AE title to ${pacs}.`, section: 'PS3.8 §9.3.4' }],
  },
  {
    name: 'unknown-caller',
    title: 'Misconfigured: the PACS does not know the caller',
    summary: `The PACS accepts only callers it knows; STRANGER is not one of them.`,
    misconfigured: true,
    steps: [{ match: { association: { callingAe: 'STRANGER', outcome: 'rejected' } }, text: 'A-ASSOCIATE-RJ 1/1/3: calling AE title not recognised. Fix: add STRANGER to the PACS\'s known AEs (Orthanc DicomModalities, dcmqrscp HostTable/AETable).', section: 'PS3.8 §9.3.4' }],
  },
  {
    name: 'unknown-destination',
    title: 'Misconfigured: move destination unknown',
    summary: `${scu} moves to NOWHERE, which the PACS's AE table lacks.`,
    misconfigured: true,
    steps: [
      msg('C-MOVE-RQ', 'Move Destination NOWHERE.', 'PS3.4 C.4.2.1.4'),
      msg('C-MOVE-RSP', 'Status 0xA801 "Refused: Move Destination unknown" and no sub-association: the PACS has no address for NOWHERE. Fix: add NOWHERE to its AE table.', 'PS3.4 C.4.2.1.5', { statusCategory: 'failure' }),
    ],
  },
  {
    name: 'destination-down',
    title: 'Misconfigured: destination not listening',
    summary: `The PACS's table sends ${viewer} to a port where nothing listens.`,
    misconfigured: true,
    steps: [
      msg('C-MOVE-RQ', `Move Destination ${viewer}: known to the PACS, but at a wrong port.`, 'PS3.4 C.4.2.1.4'),
      { match: { association: { outcome: 'refused' } }, text: 'The sub-association is refused at the TCP level: nothing listens at the address in the PACS\'s table. Fix: correct host/port of VIEWER in the PACS, or start the store SCP.', section: 'PS3.8 §9.1.1' },
      msg('C-MOVE-RSP', 'The final response reports the sub-operations failed.', 'PS3.4 C.4.2.1.5', { statusCategory: 'failure' }),
    ],
  },
  {
    name: 'storage-rejected',
    title: 'Misconfigured: store SCP refuses the SOP class',
    summary: `${viewer} accepts MR only; the study moved is CT.`,
    misconfigured: true,
    steps: [
      msg('C-MOVE-RQ', 'A CT study is moved to VIEWER.', 'PS3.4 C.4.2.1.4'),
      open(pacs, viewer, 'The sub-association proposes CT Image Storage; VIEWER rejects that presentation context (abstract syntax not supported) — look at its contexts in the inspector.', 'PS3.8 §9.3.3.2'),
      msg('C-MOVE-RSP', 'No C-STORE could be sent: every sub-operation failed. Fix: let the store SCP accept CT Image Storage.', 'PS3.4 C.4.2.1.5', { statusCategory: 'failure' }),
    ],
  },
  {
    name: 'get-without-role',
    title: 'Misconfigured: C-GET without the SCP role for the images',
    summary: `${scu} asks for a CT study by C-GET but offers a storage context for MR only.`,
    misconfigured: true,
    steps: [
      open(scu, pacs, 'The SCU proposes GET and MR Image Storage with the SCP role — but no CT Image Storage.', 'PS3.7 D.3.3.4'),
      msg('C-GET-RQ', 'The C-GET of a CT study.', 'PS3.4 C.4.3.1.3'),
      msg('C-GET-RSP', 'The PACS cannot send a CT C-STORE on this association: the sub-operations fail. Fix: propose CT Image Storage with SCP role selection.', 'PS3.4 C.4.3.1.4', { statusCategory: 'failure' }),
    ],
  },
  ...WORKLIST_SCENARIOS, // worklist and MPPS (PS3.4 K, F.7)
  ...STORAGE_COMMITMENT_SCENARIOS, // storage commitment (PS3.4 J)
];

export function scenarioInfo(name: string): ScenarioInfo | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
