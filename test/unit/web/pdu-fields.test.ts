/**
 * Association PDUs decoded from their bytes for the inspector
 * (web/src/lib/inspector/pdu-fields.ts): the fields named as in PS3.8, with
 * what the summary does not keep (protocol version, application context
 * name), and never a secret.
 */
import { describe, expect, it } from 'vitest';
import { encodeAAbort, encodeAAssociateRj, encodeAReleaseRq } from '../../../shared/pdu/encode.ts';
import { hex } from '../../../shared/pdu/bytes.ts';
import { decodePduBytes, pduFields } from '../../../web/src/lib/inspector/pdu-fields.ts';
import { ac, rq } from './association-capture.ts';

const decoded = (bytes: Uint8Array, truncated = false) => decodePduBytes({ hex: hex(bytes), offset: 0, truncated });

function fields(bytes: Uint8Array): Record<string, string> {
  const d = decoded(bytes);
  expect(d.problems).toEqual([]);
  return Object.fromEntries(pduFields(d.pdu!).map((f) => [f.field, `${f.value} | ${f.meaning}`]));
}

describe('pduFields', () => {
  it('A-ASSOCIATE-RQ: protocol version, AE titles, application context, contexts, user information', () => {
    const rows = pduFields(decoded(rq).pdu!);
    expect(rows.slice(0, 6)).toEqual([
      { field: 'PDU-type', value: '0x01', meaning: 'A-ASSOCIATE-RQ' },
      { field: 'PDU-length', value: String(rq.length - 6), meaning: 'bytes after the 6-byte header' },
      { field: 'Protocol-version', value: '1', meaning: 'version 1' },
      { field: 'Called-AE-title', value: 'PACS', meaning: '' },
      { field: 'Calling-AE-title', value: 'WORKSTATION', meaning: '' },
      { field: 'Application Context Name', value: '1.2.840.10008.3.1.1.1', meaning: 'DICOM Application Context Name' },
    ]);
    const contexts = rows.filter((r) => r.field === 'Presentation Context Item');
    expect(contexts.map((r) => `${r.value}: ${r.meaning}`)).toEqual([
      'ID 1: Verification SOP Class; Implicit VR Little Endian',
      'ID 3: Study Root Query/Retrieve Information Model - FIND; Explicit VR Little Endian, Implicit VR Little Endian',
      'ID 5: Study Root Query/Retrieve Information Model - MOVE; Explicit VR Little Endian, Implicit VR Little Endian',
      'ID 7: CT Image Storage; Explicit VR Little Endian',
    ]);
    const f = fields(rq);
    expect(f['Maximum Length Received']).toMatch(/^16384 \|/);
    expect(f['Implementation Version Name']).toBe('OFFIS_DCMTK_367 | ');
    expect(f['Asynchronous Operations Window']).toMatch(/^1 \/ 1 \|/);
    expect(f['SCP/SCU Role Selection']).toBe('1.2.840.10008.5.1.4.1.1.2 | CT Image Storage: SCP');
    expect(f['User-Identity-Type']).toBe('2 | username and passcode');
    expect(f['Primary-field']).toBe('alice | username');
    expect(f['Secondary-field']).toBe('6 bytes | passcode, not shown');
    expect(JSON.stringify(rows)).not.toContain('secret');
  });

  it('A-ASSOCIATE-AC: results with their meanings (PS3.8 Table 9-18), the AE titles as an echo', () => {
    const rows = pduFields(decoded(ac).pdu!);
    expect(rows.find((r) => r.field === 'Called-AE-title')?.meaning).toBe('as in the A-ASSOCIATE-RQ (not tested)');
    expect(rows.filter((r) => r.field === 'Presentation Context Item').map((r) => `${r.value}: ${r.meaning}`)).toEqual([
      'ID 1: 0 acceptance; Implicit VR Little Endian',
      'ID 3: 0 acceptance; Explicit VR Little Endian',
      'ID 5: 0 acceptance; Explicit VR Little Endian',
      'ID 7: 3 abstract-syntax-not-supported (provider rejection)',
    ]);
    expect(fields(ac)['Server-response']).toBe('0 bytes | the user identity was accepted');
  });

  it('A-ASSOCIATE-RJ and A-ABORT: the codes with their meanings (PS3.8 Table 9-21, Table 9-26)', () => {
    const rj = fields(encodeAAssociateRj({ result: 1, source: 1, reason: 7 }));
    expect([rj['Result'], rj['Source'], rj['Reason/Diag.']]).toEqual(['1 | rejected-permanent', '1 | DICOM UL service-user', '7 | called-AE-title-not-recognized']);
    const ab = fields(encodeAAbort({ source: 2, reason: 6 }));
    expect([ab['PDU-type'], ab['Source'], ab['Reason/Diag.']]).toEqual(['0x07 | A-ABORT', '2 | DICOM UL service-provider (initiated abort)', '6 | invalid-PDU-parameter value']);
  });

  it('A-RELEASE-RQ: the header only', () => {
    expect(pduFields(decoded(encodeAReleaseRq()).pdu!)).toEqual([
      { field: 'PDU-type', value: '0x05', meaning: 'A-RELEASE-RQ' },
      { field: 'PDU-length', value: '4', meaning: 'bytes after the 6-byte header' },
    ]);
  });
});

describe('decodePduBytes', () => {
  it('reports bad bytes as problems, never throws', () => {
    const short = decoded(rq.subarray(0, 40));
    expect(short.problems.length).toBeGreaterThan(0);
    expect(decoded(Uint8Array.of(0x09, 0, 0, 0, 0, 0)).problems[0].reason).toMatch(/unknown PDU type/);
  });

  it('does not decode a truncated copy', () => {
    expect(decoded(rq, true)).toEqual({ pdu: null, problems: [{ offset: 0, reason: 'only the first bytes of this PDU were kept' }] });
  });
});
