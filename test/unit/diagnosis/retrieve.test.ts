/**
 * C-MOVE and C-GET outcomes (PS3.4 C.4.2, C.4.3): destination unknown as
 * 0xA801 and as a generic failure with no sub-operation; a destination that
 * does not listen; failed sub-operations and why; C-GET without the SCP role;
 * nothing matched; a sub-association that never showed up; asynchronous
 * C-MOVE; counters that do not add up — and a clean synchronous C-MOVE that
 * gives nothing.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { IMPL, Session, moveRq, retrieveRsp, UID, type ContextSpec } from './session.ts';

const MOVE_CONTEXTS = [{ abstractSyntax: UID.studyMove }];

/** MOVESCU → PACS with one C-MOVE-RQ; returns the session, the association and the request's index. */
function moveTo(dest: string, identifier?: Record<string, unknown>, called = 'PACS') {
  const s = new Session();
  // DCMTK's implementation on both sides, as movescu, dcmqrscp and Orthanc send it: the behaviour tells the PACS's product.
  const main = s.open({ calling: 'MOVESCU', called, contexts: MOVE_CONTEXTS, impl: { requestor: IMPL.dcmtk, acceptor: IMPL.dcmtk } });
  const rq = s.message(main, 'C-MOVE-RQ', moveRq(1, dest, identifier));
  return { s, main, rq };
}

/** A sub-association PACS → dest linked to the C-MOVE (as the correlator would), with `n` C-STOREs. */
function sub(s: Session, main: string, rq: number, dest: string, n: number, status = '0x0000', contexts: ContextSpec[] = [{ abstractSyntax: UID.ct }]) {
  const id = s.open({ calling: 'PACS', called: dest, contexts, acceptor: { host: '127.0.0.1', port: 11113 }, parent: { association: main, messageId: 1, request: rq }, impl: { requestor: IMPL.dcmtk, acceptor: IMPL.dcmtk } });
  for (let i = 1; i <= n; i++) s.store(id, i, status);
  return id;
}

describe('C-MOVE outcome', () => {
  it('a clean synchronous C-MOVE gives no finding', () => {
    const { s, main, rq } = moveTo('STORESCP');
    const id = s.open({ calling: 'PACS', called: 'STORESCP', contexts: [{ abstractSyntax: UID.ct }], parent: { association: main, messageId: 1, request: rq } });
    s.store(id, 1);
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [1, 1, 0, 0]));
    s.store(id, 2);
    s.release(id);
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 2, 0, 0]));
    s.release(main);
    expect(diagnose(s.summary)).toEqual([]);
  });

  it('0xA801 (dcmqrscp): add the destination to its HostTable; a case-only difference is named', () => {
    const { s, main, rq } = moveTo('storescp');
    const fin = s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xA801', [null, 0, 0, 0]));
    s.release(main);
    s.release(s.open({ calling: 'SCU', called: 'STORESCP', acceptor: { host: '127.0.0.1', port: 11113 } }));
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['move.destination-unknown']);
    const [f] = findings;
    expect(f.evidence.messages).toEqual([rq, fin]);
    expect(f.text).toContain('"STORESCP", an AE title seen in this capture, differs from it only by case or spaces');
    // 0xA801 from a DCMTK implementation is dcmqrscp (Orthanc answers 0xC000): its HostTable only, no other product's setting.
    expect(f.fix).toMatch(/^Add "storescp" to the move destinations of "PACS" at 127\.0\.0\.1:11112: DCMTK dcmqrscp: a HostTable line "storescp = \(storescp, …\)" with the host and port where "storescp" listens/);
    expect(f.fix).toContain('Or move to "STORESCP" exactly as the PACS has it');
    expect(f.fix).not.toMatch(/Orthanc|pacscope|DicomModalities|HOST|PORT/);
  });

  it('0xA801 when the destination is the caller itself: it must listen, or use C-GET', () => {
    const { s, main } = moveTo('MOVESCU');
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xA801', [null, 0, 0, 0]));
    const [f] = diagnose(s.summary);
    expect(f.text).toContain("caller's own AE title");
    expect(f.fix).toContain('movescu --port');
    expect(f.fix).toContain('C-GET');
  });

  it('a generic failure with no sub-operation right after the C-MOVE (Orthanc 1.10: 0xC000)', () => {
    const { s, main, rq } = moveTo('NOWHERE');
    const fin = s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xC000', [null, 0, 0, 0]));
    s.release(main);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['move.destination-unknown.generic-failure', 'error']]);
    expect(findings[0].text).toContain('Orthanc 1.10 answers 0xC000');
    // 0xC000 with no sub-operation from a DCMTK implementation: Orthanc's behaviour, so its DicomModalities.
    expect(findings[0].fix).toContain('Orthanc: an entry ["NOWHERE", host, port] in "DicomModalities" with the host and port where "NOWHERE" listens');
    expect(findings[0].fix).not.toMatch(/dcmqrscp|HostTable|pacscope/);
    expect(findings[0].evidence.messages).toEqual([rq, fin]);
  });

  it('a refused connection while the C-MOVE ran: the destination does not listen', () => {
    const { s, main, rq } = moveTo('DEAD');
    const refused = s.open({ calling: null, called: null, refused: true, acceptor: { host: '127.0.0.1', port: 4999 } });
    const fin = s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xA702', [null, 0, 2, 0]));
    s.release(main);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['move.destination-not-listening']);
    expect(findings[0].title).toContain('127.0.0.1:4999');
    expect(findings[0].evidence).toEqual({ associations: [main, refused], messages: [rq, fin] });
  });

  it('asynchronous and not listening: the success was a promise', () => {
    const { s, main } = moveTo('DEAD');
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 3, 0, 0]));
    s.release(main);
    s.open({ calling: null, called: null, refused: true, acceptor: { host: '127.0.0.1', port: 4999 } });
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['move.asynchronous', 'move.destination-not-listening']);
    expect(findings[1].text).toContain('before it tried (an asynchronous C-MOVE)');
  });

  it('a refused connection during a C-MOVE whose sub-association worked is not its own', () => {
    const { s, main, rq } = moveTo('STORESCP');
    const id = sub(s, main, rq, 'STORESCP', 1);
    s.open({ calling: null, called: null, refused: true, acceptor: { host: '10.0.0.9', port: 104 } });
    s.release(id);
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 1, 0, 0]));
    expect(diagnose(s.summary).map((f) => f.rule)).toEqual(['connection.refused']);
  });

  it('a refused connection long after the C-MOVE is not its own', () => {
    const { s, main } = moveTo('DEAD');
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xC000', [null, 0, 0, 0]));
    s.release(main);
    s.open({ calling: null, called: null, refused: true, start: s.clock + 100 });
    expect(diagnose(s.summary).map((f) => f.rule)).toEqual(['move.destination-unknown.generic-failure', 'connection.refused']);
  });

  it('sub-operations failed because the store SCP refused the SOP class: listed, with the store SCP\'s setting', () => {
    const { s, main, rq } = moveTo('STORESCP');
    const id = sub(s, main, rq, 'STORESCP', 0, '0x0000', [{ abstractSyntax: UID.ct, result: 3 }, { abstractSyntax: UID.mr }]);
    s.release(id);
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xA702', [null, 0, 2, 0]));
    s.release(main);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['move.sub-operations-failed', 'error']]);
    const [f] = findings;
    expect(f.text).toContain('accepted only MR Image Storage (1.2.840.10008.5.1.4.1.1.4) and refused (PS3.8 Table 9-18) on a2 1 class(es), abstract-syntax-not-supported (provider rejection): CT Image Storage (1.2.840.10008.5.1.4.1.1.2)');
    // The destination answers to STORESCP with DCMTK's implementation: storescp, and only its option.
    expect(f.fix).toContain('DCMTK storescp: storescp with an association profile (-xf followed by the configuration file and the profile name) whose PresentationContexts list 1.2.840.10008.5.1.4.1.1.2');
    expect(f.fix).not.toMatch(/storeSopClasses|Orthanc/);
    expect(f.evidence.associations).toEqual([main, id]);
  });

  it('sub-operations failed with a transfer syntax refused, and with failure statuses (some completed: a warning)', () => {
    const { s, main, rq } = moveTo('STORESCP');
    const id = sub(s, main, rq, 'STORESCP', 0, '0x0000', [{ abstractSyntax: UID.mr, result: 4, transferSyntaxes: [UID.bigEndian] }, { abstractSyntax: UID.ct }]);
    s.store(id, 1, '0xA700');
    s.store(id, 2, '0x0000');
    s.release(id);
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xB000', [null, 1, 2, 0]));
    const [f] = diagnose(s.summary);
    expect([f.rule, f.severity]).toEqual(['move.sub-operations-failed', 'warning']);
    expect(f.text).toContain('transfer-syntaxes-not-supported');
    expect(f.text).toContain('1 C-STORE-RSP 0xA700');
    expect(f.text).toContain('out of resources');
    expect(f.fix).toContain('Implicit VR Little Endian');
  });

  it('success with nothing matched', () => {
    const { s, main } = moveTo('STORESCP', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '9.9.9' });
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 0, 0, 0]));
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['retrieve.nothing-matched', 'warning']]);
    expect(findings[0].text).toContain('StudyInstanceUID="9.9.9"');
  });

  it('success without a sub-association: info when the capture does not see the PACS, warning when it does', () => {
    const scuOnly = moveTo('STORESCP');
    scuOnly.s.message(scuOnly.main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 3, 0, 0]));
    scuOnly.s.release(scuOnly.main);
    expect(diagnose(scuOnly.s.summary).map((f) => [f.rule, f.severity])).toEqual([['move.no-sub-association', 'info']]);

    const seen = moveTo('STORESCP');
    seen.s.message(seen.main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 3, 0, 0]));
    seen.s.release(seen.main);
    seen.s.release(seen.s.open({ calling: 'PACS', called: 'OTHER' }));
    const [f] = diagnose(seen.s.summary);
    expect([f.rule, f.severity]).toEqual(['move.no-sub-association', 'warning']);
    expect(f.text).toContain('The capture ends');
  });

  it('live: a missing sub-association is reported only after the window', () => {
    const { s, main } = moveTo('STORESCP');
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 3, 0, 0]));
    s.release(s.open({ calling: 'PACS', called: 'OTHER' }));
    const t = s.clock;
    expect(diagnose(s.summary, { now: t + 5 })).toEqual([]);
    expect(diagnose(s.summary, { now: t + 31 }).map((f) => [f.rule, f.severity])).toEqual([['move.no-sub-association', 'warning']]);
    expect(diagnose(s.summary, { now: t + 5, windowSeconds: 2 }).map((f) => f.rule)).toEqual(['move.no-sub-association']);
  });

  it('asynchronous C-MOVE: explained as info; a warning when the SCU is its own destination', () => {
    for (const [dest, severity] of [['STORESCP', 'info'], ['MOVESCU', 'warning']] as const) {
      const { s, main, rq } = moveTo(dest, undefined, 'ORTHANC');
      s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [1, 1, 0, 0]));
      const fin = s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 2, 0, 0]));
      s.release(main);
      const id = sub(s, main, rq, dest, 2);
      s.release(id);
      const findings = diagnose(s.summary);
      expect(findings.map((f) => [f.rule, f.severity])).toEqual([['move.asynchronous', severity]]);
      expect(findings[0].text).toContain('"SynchronousCMove": false');
      expect(findings[0].fix).toContain('Orthanc: "SynchronousCMove": true in orthanc.json');
      expect(findings[0].fix).not.toContain('pacscope');
      expect(findings[0].evidence.messages.slice(0, 2)).toEqual([rq, fin]);
    }
  });

  it('counters that do not add up to the C-STOREs seen', () => {
    const { s, main, rq } = moveTo('STORESCP');
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [2, 1, 0, 0]));
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [2, 2, 0, 0]));
    const id = sub(s, main, rq, 'STORESCP', 2);
    s.release(id);
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 3, 0, 0]));
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['retrieve.counters-mismatch']);
    expect(findings[0].text).toContain('changes from 3');
    expect(findings[0].text).toContain('2 successful, 0 warning and 0 failed C-STORE-RSP(s) seen');
  });
});

describe('C-GET outcome', () => {
  const getRq = { messageId: 1, affectedSopClass: UID.studyGet, identifier: { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3' } };

  it('a clean C-GET with the SCP role gives no finding', () => {
    const s = new Session();
    const a = s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.ct }], roles: [{ sopClassUid: UID.ct, proposed: { scu: false, scp: true }, accepted: { scu: false, scp: true } }] });
    s.message(a, 'C-GET-RQ', getRq);
    s.store(a, 1, '0x0000', 'acceptor');
    s.message(a, 'C-GET-RSP', retrieveRsp(1, '0xFF00', [1, 1, 0, 0]));
    s.store(a, 2, '0x0000', 'acceptor');
    s.message(a, 'C-GET-RSP', retrieveRsp(1, '0x0000', [null, 2, 0, 0]));
    s.release(a);
    expect(diagnose(s.summary)).toEqual([]);
  });

  it('C-GET without role selection: every sub-operation failed', () => {
    const s = new Session();
    // pacscope's SCU (dcmjs-dimse's implementation): the fix names its option.
    const a = s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.ct }], impl: { requestor: IMPL.dcmjs, acceptor: IMPL.dcmtk } });
    s.message(a, 'C-GET-RQ', getRq);
    s.message(a, 'C-GET-RSP', retrieveRsp(1, '0xA702', [null, 0, 3, 0]));
    s.release(a);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['get.no-scp-role', 'error']]);
    expect(findings[0].text).toContain('no SCP/SCU Role Selection item');
    expect(findings[0].text).toContain('PS3.7 D.3.3.4');
    expect(findings[0].fix).toContain('pacscope: pacscope get --sop-class 1.2.840.10008.5.1.4.1.1.2');
    expect(findings[0].fix).not.toMatch(/getscu|DCMTK/);
  });

  it('C-GET without role selection that a lenient SCP served anyway: a warning', () => {
    const s = new Session();
    const a = s.open({ calling: 'GETSCU', called: 'ORTHANC', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.ct }] });
    s.message(a, 'C-GET-RQ', getRq);
    s.store(a, 1, '0x0000', 'acceptor');
    s.message(a, 'C-GET-RSP', retrieveRsp(1, '0x0000', [null, 1, 0, 0]));
    s.release(a);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['get.no-scp-role', 'warning']]);
    expect(findings[0].title).toContain('sent 1 C-STORE(s) anyway');
  });

  it('C-GET whose role the SCP refused', () => {
    const s = new Session();
    const a = s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.ct }], roles: [{ sopClassUid: UID.ct, proposed: { scu: false, scp: true }, accepted: { scu: true, scp: false } }] });
    s.message(a, 'C-GET-RQ', getRq);
    s.message(a, 'C-GET-RSP', retrieveRsp(1, '0xC000', [null, 0, 0, 0]));
    const [f] = diagnose(s.summary);
    expect(f.rule).toBe('get.no-scp-role');
    expect(f.text).toContain('did not accept it');
  });

  it('C-GET sub-operations refused by the SCU itself (its disk): get.sub-operations-failed', () => {
    const s = new Session();
    const a = s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.ct }], roles: [{ sopClassUid: UID.ct, proposed: { scu: false, scp: true }, accepted: { scu: false, scp: true } }] });
    s.message(a, 'C-GET-RQ', getRq);
    const [, rsp] = s.store(a, 1, '0xA700', 'acceptor');
    s.message(a, 'C-GET-RSP', retrieveRsp(1, '0xA702', [null, 0, 1, 0]));
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['get.sub-operations-failed']);
    expect(findings[0].evidence.messages).toContain(rsp);
  });
});
