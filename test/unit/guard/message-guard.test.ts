/** The DIMSE side of the guard (server/endpoints/guard/message-guard.ts), on encoded P-DATA-TF PDUs. */
import { describe, expect, it } from 'vitest';
import { MessageGuard, type AcceptedContext, type Delivery } from '../../../server/endpoints/guard/message-guard.ts';
import { pdvItems } from '../../../shared/pdu/acceptor-checks.ts';
import { encodePDataTf, type PdvSpec } from '../../../shared/pdu/encode.ts';
import { commandSet, encodeDataSet, el, EXPLICIT_LE } from '../dimse/encode.ts';

const VER = '1.2.840.10008.1.1';
const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const ELE = '1.2.840.10008.1.2.1';
const contexts = new Map<number, AcceptedContext>([
  [1, { abstractSyntax: VER, transferSyntax: ELE }],
  [3, { abstractSyntax: FIND, transferSyntax: ELE }],
  [5, { abstractSyntax: CT, transferSyntax: ELE }],
]);

const guard = (own = new Set<number>()) => new MessageGuard(contexts, 1024, own);
function push(g: MessageGuard, ...pdvs: PdvSpec[]): Delivery[] {
  const pdu = encodePDataTf(pdvs);
  return g.push(pdu, pdvItems(pdu) as never);
}
const cmd = (ctx: number, elements: Parameters<typeof commandSet>[0], isLast = true): PdvSpec => ({ presentationContextId: ctx, isCommand: true, isLast, value: commandSet(elements) });
const data = (ctx: number, value: Uint8Array, isLast = true): PdvSpec => ({ presentationContextId: ctx, isCommand: false, isLast, value });
const find = (ctx: number, sop = FIND, id = 1): PdvSpec => cmd(ctx, [[0x0002, 'UI', sop], [0x0100, 'US', [0x20]], [0x0110, 'US', [id]], [0x0800, 'US', [0]]]);
const identifier = encodeDataSet([el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', 'DOE*')], EXPLICIT_LE);
const statusOf = (d: Delivery): number | undefined => {
  if (d.kind !== 'respond') return undefined;
  const v = new DataView(d.command.buffer, d.command.byteOffset);
  for (let i = 12; i + 8 <= d.command.length; i += 8 + v.getUint32(i + 4, true)) if (v.getUint16(i + 2, true) === 0x0900) return v.getUint16(i + 8, true);
  return undefined;
};

describe('MessageGuard', () => {
  it('a C-ECHO goes on, opening an operation; a C-FIND is held until its identifier is whole and sound', () => {
    const g = guard();
    const echo = push(g, cmd(1, [[0x0002, 'UI', VER], [0x0100, 'US', [0x30]], [0x0110, 'US', [1]], [0x0800, 'US', [0x0101]]]));
    expect(echo).toMatchObject([{ kind: 'deliver', opens: { messageId: 1, commandField: 0x30 }, endsMessage: true }]);
    expect(push(g, find(3, FIND, 2))).toEqual([]);
    expect(push(g, data(3, identifier.subarray(0, 10), false))).toEqual([]);
    const out = push(g, data(3, identifier.subarray(10)));
    expect(out).toMatchObject([{ kind: 'deliver', opens: { messageId: 2, commandField: 0x20 }, endsMessage: true }]);
    expect((out[0] as Extract<Delivery, { kind: 'deliver' }>).pdvs.map((p) => p.isCommand)).toEqual([true, false, false]);
  });

  it('refuses, itself: a C-FIND on the Verification context or naming another SOP class (0x0122), a broken identifier (0xA900), one too long (0xA700)', () => {
    let g = guard();
    expect(push(g, find(1))).toEqual([]); // its data set is still to come: discarded, then answered
    const r1 = push(g, data(1, identifier));
    expect(r1.map((d) => [d.kind, statusOf(d)])).toEqual([['respond', 0x0122]]);
    g = guard();
    push(g, find(3, VER));
    expect(push(g, data(3, identifier)).map(statusOf)).toEqual([0x0122]);
    const broken = identifier.slice();
    new DataView(broken.buffer).setUint16(20, 200, true);
    g = guard();
    push(g, find(3));
    expect(push(g, data(3, broken)).map(statusOf)).toEqual([0xa900]);
    g = guard();
    push(g, find(3));
    push(g, data(3, new Uint8Array(1000), false));
    expect(push(g, data(3, new Uint8Array(100))).map(statusOf)).toEqual([0xa700]);
  });

  it('aborts (PS3.8 Annex E.2): a PDV on a context not accepted, a data set where a command is due, a command inside a data set', () => {
    expect(push(guard(), find(7))).toMatchObject([{ kind: 'abort', reason: 6 }]);
    expect(push(guard(), data(3, identifier))).toMatchObject([{ kind: 'abort', reason: 5 }]);
    const g = guard();
    push(g, find(3));
    expect(push(g, find(3))).toMatchObject([{ kind: 'abort', reason: 5 }]);
  });

  it('C-STORE data goes on as it came, PDU and all; a C-CANCEL names what it cancels; a response is handed on only when this side asked', () => {
    const g = guard(new Set([41]));
    expect(push(g, cmd(5, [[0x0002, 'UI', CT], [0x0100, 'US', [0x01]], [0x0110, 'US', [3]], [0x0700, 'US', [0]], [0x0800, 'US', [0]], [0x1000, 'UI', '1.2.3']]))).toMatchObject([{ kind: 'deliver', opens: { messageId: 3 }, endsMessage: false }]);
    const pdu = encodePDataTf([data(5, new Uint8Array(64), false)]);
    expect(g.push(pdu, pdvItems(pdu) as never)).toMatchObject([{ kind: 'deliver', pdu, endsMessage: false }]);
    expect(push(g, data(5, new Uint8Array(8)))).toMatchObject([{ kind: 'deliver', endsMessage: true }]);
    expect(push(g, cmd(3, [[0x0100, 'US', [0x0fff]], [0x0120, 'US', [2]], [0x0800, 'US', [0x0101]]]))).toMatchObject([{ kind: 'deliver', cancels: 2 }]);
    const rsp = (id: number) => cmd(5, [[0x0002, 'UI', CT], [0x0100, 'US', [0x8001]], [0x0120, 'US', [id]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [0]]]);
    expect(push(g, rsp(41))).toMatchObject([{ kind: 'deliver', answers: 41 }]);
    expect(push(g, rsp(42))).toMatchObject([{ kind: 'drop' }]);
  });
});
