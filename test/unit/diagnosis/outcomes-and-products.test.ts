/**
 * The rules of issue 15 on hand-made sessions: retrieves that end short
 * (cancelled, the SCU vanished, sub-operations never performed, a
 * destination never reached, a C-GET without a storage context for what it
 * retrieves), a peer's non-conformance apart from the capture's missing
 * bytes, pacscope's own probing apart from the user's traffic, and which
 * product a fix names (identify.ts) — with no placeholder in any fix.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { ProductIndex } from '../../../shared/diagnosis/identify.ts';
import type { DiagnoseOptions, Finding } from '../../../shared/diagnosis/types.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { fixProblems } from '../../interop/diagnosis-lab.ts';
import { IMPL, Session, moveRq, retrieveRsp, UID } from './session.ts';

/** Findings, after checking that every fix is free of placeholders and of products not identified. */
function findings(summary: Summary, options: DiagnoseOptions = {}): Finding[] {
  const out = diagnose(summary, options);
  expect(fixProblems(summary, out, options)).toEqual([]);
  return out;
}

function move(calling = 'MOVESCU', called = 'PACS') {
  const s = new Session();
  const a = s.open({ calling, called, contexts: [{ abstractSyntax: UID.studyMove }], impl: { requestor: IMPL.dcmtk, acceptor: IMPL.dcmjs } });
  const rq = s.message(a, 'C-MOVE-RQ', moveRq(1, 'STORESCP'));
  return { s, a, rq };
}

describe('retrieves that end short', () => {
  it('cancelled by the SCU: who, after how many, how many never came', () => {
    const { s, a, rq } = move();
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [8, 1, 0, 0]));
    const cancel = s.message(a, 'C-CANCEL-RQ', { respondsTo: 1 });
    expect(s.summary.messages[cancel].cause).toEqual({ relation: 'c-cancel', message: rq });
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xFE00', [6, 3, 0, 0]));
    s.release(a);
    const [f, ...rest] = findings(s.summary);
    expect(rest).toEqual([]);
    expect([f.rule, f.severity]).toEqual(['retrieve.cancelled', 'warning']);
    expect(f.title).toBe('C-MOVE on a1 cancelled by the SCU "MOVESCU" after 3 sub-operation(s), 6 never performed');
    expect(f.text).toContain('when the last pending response said remaining 8, completed 1');
    expect(f.fix).toContain("DCMTK's --cancel");
    expect(f.evidence.messages).toContain(cancel);
  });

  it('the SCU vanished: its side closed first with the C-MOVE running; the SCP closing first is named too', () => {
    const { s, a } = move();
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [2, 1, 0, 0]));
    s.close(a, 'connection closed by requestor without A-RELEASE', 'requestor');
    const [f, ...rest] = findings(s.summary);
    expect(rest).toEqual([]);
    expect([f.rule, f.severity]).toEqual(['retrieve.scu-vanished', 'error']);
    expect(f.text).toContain('"MOVESCU" (from 127.0.0.1)');
    expect(f.text).toContain('remaining 2, completed 1');
    expect(f.fix).toMatch(/^Find out why "MOVESCU" on 127\.0\.0\.1 stopped/);

    const other = move();
    other.s.close(other.a, 'connection closed by acceptor without A-RELEASE', 'acceptor');
    const [g] = findings(other.s.summary);
    expect(g.rule).toBe('association.closed-while-waiting');
    expect(g.title).toContain('the SCP "PACS" (127.0.0.1:11112) closed first');
    expect(g.fix).toMatch(/^Read the log of the SCP "PACS" \(127\.0\.0\.1:11112\)/);
  });

  it('a failed final response that accounts for fewer sub-operations than announced', () => {
    const { s, a } = move();
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [8, 1, 0, 0]));
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xB000', [null, 2, 0, 1]));
    s.release(a);
    const rules = findings(s.summary).map((f) => [f.rule, f.severity]);
    expect(rules).toContainEqual(['retrieve.sub-operations-not-performed', 'warning']);
  });

  it("success reported, nothing reached pacscope's own store SCP: never reached (an info without knowing it is ours)", () => {
    const { s, a } = move('MOVESCU', 'ORTHANC');
    s.assoc(a).implementation.acceptor = { ...IMPL.dcmtk };
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 3, 0, 0]));
    s.release(a);
    const listening = [{ ae: 'STORESCP', host: '127.0.0.1', port: 11113 }];
    const [f] = findings(s.summary, { listening, now: s.clock + 40 });
    expect([f.rule, f.severity]).toEqual(['move.destination-never-reached', 'error']);
    expect(f.fix).toBe('Point "ORTHANC"\'s entry for "STORESCP" at 127.0.0.1:11113: Orthanc: "DicomModalities": {"storescp": ["STORESCP", "127.0.0.1", 11113]} in orthanc.json. Then Orthanc: "SynchronousCMove": true in orthanc.json makes its final response tell what really happened.');
    expect(findings(s.summary).map((x) => [x.rule, x.severity])).toEqual([['move.no-sub-association', 'info']]);
  });

  it('a C-GET whose failed instances got no C-STORE: no storage context for their class, named from a C-FIND in the capture', () => {
    const s = new Session();
    const find = s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyFind }] });
    s.message(find, 'C-FIND-RQ', { messageId: 1, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '', SOPClassUID: '' } });
    s.message(find, 'C-FIND-RSP', { respondsTo: 1, status: '0xFF00', identifier: { SOPInstanceUID: '1.2.3.9', SOPClassUID: UID.ct } });
    s.message(find, 'C-FIND-RSP', { respondsTo: 1, status: '0x0000' });
    s.release(find);
    const a = s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.mr }], roles: [{ sopClassUid: UID.mr, proposed: { scu: false, scp: true }, accepted: { scu: false, scp: true } }], impl: { requestor: IMPL.dcmjs } });
    s.message(a, 'C-GET-RQ', { messageId: 1, affectedSopClass: UID.studyGet, identifier: { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3' } });
    s.message(a, 'C-GET-RSP', { ...retrieveRsp(1, '0xA702', [null, 0, 1, 0]), identifier: { FailedSOPInstanceUIDList: '1.2.3.9' } });
    s.release(a);
    const [f, ...rest] = findings(s.summary);
    expect(rest).toEqual([]);
    expect(f.rule).toBe('get.no-storage-context');
    expect(f.title).toContain(`for CT Image Storage (${UID.ct})`);
    expect(f.fix).toContain(`pacscope: pacscope get --sop-class ${UID.ct}`);
  });
});

describe("a peer's non-conformance is not the capture's problem", () => {
  it('data elements in a command set: the peer, its data shown; a capture gap: the capture; a reserved PDV bit: the peer', () => {
    const { s, a } = move();
    const rsp = s.message(a, 'C-MOVE-RSP', { ...retrieveRsp(1, '0xA702', [null, 0, 2, 0]), commandSetDataElements: { FailedSOPInstanceUIDList: ['1.2.3.1', '1.2.3.2'] }, nonConformance: [{ reason: 'element (0008,0058) FailedSOPInstanceUIDList is not in group 0000', section: 'PS3.7 §6.3.1' }] });
    s.release(a);
    s.summary.errors.push({ association: a, side: 'acceptor', offset: 900, time: s.clock, reason: 'PDV message control header 0x07 has reserved bits 2–7 set (PS3.8 Annex E.2)' });
    s.summary.errors.push({ association: a, side: 'requestor', offset: 10, time: s.clock, reason: 'capture gap of 100 byte(s) at offset 10: scanning for the next PDU header' });
    s.summary.errors.push({ association: null, side: null, offset: null, time: s.clock, reason: 'internal decoder error: boom' });
    const out = findings(s.summary);
    const peer = out.find((f) => f.rule === 'peer.command-set-non-conformant')!;
    expect(peer.title).toBe('"PACS" at 127.0.0.1:11112 sends command sets that do not follow the standard (PS3.7 §6.3.1)');
    expect(peer.text).toContain('FailedSOPInstanceUIDList = ["1.2.3.1" and "1.2.3.2"]');
    expect(peer.evidence.messages).toEqual([rsp]);
    expect(out.find((f) => f.rule === 'move.sub-operations-failed')!.text).toContain('in its command set');
    expect(out.find((f) => f.rule === 'peer.pdu-non-conformant')!.title).toBe('"PACS" at 127.0.0.1:11112 sent 1 malformed PDU part(s)');
    const capture = out.find((f) => f.rule === 'capture.decode-errors')!;
    expect(capture.text).toContain('capture gap');
    expect(capture.text).not.toContain('reserved bits');
    expect(out.find((f) => f.rule === 'decoder.internal-error')?.severity).toBe('info');
  });
});

describe("pacscope's own probing", () => {
  it("findings about the doctor's associations (and their sub-associations) get its origin; the user's stay the user's", () => {
    const s = new Session();
    const probe = s.open({ calling: 'DOCTOR', called: 'WRONG', reject: [1, 1, 7] });
    const user = s.open({ calling: 'USER', called: 'NOPE', reject: [1, 1, 7] });
    const out = findings(s.summary, { probes: [{ kind: 'doctor', label: 'doctor d1', associations: [probe] }] });
    expect(out.map((f) => [f.evidence.associations[0], f.origin])).toEqual([[probe, 'doctor'], [user, 'user']]);
    expect(findings(s.summary).every((f) => f.origin === 'user')).toBe(true);
  });
});

describe('which product a fix names', () => {
  it('from the implementation, the AE titles and ports, and the behaviour; unknown when the DCMTK family gives no more', () => {
    const s = new Session();
    const orthanc = s.open({ calling: 'SCU', called: 'ORTHANC', impl: { acceptor: IMPL.dcmtk }, acceptor: { host: '10.0.0.1', port: 104 } });
    const qr = s.open({ calling: 'SCU', called: 'QR', contexts: [{ abstractSyntax: UID.studyMove }], impl: { acceptor: IMPL.dcmtk }, acceptor: { host: '10.0.0.2', port: 104 } });
    s.message(qr, 'C-MOVE-RQ', moveRq(1, 'X'));
    s.message(qr, 'C-MOVE-RSP', retrieveRsp(1, '0xA801', [null, 0, 0, 0]));
    const store = s.open({ calling: 'SCU', called: 'ARCHIVE', contexts: [{ abstractSyntax: UID.studyFind, result: 3 }, { abstractSyntax: UID.ct }], impl: { acceptor: IMPL.dcmtk }, acceptor: { host: '10.0.0.3', port: 104 } });
    const ours = s.open({ calling: 'SCU', called: 'TEACH', impl: { acceptor: IMPL.dcmjs }, acceptor: { host: '10.0.0.4', port: 104 } });
    const pixel = s.open({ calling: 'SCU', called: 'PM', impl: { acceptor: { classUid: '1.3.6.1.4.1.5962.99.2', versionName: 'PIXELMEDJAVA001' } }, acceptor: { host: '10.0.0.5', port: 104 } });
    const plain = s.open({ calling: 'SCU', called: 'SOMEPACS', impl: { acceptor: IMPL.dcmtk }, acceptor: { host: '10.0.0.6', port: 104 } });
    const unknown = s.open({ calling: 'SCU', called: 'X', impl: { acceptor: { classUid: '1.2.3.4', versionName: 'X' } }, acceptor: { host: '10.0.0.7', port: 104 } });
    const index = new ProductIndex(s.summary);
    const product = (id: string) => index.productOf(s.assoc(id), 'acceptor');
    expect([orthanc, qr, store, ours, pixel, plain, unknown].map(product)).toEqual(['orthanc', 'dcmqrscp', 'storescp', 'pacscope', 'pixelmed', null, null]);
    expect(index.productOf(s.assoc(orthanc), 'requestor')).toBe(null);
    expect(new ProductIndex(s.summary, [{ ae: 'SOMEPACS', host: '10.0.0.6', port: 104 }]).productOf(s.assoc(plain), 'acceptor')).toBe('pacscope');
  });
});
