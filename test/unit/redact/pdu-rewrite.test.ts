/**
 * The PDU-level pieces of the redactor: command sets (UIDs mapped, AE titles
 * only with the network option, Command Group Length recomputed, PS3.7 E.1),
 * A-ASSOCIATE-RQ/AC (user identity secrets, AE titles, everything else byte
 * for byte) and the packer that cuts rewritten messages into P-DATA-TF PDUs
 * under the receiver's maximum length (PS3.8 Annex D.1, Annex E.2).
 */
import { describe, expect, it } from 'vitest';
import { decodeCommandSet } from '../../../shared/dimse/command.ts';
import { decodePdu } from '../../../shared/pdu/decode.ts';
import { encodeAAssociateAc, encodeAAssociateRq, encodeItem } from '../../../shared/pdu/encode.ts';
import type { AAssociateAc, AAssociateRq, DecodeProblem, PDataTf } from '../../../shared/pdu/types.ts';
import { PduFramer } from '../../../shared/pdu/framer.ts';
import { rewriteAssociate } from '../../../shared/redact/associate-rewrite.ts';
import { rewriteCommand } from '../../../shared/redact/command-rewrite.ts';
import { PdvPacker } from '../../../shared/redact/pdv-packer.ts';
import { RedactContext } from '../../../shared/redact/redact-options.ts';
import { commandSet } from '../dimse/encode.ts';
import { contains } from './helpers.ts';
import { cmd, SOP, type Cmd } from './session-builder.ts';

const ctx = (network = false) => new RedactContext({ salt: 's', network });

describe('command set rewrite', () => {
  it('maps the SOP instance UIDs, recomputes the group length and keeps the rest byte for byte', () => {
    const elements: Cmd = [...cmd.storeRq(7, SOP.ct, '2.25.42.1', ['MOVESCU', 3]), [0x1001, 'UI', '2.25.42.2']];
    const original = commandSet(elements.sort((a, b) => a[0] - b[0]));
    const c = ctx();
    const problems: string[] = [];
    const r = rewriteCommand(original, c, (p) => problems.push(p));
    expect(problems).toEqual([]);
    const { message, problems: decodeProblems } = decodeCommandSet(r.bytes, 0, 1);
    expect(decodeProblems).toEqual([]); // the group length matches the new length
    expect(message?.affectedSopInstance).toBe(c.pseudonyms.uid('2.25.42.1'));
    expect(message?.requestedSopInstance).toBe(c.pseudonyms.uid('2.25.42.2'));
    expect(message?.affectedSopClass).toBe(SOP.ct);
    expect(message?.moveOriginator).toEqual({ ae: 'MOVESCU', messageId: 3 });
    expect([message?.command, message?.messageId, message?.priority, r.hasDataSet, r.dataSetKind]).toEqual(['C-STORE-RQ', 7, 0, true, 'instance']);
    expect(r.bytes.length).not.toBe(original.length);
    expect(contains(r.bytes, '2.25.42.1')).toBe(false);
  });

  it('maps Move Destination and Move Originator only with the network option', () => {
    const move = commandSet(cmd.moveRq(1, 'STORESCP'));
    expect(decodeCommandSet(rewriteCommand(move, ctx(), () => {}).bytes, 0, 1).message?.moveDestination).toBe('STORESCP');
    const c = ctx(true);
    const r = rewriteCommand(move, c, () => {});
    expect(decodeCommandSet(r.bytes, 0, 1).message?.moveDestination).toBe(c.pseudonyms.of('ae', 'STORESCP'));
    expect(r.dataSetKind).toBe('identifier');
    const store = rewriteCommand(commandSet(cmd.storeRq(1, SOP.ct, '1.2', ['MOVESCU', 1])), c, () => {});
    expect(decodeCommandSet(store.bytes, 0, 1).message?.moveOriginator).toEqual({ ae: c.pseudonyms.of('ae', 'MOVESCU'), messageId: 1 });
  });

  it('leaves out an unreadable tail and says so', () => {
    const good = commandSet(cmd.findRsp(1, 0, false));
    const bad = new Uint8Array([...good, 0x08, 0x00, 0x10, 0x00, 0xff, 0xff, 0x00, 0x00, ...new TextEncoder().encode('DOE^JOHN')]);
    const problems: string[] = [];
    const r = rewriteCommand(bad, ctx(), (p) => problems.push(p));
    expect(r.bytes).toEqual(good);
    expect(problems).toHaveLength(1);
  });
});

describe('A-ASSOCIATE rewrite', () => {
  const contexts = [{ id: 1, abstractSyntax: SOP.find, transferSyntaxes: ['1.2.840.10008.1.2'] }];
  const rq = (identity: { identityType: number; positiveResponseRequested: boolean; primaryField: string; secondaryField?: string }) =>
    encodeAAssociateRq({ callingAeTitle: 'FINDSCU', calledAeTitle: 'PACS', presentationContexts: contexts, userInformation: { maxLength: 32768, implementationClassUid: '1.2.3', implementationVersionName: 'V1', userIdentityRq: identity, extraItems: [encodeItem(0x5f, Uint8Array.of(1, 2))] } });
  const decode = (b: Uint8Array) => {
    const d = decodePdu(b, 0);
    return { pdu: d.pdu as AAssociateRq, problems: d.problems };
  };
  const decodeAc = (b: Uint8Array) => decodePdu(b, 0).pdu as AAssociateAc;

  it('pseudonymises a username and replaces a passcode, keeping the type and everything else', () => {
    const c = ctx();
    const problems: DecodeProblem[] = [];
    const out = rewriteAssociate(rq({ identityType: 2, positiveResponseRequested: true, primaryField: 'dr.jones', secondaryField: 'hunter2' }), c, problems);
    // The unknown sub-item 0x5f could hold anything: left out, and said so.
    expect(problems.map((p) => p.reason)).toEqual(['user information sub-item 0x5f cannot be read: left out']);
    const { pdu, problems: p } = decode(out);
    expect(p).toEqual([]);
    const id = pdu.userInformation?.userIdentityRq;
    expect([id?.identityType, id?.positiveResponseRequested, id?.username, id?.secondaryFieldLength]).toEqual([2, true, c.pseudonyms.of('user', 'dr.jones'), 8]);
    expect([pdu.callingAeTitle, pdu.calledAeTitle, pdu.userInformation?.maxLength, pdu.userInformation?.implementationVersionName]).toEqual(['FINDSCU', 'PACS', 32768, 'V1']);
    expect(pdu.userInformation?.unknownItems).toEqual([]);
    expect(pdu.presentationContexts).toEqual(decode(rq({ identityType: 1, positiveResponseRequested: false, primaryField: 'x' })).pdu.presentationContexts);
    for (const secret of ['dr.jones', 'hunter2']) expect(contains(out, secret)).toBe(false);
  });

  it('leaves out what a damaged PDU length took in', () => {
    const good = rq({ identityType: 1, positiveResponseRequested: false, primaryField: 'x' });
    // The PDU claims 40 more bytes: a P-DATA-TF with a name in it that followed on the wire.
    const tail = new Uint8Array([0x04, 0x00, 0x00, 0x00, 0x00, 0x22, ...new TextEncoder().encode('....(0010,0010) PN DOE^JOHN......')]);
    const damaged = new Uint8Array([...good, ...tail]);
    new DataView(damaged.buffer).setUint32(2, damaged.length - 6);
    const problems: DecodeProblem[] = [];
    const out = rewriteAssociate(damaged, ctx(), problems);
    expect(contains(out, 'DOE^JOHN')).toBe(false);
    expect(problems.length).toBeGreaterThan(0);
    expect(decode(out).pdu.presentationContexts).toEqual(decode(good).pdu.presentationContexts);
  });

  it('replaces a JWT (type 5) and a server response, and maps AE titles with the network option', () => {
    const c = ctx(true);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqb25lcyJ9.c2lnbmF0dXJl';
    const out = decode(rewriteAssociate(rq({ identityType: 5, positiveResponseRequested: true, primaryField: jwt }), c, []));
    expect([out.pdu.userInformation?.userIdentityRq?.identityType, out.pdu.userInformation?.userIdentityRq?.primaryFieldLength]).toEqual([5, 8]);
    expect([out.pdu.callingAeTitle, out.pdu.calledAeTitle]).toEqual([c.pseudonyms.of('ae', 'FINDSCU'), c.pseudonyms.of('ae', 'PACS')]);
    const ac = encodeAAssociateAc({ callingAeTitle: 'FINDSCU', calledAeTitle: 'PACS', presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }], userInformation: { maxLength: 0, userIdentityAc: { serverResponse: 'kerberos-server-ticket' } } });
    const acOut = rewriteAssociate(ac, c, []);
    expect(decodeAc(acOut).userInformation?.userIdentityAc?.serverResponseLength).toBe(8);
    expect([decodeAc(acOut).callingAeTitle, decodeAc(acOut).calledAeTitle]).toEqual([c.pseudonyms.of('ae', 'FINDSCU'), c.pseudonyms.of('ae', 'PACS')]);
    expect(contains(acOut, 'kerberos')).toBe(false);
  });
});

describe('PDV packer', () => {
  /** Frames the packer's output and returns each P-DATA-TF with its PDVs. */
  function frame(pdus: Uint8Array[]): PDataTf[] {
    const f = new PduFramer();
    const out: PDataTf[] = [];
    for (const b of pdus) for (const ev of f.push(b)) if (ev.kind === 'pdu') out.push(ev.pdu as PDataTf);
    return out;
  }

  it('cuts under the receiver maximum, even-sized, last bit on the last fragment only', () => {
    const pdus: Uint8Array[] = [];
    const p = new PdvPacker((b) => pdus.push(b));
    p.setReceiverMaximum(100);
    p.write(1, true, new Uint8Array(30));
    p.end(1, true, true);
    p.write(1, false, new Uint8Array(101));
    p.write(1, false, new Uint8Array(99));
    p.flush();
    p.write(1, false, new Uint8Array(50));
    p.end(1, false, true);
    p.flush();
    const framed = frame(pdus);
    expect(framed.every((d) => d.length - 6 <= 100)).toBe(true);
    const pdvs = framed.flatMap((d) => d.pdvs);
    expect(pdvs.reduce((n, v) => n + (v.isCommand ? 0 : v.valueLength), 0)).toBe(250);
    expect(pdvs.filter((v) => v.isLast).map((v) => v.isCommand)).toEqual([true, false]);
    expect(pdvs[pdvs.length - 1].isLast).toBe(true);
    expect(pdvs.slice(0, -1).every((v) => v.valueLength % 2 === 0)).toBe(true);
    expect(pdvs.every((v) => v.valueLength > 0)).toBe(true);
  });

  it('sends an empty last fragment only for an empty part', () => {
    const pdus: Uint8Array[] = [];
    const p = new PdvPacker((b) => pdus.push(b));
    p.end(3, false, true);
    p.flush();
    expect(frame(pdus).flatMap((d) => d.pdvs).map((v) => [v.presentationContextId, v.isCommand, v.isLast, v.valueLength])).toEqual([[3, false, true, 0]]);
  });

  it('does not hold an unbounded sender PDU (receiver without limit)', () => {
    let sent = 0;
    const p = new PdvPacker((b) => (sent += b.length));
    p.setReceiverMaximum(0);
    for (let i = 0; i < 40; i++) p.write(1, false, new Uint8Array(1 << 20));
    expect(sent).toBeGreaterThan(30 << 20);
  });
});
