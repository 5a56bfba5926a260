/** What an acceptor checks in a received PDU (shared/pdu/acceptor-checks.ts), on encoded bytes. */
import { describe, expect, it } from 'vitest';
import { checkAssociateRq, checkPduHeader, pdvItems } from '../../../shared/pdu/acceptor-checks.ts';
import { concatBytes, encodeAAssociateRq, encodeItem, encodePDataTf, encodePdu, type AssociateRqSpec } from '../../../shared/pdu/encode.ts';

const VER = '1.2.840.10008.1.1';
const ELE = '1.2.840.10008.1.2.1';
const base: AssociateRqSpec = { calledAeTitle: 'SCP', callingAeTitle: 'SCU', presentationContexts: [{ id: 1, abstractSyntax: VER, transferSyntaxes: [ELE] }], userInformation: { maxLength: 16384 } };
const rq = (over: Partial<AssociateRqSpec> = {}) => encodeAAssociateRq({ ...base, ...over });
const policy = { minPeerMaxPdu: 4096 };
const LIMITS = { maxAssociateBytes: 65536, maxPDataLength: 16384 };

describe('checkPduHeader (PS3.8 §9.3.1)', () => {
  it('judges on six bytes: type, reserved byte, a length possible for the type and within the limits', () => {
    expect(checkPduHeader(4, 0, 16384, LIMITS)).toBeNull();
    expect(checkPduHeader(4, 0, 0xfffffffe, LIMITS)).toMatchObject({ abortReason: 6, why: expect.stringMatching(/exceeds the maximum length 16384/) });
    expect(checkPduHeader(1, 0, 0xfffffffe, LIMITS)).toMatchObject({ abortReason: 6 });
    expect(checkPduHeader(9, 0, 4, LIMITS)).toMatchObject({ abortReason: 1, why: 'unknown PDU type 0x09' });
    expect(checkPduHeader(5, 1, 4, LIMITS)).toMatchObject({ abortReason: 6 });
    expect(checkPduHeader(5, 0, 0, LIMITS)).toMatchObject({ why: 'A-RELEASE-RQ length is 0, must be 4' });
    expect(checkPduHeader(4, 0, 2, LIMITS)).toMatchObject({ abortReason: 6 });
  });
});

describe('checkAssociateRq (PS3.8 §9.3.2)', () => {
  it('a well-formed request is acceptable; a maximum length of 0 (no limit) too', () => {
    expect(checkAssociateRq(rq(), policy).kind).toBe('acceptable');
    expect(checkAssociateRq(rq({ userInformation: { maxLength: 0 } }), policy).kind).toBe('acceptable');
  });

  it('presentation context IDs must be odd, 1–255 and distinct', () => {
    for (const ids of [[1, 1], [255, 255], [2], [0]]) {
      const v = checkAssociateRq(rq({ presentationContexts: ids.map((id) => ({ id, abstractSyntax: VER, transferSyntaxes: [ELE] })) }), policy);
      expect(v, `${ids}`).toMatchObject({ kind: 'invalid', abortReason: 6 });
    }
  });

  it('not acceptable (A-ASSOCIATE-RJ, Table 9-21): protocol version, application context, a maximum length below the floor', () => {
    expect(checkAssociateRq(rq({ protocolVersion: 2 }), policy)).toMatchObject({ kind: 'reject', result: 1, source: 2, reason: 2 });
    expect(checkAssociateRq(rq({ applicationContext: '1.2.3' }), policy)).toMatchObject({ kind: 'reject', result: 1, source: 1, reason: 2 });
    expect(checkAssociateRq(rq({ userInformation: { maxLength: 8 } }), policy)).toMatchObject({ kind: 'reject', result: 1, source: 2, reason: 1 });
  });

  it('structure: items inside their parents, the item types of an RQ, required items present', () => {
    expect(checkAssociateRq(rq({ presentationContexts: [] }), policy)).toMatchObject({ kind: 'invalid', why: expect.stringMatching(/no presentation context/) });
    expect(checkAssociateRq(rq({ userInformation: null }), policy)).toMatchObject({ kind: 'invalid' });
    expect(checkAssociateRq(rq({ extraItems: [encodeItem(0x77, new Uint8Array(2))] }), policy)).toMatchObject({ kind: 'invalid', abortReason: 4 });
    expect(checkAssociateRq(rq({ presentationContexts: [{ id: 1, abstractSyntax: VER, transferSyntaxes: [] }] }), policy)).toMatchObject({ kind: 'invalid' });
    // A user identity sub-item whose inner lengths do not add up.
    const identity = encodeItem(0x58, Uint8Array.of(1, 0, 0, 40, 65, 66));
    expect(checkAssociateRq(rq({ userInformation: { maxLength: 16384, extraItems: [identity] } }), policy)).toMatchObject({ kind: 'invalid' });
    // An item overrunning the PDU: its length field says more than is there.
    const b = rq();
    b[b.length - 10] = 0xff;
    expect(checkAssociateRq(b, policy).kind).not.toBe('acceptable');
  });
});

describe('pdvItems (PS3.8 §9.3.5.1)', () => {
  it('walks the PDV items; none, one too short, or one overrunning is invalid', () => {
    const pdu = encodePDataTf([
      { presentationContextId: 1, isCommand: true, isLast: true, value: Uint8Array.of(1, 2, 3) },
      { presentationContextId: 3, isCommand: false, isLast: false, value: new Uint8Array(0) },
    ]);
    expect(pdvItems(pdu)).toEqual([
      { presentationContextId: 1, isCommand: true, isLast: true, start: 12, length: 3 },
      { presentationContextId: 3, isCommand: false, isLast: false, start: 21, length: 0 },
    ]);
    expect(pdvItems(encodePdu(4))).toMatchObject({ kind: 'invalid' });
    expect(pdvItems(encodePdu(4, Uint8Array.of(0, 0, 0, 1, 1, 3)))).toMatchObject({ kind: 'invalid' });
    expect(pdvItems(encodePdu(4, concatBytes([Uint8Array.of(0, 0, 0, 9, 1, 3), new Uint8Array(2)])))).toMatchObject({ kind: 'invalid' });
  });
});
