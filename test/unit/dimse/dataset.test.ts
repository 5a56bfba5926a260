import { describe, it, expect } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { DataSetCollector } from '../../../shared/dimse/dataset-collector.ts';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, concat, el, encodeDataSet, hex } from './encode.ts';
import type { Element, Enc } from './encode.ts';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const BIG = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** Feed bytes in pieces of `split` bytes, starting at stream offset `offset`. */
function collect(bytes: Uint8Array, ts: string | null, opts: { max?: number; split?: number; offset?: number } = {}) {
  const c = new DataSetCollector(ts, opts.max ?? 64 * 1024);
  const split = opts.split ?? bytes.length;
  for (let p = 0; p < bytes.length; p += split) c.push(bytes.subarray(p, p + split), (opts.offset ?? 0) + p);
  return c.finish();
}

/**
 * A Study Root C-FIND identifier:
 *   (0008,0005) CS "ISO_IR 100"           Specific Character Set
 *   (0008,0020) DA "20240101-20241231"    Study Date range
 *   (0008,0052) CS "STUDY"                Query/Retrieve Level
 *   (0008,0061) CS "CT\MR"                Modalities in Study (2 values)
 *   (0008,1110) SQ one item: (0008,1150) UI "1.2.3" Referenced SOP Class UID
 *   (0010,0010) PN "Doe^John"
 *   (0010,0020) LO "PID-001"
 *   (0020,1208) IS "12"                   Number of Study Related Instances
 *   (0028,0010) US 512                    Rows
 */
function identifier(undefinedSequence: boolean): Element[] {
  return [
    el(0x00080005, 'CS', 'ISO_IR 100'),
    el(0x00080020, 'DA', '20240101-20241231'),
    el(0x00080052, 'CS', 'STUDY'),
    el(0x00080061, 'CS', 'CT\\MR'),
    el(0x00081110, 'SQ', [[el(0x00081150, 'UI', '1.2.3')]], undefinedSequence),
    el(0x00100010, 'PN', 'Doe^John'),
    el(0x00100020, 'LO', 'PID-001'),
    el(0x00201208, 'IS', '12'),
    el(0x00280010, 'US', [512]),
  ];
}

const EXPECTED = {
  SpecificCharacterSet: 'ISO_IR 100',
  StudyDate: '20240101-20241231',
  QueryRetrieveLevel: 'STUDY',
  ModalitiesInStudy: ['CT', 'MR'],
  ReferencedStudySequence: [{ ReferencedSOPClassUID: '1.2.3' }],
  PatientName: 'Doe^John',
  PatientID: 'PID-001',
  NumberOfStudyRelatedInstances: 12,
  Rows: 512,
};

describe('DataSetCollector: identifiers in the three native encodings', () => {
  const cases: [string, Enc, string][] = [
    ['Implicit VR Little Endian', IMPLICIT_LE, IMPLICIT],
    ['Explicit VR Little Endian', EXPLICIT_LE, EXPLICIT],
    ['Explicit VR Big Endian', EXPLICIT_BE, BIG],
  ];
  for (const [name, enc, ts] of cases) {
    for (const undefinedSequence of [false, true]) {
      it(`decodes ${name} (${undefinedSequence ? 'undefined' : 'defined'}-length sequence)`, () => {
        const bytes = encodeDataSet(identifier(undefinedSequence), enc);
        const { summary, problems } = collect(bytes, ts);
        expect(problems).toEqual([]);
        expect(summary).toEqual({ length: bytes.length, transferSyntax: ts, attributes: EXPECTED, skipped: {}, truncated: false, error: null });
        // fed one byte at a time: the same
        expect(collect(bytes, ts, { split: 1 }).summary).toEqual(summary);
      });
    }
  }

  it('gives empty return keys as empty strings, an empty sequence as an empty list', () => {
    // C-FIND-RQ return keys: (0010,0010) PN empty, (0008,0050) SH empty, (0008,1110) SQ with no items.
    const bytes = encodeDataSet([el(0x00080050, 'SH', ''), el(0x00081110, 'SQ', []), el(0x00100010, 'PN', '')], EXPLICIT_LE);
    const { summary } = collect(bytes, EXPLICIT);
    expect(summary.attributes).toEqual({ AccessionNumber: '', ReferencedStudySequence: [], PatientName: '' });
  });

  it('reads an encapsulated transfer syntax as Explicit VR Little Endian', () => {
    const bytes = encodeDataSet(identifier(false), EXPLICIT_LE);
    expect(collect(bytes, JPEG_BASELINE).summary.attributes).toEqual(EXPECTED);
  });

  it('guesses the encoding when the transfer syntax is unknown, and says so', () => {
    const explicit = collect(encodeDataSet(identifier(true), EXPLICIT_LE), null, { split: 3 }).summary;
    expect(explicit.attributes).toEqual(EXPECTED);
    expect(explicit.error).toMatch(/transfer syntax unknown: read as Explicit VR Little Endian/);
    const implicit = collect(encodeDataSet(identifier(true), IMPLICIT_LE), null).summary;
    expect(implicit.attributes).toEqual(EXPECTED);
    expect(implicit.error).toMatch(/Implicit VR Little Endian/);
  });

  it('decodes a deflated data set (PS3.5 A.5)', () => {
    const raw = encodeDataSet(identifier(true), EXPLICIT_LE);
    const deflated = new Uint8Array(deflateRawSync(raw));
    const { summary } = collect(deflated, DEFLATED, { split: 5 });
    expect(summary).toMatchObject({ length: deflated.length, transferSyntax: DEFLATED, attributes: EXPECTED, error: null });
    const broken = collect(hex('ff ff ff ff 00 01'), DEFLATED).summary;
    expect(broken.error).toMatch(/could not be inflated/);
  });

  it('converts small binary values to hex and keeps private elements by tag', () => {
    // (0009,0010) LO "ACME" private creator; (0009,1001) UN 4 bytes; (0028,1201) OW red palette 4 bytes
    const bytes = encodeDataSet(
      [el(0x00090010, 'LO', 'ACME'), el(0x00091001, 'UN', new Uint8Array([1, 2, 3, 4])), el(0x00281201, 'OW', new Uint8Array([0, 1, 0, 2]))],
      EXPLICIT_LE,
    );
    const { summary } = collect(bytes, EXPLICIT);
    expect(summary.attributes.RedPaletteColorLookupTableData).toBe('00010002');
    expect(Object.values(summary.attributes)).toContain('01020304');
    expect(Object.values(summary.attributes)).toContain('ACME');
  });
});

describe('DataSetCollector: Specific Character Set (0008,0005)', () => {
  it('decodes an ISO_IR 100 (Latin-1) person name', () => {
    // PatientName "Müller^Jérôme" in ISO 8859-1: M fc l l e r ^ J e9 r f4 m e (13 bytes + space pad)
    const name = hex('4d fc 6c 6c 65 72 5e 4a e9 72 f4 6d 65 20');
    for (const [enc, ts] of [[IMPLICIT_LE, IMPLICIT], [EXPLICIT_BE, BIG]] as const) {
      const bytes = encodeDataSet([el(0x00080005, 'CS', 'ISO_IR 100'), el(0x00100010, 'PN', name)], enc);
      expect(collect(bytes, ts).summary.attributes).toEqual({ SpecificCharacterSet: 'ISO_IR 100', PatientName: 'Müller^Jérôme' });
    }
  });

  it('decodes an ISO_IR 192 (UTF-8) person name with an ideographic group, also in a sequence item', () => {
    // PatientName "Wang^XiaoDong=王^小東" in UTF-8 (24 bytes: 王 and 小東 take 3 bytes a character)
    const name = new TextEncoder().encode('Wang^XiaoDong=王^小東');
    const bytes = encodeDataSet(
      [el(0x00080005, 'CS', 'ISO_IR 192'), el(0x00081110, 'SQ', [[el(0x00100010, 'PN', name)]], true), el(0x00100010, 'PN', name)],
      EXPLICIT_LE,
    );
    expect(collect(bytes, EXPLICIT, { split: 7 }).summary.attributes).toEqual({
      SpecificCharacterSet: 'ISO_IR 192',
      ReferencedStudySequence: [{ PatientName: 'Wang^XiaoDong=王^小東' }],
      PatientName: 'Wang^XiaoDong=王^小東',
    });
  });

  it('decodes ISO 2022 IR 87 (Japanese, code extensions) and keeps the wire value of the character set', () => {
    // PS3.5 H.3.1: "\ISO 2022 IR 87", PatientName "Yamada^Tarou=山田^太郎=やまだ^たろう":
    //   Yamada^Tarou= ESC$B ;3ED ESC(B ^ ESC$B B@O: ESC(B = ESC$B $d$^$@ ESC(B ^ ESC$B $?$m$& ESC(B
    const name = hex(`
      59 61 6d 61 64 61 5e 54 61 72 6f 75 3d
      1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a 1b 28 42 3d
      1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42`);
    const bytes = encodeDataSet(
      [
        el(0x00080005, 'CS', '\\ISO 2022 IR 87'),
        el(0x00081110, 'SQ', [[el(0x00100010, 'PN', name)]]),
        el(0x00100010, 'PN', name),
      ],
      IMPLICIT_LE,
    );
    const { summary } = collect(bytes, IMPLICIT);
    expect(summary.attributes).toEqual({
      SpecificCharacterSet: ['', 'ISO 2022 IR 87'],
      ReferencedStudySequence: [{ PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう' }],
      PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
    });
    expect(summary.error).toBeNull();
  });

  it('reports an unsupported character set and still decodes', () => {
    const bytes = encodeDataSet([el(0x00080005, 'CS', 'ISO_IR 999'), el(0x00100020, 'LO', 'PID')], EXPLICIT_LE);
    const { summary } = collect(bytes, EXPLICIT);
    expect(summary.attributes.PatientID).toBe('PID');
    expect(summary.error).toMatch(/character set/i);
  });
});

describe('DataSetCollector: bulk data and the size limit', () => {
  /** A CT C-STORE data set: a few attributes, then 512 KiB of OW Pixel Data. */
  function ctImage(enc: Enc): { bytes: Uint8Array; pixels: number } {
    const pixels = new Uint8Array(512 * 1024).fill(0xab);
    const head = [
      el(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
      el(0x00080018, 'UI', '1.2.3.4.5'),
      el(0x00100010, 'PN', 'Doe^Jane'),
      el(0x00280010, 'US', [512]),
      el(0x00280011, 'US', [512]),
    ];
    return { bytes: encodeDataSet([...head, el(0x7fe00010, 'OW', pixels)], enc), pixels: pixels.length };
  }

  it('measures and skips Pixel Data without holding it', () => {
    const { bytes, pixels } = ctImage(EXPLICIT_LE);
    const { summary, problems } = collect(bytes, EXPLICIT, { split: 16384 });
    expect(problems).toEqual([]);
    expect(summary).toMatchObject({
      length: bytes.length,
      truncated: false,
      error: null,
      skipped: { PixelData: pixels + 12 },
      attributes: { SOPInstanceUID: '1.2.3.4.5', PatientName: 'Doe^Jane', Rows: 512, Columns: 512 },
    });
    expect('PixelData' in summary.attributes).toBe(false);
  });

  it('skips encapsulated Pixel Data (undefined length, fragments) and keeps the elements after it', () => {
    // (0010,0010) PN; (7FE0,0010) OB undefined length: empty offset table item, one 3000-byte fragment,
    // sequence delimiter; then (FFFC,FFFC) Data Set Trailing Padding OB of 4 zero bytes
    const frame = new Uint8Array(3000).fill(7);
    const bytes = encodeDataSet(
      [el(0x00100010, 'PN', 'Doe^Jane'), el(0x7fe00010, 'OB', frame, true), el(0xfffcfffc, 'OB', new Uint8Array(4))],
      EXPLICIT_LE,
    );
    const { summary } = collect(bytes, JPEG_BASELINE, { split: 1000 });
    // 12 (element header) + 8 (empty offset table item) + 8 + 3000 (fragment) + 8 (delimiter)
    expect(summary.skipped).toEqual({ PixelData: 12 + 8 + 8 + 3000 + 8 });
    expect(summary.attributes).toEqual({ PatientName: 'Doe^Jane', DataSetTrailingPadding: '00000000' });
    expect(summary.truncated).toBe(false);
  });

  it('skips OB/OW/UN values over 1 KiB but keeps smaller ones', () => {
    const bytes = encodeDataSet([el(0x00091001, 'UN', new Uint8Array(1026)), el(0x00100010, 'PN', 'A^B')], EXPLICIT_LE);
    const { summary } = collect(bytes, EXPLICIT);
    expect(summary.skipped).toEqual({ '(0009,1001)': 1026 + 12 });
    expect(summary.attributes).toEqual({ PatientName: 'A^B' });
  });

  it('cuts at the last whole top-level element before the limit and lists the rest', () => {
    // Implicit VR LE: (0010,0010) PN 14 bytes, (0010,0020) LO 400 bytes, (0010,0030) DA 8 bytes, (0010,1000) LO 300 bytes
    const many = [el(0x00100010, 'PN', 'First^Element'), el(0x00100020, 'LO', ''.padEnd(400, 'y')), el(0x00100030, 'DA', '19700101'), el(0x00101000, 'LO', ''.padEnd(300, 'z'))];
    const bytes = encodeDataSet(many, IMPLICIT_LE);
    // limit 500: PN (8+14) + LO (8+400) = 430 fit; DA (8+8) = 446 fits; the last LO (308) does not
    const { summary } = collect(bytes, IMPLICIT, { max: 500, split: 50 });
    expect(summary.truncated).toBe(true);
    expect(summary.length).toBe(bytes.length);
    expect(Object.keys(summary.attributes)).toEqual(['PatientName', 'PatientID', 'PatientBirthDate']);
    expect(summary.skipped).toEqual({ OtherPatientIDs: 308 });
  });

  it('truncates an undefined-length sequence that outgrows the limit', () => {
    const items = Array.from({ length: 50 }, (_, i) => [el(0x00081150, 'UI', `1.2.840.10008.5.1.4.1.1.${i}`)]);
    const bytes = encodeDataSet([el(0x00100010, 'PN', 'A^B'), el(0x00081199, 'SQ', items, true), el(0x00100020, 'LO', 'P1')], EXPLICIT_LE);
    const { summary } = collect(bytes, EXPLICIT, { max: 600, split: 64 });
    expect(summary.truncated).toBe(true);
    expect(summary.attributes).toEqual({ PatientName: 'A^B' });
    expect(Object.keys(summary.skipped)).toEqual(['ReferencedSOPSequence', 'PatientID']);
    expect(summary.skipped.ReferencedSOPSequence + summary.skipped.PatientID + 8 + 4).toBe(bytes.length);
  });

  it('keeps bulk work off the skipped bytes: a 64 MiB pixel value costs no more than its header', () => {
    const c = new DataSetCollector(IMPLICIT, 64 * 1024);
    // (7FE0,0010) implicit, length 64 MiB
    c.push(hex('e0 7f 10 00 00 00 00 04'), 0);
    const chunk = new Uint8Array(1 << 20);
    const t0 = performance.now();
    for (let i = 0; i < 64; i++) c.push(chunk, 8 + i * chunk.length);
    const elapsed = performance.now() - t0;
    const { summary } = c.finish();
    expect(summary.skipped).toEqual({ PixelData: 8 + 64 * (1 << 20) });
    expect(elapsed).toBeLessThan(50);
  });
});

describe('DataSetCollector: malformed data sets', () => {
  it('reports a value overrunning the data set end, with its stream offset, and decodes what precedes it', () => {
    // (0010,0010) PN "A^B " then (0010,0020) LO declaring 100 bytes with only 4 present
    const bytes = hex('10 00 10 00 04 00 00 00 41 5e 42 20   10 00 20 00 64 00 00 00 50 49 44 31');
    const { summary, problems } = collect(bytes, IMPLICIT, { offset: 1000, split: 5 });
    expect(problems).toEqual([{ offset: 1012, reason: 'element (0010,0020) overruns the data set end by 96 bytes' }]);
    expect(summary.attributes).toEqual({ PatientName: 'A^B' });
    expect(summary.error).toMatch(/overruns/);
  });

  it('reports an element overrunning its item', () => {
    // (0008,1110) SQ length 20: item length 12: (0008,1150) UI declaring 8 bytes (4 too many)
    const bytes = hex(`
      08 00 10 11 14 00 00 00
        fe ff 00 e0 0c 00 00 00
          08 00 50 11 08 00 00 00 31 2e 32 00
      10 00 20 00 02 00 00 00 50 31`);
    const { summary, problems } = collect(bytes, IMPLICIT);
    expect(problems[0]).toEqual({ offset: 16, reason: 'element (0008,1150) length 8 overruns its enclosing item by 4 bytes' });
    expect(summary.attributes).toEqual({});
  });

  it('reports odd lengths but goes on', () => {
    // (0010,0020) LO length 3 "ABC", (0010,0030) DA "19700101"
    const bytes = hex('10 00 20 00 03 00 00 00 41 42 43   10 00 30 00 08 00 00 00 31 39 37 30 30 31 30 31');
    const { summary, problems } = collect(bytes, IMPLICIT);
    expect(problems).toEqual([{ offset: 0, reason: 'element (0010,0020) has odd length 3' }]);
    expect(summary.attributes).toEqual({ PatientID: 'ABC', PatientBirthDate: '19700101' });
  });

  it('reports items outside sequences, bad VRs and missing delimiters', () => {
    expect(collect(hex('fe ff 00 e0 00 00 00 00'), IMPLICIT).problems[0].reason).toMatch(/outside a sequence/);
    expect(collect(hex('10 00 10 00 3f 3f 04 00 41 5e 42 20'), EXPLICIT).problems[0].reason).toMatch(/invalid VR/);
    // undefined-length SQ with one undefined-length item, never closed
    const open = collect(hex('08 00 10 11 ff ff ff ff fe ff 00 e0 ff ff ff ff'), IMPLICIT);
    expect(open.problems[0].reason).toMatch(/ends inside sequence \(0008,1110\)/);
  });

  it('never throws on random bytes, in any encoding, whole or in pieces', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const base = encodeDataSet(identifier(true), EXPLICIT_LE);
    for (let i = 0; i < 1500; i++) {
      const bytes = rand() < 0.5 ? base.slice() : new Uint8Array(Math.floor(rand() * 200));
      for (let k = 0; k < bytes.length; k++) if (rand() < 0.1) bytes[k] = Math.floor(rand() * 256);
      const ts = [IMPLICIT, EXPLICIT, BIG, DEFLATED, null][i % 5];
      expect(() => collect(bytes, ts, { split: 1 + Math.floor(rand() * 20), max: 1 + Math.floor(rand() * 300) })).not.toThrow();
    }
  });
});

describe('encode helper sanity', () => {
  it('encodes an explicit VR LE short element as PS3.5 §7.1.2 says', () => {
    // (0010,0020) LO "ID" → 10 00 20 00 'L' 'O' 02 00 'I' 'D'
    expect(encodeDataSet([el(0x00100020, 'LO', 'ID')], EXPLICIT_LE)).toEqual(hex('10 00 20 00 4c 4f 02 00 49 44'));
    expect(concat(hex('01'), hex('02'))).toEqual(hex('01 02'));
  });
});
