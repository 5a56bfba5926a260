/**
 * Associations that did not end with a release: A-ABORT by whom, when and
 * with what outstanding (PS3.8 Table 9-26), and connections closed without
 * release or without any PDU.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { IMPL, Session, moveRq, retrieveRsp, UID } from './session.ts';

describe('association aborted or closed', () => {
  it('the SCU aborts while a C-MOVE still has sub-operations to do (a retrieve timeout)', () => {
    const s = new Session();
    const a = s.open({ calling: 'MOVESCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyMove }], impl: { requestor: IMPL.dcmtk } });
    const rq = s.message(a, 'C-MOVE-RQ', moveRq(1, 'STORESCP'));
    const p1 = s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [3, 1, 0, 0]));
    s.clock += 5;
    s.abort(a, 'requestor');
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['association.aborted.retrieve-running']);
    const [f] = findings;
    expect(f.severity).toBe('error');
    expect(f.text).toContain('remaining 3, completed 1');
    expect(f.fix).toMatch(/^Give the SCU "MOVESCU" more time: DCMTK tools: -td 60 /);
    expect(f.fix).not.toContain('pacscope');
    expect(f.evidence).toEqual({ associations: [a], messages: [rq, p1], pdus: [s.summary.pdus.length - 1] });
  });

  it('the SCP aborts right after a C-FIND-RQ from a caller it does not know', () => {
    const s = new Session();
    const a = s.open({ calling: 'STRANGER', called: 'ORTHANC', contexts: [{ abstractSyntax: UID.studyFind }], impl: { requestor: IMPL.dcmtk, acceptor: IMPL.dcmtk } });
    const rq = s.message(a, 'C-FIND-RQ', { messageId: 1, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'STUDY' } });
    s.abort(a, 'acceptor');
    const [f, ...rest] = diagnose(s.summary);
    expect(rest).toEqual([]);
    expect(f.rule).toBe('association.aborted.after-request');
    expect(f.title).toContain('right after the C-FIND-RQ');
    expect(f.fix).toContain('Orthanc: "DicomModalities": {"stranger": ["STRANGER", "127.0.0.1", 104]} in orthanc.json (the port matters only when Orthanc connects to it)');
    expect(f.fix).toContain('DicomAlwaysAllowFind');
    expect(f.fix).not.toMatch(/dcmqrscp|pacscope|HOST|PORT/);
    expect(f.evidence.messages).toEqual([rq]);
  });

  it('an SCP that aborts once it has read the command: the data set crosses the abort (observed with Orthanc)', () => {
    const s = new Session();
    const a = s.open({ calling: 'STRANGER', called: 'ORTHANC', contexts: [{ abstractSyntax: UID.studyFind }] });
    s.summary.pdus.push({ association: a, time: s.clock + 0.001, from: 'requestor', offset: 0, length: 100, type: 'P-DATA-TF', pdvs: [{ presentationContextId: 1, isCommand: true, isLast: true, length: 88 }] });
    s.clock += 0.001;
    s.abort(a, 'acceptor');
    const rq = s.message(a, 'C-FIND-RQ', { messageId: 1, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'STUDY' } });
    s.summary.errors.push({ association: a, side: 'requestor', offset: 367, time: s.clock, reason: 'P-DATA-TF after the association ended' });
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['association.aborted.after-request']);
    expect(findings[0].evidence.messages).toEqual([rq]);
  });

  it('a service-provider abort is a protocol error, with its reason', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS' });
    s.abort(a, 'acceptor', 2, 2);
    const [f] = diagnose(s.summary);
    expect([f.rule, f.severity]).toEqual(['association.aborted.protocol-error', 'error']);
    expect(f.text).toContain('abort 2/2');
  });

  it('an abort instead of an A-ASSOCIATE-AC', () => {
    const s = new Session();
    const id = s.open({ calling: 'SCU', called: 'PACS', pdus: 'request' });
    s.abort(id, 'acceptor');
    const [f] = diagnose(s.summary);
    expect(f.rule).toBe('association.aborted.during-negotiation');
  });

  it('an SCU that aborts with nothing outstanding: a warning, not an error', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS' });
    s.message(a, 'C-ECHO-RQ', { messageId: 1 });
    s.message(a, 'C-ECHO-RSP', { respondsTo: 1, status: '0x0000' });
    s.abort(a, 'requestor');
    expect(diagnose(s.summary).map((f) => [f.rule, f.severity])).toEqual([['association.aborted.instead-of-release', 'warning']]);
  });

  it('the SCP aborts with nothing outstanding (an idle timeout)', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS' });
    s.abort(a, 'acceptor');
    expect(diagnose(s.summary).map((f) => f.rule)).toEqual(['association.aborted.by-scp']);
  });

  it('a connection closed while a request waited, or closed without release, or without any PDU', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyFind }] });
    const rq = s.message(a, 'C-FIND-RQ', { messageId: 7, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'STUDY' } });
    s.close(a, 'connection reset by acceptor');
    const b = s.open({ calling: 'SCU', called: 'PACS' });
    s.close(b);
    s.close(s.open({ calling: null, called: null, pdus: 'none' }), 'connection closed by requestor before any A-ASSOCIATE-RQ');
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity, f.evidence.associations[0]])).toEqual([
      ['association.closed-while-waiting', 'error', a],
      ['association.closed-without-release', 'warning', b],
      ['connection.no-dicom', 'info', 'a3'],
    ]);
    expect(findings[0].evidence.messages).toEqual([rq]);
  });

  it('a connection closed before the A-ASSOCIATE-RQ was answered', () => {
    const s = new Session();
    s.close(s.open({ calling: 'SCU', called: 'PACS', pdus: 'request' }), 'connection closed by acceptor before the association was answered');
    expect(diagnose(s.summary).map((f) => f.rule)).toEqual(['association.closed-unanswered']);
  });
});
