/**
 * A-ASSOCIATE-RJ findings (PS3.8 §9.3.4, Table 9-21): one rule id per
 * source/reason, what the SCP was called and what it likely expects, AE
 * title problems, and the fix on the right side (the SCU's called AE, the
 * SCP's AE table; the PACS's entry for a destination when the rejected
 * association is a C-MOVE sub-association).
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { IMPL, Session, moveRq, retrieveRsp, UID } from './session.ts';

function rejected(reject: [number, number, number], calling: string | null = 'SCU', called: string | null = 'PACS') {
  const s = new Session();
  s.open({ calling, called, reject });
  return diagnose(s.summary);
}

describe('association rejected', () => {
  it.each([
    [[1, 1, 1], 'association.rejected.no-reason'],
    [[1, 1, 2], 'association.rejected.application-context'],
    [[1, 1, 3], 'association.rejected.calling-ae'],
    [[1, 1, 7], 'association.rejected.called-ae'],
    [[2, 1, 7], 'association.rejected.called-ae'],
    [[1, 2, 1], 'association.rejected.provider'],
    [[1, 2, 2], 'association.rejected.protocol-version'],
    [[2, 3, 1], 'association.rejected.congestion'],
    [[2, 3, 2], 'association.rejected.local-limit'],
    [[1, 1, 5], 'association.rejected.other-reason'],
    [[1, 3, 0], 'association.rejected.other-reason'],
    [[1, 9, 9], 'association.rejected.other-reason'],
  ] as [[number, number, number], string][])('%j → %s', (code, rule) => {
    const findings = rejected(code);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([[rule, 'error']]);
    expect(findings[0].title).toContain(`(${code.join('/')})`);
    expect(findings[0].evidence).toEqual({ associations: ['a1'], messages: [], pdus: [0, 1] });
    expect(findings[0].fix.length).toBeGreaterThan(20);
  });

  it('1/1/7 from an SCP the capture cannot identify: the generic fix, said as such, with the real titles and address', () => {
    const [f] = rejected([1, 1, 7], 'SCU', 'WRONGAE');
    expect(f.text).toContain('it is not called "WRONGAE"');
    expect(f.text).toContain('PS3.8 §9.3.4');
    expect(f.fix).toMatch(/^Call the SCP at 127\.0\.0\.1:11112 by its own AE title instead of "WRONGAE"/);
    expect(f.fix).toContain('generic fix: the product was not identified');
    expect(f.fix).not.toMatch(/Orthanc|dcmqrscp|pacscope|HOST|PORT/);
  });

  it('1/1/7 from Orthanc (identified by an earlier association to the same address): its settings only', () => {
    const s = new Session();
    s.release(s.open({ calling: 'SCU', called: 'ORTHANC', impl: { requestor: IMPL.dcmtk, acceptor: IMPL.dcmtk } }));
    s.open({ calling: 'SCU', called: 'WRONGAE', reject: [1, 1, 7], impl: { requestor: IMPL.dcmtk } });
    const [f] = diagnose(s.summary);
    expect(f.fix).toMatch(/^Call the SCP at 127\.0\.0\.1:11112 by its own AE title "ORTHANC" instead of "WRONGAE": DCMTK tools: -aec ORTHANC/);
    expect(f.fix).toContain('Orthanc: "DicomAet": "WRONGAE" in orthanc.json');
    expect(f.fix).toContain('Orthanc: "DicomCheckCalledAet": false');
    expect(f.fix).not.toMatch(/dcmqrscp|AETable|pacscope|generic/);
  });

  it('1/1/3 from pacscope\'s PACS: add the caller to knownCallers', () => {
    const s = new Session();
    s.open({ calling: 'STRANGER', called: 'PACSCOPE', reject: [1, 1, 3] });
    const [f] = diagnose(s.summary, { listening: [{ ae: 'PACSCOPE', host: '127.0.0.1', port: 11112 }] });
    expect(f.text).toContain('"STRANGER"');
    expect(f.fix).toMatch(/^Add the caller "STRANGER" from 127\.0\.0\.1 to the peers the SCP at 127\.0\.0\.1:11112 knows: pacscope: "knownCallers": \["STRANGER"\]/);
    expect(f.fix).not.toMatch(/Orthanc|dcmqrscp|DicomModalities|HostTable/);
  });

  it('a called AE that differs from an accepted one only by case, and what the SCP likely expects', () => {
    const s = new Session();
    const ok = s.open({ calling: 'SCU', called: 'ORTHANC' });
    s.release(ok);
    s.open({ calling: 'SCU', called: 'orthanc', reject: [1, 1, 7] });
    const [f] = diagnose(s.summary);
    expect(f.text).toContain('accepted the called AE "ORTHANC", which differs from "orthanc" only by case or spaces');
    expect(f.text).toContain('lowercase');
    expect(f.fix).toContain('by its own AE title "ORTHANC" instead of "orthanc"');
  });

  it('blank, 16-character and illegal AE titles are named', () => {
    expect(rejected([1, 1, 7], 'SCU', '   ')[0].text).toContain('is blank');
    expect(rejected([1, 1, 7], 'SCU', 'ABCDEFGHIJKLMNOP')[0].text).toContain('fills all 16 characters');
    expect(rejected([1, 1, 7], 'SCU', 'A\\B')[0].text).toContain('backslash or a control character');
    expect(rejected([1, 1, 7], 'SCU', '  PACS')[0].text).toContain('starts with spaces');
    expect(rejected([1, 1, 3], 'x\ny', 'PACS')[0].text).toContain('"x\\ny"');
  });

  it('a rejected sub-association of a C-MOVE: fix the PACS\'s entry for the destination', () => {
    const s = new Session();
    const main = s.open({ calling: 'MOVESCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyMove }] });
    const rq = s.message(main, 'C-MOVE-RQ', moveRq(1, 'STORESCP'));
    const sub = s.open({ calling: 'PACS', called: 'STORESCP', reject: [1, 1, 7], acceptor: { host: '127.0.0.1', port: 11113 }, parent: { association: main, messageId: 1, request: rq } });
    const fin = s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xA702', [null, 0, 1, 0]));
    s.release(main);
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.rule)).toEqual(['association.rejected.called-ae']);
    const [f] = findings;
    expect(f.text).toContain('sub-association of the C-MOVE-RQ #1 on a1');
    expect(f.fix).toContain("Correct the PACS's entry for \"STORESCP\": the destination at 127.0.0.1:11113 does not answer to \"STORESCP\"");
    expect(f.fix).toContain('add "STORESCP" at 127.0.0.1:11113');
    expect(f.evidence.associations).toEqual([sub, main]);
    expect(f.evidence.messages).toEqual([rq, fin]);
  });
});
