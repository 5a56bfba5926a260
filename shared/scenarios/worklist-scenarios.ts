/**
 * The teaching scenarios of a modality's daily work (issue 16 §3): the
 * Modality Worklist (PS3.4 Annex K) tells a CT what to do, MPPS (PS3.4
 * F.7) tells the RIS/PACS what it did. As data, in the shape of
 * catalogue.ts (which lists them after its own); the actors' scripts are in
 * server/scenarios/worklist-scripts.ts.
 *
 * Actors: the CT scanner, AE CT1 (the station the RIS schedules for) — or,
 * misconfigured, CT01 — and the built-in PACS TEACHPACS as worklist and
 * MPPS SCP (catalogue.ts's SCENARIO_AE.pacs; not imported, so that the
 * catalogue can list these without an import cycle).
 */
import type { NarrationStep, ScenarioInfo } from './catalogue.ts';
import type { StatusCategory } from '../dimse/types.ts';

export const WORKLIST_AE = { modality: 'CT1', misconfigured: 'CT01', pacs: 'TEACHPACS' } as const;

const { modality: ct, misconfigured: ct01, pacs } = WORKLIST_AE;

const open = (callingAe: string, text: string, section = 'PS3.8 §7.1.1'): NarrationStep => ({ match: { association: { callingAe, calledAe: pacs } }, text, section });
const msg = (command: string, text: string, section: string, more: { statusCategory?: StatusCategory; fromAe?: string; toAe?: string } = {}): NarrationStep => ({ match: { message: { command, ...more } }, text, section });

export const WORKLIST_SCENARIOS: readonly ScenarioInfo[] = [
  {
    name: 'modality-day',
    title: "A modality's day: worklist, MPPS, images",
    summary: `The CT scanner ${ct} asks ${pacs} for today's worklist, starts the first exam (MPPS IN PROGRESS), sends its images and completes it (MPPS COMPLETED).`,
    misconfigured: false,
    steps: [
      open(ct, `${ct} opens an association proposing the Modality Worklist Information Model – FIND (1.2.840.10008.5.1.4.31).`),
      msg('C-FIND-RQ', `The worklist query: the matching keys are in the Scheduled Procedure Step Sequence (0040,0100) — Scheduled Station AE Title ${ct} (its own AE title, as the RIS schedules it) and today's date; the other keys are return keys (empty).`, 'PS3.4 K.6.1.2.2'),
      msg('C-FIND-RSP', 'Each pending response is one scheduled procedure step: patient, accession number, requested procedure and the step itself. The technologist picks the first one.', 'PS3.4 K.6.1.2.3', { statusCategory: 'pending' }),
      msg('C-FIND-RSP', '0x0000: no more items.', 'PS3.4 K.4.1.2.3', { statusCategory: 'success' }),
      msg('N-CREATE-RQ', `The exam starts: ${ct} creates a Modality Performed Procedure Step with status IN PROGRESS. Its Scheduled Step Attributes Sequence copies the worklist item (Study Instance UID, Accession Number, Scheduled Procedure Step ID): this is how the RIS knows which order is being performed. The SOP Instance UID is the modality's own.`, 'PS3.4 F.7.2.1'),
      msg('N-CREATE-RSP', 'Success: the RIS/PACS now shows the exam as in progress.', 'PS3.4 F.7.2.1.4', { statusCategory: 'success' }),
      msg('C-STORE-RQ', 'The images go to the PACS, with the study and patient of the worklist item.', 'PS3.4 B.2.2'),
      msg('N-SET-RQ', 'The exam ends: an N-SET of the same SOP Instance UID (Requested SOP Instance UID) to COMPLETED, with the end date and time and the Performed Series Sequence listing the images it made — the link to the N-CREATE is drawn from that UID.', 'PS3.4 F.7.2.2'),
      msg('N-SET-RSP', 'Success: the procedure step is final; the RIS can bill it and the radiologist read it.', 'PS3.4 F.7.2.2.4', { statusCategory: 'success' }),
    ],
  },
  {
    name: 'worklist-wrong-station',
    title: 'Misconfigured: the worklist is empty for this station',
    summary: `The CT is configured with AE title ${ct01}; the RIS schedules its exams for ${ct}. Its worklist query returns nothing.`,
    misconfigured: true,
    steps: [
      msg('C-FIND-RQ', `The modality asks for the items of Scheduled Station AE Title ${ct01} (its own AE title) today.`, 'PS3.4 K.6.1.2.2', { fromAe: ct01 }),
      msg('C-FIND-RSP', `0x0000 at once, no pending response: nothing is scheduled for ${ct01}. Not an error for DICOM — the worklist is simply empty, and the technologist types the patient in by hand (and typing errors follow).`, 'PS3.4 K.4.1.2.3', { statusCategory: 'success', fromAe: pacs }),
      msg('C-FIND-RQ', 'The same query without the station key: every CT item of today.', 'PS3.4 K.6.1.2.2', { fromAe: ct01 }),
      msg('C-FIND-RSP', `The items are there — scheduled for ${ct}. Fix: give the scanner the AE title the RIS schedules for (${ct}), or have the RIS schedule for ${ct01}.`, 'PS3.4 K.6.1.2.3', { statusCategory: 'pending', fromAe: pacs }),
    ],
  },
  {
    name: 'worklist-wrong-date',
    title: "Misconfigured: the worklist of the wrong day",
    summary: `${ct}'s clock is a day behind: it asks for yesterday's worklist and gets nothing.`,
    misconfigured: true,
    steps: [
      msg('C-FIND-RQ', `Scheduled Procedure Step Start Date is the modality's "today" — a day behind the RIS's.`, 'PS3.4 K.6.1.2.2'),
      msg('C-FIND-RSP', '0x0000, no item: nothing was scheduled on that day.', 'PS3.4 K.4.1.2.3', { statusCategory: 'success' }),
      msg('C-FIND-RQ', 'A query with a date range (today and tomorrow) finds them: range matching on a DA key, "from-to".', 'PS3.4 C.2.2.2.5'),
      msg('C-FIND-RSP', "Today's items. Fix: set the modality's clock and time zone (NTP), or query a date range.", 'PS3.4 K.6.1.2.3', { statusCategory: 'pending' }),
    ],
  },
  {
    name: 'mpps-never-completed',
    title: 'Misconfigured: an exam that never ends',
    summary: `${ct} creates an MPPS IN PROGRESS for the first patient, sends the images, then goes on to the next patient without ever completing the first.`,
    misconfigured: true,
    steps: [
      msg('N-CREATE-RQ', 'The first exam starts: MPPS IN PROGRESS.', 'PS3.4 F.7.2.1'),
      msg('C-STORE-RQ', 'Its images are sent.', 'PS3.4 B.2.2'),
      msg('N-CREATE-RQ', 'The next exam starts — but the first one was never set to COMPLETED or DISCONTINUED (the modality crashed, or the technologist closed the exam without ending it).', 'PS3.4 F.7.2.1'),
      msg('N-SET-RQ', 'Only the second exam is completed. On the RIS the first stays "in progress" for ever: not billed, not released to reading. Fix: end every procedure step (COMPLETED, or DISCONTINUED with a reason), or complete it by hand on the RIS.', 'PS3.4 F.7.2.2'),
    ],
  },
  {
    name: 'mpps-unknown-instance',
    title: 'Misconfigured: N-SET of a procedure step the SCP never created',
    summary: `${ct} completes a procedure step whose N-CREATE went to another MPPS SCP: ${pacs} answers 0x0112.`,
    misconfigured: true,
    steps: [
      msg('N-SET-RQ', `An N-SET to COMPLETED for a Requested SOP Instance UID that ${pacs} has never seen: the N-CREATE went elsewhere (a second MPPS destination, a RIS restarted without its state).`, 'PS3.4 F.7.2.2'),
      msg('N-SET-RSP', '0x0112 "No such SOP instance": the SCP refuses to update what it does not have. Fix: send N-CREATE and N-SET to the same MPPS SCP.', 'PS3.7 Annex C', { statusCategory: 'failure' }),
    ],
  },
  {
    name: 'mpps-set-after-completed',
    title: 'Misconfigured: changing a completed procedure step',
    summary: `${ct} completes an exam, then tries to discontinue it: a final state cannot be left.`,
    misconfigured: true,
    steps: [
      msg('N-CREATE-RQ', 'MPPS IN PROGRESS.', 'PS3.4 F.7.2.1'),
      msg('N-SET-RQ', 'COMPLETED: a final state.', 'PS3.4 F.7.2.2'),
      msg('N-SET-RQ', 'A second N-SET, to DISCONTINUED.', 'PS3.4 F.7.2.2'),
      msg('N-SET-RSP', '0x0110 "Processing failure" with Error Comment "Performed Procedure Step Object may no longer be updated" (Error ID A710): once COMPLETED or DISCONTINUED, a procedure step is never changed again. Fix: correct it on the RIS, not from the modality.', 'PS3.4 F.7.2.2.4', { statusCategory: 'failure' }),
    ],
  },
];
