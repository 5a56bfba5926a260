/**
 * The data set rewriter on crafted data sets, in the three native encodings:
 * every action of the profile (keep, remove, empty, dummy, UID map, date
 * shift, pseudonyms, AE titles with and without the network option, recursion
 * into sequences), private and group-length elements, sequences and items of
 * defined and undefined length, encapsulated pixel data, the elements the
 * redactor sets in an instance, non-ASCII names in Latin-1 and UTF-8, any
 * chunking of the input, and the switch to undefined length when a sequence
 * outgrows what may be held. Every output is checked to be a well-formed data
 * set (the decoder's element walker reports nothing) that dcmjs reads.
 */
import { describe, expect, it } from 'vitest';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, nativeSyntaxOf, type DataSetEncoding } from '../../../shared/dicom/transfer-syntaxes.ts';
import { decodeDataSet, dictionaryEntry } from '../../../shared/dimse/dataset.ts';
import { ElementWalker } from '../../../shared/dimse/element-walker.ts';
import { DataSetRewriter, type DataSetKind } from '../../../shared/redact/dataset-rewriter.ts';
import { RedactContext } from '../../../shared/redact/redact-options.ts';
import { Pseudonyms } from '../../../shared/redact/pseudonyms.ts';
import { el, encodeDataSet, type Element } from '../dimse/encode.ts';
import { contains, latin1, utf8 } from './helpers.ts';

const SALT = 'unit-salt';
const P = new Pseudonyms(SALT);
const NAME_LATIN1 = latin1('MÜLLER^JÜRGEN');
const ORIGINAL_UIDS = ['2.25.1111.1', '2.25.1111.2', '2.25.1111.3', '2.25.1111.4', '2.25.1111.5', '2.25.1111.6'];

function rewrite(bytes: Uint8Array, encoding: DataSetEncoding, kind: DataSetKind, opts: { network?: boolean; heldCap?: number; split?: number } = {}) {
  const ctx = new RedactContext({ salt: SALT, dateShiftDays: -10, network: opts.network });
  const parts: Uint8Array[] = [];
  const problems: string[] = [];
  const rw = new DataSetRewriter({ encoding, kind, ctx, sink: (b) => parts.push(b.slice()), problem: (r) => problems.push(r), heldCap: opts.heldCap });
  const split = opts.split ?? bytes.length;
  for (let i = 0; i < bytes.length; i += Math.max(1, split)) rw.push(bytes.subarray(i, i + Math.max(1, split)));
  rw.finish();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { out, problems };
}

/** Problems the decoder's own walker finds in a data set (none for a well-formed one). */
function walkProblems(bytes: Uint8Array, encoding: DataSetEncoding): string[] {
  const problems: string[] = [];
  const w = new ElementWalker(encoding, { topLevelStart: () => false, keep: () => {}, topLevelEnd: () => {}, topLevelAbandon: () => {}, problem: (_o, _s, r) => problems.push(r) }, (t) => dictionaryEntry(t)?.vr);
  w.push(bytes, 0);
  w.finish();
  return problems;
}

function attributes(bytes: Uint8Array, encoding: DataSetEncoding, charset: string | null = 'ISO_IR 100'): Record<string, unknown> {
  const d = decodeDataSet(bytes, nativeSyntaxOf(encoding), charset);
  expect(d.error).toBeNull();
  return d.attributes;
}

/** An instance with one element of each kind the profile treats differently. */
function instance(undefinedSequences: boolean): Element[] {
  const item = (classUid: string, uid: string): Element[] => [el(0x00081150, 'UI', classUid), el(0x00081155, 'UI', uid)];
  return [
    el(0x00080000, 'UL', [1234]), // a group length: wrong once values change
    el(0x00080005, 'CS', 'ISO_IR 100'),
    el(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.4'),
    el(0x00080018, 'UI', ORIGINAL_UIDS[0]),
    el(0x00080020, 'DA', '20240220'),
    el(0x00080030, 'TM', '101500'),
    el(0x00080050, 'SH', 'ACC002'),
    el(0x00080054, 'AE', 'QRSCP'),
    el(0x00080080, 'LO', 'SAINT ELSEWHERE HOSPITAL'),
    el(0x00080090, 'PN', 'REFERRING^DOCTOR'),
    el(0x00081030, 'LO', 'MR knee of Mr Müller'),
    el(0x00081110, 'SQ', [item('1.2.840.10008.3.1.2.3.1', ORIGINAL_UIDS[1])], undefinedSequences),
    el(0x00081140, 'SQ', [item('1.2.840.10008.5.1.4.1.1.4', ORIGINAL_UIDS[2]), item('1.2.840.10008.5.1.4.1.1.4', ORIGINAL_UIDS[3])], undefinedSequences),
    el(0x00090010, 'LO', 'ACME PRIVATE'),
    el(0x00091001, 'LO', 'PSC002 secret'),
    el(0x00100010, 'PN', NAME_LATIN1),
    el(0x00100020, 'LO', 'PSC002'),
    el(0x00100030, 'DA', '19700101'),
    el(0x00101000, 'LO', 'OTHER-ID-42'),
    el(0x00181000, 'LO', 'SN-123456'),
    el(0x0020000d, 'UI', ORIGINAL_UIDS[4]),
    el(0x0020000e, 'UI', ORIGINAL_UIDS[5]),
    el(0x00200010, 'SH', 'STUDY2'),
    el(0x00280010, 'US', [4]),
    el(0x00400275, 'SQ', [[el(0x00321060, 'LO', 'knee for PSC002'), el(0x00400007, 'LO', 'step of PSC002'), el(0x0040a123, 'PN', 'OBSERVER^ONE')]], undefinedSequences),
    el(0x0040a075, 'PN', 'VERIFIER^VERA'),
    el(0x50000010, 'US', [1]),
    el(0x60000010, 'US', [4]),
    el(0x60003000, 'OW', new Uint8Array(8).fill(0xaa)),
    el(0x7fe00010, 'OW', new Uint8Array(32).fill(0x55)),
  ];
}

const ENCODINGS: [string, DataSetEncoding][] = [
  ['Implicit VR LE', IMPLICIT_VR_LE],
  ['Explicit VR LE', EXPLICIT_VR_LE],
  ['Explicit VR BE', EXPLICIT_VR_BE],
];

describe.each(ENCODINGS)('an instance in %s', (_name, encoding) => {
  for (const undefinedSequences of [false, true]) {
    it(`applies every profile action (${undefinedSequences ? 'undefined' : 'defined'}-length sequences)`, () => {
      const input = encodeDataSet(instance(undefinedSequences), encoding);
      const { out, problems } = rewrite(input, encoding, 'instance');
      expect(problems).toEqual([]);
      expect(walkProblems(out, encoding)).toEqual([]);
      const a = attributes(out, encoding);
      // K: kept
      expect(contains(out, 'ISO_IR 100')).toBe(true);
      expect(a.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.4');
      expect(a.StudyTime).toBe('101500');
      expect(a.Rows).toBe(4);
      expect(a.RetrieveAETitle).toBe('QRSCP');
      // U: mapped, consistently
      expect(a.SOPInstanceUID).toBe(P.uid(ORIGINAL_UIDS[0]));
      expect(a.StudyInstanceUID).toBe(P.uid(ORIGINAL_UIDS[4]));
      expect(a.SeriesInstanceUID).toBe(P.uid(ORIGINAL_UIDS[5]));
      // U* sequences: kept, their UIDs mapped, class UIDs kept
      expect(a.ReferencedStudySequence).toEqual([{ ReferencedSOPClassUID: '1.2.840.10008.3.1.2.3.1', ReferencedSOPInstanceUID: P.uid(ORIGINAL_UIDS[1]) }]);
      expect((a.ReferencedImageSequence as { ReferencedSOPInstanceUID: string }[]).map((x) => x.ReferencedSOPInstanceUID)).toEqual([P.uid(ORIGINAL_UIDS[2]), P.uid(ORIGINAL_UIDS[3])]);
      // C: dates shifted by −10 days
      expect(a.StudyDate).toBe('20240210');
      // Z/D: pseudonyms
      expect(a.PatientName).toBe(P.of('patient-name', 'MÜLLER^JÜRGEN'));
      expect(a.PatientID).toBe(P.of('patient-id', 'PSC002'));
      expect(a.AccessionNumber).toBe(P.of('accession', 'ACC002'));
      expect(a.StudyID).toBe(P.of('study-id', 'STUDY2'));
      expect(a.VerifyingObserverName).toBe(P.of('person-name', 'VERIFIER^VERA'));
      // Z: present, empty
      expect(a.ReferringPhysicianName).toBe('');
      expect(a.PatientBirthDate).toBe('');
      // X: gone, inside sequences too
      for (const k of ['InstitutionName', 'StudyDescription', 'OtherPatientIDs', 'DeviceSerialNumber', 'OverlayData', 'IdentifyingGroupLength']) expect(a).not.toHaveProperty(k);
      expect(a.RequestAttributesSequence).toEqual([{ PersonName: P.of('person-name', 'OBSERVER^ONE') }]);
      // Private elements and group lengths removed, repeating-group curve data removed, overlay rows kept
      expect(Object.keys(a).some((k) => k.startsWith('(0009') || k.startsWith('(5000'))).toBe(false);
      expect(contains(out, 'ACME PRIVATE')).toBe(false);
      expect(a.OverlayRows).toBe(4);
      // Set by the redactor (PS3.15 E.1.1, E.3.6)
      expect(a.PatientIdentityRemoved).toBe('YES');
      expect(a.DeidentificationMethod).toContain('PS3.15 Annex E');
      expect(a.LongitudinalTemporalInformationModified).toBe('MODIFIED');
      // Pixel data passes through untouched
      expect(contains(out, new Uint8Array(32).fill(0x55))).toBe(true);
      // No original value is left anywhere in the bytes
      for (const v of ['PSC002', 'ACC002', 'SAINT ELSEWHERE', 'REFERRING', 'VERIFIER', 'OBSERVER', '19700101', '20240220', 'SN-123456', 'OTHER-ID', 'STUDY2', 'knee', ...ORIGINAL_UIDS]) {
        expect(contains(out, v), v).toBe(false);
      }
      expect(contains(out, NAME_LATIN1)).toBe(false);
      expect(contains(out, latin1('MÜLLER'))).toBe(false);
    });
  }

  it('gives the same bytes whatever the chunking', () => {
    const input = encodeDataSet(instance(true), encoding);
    const whole = rewrite(input, encoding, 'instance').out;
    for (const split of [1, 3, 7, 64]) expect(rewrite(input, encoding, 'instance', { split }).out).toEqual(whole);
  });

  it('switches an outgrown defined-length sequence to undefined length, with the same content', () => {
    const input = encodeDataSet(instance(false), encoding);
    const small = rewrite(input, encoding, 'instance', { heldCap: 40, split: 5 });
    expect(small.problems).toEqual([]);
    expect(walkProblems(small.out, encoding)).toEqual([]);
    expect(attributes(small.out, encoding)).toEqual(attributes(rewrite(input, encoding, 'instance').out, encoding));
  });
});

describe('identifiers and options', () => {
  it('empties instead of removing in a query identifier, and sets nothing of its own', () => {
    const input = encodeDataSet(
      [el(0x00080005, 'CS', 'ISO_IR 192'), el(0x00080052, 'CS', 'STUDY'), el(0x00080080, 'LO', 'HOSPITAL'), el(0x00081030, 'LO', ''), el(0x00100010, 'PN', 'MÜLLER*'), el(0x00100020, 'LO', ''), el(0x0020000d, 'UI', ''), el(0x00091001, 'LO', 'private')],
      EXPLICIT_VR_LE,
    );
    const { out } = rewrite(input, EXPLICIT_VR_LE, 'identifier');
    const a = attributes(out, EXPLICIT_VR_LE, 'ISO_IR 192');
    expect(a).toEqual({ SpecificCharacterSet: 'ISO_IR 192', QueryRetrieveLevel: 'STUDY', InstitutionName: '', StudyDescription: '', PatientName: `${P.of('patient-name', 'MÜLLER*')}*`, PatientID: '', StudyInstanceUID: '' });
  });

  it('maps AE titles in data sets only with the network option', () => {
    const input = encodeDataSet([el(0x00080054, 'AE', 'QRSCP'), el(0x00080055, 'AE', 'STATION1')], IMPLICIT_VR_LE);
    expect(attributes(rewrite(input, IMPLICIT_VR_LE, 'identifier').out, IMPLICIT_VR_LE)).toEqual({ RetrieveAETitle: 'QRSCP', StationAETitle: 'STATION1' });
    expect(attributes(rewrite(input, IMPLICIT_VR_LE, 'identifier', { network: true }).out, IMPLICIT_VR_LE)).toEqual({ RetrieveAETitle: P.of('ae', 'QRSCP'), StationAETitle: P.of('ae', 'STATION1') });
  });

  it('replaces a UTF-8 name wholly and gives a name the same pseudonym in any character set or case', () => {
    const name = 'NÚÑEZ^JOSÉ';
    const u = rewrite(encodeDataSet([el(0x00080005, 'CS', 'ISO_IR 192'), el(0x00100010, 'PN', utf8(name))], EXPLICIT_VR_LE), EXPLICIT_VR_LE, 'instance').out;
    const l = rewrite(encodeDataSet([el(0x00080005, 'CS', 'ISO_IR 100'), el(0x00100010, 'PN', latin1('Núñez^José^'))], EXPLICIT_VR_LE), EXPLICIT_VR_LE, 'instance').out;
    expect(attributes(u, EXPLICIT_VR_LE, 'ISO_IR 192').PatientName).toBe(attributes(l, EXPLICIT_VR_LE).PatientName);
    for (const needle of [utf8(name), latin1(name), utf8('NÚÑEZ'), latin1('NÚÑEZ'), utf8('JOSÉ')]) expect(contains(u, needle)).toBe(false);
  });

  it('keeps encapsulated pixel data fragments as they are (JPEG: Explicit VR LE data set)', () => {
    const frame = Uint8Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff);
    const input = encodeDataSet([el(0x00100010, 'PN', 'DOE^JOHN'), el(0x7fe00010, 'OB', frame, true)], EXPLICIT_VR_LE);
    const { out } = rewrite(input, EXPLICIT_VR_LE, 'instance', { split: 17 });
    expect(walkProblems(out, EXPLICIT_VR_LE)).toEqual([]);
    // The fragments, their item headers and the sequence delimiter are the input's last bytes, unchanged.
    const tail = input.subarray(input.length - (12 + 8 + 8 + frame.length + 8));
    expect(contains(out, tail)).toBe(true);
    expect(contains(out, 'DOE^JOHN')).toBe(false);
  });

  it('leaves out what it cannot read, and says so', () => {
    const good = encodeDataSet([el(0x00080052, 'CS', 'STUDY')], EXPLICIT_VR_LE);
    const bad = Uint8Array.of(0x10, 0x00, 0x10, 0x00, 0x31, 0x32, 0x08, 0x00, ...latin1('DOE^JOHN'));
    const { out, problems } = rewrite(new Uint8Array([...good, ...bad]), EXPLICIT_VR_LE, 'identifier');
    expect(out).toEqual(good);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/invalid VR.*left out/);
  });
});
