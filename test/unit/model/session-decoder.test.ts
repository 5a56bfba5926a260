/**
 * The association model of the session decoder: outcomes, state checks of
 * PS3.8 §9.2 that decoding needs, maximum PDU length, and that the summary is
 * the same however the bytes are chunked.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { encodeAAbort, encodeAAssociateAc, encodeAAssociateRj, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../../shared/pdu/encode.ts';
import { commandSet } from '../dimse/encode.ts';
import { commandOf, statusCodeOf } from '../../../shared/dimse/message-words.ts';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const rq = encodeAAssociateRq({ callingAeTitle: 'ECHOSCU', calledAeTitle: 'PACS', presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }, { id: 3, abstractSyntax: '1.2.3', transferSyntaxes: [IMPLICIT] }], userInformation: { maxLength: 16384 } });
const ac = encodeAAssociateAc({ callingAeTitle: 'ECHOSCU', calledAeTitle: 'PACS', presentationContexts: [{ id: 1, result: 0, transferSyntax: IMPLICIT }, { id: 3, result: 3 }], userInformation: { maxLength: 1000 } });
// C-ECHO-RQ #7 and its C-ECHO-RSP with status 0x0000 (PS3.7 §9.3.5).
const echoRq = encodePDataTf([{ presentationContextId: 1, isCommand: true, isLast: true, value: commandSet([[0x0002, 'UI', VERIFICATION], [0x0100, 'US', [0x0030]], [0x0110, 'US', [7]], [0x0800, 'US', [0x0101]]]) }]);
const echoRsp = encodePDataTf([{ presentationContextId: 1, isCommand: true, isLast: true, value: commandSet([[0x0002, 'UI', VERIFICATION], [0x0100, 'US', [0x8030]], [0x0120, 'US', [7]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [0x0000]]]) }]);

const ep = (port: number) => ({ host: '127.0.0.1', port });
type Step = ['requestor' | 'acceptor', Uint8Array] | ['close', 'requestor' | 'acceptor', 'fin' | 'reset'];

function events(steps: Step[], chunk = Infinity): WireEvent[] {
  const out: WireEvent[] = [{ kind: 'open', conn: 1, time: 1000, requestor: ep(40000), acceptor: ep(104) }];
  let t = 1000;
  for (const s of steps) {
    if (s[0] === 'close') out.push({ kind: 'close', conn: 1, time: ++t, from: s[1], how: s[2] });
    else for (let i = 0; i < s[1].length; i += chunk === Infinity ? s[1].length : chunk) out.push({ kind: 'data', conn: 1, time: ++t, from: s[0], bytes: s[1].subarray(i, i + (chunk === Infinity ? s[1].length : chunk)) });
  }
  return out;
}

const run = (steps: Step[], chunk = Infinity) => summarize([events(steps, chunk)], { path: 'test', format: 'test' });
const clean: Step[] = [['requestor', rq], ['acceptor', ac], ['requestor', echoRq], ['acceptor', echoRsp], ['requestor', encodeAReleaseRq()], ['acceptor', encodeAReleaseRp()], ['close', 'requestor', 'fin'], ['close', 'acceptor', 'fin']];

describe('session decoder: the association model', () => {
  it('a released C-ECHO: AE titles, contexts proposed vs accepted, max PDU both ways, messages', async () => {
    const s = await run(clean);
    expect(s.errors).toEqual([]);
    const [a] = s.associations;
    expect(a).toMatchObject({ id: 'a1', requestor: { ae: 'ECHOSCU', port: 40000 }, acceptor: { ae: 'PACS', port: 104 }, outcome: 'released', maxPdu: { requestor: 16384, acceptor: 1000 }, reject: null, abort: null });
    expect(a.presentationContexts).toEqual([
      { id: 1, abstractSyntax: VERIFICATION, abstractSyntaxName: 'Verification SOP Class', transferSyntaxes: [IMPLICIT], result: 0, resultText: expect.any(String), transferSyntax: IMPLICIT },
      { id: 3, abstractSyntax: '1.2.3', abstractSyntaxName: null, transferSyntaxes: [IMPLICIT], result: 3, resultText: 'abstract-syntax-not-supported (provider rejection)', transferSyntax: null },
    ]);
    expect(s.messages.map((m) => [m.from, m.to, commandOf(m), m.messageId, m.respondsTo, statusCodeOf(m)])).toEqual([
      ['ECHOSCU', 'PACS', 'C-ECHO-RQ', 7, null, null],
      ['PACS', 'ECHOSCU', 'C-ECHO-RSP', null, 7, '0x0000'],
    ]);
    expect(s.pdus.map((p) => p.type)).toEqual(['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC', 'P-DATA-TF', 'P-DATA-TF', 'A-RELEASE-RQ', 'A-RELEASE-RP']);
  });

  it('gives the same summary for 1-byte, 7-byte and whole deliveries', async () => {
    const whole = await run(clean);
    const strip = (s: typeof whole) => ({ ...s, associations: s.associations.map((a) => ({ ...a, start: 0, end: 0 })), messages: s.messages.map((m) => ({ ...m, time: 0 })), pdus: s.pdus.map((p) => ({ ...p, time: 0 })) });
    expect(strip(await run(clean, 1))).toEqual(strip(whole));
    expect(strip(await run(clean, 7))).toEqual(strip(whole));
  });

  it('rejected: result, source, reason and their meanings', async () => {
    const s = await run([['requestor', rq], ['acceptor', encodeAAssociateRj({ result: 1, source: 1, reason: 7 })], ['close', 'acceptor', 'fin'], ['close', 'requestor', 'fin']]);
    expect(s.associations[0]).toMatchObject({ outcome: 'rejected', reject: { result: 1, source: 1, reason: 7, text: expect.stringMatching(/called-AE-title-not-recognized/i) } });
  });

  it('aborted: by whom and why', async () => {
    const s = await run([['requestor', rq], ['acceptor', ac], ['acceptor', encodeAAbort({ source: 2, reason: 2 })], ['close', 'acceptor', 'fin']]);
    expect(s.associations[0]).toMatchObject({ outcome: 'aborted', abort: { source: 2, reason: 2, by: 'acceptor' } });
  });

  it('closed without release, and reset, say so', async () => {
    const closed = await run([['requestor', rq], ['acceptor', ac], ['close', 'requestor', 'fin'], ['close', 'acceptor', 'fin']]);
    expect(closed.associations[0]).toMatchObject({ outcome: 'closed', closeReason: expect.stringMatching(/without A-RELEASE/) });
    const reset = await run([['requestor', rq], ['acceptor', ac], ['close', 'acceptor', 'reset']]);
    expect(reset.associations[0]).toMatchObject({ outcome: 'closed', closeReason: expect.stringMatching(/reset by acceptor/) });
  });

  it('open at the end of the source stays open; refused is refused', async () => {
    const open = await run([['requestor', rq], ['acceptor', ac]]);
    expect(open.associations[0]).toMatchObject({ outcome: 'open', end: null });
    const refused = await summarize([[{ kind: 'refused', conn: 9, time: 5, requestor: ep(1), acceptor: ep(104), reason: 'connection refused (RST)' }]], { path: 't', format: 't' });
    expect(refused.associations[0]).toMatchObject({ outcome: 'refused', closeReason: 'connection refused (RST)', acceptor: { port: 104 } });
  });

  it('reports P-DATA before the association, a PDV on a rejected context, and a PDU over the receiver maximum', async () => {
    const early = await run([['requestor', echoRq], ['requestor', rq]]);
    expect(early.errors.map((e) => e.reason)).toContain('P-DATA-TF before the association was accepted');
    const onRejected = encodePDataTf([{ presentationContextId: 3, isCommand: true, isLast: true, value: commandSet([[0x0100, 'US', [0x0030]], [0x0110, 'US', [1]], [0x0800, 'US', [0x0101]]]) }]);
    const big = encodePDataTf([{ presentationContextId: 1, isCommand: false, isLast: false, value: new Uint8Array(1200) }]);
    const s = await run([['requestor', rq], ['acceptor', ac], ['requestor', onRejected], ['requestor', big]]);
    const reasons = s.errors.map((e) => e.reason);
    expect(reasons).toContain('PDV on presentation context 3, which was not accepted');
    expect(reasons.some((r) => /P-DATA-TF of 1206 bytes exceeds the acceptor's maximum length received of 1000/.test(r))).toBe(true);
  });
});
