/**
 * Worklist queries and MPPS in words: the diagram's arrow labels
 * (shared/view/diagram/labels.ts through shared/dimse/worklist-mpps-words.ts)
 * and the lines of `pacscope summary`, on a real session of the built-in
 * PACS and pacscope's worklist and MPPS SCU (the modality-day scenario).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { runScenario } from '../../../server/scenarios/run-scenario.ts';
import { messageLabel } from '../../../shared/view/diagram/labels.ts';
import { formatSummary } from '../../../shared/view/summary-text.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { procedureStepLabel } from '../../../shared/dimse/worklist-mpps-words.ts';
import { daValue } from '../../../server/endpoints/pacs/worklist-items.ts';

dimse.log.setLevel('error');

let summary: Summary;
beforeAll(async () => {
  const hub = await CaptureHub.open({ source: { kind: 'test', description: 'modality-day' } });
  expect((await runScenario('modality-day', hub)).error).toBeNull();
  await hub.close();
  summary = hub.summary();
});

const today = daValue(new Date());

describe('worklist and MPPS labels', () => {
  it('draws the worklist query with its keys, each item with patient, station and time, MPPS with its status transition', () => {
    const labels = summary.messages.filter((m) => m.commandField !== 0x0001 && m.commandField !== 0x8001).map(messageLabel);
    expect(labels).toEqual([
      `C-FIND-RQ #1 worklist CT1 · ${today}`,
      'Pending item ADAMS^ANNA · CT1 CT 08:00',
      'Pending item NÚÑEZ^JOSÉ · CT1 CT 11:00',
      'Success',
      'N-CREATE-RQ #1 MPPS → IN PROGRESS',
      'Success',
      'N-SET-RQ #1 MPPS → COMPLETED',
      'Success',
    ]);
  });

  it('the text summary has every key with its path, the items and the MPPS transitions', () => {
    const text = formatSummary(summary, { pdus: false });
    expect(text).toContain(`C-FIND-RQ #1 worklist query ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1 ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=${today}`);
    expect(text).toMatch(/C-FIND-RSP \(rsp to #1\) 0xFF00 Pending: matches are continuing worklist item PatientName=ADAMS\^ANNA PatientID=PSC-1001 AccessionNumber=PSCW2001 ScheduledStationAETitle=CT1 Modality=CT/);
    expect(text).toContain('N-CREATE-RQ #1 MPPS → IN PROGRESS');
    expect(text).toMatch(/N-SET-RQ #1 MPPS IN PROGRESS → COMPLETED \(update of the procedure step created by N-CREATE #1\)/);
  });

  it('bad input is data: odd identifiers give words or null, never an exception', () => {
    const base = { messageId: 3, status: null, statusCategory: null, requestedSopClass: null };
    expect(procedureStepLabel({ ...base, commandField: 0x0020, affectedSopClass: '1.2.840.10008.5.1.4.31', identifier: { ScheduledProcedureStepSequence: 'oops' } })).toBe('C-FIND-RQ #3 worklist (all items)');
    expect(procedureStepLabel({ ...base, commandField: 0x0140, affectedSopClass: '1.2.840.10008.3.1.2.3.3', identifier: null })).toBe('N-CREATE-RQ #3 MPPS → (no status)');
    expect(procedureStepLabel({ ...base, commandField: 0x0120, affectedSopClass: null, requestedSopClass: '1.2.840.10008.3.1.2.3.3', identifier: { PerformedProcedureStepStatus: ['x', 1] } })).toBe('N-SET-RQ #3 MPPS → X\\1');
    expect(procedureStepLabel({ ...base, commandField: 0x0020, affectedSopClass: '1.2.840.10008.5.1.4.1.2.2.1', identifier: {} })).toBeNull();
  });
});
