/**
 * Query/Retrieve requests that do not fit the information model (0x0122,
 * 0xA900, a level the model has not, retrieve by non-unique keys — PS3.4
 * C.2.2.1.1, C.4.2.2.1, C.6), and requests never answered (PS3.7 §9.3),
 * judged against "now" and the window.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, liveNow } from '../../../shared/diagnosis/diagnose.ts';
import { IMPL, Session, moveRq, retrieveRsp, UID } from './session.ts';

describe('information model and keys', () => {
  it('0x0122 on a C-FIND: the SCP does not support this information model', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyFind }], impl: { requestor: IMPL.dcmtk } });
    s.message(a, 'C-FIND-RQ', { messageId: 1, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'STUDY' } });
    s.message(a, 'C-FIND-RSP', { respondsTo: 1, status: '0x0122' });
    s.release(a);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['query.information-model-not-supported']);
    expect(findings[0].fix).toContain('e.g. Patient Root: DCMTK tools: -S (Study Root) or -P (Patient Root)');
  });

  it('0xA900 on a C-MOVE: the identifier does not match the model', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyMove }] });
    s.message(a, 'C-MOVE-RQ', moveRq(1, 'STORESCP'));
    s.message(a, 'C-MOVE-RSP', { ...retrieveRsp(1, '0xA900', [null, 0, 0, 0]), offendingElements: ['(0008,0052)'] });
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['query.identifier-mismatch']);
    expect(findings[0].text).toContain('(0008,0052)');
  });

  it('PATIENT level in Study Root', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyFind }] });
    s.message(a, 'C-FIND-RQ', { messageId: 1, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'PATIENT', PatientID: 'X' } });
    s.message(a, 'C-FIND-RSP', { respondsTo: 1, status: '0x0000' });
    expect(diagnose(s.summary).map((f) => [f.rule, f.severity])).toEqual([['query.level-not-in-model', 'warning']]);
  });

  it('C-MOVE at STUDY level without StudyInstanceUID, by PatientName: non-unique keys (an error when it failed)', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyMove }], impl: { requestor: IMPL.dcmtk } });
    s.message(a, 'C-MOVE-RQ', moveRq(1, 'STORESCP', { QueryRetrieveLevel: 'STUDY', PatientName: 'DOE*' }));
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xC000', [null, 0, 0, 0]));
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['retrieve.non-unique-key', 'error']]);
    expect(findings[0].text).toContain('StudyInstanceUID, the unique key of the STUDY level, is missing');
    expect(findings[0].text).toContain('PatientName is not a unique key');
    expect(findings[0].fix).toContain('(DCMTK: -k QueryRetrieveLevel=STUDY -k StudyInstanceUID= with the UID the C-FIND returned)');
  });

  it('a wildcard in the unique key; a UID list is fine', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyMove }] });
    s.message(a, 'C-MOVE-RQ', moveRq(1, 'STORESCP', { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2', SeriesInstanceUID: '1.2.*' }));
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xA801', [null, 0, 0, 0]));
    s.message(a, 'C-MOVE-RQ', moveRq(2, 'STORESCP', { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: ['1.2.3', '1.2.4'] }));
    s.message(a, 'C-MOVE-RSP', retrieveRsp(2, '0xA801', [null, 0, 0, 0]));
    const rules = diagnose(s.summary).map((f) => f.rule);
    expect(rules.filter((r) => r === 'retrieve.non-unique-key')).toHaveLength(1);
    expect(rules.filter((r) => r === 'move.destination-unknown')).toHaveLength(2);
  });
});

describe('requests never answered', () => {
  function echoWithoutAnswer() {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS' });
    const rq = s.message(a, 'C-ECHO-RQ', { messageId: 1 });
    return { s, a, rq };
  }

  it('released before the response: an error', () => {
    const { s, a, rq } = echoWithoutAnswer();
    s.release(a);
    const [f, ...rest] = diagnose(s.summary);
    expect(rest).toEqual([]);
    expect([f.rule, f.severity]).toEqual(['request.unanswered', 'error']);
    expect(f.text).toContain('released by the SCU');
    expect(f.evidence.messages).toEqual([rq]);
  });

  it('still open: nothing live within the window, a warning after it; info when a file ends inside it', () => {
    const { s } = echoWithoutAnswer();
    const t = s.clock;
    expect(diagnose(s.summary, { now: t + 3 })).toEqual([]);
    expect(diagnose(s.summary, { now: t + 40 }).map((f) => [f.rule, f.severity])).toEqual([['request.unanswered', 'warning']]);
    expect(diagnose(s.summary).map((f) => [f.rule, f.severity])).toEqual([['request.unanswered', 'info']]);
    expect(diagnose(s.summary, { now: t + 40, complete: true }).map((f) => f.severity)).toEqual(['warning']);
  });

  it('a pending response is a sign of progress; the model\'s request link is used when present', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyFind }] });
    const rq = s.message(a, 'C-FIND-RQ', { messageId: 5, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'STUDY' } });
    s.clock += 20;
    s.message(a, 'C-FIND-RSP', { respondsTo: 99, request: rq, status: '0xFF00' });
    expect(diagnose(s.summary, { now: s.clock + 20 })).toEqual([]);
    expect(diagnose(s.summary, { now: s.clock + 31 }).map((f) => f.rule)).toEqual(['request.unanswered']);
  });

  it('liveNow: the current time on the summary\'s clock, for live callers', () => {
    const { s } = echoWithoutAnswer();
    s.summary.source.start = '2026-01-01T00:00:00.000Z';
    const now = liveNow(s.summary, Date.parse('2026-01-01T00:00:45.000Z'))!;
    expect(now).toBe(45);
    expect(diagnose(s.summary, { now }).map((f) => [f.rule, f.severity])).toEqual([['request.unanswered', 'warning']]);
    expect(liveNow({ ...s.summary, source: { ...s.summary.source, start: null } })).toBeUndefined();
  });

  it('C-CANCEL-RQ is never answered by design', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyFind }] });
    s.message(a, 'C-FIND-RQ', { messageId: 1, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'STUDY' } });
    s.message(a, 'C-CANCEL-RQ', { respondsTo: 1 });
    s.message(a, 'C-FIND-RSP', { respondsTo: 1, status: '0xFE00' });
    s.release(a);
    expect(diagnose(s.summary)).toEqual([]);
  });
});
