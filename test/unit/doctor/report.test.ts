/** The doctor's report and its text (server/doctor/report.ts, format-report.ts), and the probe's per-class verdicts. */
import { describe, expect, it } from 'vitest';
import { allWorks, buildReport } from '../../../server/doctor/report.ts';
import { formatReport } from '../../../server/doctor/format-report.ts';
import { describeProbes, judgeSopClass } from '../../../server/doctor/step-contexts.ts';
import type { DoctorStep } from '../../../server/doctor/types.ts';
import { destinationFix, callerFix } from '../../../server/doctor/config-snippets.ts';

const target = { host: 'pacs.local', port: 104, calledAeTitle: 'PACS', callingAeTitle: 'ME' };
const steps: DoctorStep[] = [
  { id: 'connect', title: 'TCP connection', ok: true, detail: 'pacs.local:104 accepts TCP connections', associations: ['a1'] },
  { id: 'echo', title: 'C-ECHO ME → PACS', ok: false, detail: 'A-ASSOCIATE-RJ: called-AE-title-not-recognized (1/1/7)', associations: ['a1'] },
  { id: 'called-ae', title: 'Called AE title', ok: false, detail: 'the peer accepts called AE title "ORTHANC"\ntried 2 variants:\n  "X": rejected', fix: 'call the peer as "ORTHANC"', associations: ['a2', 'a3'] },
  { id: 'move', title: 'C-MOVE', ok: false, detail: 'the peer does not know ME', fix: 'call the peer as "ORTHANC"', associations: ['a4'] },
  { id: 'get', title: 'C-GET', ok: null, detail: 'skipped: no C-GET context', associations: [] },
];

describe('buildReport', () => {
  it('works and fails by step (skipped in neither), fixes once each in step order', () => {
    const r = buildReport(target, 'ORTHANC', steps);
    expect(r.summary.works).toEqual(['TCP connection: pacs.local:104 accepts TCP connections']);
    expect(r.summary.fails).toEqual(['C-ECHO ME → PACS: A-ASSOCIATE-RJ: called-AE-title-not-recognized (1/1/7)', 'Called AE title: the peer accepts called AE title "ORTHANC"', 'C-MOVE: the peer does not know ME']);
    expect(r.summary.fixes).toEqual(['call the peer as "ORTHANC"']);
    expect(r.calledAeTitleUsed).toBe('ORTHANC');
    expect(r.cancelled).toBe(false);
    expect(allWorks(r)).toBe(false);
    expect(allWorks(buildReport(target, 'PACS', [steps[0], steps[4]]))).toBe(true);
  });

  it('formats ✓/✗/– per step with the evidence, then the three lists', () => {
    const text = formatReport(buildReport(target, 'ORTHANC', steps));
    expect(text).toContain('✓ TCP connection — pacs.local:104 accepts TCP connections  [a1]');
    expect(text).toContain('✗ Called AE title — the peer accepts called AE title "ORTHANC"  [a2, a3]\n    tried 2 variants:\n      "X": rejected\n    fix: call the peer as "ORTHANC"');
    expect(text).toContain('– C-GET — skipped: no C-GET context');
    expect(text).toMatch(/What works:\n  ✓ TCP connection[^\n]*\nWhat does not:\n  ✗ C-ECHO/);
    expect(text).toContain('Fixes:\n  1. call the peer as "ORTHANC"');
    expect(text).toContain('used the called AE title "ORTHANC"');
  });
});

describe('presentation context verdicts (PS3.8 Table 9-18)', () => {
  const item = { sopClass: { uid: '1.2.840.10008.5.1.4.1.1.2', label: 'CT', kind: 'storage' as const }, contexts: [['1.2.840.10008.1.2'], ['1.2.840.10008.1.2.4.50']] };
  const planned = [
    { id: 3, abstractSyntax: item.sopClass.uid, transferSyntaxes: ['1.2.840.10008.1.2'] },
    { id: 5, abstractSyntax: item.sopClass.uid, transferSyntaxes: ['1.2.840.10008.1.2.4.50'] },
  ];
  const ctx = (id: number, result: number, resultText: string, ts: string | null) => ({ id, abstractSyntax: item.sopClass.uid, abstractSyntaxName: null, transferSyntaxes: [], result, resultText, transferSyntax: ts });

  it('accepted syntaxes in the order proposed; the reasons when none is', () => {
    expect(judgeSopClass(item, planned, [ctx(3, 0, 'acceptance', '1.2.840.10008.1.2'), ctx(5, 4, 'transfer-syntaxes-not-supported (provider rejection)', null)])).toMatchObject({ accepted: ['1.2.840.10008.1.2'], rejected: null });
    expect(judgeSopClass(item, planned, [ctx(3, 3, 'abstract-syntax-not-supported (provider rejection)', null), ctx(5, 3, 'abstract-syntax-not-supported (provider rejection)', null)])).toMatchObject({ accepted: [], rejected: 'abstract-syntax-not-supported (provider rejection)' });
  });

  it('groups storage classes with the same syntaxes', () => {
    const text = describeProbes(
      [
        { sopClass: '1', name: 'Verification', kind: 'verification', accepted: ['1.2.840.10008.1.2'], rejected: null },
        { sopClass: '2', name: 'CT', kind: 'storage', accepted: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'], rejected: null },
        { sopClass: '3', name: 'MR', kind: 'storage', accepted: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'], rejected: null },
        { sopClass: '4', name: 'RT Plan', kind: 'storage', accepted: [], rejected: 'abstract-syntax-not-supported' },
      ],
      17,
      1,
    );
    expect(text.split('\n')).toEqual([
      '17 presentation contexts for 4 SOP classes proposed on 1 association; 3 SOP classes accepted',
      'services: Verification (Implicit LE)',
      'storage CT, MR: Implicit LE, Explicit LE',
      'storage not accepted: RT Plan (abstract-syntax-not-supported)',
    ]);
  });
});

describe('configuration snippets', () => {
  it('a move destination, for Orthanc and dcmqrscp', () => {
    const fix = destinationFix({ ae: 'DOC STORE', host: '10.0.0.5', port: 11113 });
    expect(fix).toContain('"DicomModalities": { "doc_store": [ "DOC STORE", "10.0.0.5", 11113 ] }');
    expect(fix).toContain('doc_store = (DOC STORE, 10.0.0.5, 11113)');
    expect(destinationFix({ ae: 'X', host: null, port: null })).toContain('[ "X", "HOST", PORT ]');
  });

  it('a caller the peer must know (1/1/3)', () => {
    const fix = callerFix({ ae: 'ME', host: '127.0.0.1', port: null }, 'QRSCP');
    expect(fix).toContain('"DicomModalities": { "me": [ "ME", "127.0.0.1", PORT ] }');
    expect(fix).toContain('me = (ME, 127.0.0.1, PORT)');
    expect(fix).toContain("peers column of QRSCP's AETable line");
  });
});
