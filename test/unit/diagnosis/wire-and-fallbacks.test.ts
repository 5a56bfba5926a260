/**
 * Wire-level findings (PDUs over the announced maximum, PS3.8 Annex D.1;
 * refused connections; decode errors; mid-stream associations), AE titles
 * that are invalid anywhere (PS3.5 §6.2), presentation contexts refused
 * (PS3.8 Table 9-18), and the fallback for any other failure status.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { IMPL, Session, moveRq, retrieveRsp, UID } from './session.ts';

describe('the wire', () => {
  it('P-DATA-TF over the receiver\'s maximum length', () => {
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'ORTHANC', maxPdu: { requestor: 16384, acceptor: 4096 }, impl: { requestor: IMPL.dcmjs, acceptor: IMPL.dcmtk } });
    const ok = s.pdu(a, 'requestor', 'P-DATA-TF', undefined, 4096 + 6);
    const big = s.pdu(a, 'requestor', 'P-DATA-TF', undefined, 8000);
    s.pdu(a, 'acceptor', 'P-DATA-TF', undefined, 9000);
    s.summary.errors.push({ association: a, side: 'requestor', offset: 0, time: s.clock, reason: "P-DATA-TF of 7994 bytes exceeds the acceptor's maximum length received of 4096 (PS3.8 Annex D.1)" });
    s.release(a);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['pdu.over-max-length']);
    expect(findings[0].evidence.pdus).toEqual([big]);
    expect(findings[0].evidence.pdus).not.toContain(ok);
    expect(findings[0].fix).toContain('Orthanc: "MaximumPduLength": 7994 in orthanc.json');
    expect(findings[0].fix).toContain("dcmjs-dimse's setMaxPduLength");
  });

  it('decode errors and mid-stream associations', () => {
    const s = new Session();
    s.open({ calling: null, called: null, midStream: true });
    s.summary.errors.push({ association: 'a1', side: 'requestor', offset: 10, time: 0.5, reason: 'capture gap of 100 bytes' });
    expect(diagnose(s.summary).map((f) => [f.rule, f.severity])).toEqual([['capture.mid-stream', 'info'], ['capture.decode-errors', 'warning']]);
  });
});

describe('AE titles, contexts and other statuses', () => {
  it('an invalid AE title that was accepted, and an over-long move destination', () => {
    const s = new Session();
    const a = s.open({ calling: 'BAD\\AE', called: 'PACS', contexts: [{ abstractSyntax: UID.studyMove }] });
    s.message(a, 'C-MOVE-RQ', moveRq(1, 'A_DESTINATION_TITLE_TOO_LONG'));
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0xFE00', [1, 0, 0, 0]));
    s.release(a);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['ae-title.invalid', 'warning'], ['ae-title.invalid', 'warning'], ['retrieve.cancelled', 'warning']]);
    expect(findings[0].title).toContain('Calling AE title "BAD\\\\AE"');
    expect(findings[1].text).toContain('over the 16');
  });

  it('every presentation context refused: which side, which classes, the information model', () => {
    const s = new Session();
    s.release(s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.patientMove, result: 3 }], impl: { requestor: IMPL.dcmtk } }));
    const [f] = diagnose(s.summary);
    expect([f.rule, f.severity]).toEqual(['association.contexts-all-rejected', 'error']);
    expect(f.text).toContain('Patient Root Query/Retrieve Information Model - MOVE');
    expect(f.fix).toContain('-S (Study Root)');
  });

  it('a storage class refused on a C-STORE association (not a C-GET one)', () => {
    const s = new Session();
    s.release(s.open({ calling: 'STORESCU', called: 'STORESCP', contexts: [{ abstractSyntax: UID.ct, result: 3 }, { abstractSyntax: UID.mr }] }));
    // pacscope's store SCP (DiagnoseOptions.listening): its own setting.
    s.release(s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.ct, result: 3 }], roles: [{ sopClassUid: UID.ct, proposed: { scu: false, scp: true }, accepted: null }] }));
    const findings = diagnose(s.summary, { listening: [{ ae: 'STORESCP', host: '127.0.0.1', port: 11112 }] });
    expect(findings.map((f) => [f.rule, f.evidence.associations])).toEqual([['store.context-rejected', ['a1']]]);
    expect(findings[0].fix).toContain('pacscope: "storeSopClasses" in the pacscope serve --config file with "1.2.840.10008.5.1.4.1.1.2" added');
  });

  it('other failure statuses, grouped; 0x0124 points at the caller table', () => {
    const s = new Session();
    const a = s.open({ calling: 'MODALITY', called: 'ORTHANC', contexts: [{ abstractSyntax: UID.ct }], impl: { requestor: IMPL.dcmtk, acceptor: IMPL.dcmtk } });
    for (let i = 1; i <= 3; i++) s.store(a, i, '0xA700', 'requestor');
    s.message(a, 'C-ECHO-RQ', { messageId: 9 });
    s.message(a, 'C-ECHO-RSP', { respondsTo: 9, status: '0x0124' });
    s.release(a);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => [f.rule, f.evidence.messages.length])).toEqual([['dimse.failure-status', 6], ['dimse.failure-status', 2]]);
    expect(findings[0].title).toMatch(/^3 × C-STORE-RSP 0xA700/);
    expect(findings[0].text).toContain('disk is full');
    expect(findings[1].fix).toContain('Orthanc: "DicomModalities": {"modality": ["MODALITY", "127.0.0.1", 104]}');
  });
});
