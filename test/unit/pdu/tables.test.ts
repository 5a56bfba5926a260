import { describe, it, expect } from 'vitest';
import { UIDS, uidKind, uidName } from '../../../shared/dicom/uids.ts';
import { abortReasonText, associateRjReasonText, presentationContextResultText, userIdentityTypeText } from '../../../shared/pdu/meanings.ts';
import { encodeAAbort, encodeAAssociateRj, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../../shared/pdu/encode.ts';
import { bytes } from './helpers.ts';

describe('UID names (PS3.6 Annex A)', () => {
  it('names the application context, transfer syntaxes and SOP classes', () => {
    expect(uidName('1.2.840.10008.3.1.1.1')).toBe('DICOM Application Context Name');
    expect(uidName('1.2.840.10008.1.2')).toBe('Implicit VR Little Endian');
    expect(uidName('1.2.840.10008.1.2.4.50')).toBe('JPEG Baseline (Process 1)');
    expect(uidName('1.2.840.10008.1.1')).toBe('Verification SOP Class');
    expect(uidName('1.2.840.10008.5.1.4.1.2.2.2')).toBe('Study Root Query/Retrieve Information Model - MOVE');
    expect(uidName('1.2.840.10008.5.1.4.1.2.4.3')).toBe('Composite Instance Root Retrieve - GET');
    expect(uidName('1.2.840.10008.5.1.4.1.1.2')).toBe('CT Image Storage');
    expect(uidName('1.2.840.10008.5.1.4.1.1.88.59')).toBe('Key Object Selection Document Storage');
    expect(uidKind('1.2.840.10008.1.2.1')).toBe('transfer-syntax');
  });

  it('ignores padding and returns null for unknown UIDs', () => {
    expect(uidName('1.2.840.10008.1.2\0')).toBe('Implicit VR Little Endian');
    expect(uidName('1.2.3.4')).toBeNull();
  });

  it('is frozen data with well-formed UIDs', () => {
    expect(Object.isFrozen(UIDS)).toBe(true);
    for (const uid of UIDS.keys()) expect(uid).toMatch(/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/);
  });
});

describe('meanings (PS3.8 Tables 9-18, 9-21, 9-26; PS3.7 D.3.3.7)', () => {
  it('gives texts, and names unknown codes', () => {
    expect(presentationContextResultText(4)).toBe('transfer-syntaxes-not-supported (provider rejection)');
    expect(presentationContextResultText(7)).toBe('unknown result 7');
    expect(associateRjReasonText(1, 3)).toBe('calling-AE-title-not-recognized');
    expect(associateRjReasonText(3, 1)).toBe('temporary-congestion');
    expect(associateRjReasonText(2, 9)).toBe('unknown reason 9');
    expect(abortReasonText(2, 2)).toBe('unexpected-PDU');
    expect(abortReasonText(0, 3)).toBe('not significant (reason 3 given)');
    expect(userIdentityTypeText(3)).toBe('Kerberos service ticket');
    expect(userIdentityTypeText(6)).toBe('unknown user identity type 6');
  });
});

describe('encoder (PS3.8 §9.3)', () => {
  it('builds the fixed-size PDUs byte for byte', () => {
    // A-ASSOCIATE-RJ: rejected-transient, service-provider (presentation), temporary-congestion
    expect(encodeAAssociateRj({ result: 2, source: 3, reason: 1 })).toEqual(bytes`03 00 00000004 00 02 03 01`);
    // A-ABORT: service-provider, unexpected-PDU
    expect(encodeAAbort({ source: 2, reason: 2 })).toEqual(bytes`07 00 00000004 00 00 02 02`);
    expect(encodeAReleaseRq()).toEqual(bytes`05 00 00000004 00000000`);
    expect(encodeAReleaseRp()).toEqual(bytes`06 00 00000004 00000000`);
  });

  it('builds a P-DATA-TF with its PDVs and message control headers', () => {
    // P-DATA-TF, length 16: PDV (context 5, command, last, "abc"), PDV (context 5, data set, not last, "z")
    expect(
      encodePDataTf([
        { presentationContextId: 5, isCommand: true, isLast: true, value: bytes`"abc"` },
        { presentationContextId: 5, isCommand: false, isLast: false, value: bytes`"z"` },
      ]),
    ).toEqual(bytes`04 00 00000010 00000005 05 03 "abc" 00000003 05 00 "z"`);
  });
});
