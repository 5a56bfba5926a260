import { describe, it, expect } from 'vitest';
import { decodePdu } from '../../../shared/pdu/decode.ts';
import type { AAbort, AAssociateAc, AAssociateRj, AAssociateRq, PDataTf } from '../../../shared/pdu/types.ts';
import { encodeAAssociateAc, encodeAAssociateRq, encodePdu, encodeItem } from '../../../shared/pdu/encode.ts';
import { bytes, concat } from './helpers.ts';

const ZEROS_32 = '00'.repeat(32);

// A-ASSOCIATE-RQ as DCMTK's findscu would send it for C-ECHO:
// called "ORTHANC", calling "FINDSCU", application context, one presentation
// context (id 1: Verification, Implicit VR Little Endian), user information
// with max length 16384, implementation class UID and version name.
const RQ = bytes`
  01 00 000000cd                          # A-ASSOCIATE-RQ, length 205
  0001 0000                               # protocol version 1, reserved
  "ORTHANC         "                      # called AE title
  "FINDSCU         "                      # calling AE title
  ${ZEROS_32}                             # reserved
  10 00 0015 "1.2.840.10008.3.1.1.1"      # application context
  20 00 002e 01 00 00 00                  # presentation context 1
    30 00 0011 "1.2.840.10008.1.1"        #   abstract syntax: Verification
    40 00 0011 "1.2.840.10008.1.2"        #   transfer syntax: Implicit VR LE
  50 00 003a                              # user information
    51 00 0004 00004000                   #   maximum length 16384
    52 00 001b "1.2.276.0.7230010.3.0.3.6.7"  # implementation class UID
    55 00 000f "OFFIS_DCMTK_367"          #   implementation version name
`;

// A-ASSOCIATE-AC answering it: context 1 accepted with Implicit VR LE,
// context 3 refused (abstract syntax not supported, empty transfer syntax),
// user information: max length 0 (unlimited), a NUL-padded implementation
// class UID, and a user identity server response of 4 bytes.
const AC = bytes`
  02 00 000000a8                          # A-ASSOCIATE-AC, length 168
  0001 0000                               # protocol version 1, reserved
  "ORTHANC         " "FINDSCU         "   # AE titles echoed
  ${ZEROS_32}
  10 00 0015 "1.2.840.10008.3.1.1.1"      # application context
  21 00 0019 01 00 00 00                  # presentation context 1: acceptance
    40 00 0011 "1.2.840.10008.1.2"        #   Implicit VR LE
  21 00 0008 03 00 03 00                  # presentation context 3: abstract syntax not supported
    40 00 0000                            #   (empty transfer syntax)
  50 00 001e                              # user information
    51 00 0004 00000000                   #   maximum length 0 = no limit
    52 00 0008 "1.2.3.4" 00               #   implementation class UID, NUL padded
    59 00 0006 0004 "tokn"                #   user identity AC: 4-byte server response
`;

describe('decodePdu: A-ASSOCIATE-RQ (PS3.8 §9.3.2)', () => {
  it('decodes the fixed fields and every item, with stream offsets', () => {
    const { pdu, problems } = decodePdu(RQ, 1000);
    expect(problems).toEqual([]);
    const rq = pdu as AAssociateRq;
    expect(rq).toMatchObject({
      pduType: 1,
      name: 'A-ASSOCIATE-RQ',
      offset: 1000,
      length: 211,
      protocolVersion: 1,
      calledAeTitle: 'ORTHANC',
      callingAeTitle: 'FINDSCU',
      applicationContext: '1.2.840.10008.3.1.1.1',
      unknownItems: [],
    });
    expect(rq.presentationContexts).toEqual([
      { id: 1, offset: 1000 + 74 + 25, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
    ]);
    expect(rq.userInformation).toMatchObject({
      offset: 1000 + 74 + 25 + 50,
      maxLength: 16384,
      implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7',
      implementationVersionName: 'OFFIS_DCMTK_367',
      asyncOperationsWindow: null,
      roleSelections: [],
      userIdentityRq: null,
      unknownItems: [],
    });
  });

  it('is what the encoder builds from the same description', () => {
    const encoded = encodeAAssociateRq({
      calledAeTitle: 'ORTHANC',
      callingAeTitle: 'FINDSCU',
      presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
      userInformation: { maxLength: 16384, implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7', implementationVersionName: 'OFFIS_DCMTK_367' },
    });
    expect(encoded).toEqual(RQ);
  });

  it('keeps leading spaces of AE titles and strips trailing spaces and NULs', () => {
    // Called AE "  LEAD" padded with NULs; calling AE "X" padded with spaces then a NUL.
    const pdu = concat(RQ.subarray(0, 10), bytes`"  LEAD" ${'00'.repeat(10)} "X" ${'20'.repeat(14)} 00`, RQ.subarray(42));
    const rq = decodePdu(pdu, 0).pdu as AAssociateRq;
    expect(rq.calledAeTitle).toBe('  LEAD');
    expect(rq.callingAeTitle).toBe('X');
  });

  it('reports a protocol version without bit 0', () => {
    const pdu = RQ.slice();
    pdu[7] = 0x02; // protocol version 2
    expect(decodePdu(pdu, 0).problems).toEqual([{ offset: 6, reason: expect.stringContaining('protocol version 0x02') }]);
  });

  it('keeps what was decoded when an item overruns the PDU', () => {
    // The RQ's fixed fields and application context, then a presentation
    // context item claiming 0x40 bytes of which only 25 are present.
    const body = concat(RQ.subarray(6, 74 + 25), bytes`20 00 0040 01 000000 30 00 0011 "1.2.840.10008.1.1"`);
    const { pdu, problems } = decodePdu(encodePdu(1, body), 0);
    const rq = pdu as AAssociateRq;
    expect(rq.presentationContexts).toEqual([{ id: 1, offset: 99, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: [] }]);
    expect(problems.map((p) => p.reason)).toEqual([
      'item 0x20 length 64 overruns the A-ASSOCIATE-RQ (25 bytes left)',
      'presentation context 1 proposes no transfer syntax',
      'A-ASSOCIATE-RQ has no user information item',
    ]);
    expect(problems[0].offset).toBe(99);
  });

  it('reports an even presentation context id, missing abstract syntax and duplicate ids', () => {
    const pdu = encodeAAssociateRq({
      calledAeTitle: 'A',
      callingAeTitle: 'B',
      presentationContexts: [
        { id: 2, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
        { id: 2, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
      ],
      extraItems: [encodeItem(0x20, bytes`05 000000 40 00 0011 "1.2.840.10008.1.2"`)], // context 5 without abstract syntax
    });
    const { pdu: rq, problems } = decodePdu(pdu, 0);
    expect((rq as AAssociateRq).presentationContexts.map((pc) => pc.abstractSyntax)).toEqual(['1.2.840.10008.1.1', '1.2.840.10008.1.1', null]);
    expect(problems.map((p) => p.reason)).toEqual([
      'presentation context ID 2 is not odd (PS3.8 §9.3.2.2)',
      'presentation context ID 2 is not odd (PS3.8 §9.3.2.2)',
      'presentation context 5 has no abstract syntax sub-item',
      'presentation context ID 2 appears more than once',
    ]);
  });

  it('keeps unknown items, and reports items of the wrong PDU', () => {
    const pdu = encodeAAssociateRq({
      calledAeTitle: 'A',
      callingAeTitle: 'B',
      presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
      extraItems: [bytes`77 00 0002 beef`, bytes`21 00 0004 01 00 00 00`], // unknown item 0x77; an AC context item
    });
    const { pdu: rq, problems } = decodePdu(pdu, 0);
    expect((rq as AAssociateRq).unknownItems.map(({ itemType, value }) => ({ itemType, value }))).toEqual([
      { itemType: 0x77, value: 'beef' },
      { itemType: 0x21, value: '01000000' },
    ]);
    expect(problems.map((p) => p.reason)).toEqual(['item 0x21 does not belong in an A-ASSOCIATE-RQ: kept as unknown']);
  });

  it('refuses an A-ASSOCIATE-RQ too short for its fixed fields', () => {
    // A-ASSOCIATE-RQ claiming 10 bytes.
    const { pdu, problems } = decodePdu(bytes`01 00 0000000a 0001 0000 "ABCDEF"`, 0);
    expect(pdu).toBeNull();
    expect(problems[0].reason).toContain('too short for its fixed fields');
  });
});

describe('decodePdu: A-ASSOCIATE-AC (PS3.8 §9.3.3)', () => {
  it('decodes result, transfer syntax and the user identity AC as a length', () => {
    const { pdu, problems } = decodePdu(AC, 0);
    expect(problems).toEqual([]);
    const ac = pdu as AAssociateAc;
    expect(ac.presentationContexts).toEqual([
      { id: 1, offset: 99, result: 0, resultText: 'acceptance', transferSyntax: '1.2.840.10008.1.2' },
      { id: 3, offset: 128, result: 3, resultText: 'abstract-syntax-not-supported (provider rejection)', transferSyntax: '' },
    ]);
    expect(ac.userInformation).toMatchObject({ maxLength: 0, implementationClassUid: '1.2.3.4', userIdentityAc: { offset: 164, serverResponseLength: 4 } });
    expect(JSON.stringify(ac)).not.toContain('tokn');
  });

  it('round-trips through the encoder', () => {
    const pdu = encodeAAssociateAc({
      calledAeTitle: 'ORTHANC',
      callingAeTitle: 'STORESCU',
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' },
        { id: 3, result: 4, transferSyntax: '1.2.840.10008.1.2' },
        { id: 5, result: 1 },
      ],
      userInformation: { maxLength: 0, implementationClassUid: '1.2.3', roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true }] },
    });
    const { pdu: ac, problems } = decodePdu(pdu, 0);
    expect(problems).toEqual([]);
    expect((ac as AAssociateAc).presentationContexts.map(({ id, result, resultText, transferSyntax }) => ({ id, result, resultText, transferSyntax }))).toEqual([
      { id: 1, result: 0, resultText: 'acceptance', transferSyntax: '1.2.840.10008.1.2.1' },
      { id: 3, result: 4, resultText: 'transfer-syntaxes-not-supported (provider rejection)', transferSyntax: '1.2.840.10008.1.2' },
      { id: 5, result: 1, resultText: 'user-rejection', transferSyntax: null },
    ]);
  });

  it('reports an accepted context without a transfer syntax and an unknown result', () => {
    const pdu = encodeAAssociateAc({ calledAeTitle: 'A', callingAeTitle: 'B', presentationContexts: [{ id: 1 }, { id: 3, result: 9, transferSyntax: '1.2' }] });
    const { pdu: ac, problems } = decodePdu(pdu, 0);
    expect((ac as AAssociateAc).presentationContexts[1].resultText).toBe('unknown result 9');
    expect(problems.map((p) => p.reason)).toEqual(['presentation context 1 is accepted without a transfer syntax', 'presentation context 3 has unknown result 9']);
  });
});

describe('decodePdu: user information sub-items (PS3.8 Annex D, PS3.7 Annex D.3.3)', () => {
  const rqWith = (...subItems: Uint8Array[]) =>
    encodeAAssociateRq({
      calledAeTitle: 'SCP',
      callingAeTitle: 'SCU',
      presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
      userInformation: { maxLength: 16384, extraItems: subItems },
    });
  const decodeUserInfo = (...subItems: Uint8Array[]) => {
    const { pdu, problems } = decodePdu(rqWith(...subItems), 0);
    return { info: (pdu as AAssociateRq).userInformation!, problems: problems.map((p) => p.reason) };
  };

  it('asynchronous operations window (0x53)', () => {
    // max operations invoked 5, performed 1
    const { info, problems } = decodeUserInfo(bytes`53 00 0004 0005 0001`);
    expect(problems).toEqual([]);
    expect(info.asyncOperationsWindow).toEqual({ maxInvoked: 5, maxPerformed: 1 });
  });

  it('SCP/SCU role selection (0x54)', () => {
    // CT Image Storage, SCU role 0, SCP role 1 (what a C-GET SCU proposes)
    const { info, problems } = decodeUserInfo(bytes`54 00 001d 0019 "1.2.840.10008.5.1.4.1.1.2" 00 01`);
    expect(problems).toEqual([]);
    expect(info.roleSelections).toEqual([{ offset: expect.any(Number), sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true }]);
  });

  it('SOP class extended negotiation (0x56)', () => {
    // SOP class 1.2.3.4, application information 01 00
    const { info } = decodeUserInfo(bytes`56 00 000b 0007 "1.2.3.4" 01 00`);
    expect(info.sopClassExtended).toEqual([{ offset: expect.any(Number), sopClassUid: '1.2.3.4', info: '0100' }]);
  });

  it('SOP class common extended negotiation (0x57)', () => {
    // CT Image Storage, service class Storage (1.2.840.10008.4.2), related general SOP class Verification
    const { info, problems } = decodeUserInfo(bytes`57 00 0043 0019 "1.2.840.10008.5.1.4.1.1.2" 0011 "1.2.840.10008.4.2" 0013 0011 "1.2.840.10008.1.1"`);
    expect(problems).toEqual([]);
    expect(info.sopClassCommonExtended).toEqual([
      { offset: expect.any(Number), sopClassUid: '1.2.840.10008.5.1.4.1.1.2', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClasses: ['1.2.840.10008.1.1'] },
    ]);
  });

  it('user identity RQ (0x58) type 2 keeps the username, never the passcode', () => {
    // username "alice", passcode "s3cret", positive response requested
    const { info, problems } = decodeUserInfo(bytes`58 00 0011 02 01 0005 "alice" 0006 "s3cret"`);
    expect(problems).toEqual([]);
    expect(info.userIdentityRq).toEqual({
      offset: expect.any(Number),
      identityType: 2,
      identityTypeText: 'username and passcode',
      positiveResponseRequested: true,
      username: 'alice',
      primaryFieldLength: 5,
      secondaryFieldLength: 6,
    });
    expect(JSON.stringify(info)).not.toContain('s3cret');
  });

  it('user identity RQ (0x58) type 5 keeps only the JWT length', () => {
    // JWT "eyJhbGciO", no positive response requested, empty secondary field
    const { info } = decodeUserInfo(bytes`58 00 000f 05 00 0009 "eyJhbGciO" 0000`);
    expect(info.userIdentityRq).toMatchObject({ identityType: 5, identityTypeText: 'JSON Web Token (JWT)', username: null, primaryFieldLength: 9, secondaryFieldLength: 0 });
    expect(JSON.stringify(info)).not.toContain('eyJ');
  });

  it('keeps unknown sub-items as hex', () => {
    const { info, problems } = decodeUserInfo(bytes`5f 00 0002 abcd`);
    expect(problems).toEqual([]);
    expect(info.unknownItems).toEqual([{ itemType: 0x5f, offset: expect.any(Number), value: 'abcd' }]);
  });

  it('keeps what fits of a sub-item overrunning the user information item', () => {
    // implementation version name claiming 32 bytes, only "SHORT" present
    const { info, problems } = decodeUserInfo(bytes`55 00 0020 "SHORT"`);
    expect(info.implementationVersionName).toBe('SHORT');
    expect(problems).toEqual(['item 0x55 length 32 overruns the user information item (5 bytes left)']);
  });

  it('reports malformed sub-items without throwing', () => {
    const { info, problems } = decodeUserInfo(
      bytes`51 00 0002 0000`, // a second max length, of the wrong size
      bytes`54 00 0004 0019 "1."`, // role selection whose UID overruns
      bytes`58 00 0001 01`, // user identity too short
      bytes`59 00 0002 0000`, // user identity AC in an RQ
    );
    expect(info.maxLength).toBe(16384);
    expect(info.roleSelections).toEqual([]);
    expect(info.userIdentityRq).toBeNull();
    expect(info.unknownItems.map((u) => u.itemType)).toEqual([0x59]);
    expect(problems).toEqual([
      'maximum length sub-item has length 2, not 4',
      'role selection SOP class UID length 25 overruns sub-item 0x54 (2 bytes left)',
      'user identity sub-item too short for its type fields',
      'user identity AC sub-item (0x59) in an A-ASSOCIATE-RQ: kept as unknown',
    ]);
  });
});

describe('decodePdu: the other PDU types', () => {
  it('A-ASSOCIATE-RJ (PS3.8 §9.3.4)', () => {
    // rejected-permanent, service-user, called-AE-title-not-recognized
    const { pdu, problems } = decodePdu(bytes`03 00 00000004 00 01 01 07`, 50);
    expect(problems).toEqual([]);
    expect(pdu as AAssociateRj).toEqual({
      pduType: 3,
      name: 'A-ASSOCIATE-RJ',
      offset: 50,
      length: 10,
      result: 1,
      resultText: 'rejected-permanent',
      source: 1,
      sourceText: 'DICOM UL service-user',
      reason: 7,
      reasonText: 'called-AE-title-not-recognized',
    });
  });

  it('A-ASSOCIATE-RJ reasons depend on the source; unknown codes are named', () => {
    // rejected-transient, service-provider (presentation), local-limit-exceeded
    expect((decodePdu(bytes`03 00 00000004 00 02 03 02`, 0).pdu as AAssociateRj).reasonText).toBe('local-limit-exceeded');
    // rejected-permanent, service-provider (ACSE), protocol-version-not-supported
    expect((decodePdu(bytes`03 00 00000004 00 01 02 02`, 0).pdu as AAssociateRj).reasonText).toBe('protocol-version-not-supported');
    // result 1, source 1, reason 9 (reserved); then result 5, source 4: unknown
    expect((decodePdu(bytes`03 00 00000004 00 01 01 09`, 0).pdu as AAssociateRj).reasonText).toBe('reserved');
    const odd = decodePdu(bytes`03 00 00000004 00 05 04 09`, 0);
    expect(odd.pdu).toMatchObject({ resultText: 'unknown result 5', sourceText: 'unknown source 4', reasonText: 'unknown reason 9 (unknown source 4)' });
    expect(odd.problems).toHaveLength(2);
  });

  it('P-DATA-TF (PS3.8 §9.3.5) lists its PDV headers', () => {
    const { pdu, problems } = decodePdu(
      bytes`
        04 00 00000016                 # P-DATA-TF, length 22
        0000000a 01 03 "COMMAND!"      # PDV: context 1, command, last, 8 bytes
        00000004 03 00 "xy"            # PDV: context 3, data set, not last, 2 bytes
      `,
      0,
    );
    expect(problems).toEqual([]);
    expect((pdu as PDataTf).pdvs).toEqual([
      { offset: 6, itemLength: 10, presentationContextId: 1, isCommand: true, isLast: true, valueLength: 8 },
      { offset: 20, itemLength: 4, presentationContextId: 3, isCommand: false, isLast: false, valueLength: 2 },
    ]);
  });

  it('P-DATA-TF problems: reserved bits, even context id, overrun, no PDV', () => {
    // PDV: context 2, control 0x07 (bit 2 reserved), 1 byte; then a PDV claiming 9 bytes with 2 left
    const bad = decodePdu(bytes`04 00 0000000d 00000003 02 07 aa 00000009 01 00`, 0);
    expect(bad.problems.map((p) => p.reason)).toEqual([
      'PDV presentation context ID 2 is not odd (PS3.8 §9.3.2.2)',
      'PDV message control header 0x07 has reserved bits 2–7 set (PS3.8 Annex E.2)',
      'PDV item length 9 overruns the P-DATA-TF (2 bytes left)',
    ]);
    expect((bad.pdu as PDataTf).pdvs).toHaveLength(1);
    // an empty P-DATA-TF
    expect(decodePdu(bytes`04 00 00000000`, 0).problems.map((p) => p.reason)).toEqual(['P-DATA-TF carries no PDV item']);
  });

  it('A-RELEASE-RQ and A-RELEASE-RP (PS3.8 §9.3.6–7)', () => {
    expect(decodePdu(bytes`05 00 00000004 00000000`, 0)).toEqual({ pdu: { pduType: 5, name: 'A-RELEASE-RQ', offset: 0, length: 10 }, problems: [] });
    expect(decodePdu(bytes`06 00 00000004 00000000`, 10)).toEqual({ pdu: { pduType: 6, name: 'A-RELEASE-RP', offset: 10, length: 10 }, problems: [] });
  });

  it('A-ABORT (PS3.8 §9.3.8)', () => {
    // service-provider, invalid-PDU-parameter value
    expect(decodePdu(bytes`07 00 00000004 0000 02 06`, 0).pdu as AAbort).toMatchObject({
      source: 2,
      sourceText: 'DICOM UL service-provider (initiated abort)',
      reason: 6,
      reasonText: 'invalid-PDU-parameter value',
    });
    // service-user: the reason is not significant
    expect(decodePdu(bytes`07 00 00000004 0000 00 00`, 0).pdu as AAbort).toMatchObject({ source: 0, sourceText: 'DICOM UL service-user (initiated abort)', reasonText: 'not significant' });
    // service-provider, reason 9: unknown
    expect((decodePdu(bytes`07 00 00000004 0000 02 09`, 0).pdu as AAbort).reasonText).toBe('unknown reason 9');
  });

  it('returns problems, not exceptions, for short, unknown or truncated input', () => {
    expect(decodePdu(bytes`01 00`, 7)).toEqual({ pdu: null, problems: [{ offset: 7, reason: '2 byte(s) are too few for a PDU header (6)' }] });
    expect(decodePdu(bytes`47 45 54 20 2f 20`, 0).problems[0].reason).toBe('unknown PDU type 0x47');
    const cut = decodePdu(RQ.subarray(0, 120), 0);
    expect(cut.problems[0].reason).toBe('A-ASSOCIATE-RQ declares 205 bytes after its header but only 114 are present');
    expect((cut.pdu as AAssociateRq).calledAeTitle).toBe('ORTHANC');
    expect(decodePdu(bytes`05 00 00000004 00000000 ff`, 0).problems[0]).toEqual({ offset: 10, reason: '1 byte(s) after the end of the A-RELEASE-RQ ignored' });
  });
});
