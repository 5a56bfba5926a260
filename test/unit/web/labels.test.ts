/** Arrow labels as people read them (shared/view/diagram/labels.ts). */
import { describe, expect, it } from 'vitest';
import type { SummaryMessage } from '../../../shared/model/summary-types.ts';
import { commandFieldOf } from '../../../shared/dimse/command-fields.ts';
import { messageLabel, pduLabel, shortUid, sopClassShort, statusClass } from '../../../shared/view/diagram/labels.ts';

/** A message as the model holds it, written as people read it: `command` "C-MOVE-RSP" and `status` "0xFF00" are stored as numbers (the meaning comes from the status table). */
function message(fields: Partial<Omit<SummaryMessage, 'commandField' | 'status'>> & { command: string; status?: string; statusMeaning?: string }): SummaryMessage {
  const { command, status, statusMeaning: _worded, ...rest } = fields;
  return {
    association: 'a1', time: 0, from: 'SCU', to: 'PACS', side: 'requestor', presentationContextId: 1, commandField: commandFieldOf(command)!,
    messageId: 1, respondsTo: null, affectedSopClass: null, affectedSopInstance: null, requestedSopClass: null, requestedSopInstance: null,
    eventTypeId: null, actionTypeId: null, priority: 0, status: status === undefined ? null : Number.parseInt(status.slice(2), 16),
    statusCategory: null, remaining: null, completed: null, failed: null, warning: null, moveDestination: null, moveOriginator: null,
    errorComment: null, offendingElements: null, identifier: null, commandSetDataElements: null, nonConformance: null, request: null, cause: null, ...rest,
  };
}

describe('messageLabel', () => {
  it('says what a request asks for', () => {
    expect(messageLabel(message({ command: 'C-MOVE-RQ', messageId: 3, moveDestination: 'STORESCP', identifier: { QueryRetrieveLevel: 'STUDY' } }))).toBe('C-MOVE-RQ #3 STUDY → STORESCP');
    expect(messageLabel(message({ command: 'C-FIND-RQ', messageId: 7, identifier: { QueryRetrieveLevel: 'SERIES' } }))).toBe('C-FIND-RQ #7 SERIES');
    expect(messageLabel(message({ command: 'C-ECHO-RQ', messageId: 1 }))).toBe('C-ECHO-RQ #1');
    expect(messageLabel(message({ command: 'C-CANCEL-RQ', messageId: null, respondsTo: 4 }))).toBe('C-CANCEL-RQ → #4');
    expect(messageLabel(message({ command: 'C-STORE-RQ', affectedSopClass: '1.2.840.10008.5.1.4.1.1.2', affectedSopInstance: '1.2.3' }))).toBe('C-STORE-RQ CT 1.2.3');
  });

  it('counts sub-operations on C-MOVE and C-GET responses', () => {
    const pending = message({ command: 'C-MOVE-RSP', status: '0xFF00', statusCategory: 'pending', remaining: 5, completed: 2, failed: 0, warning: 0 });
    expect(messageLabel(pending)).toBe('Pending R=5 C=2 F=0 W=0');
    const done = message({ command: 'C-GET-RSP', status: '0x0000', statusCategory: 'success', completed: 7, failed: 0, warning: 0 });
    expect(messageLabel(done)).toBe('Success C=7');
    const partial = message({ command: 'C-MOVE-RSP', status: '0xB000', statusCategory: 'warning', statusMeaning: 'Sub-operations complete, one or more failures', completed: 5, failed: 2, warning: 0 });
    expect(messageLabel(partial)).toBe('Warning 0xB000: sub-operations complete, one or more failures or warnings C=5 F=2');
    expect(statusClass(partial)).toBe('status-warning');
  });

  it('names a C-FIND match and a failure with its meaning', () => {
    expect(messageLabel(message({ command: 'C-FIND-RSP', status: '0xFF00', statusCategory: 'pending', identifier: { PatientName: '<img src=x onerror=alert(1)>' } }))).toBe('Pending match <img src=x onerror=alert(1)>');
    const refused = message({ command: 'C-MOVE-RSP', status: '0xA801', statusCategory: 'failure', statusMeaning: 'Refused: move destination unknown', completed: 0, failed: 0, warning: 0 });
    expect(messageLabel(refused)).toBe('Failure 0xA801 Refused: move destination unknown C=0');
    expect(statusClass(refused)).toBe('status-failure');
    const cancelled = message({ command: 'C-MOVE-RSP', status: '0xFE00', statusCategory: 'cancel', statusMeaning: 'Cancel: sub-operations terminated due to cancel indication', remaining: 3, completed: 1, failed: 0, warning: 0 });
    expect(messageLabel(cancelled)).toBe('Cancel 0xFE00: sub-operations terminated due to cancel indication R=3 C=1');
  });
});

describe('short forms', () => {
  it('keeps UIDs of one study apart', () => {
    expect(shortUid('2.25.81553092415366274836.1.1.3')).toBe('2.25.81553…1.1.3');
    expect(shortUid('1.2.3.4')).toBe('1.2.3.4');
    expect(sopClassShort('1.2.840.10008.5.1.4.1.1.4')).toBe('MR');
    expect(sopClassShort(null)).toBe('');
  });

  it('lists the PDVs of a P-DATA-TF', () => {
    expect(pduLabel({ association: 'a1', time: 0, from: 'requestor', offset: 0, length: 90, type: 'P-DATA-TF', pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, length: 84 }] }))
      .toBe('P-DATA-TF pc1 cmd last 84 B');
    expect(pduLabel({ association: 'a1', time: 0, from: 'acceptor', offset: 0, length: 10, type: 'A-RELEASE-RP' })).toBe('A-RELEASE-RP (10 B)');
  });
});

describe('dicomText', () => {
  it('joins the component groups of a person name with "="', async () => {
    const { dicomText } = await import('../../../shared/view/dicom-text.ts');
    expect(dicomText({ Alphabetic: '<img src', Ideographic: 'x onerror', Phonetic: 'alert(1)>' })).toBe('<img src=x onerror=alert(1)>');
    expect(dicomText([{ Alphabetic: 'DOE^JOHN' }])).toBe('DOE^JOHN');
    expect(dicomText({ Alphabetic: 'A', Ideographic: '', Phonetic: '' })).toBe('A');
    expect(dicomText({ Alphabetic: '', Ideographic: 'B' })).toBe('=B');
    expect(dicomText(['1.2', '3.4'])).toBe('1.2');
    expect(dicomText(undefined)).toBeNull();
  });
});
