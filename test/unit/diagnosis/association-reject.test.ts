/**
 * A-ASSOCIATE-RJ findings (PS3.8 §9.3.4, Table 9-21): one rule id per
 * source/reason, what the SCP was called and what it likely expects, AE
 * title problems, and the fix on the right side (the SCU's called AE, the
 * SCP's AE table; the PACS's entry for a destination when the rejected
 * association is a C-MOVE sub-association).
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { Session, moveRq, retrieveRsp, UID } from './session.ts';

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

  it('1/1/7: says what the SCP was called and how to fix the SCU or the SCP', () => {
    const [f] = rejected([1, 1, 7], 'SCU', 'WRONGAE');
    expect(f.text).toContain('it is not called "WRONGAE"');
    expect(f.text).toContain('PS3.8 §9.3.4');
    expect(f.fix).toMatch(/-aec/);
    expect(f.fix).toContain('"DicomAet" in orthanc.json');
    expect(f.fix).toContain('AETable');
    expect(f.fix).toContain('--pacs AE@HOST:PORT');
    expect(f.fix).toContain('"DicomCheckCalledAet": false');
  });

  it('1/1/3: add the caller to the AE table of Orthanc, dcmqrscp or pacscope', () => {
    const [f] = rejected([1, 1, 3], 'STRANGER', 'PACS');
    expect(f.text).toContain('"STRANGER"');
    expect(f.fix).toContain('"DicomModalities": {"STRANGER": ["STRANGER", "127.0.0.1", PORT]}');
    expect(f.fix).toContain('HostTable line STRANGER = (STRANGER, 127.0.0.1, PORT)');
    expect(f.fix).toContain('"knownCallers": ["STRANGER"]');
  });

  it('a called AE that differs from an accepted one only by case, and what the SCP likely expects', () => {
    const s = new Session();
    const ok = s.open({ calling: 'SCU', called: 'ORTHANC' });
    s.release(ok);
    s.open({ calling: 'SCU', called: 'orthanc', reject: [1, 1, 7] });
    const [f] = diagnose(s.summary);
    expect(f.text).toContain('accepted the called AE "ORTHANC", which differs from "orthanc" only by case or spaces');
    expect(f.text).toContain('lowercase');
    expect(f.fix).toContain('(here probably "ORTHANC")');
    expect(f.fix).toContain('-aec ORTHANC');
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
    expect(f.fix).toContain("Correct the PACS's AE table entry for \"STORESCP\"");
    expect(f.fix).toContain('DicomModalities');
    expect(f.evidence.associations).toEqual([sub, main]);
    expect(f.evidence.messages).toEqual([rq, fin]);
  });
});
