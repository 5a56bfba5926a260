/** `-k` parsing with the dcmjs data dictionary, and the CLI's option parsing. */
import { describe, expect, it } from 'vitest';
import { parseKey, parseKeys, formatValue } from '../../../server/endpoints/scu/keys.ts';
import { parseQueryCommandLine, parseScuCommandLine, UsageError } from '../../../server/cli/scu-common.ts';

describe('-k KEY[=VALUE]', () => {
  it('takes keywords and tags, with and without a value', () => {
    expect(parseKey('PatientName=DOE*')).toEqual({ keyword: 'PatientName', tag: '(0010,0010)', vr: 'PN', value: 'DOE*' });
    expect(parseKey('(0020,000d)')).toMatchObject({ keyword: 'StudyInstanceUID', value: '' });
    expect(parseKey('0008,0020=20240101-')).toMatchObject({ keyword: 'StudyDate', value: '20240101-' });
    expect(parseKey('Rows=512')).toMatchObject({ keyword: 'Rows', value: 512 });
    expect(parseKey('PatientName=A=B')).toMatchObject({ value: 'A=B' });
  });

  it('refuses what cannot be a key, with a reason', () => {
    expect(() => parseKey('PatientNmae=X')).toThrow('"PatientNmae" is not a keyword of the data dictionary');
    expect(() => parseKey('(0009,1001)=X')).toThrow('not in the data dictionary');
    expect(() => parseKey('ReferencedSeriesSequence')).toThrow('sequence');
    expect(() => parseKey('PixelData')).toThrow('cannot be a query key');
    expect(() => parseKey('Rows=many')).toThrow('needs a number');
  });

  it('later keys replace earlier ones', () => {
    expect(parseKeys(['PatientID=A', 'PatientID=B', 'PatientName'])).toEqual({ PatientID: 'B', PatientName: '' });
  });

  it('prints values on one line', () => {
    expect(formatValue([{ Alphabetic: 'DOE^JOHN' }])).toBe('DOE^JOHN');
    expect(formatValue(['ORIGINAL', 'PRIMARY'])).toBe('ORIGINAL\\PRIMARY');
    expect(formatValue(undefined)).toBe('');
  });
});

describe('SCU command lines', () => {
  const spec = { name: 'find', usage: 'u', query: true };

  it('understands the DCMTK spellings', () => {
    const line = parseScuCommandLine(['-aet', 'ME', '-aec', 'PACS', '-S', '-k', 'QueryRetrieveLevel=series', '-k', 'Modality=CT', '--ts', 'explicit,big', '--max-pdu', '32768', 'pacs.local', '104'], spec);
    expect(line.target).toMatchObject({ host: 'pacs.local', port: 104, callingAeTitle: 'ME', calledAeTitle: 'PACS', maxPdu: 32768, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'] });
    expect(parseQueryCommandLine(line.args)).toEqual({ model: 'study', level: 'SERIES', keys: { Modality: 'CT' }, cancelAfter: null });
  });

  it('has defaults: PACSCOPE → ANY-SCP, Study Root, STUDY level', () => {
    const line = parseScuCommandLine(['h', '11112'], spec);
    expect(line.target).toMatchObject({ callingAeTitle: 'PACSCOPE', calledAeTitle: 'ANY-SCP', maxPdu: 16384 });
    expect(parseQueryCommandLine(line.args)).toMatchObject({ model: 'study', level: 'STUDY' });
  });

  it('reports mistakes as usage errors', () => {
    const bad = [
      ['h'],
      ['h', '99999'],
      ['--aet', 'MUCH-TOO-LONG-AE-TITLE', 'h', '1'],
      ['--ts', 'jpeg', 'h', '1'],
      ['--max-pdu', '12', 'h', '1'],
      ['-x', 'h', '1'],
      ['--bogus', 'h', '1'],
    ];
    for (const argv of bad) expect(() => parseScuCommandLine(argv, spec), argv.join(' ')).toThrow(UsageError);
    const conflicting = parseScuCommandLine(['--level', 'STUDY', '-k', 'QueryRetrieveLevel=IMAGE', 'h', '1'], spec);
    expect(() => parseQueryCommandLine(conflicting.args)).toThrow('disagree');
  });
});
