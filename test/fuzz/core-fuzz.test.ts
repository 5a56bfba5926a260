/**
 * Property-based fuzzing of the whole decoding core (framer → PDU decoder →
 * reassembler → DIMSE/data set decoding → association model): ≥ 100,000
 * random and mutated PDU streams, cut into random chunks. docs/architecture.md
 * §5: bad input is data. The SessionDecoder turns any exception from a
 * layer into an "internal decoder error" event, so the property is that no
 * such event ever appears, and that memory stays bounded.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { SessionDecoder } from '../../shared/model/session-decoder.ts';
import { SummaryBuilder } from '../../shared/model/summary-builder.ts';
import { concatBytes, encodeAAbort, encodeAAssociateAc, encodeAAssociateRj, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../shared/pdu/encode.ts';
import { commandSet, el, encodeDataSet, EXPLICIT_LE, IMPLICIT_LE } from '../unit/dimse/encode.ts';

const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const CT = '1.2.840.10008.5.1.4.1.1.2';

/** A realistic session per direction: association, C-FIND with identifier, C-MOVE with pending/final responses, C-STORE with pixel data, release. */
function validSession(): { requestor: Uint8Array; acceptor: Uint8Array } {
  const ui = { maxLength: 16384, implementationClassUid: '1.2.3.4', implementationVersionName: 'FUZZ', roleSelections: [{ sopClassUid: CT, scuRole: true, scpRole: true }], userIdentityRq: { identityType: 2, positiveResponseRequested: true, primaryField: 'user', secondaryField: 'secret' }, asyncOperationsWindow: { maxInvoked: 1, maxPerformed: 1 } };
  const rq = encodeAAssociateRq({ callingAeTitle: 'FINDSCU', calledAeTitle: 'PACS', presentationContexts: [{ id: 1, abstractSyntax: FIND, transferSyntaxes: ['1.2.840.10008.1.2'] }, { id: 3, abstractSyntax: MOVE, transferSyntaxes: ['1.2.840.10008.1.2.1'] }, { id: 5, abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2.1'] }], userInformation: ui });
  const ac = encodeAAssociateAc({ callingAeTitle: 'FINDSCU', calledAeTitle: 'PACS', presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }, { id: 3, result: 0, transferSyntax: '1.2.840.10008.1.2.1' }, { id: 5, result: 0, transferSyntax: '1.2.840.10008.1.2.1' }], userInformation: { maxLength: 16384, userIdentityAc: { serverResponse: 'ok' } } });
  const findRq = commandSet([[0x0002, 'UI', FIND], [0x0100, 'US', [0x0020]], [0x0110, 'US', [1]], [0x0700, 'US', [0]], [0x0800, 'US', [0]]]);
  const identifier = encodeDataSet([el(0x00080005, 'CS', 'ISO_IR 100'), el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', 'DOE^J*'), el(0x0020000d, 'UI', '')], IMPLICIT_LE);
  const findRsp = commandSet([[0x0002, 'UI', FIND], [0x0100, 'US', [0x8020]], [0x0120, 'US', [1]], [0x0800, 'US', [0]], [0x0900, 'US', [0xff00]]]);
  const findFinal = commandSet([[0x0002, 'UI', FIND], [0x0100, 'US', [0x8020]], [0x0120, 'US', [1]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [0x0000]]]);
  const moveRq = commandSet([[0x0002, 'UI', MOVE], [0x0100, 'US', [0x0021]], [0x0110, 'US', [2]], [0x0600, 'AE', 'STORESCP'], [0x0700, 'US', [0]], [0x0800, 'US', [0]]]);
  const moveId = encodeDataSet([el(0x00080052, 'CS', 'STUDY'), el(0x0020000d, 'UI', '1.2.3')], EXPLICIT_LE);
  const movePending = commandSet([[0x0002, 'UI', MOVE], [0x0100, 'US', [0x8021]], [0x0120, 'US', [2]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [0xff00]], [0x1020, 'US', [1]], [0x1021, 'US', [1]], [0x1022, 'US', [0]], [0x1023, 'US', [0]]]);
  const moveFinal = commandSet([[0x0002, 'UI', MOVE], [0x0100, 'US', [0x8021]], [0x0120, 'US', [2]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [0xb000]], [0x0902, 'LO', 'one failed'], [0x1021, 'US', [1]], [0x1022, 'US', [1]], [0x1023, 'US', [0]]]);
  const storeRq = commandSet([[0x0002, 'UI', CT], [0x0100, 'US', [0x0001]], [0x0110, 'US', [3]], [0x0700, 'US', [0]], [0x0800, 'US', [0]], [0x1000, 'UI', '1.2.3.4.5'], [0x1030, 'AE', 'MOVESCU'], [0x1031, 'US', [2]]]);
  const image = encodeDataSet([el(0x00080016, 'UI', CT), el(0x00080018, 'UI', '1.2.3.4.5'), el(0x00100010, 'PN', 'DOE^JOHN'), el(0x7fe00010, 'OW', new Uint8Array(3000))], EXPLICIT_LE);
  const pd = (pcid: number, isCommand: boolean, value: Uint8Array, fragment = 1000) => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < value.length; i += fragment) out.push(encodePDataTf([{ presentationContextId: pcid, isCommand, isLast: i + fragment >= value.length, value: value.subarray(i, i + fragment) }]));
    return concatBytes(out);
  };
  return {
    requestor: concatBytes([rq, pd(1, true, findRq), pd(1, false, identifier, 37), pd(3, true, moveRq), pd(3, false, moveId), pd(5, true, storeRq), pd(5, false, image), encodeAReleaseRq()]),
    acceptor: concatBytes([ac, pd(1, true, findRsp), pd(1, false, identifier), pd(1, true, findFinal), pd(3, true, movePending), pd(3, true, moveFinal), encodeAReleaseRp()]),
  };
}

const base = validSession();
const endings = [encodeAAbort({ source: 2, reason: 6 }), encodeAAssociateRj({ result: 1, source: 1, reason: 7 }), encodeAReleaseRq()];

/** Mutations of a byte stream: the kinds of damage real inputs have. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 2, 3, 0xff, 0xffff, 0x7fffffff, 0xffffffff) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 32 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b: Uint8Array = bytes.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') b[at] ^= 1 << m.bit;
    else if (m.kind === 'byte') b[at] = m.value;
    else if (m.kind === 'length' && at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, m.value);
    else if (m.kind === 'cut') b = concatBytes([b.subarray(0, at), b.subarray(at + m.n)]);
    else if (m.kind === 'insert') b = concatBytes([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === 'truncate') b = b.subarray(0, at);
  }
  return b;
}

/** Interleave both directions, each cut at the given points. */
function wireEvents(requestor: Uint8Array, acceptor: Uint8Array, cuts: number[], close: 'fin' | 'reset' | 'none'): WireEvent[] {
  const events: WireEvent[] = [{ kind: 'open', conn: 1, time: 0, requestor: { host: '127.0.0.1', port: 40000 }, acceptor: { host: '127.0.0.1', port: 104 } }];
  const pos = { requestor: 0, acceptor: 0 };
  let t = 0;
  for (let i = 0; pos.requestor < requestor.length || pos.acceptor < acceptor.length; i++) {
    const from = i % 2 === 0 ? 'requestor' : 'acceptor';
    const bytes = from === 'requestor' ? requestor : acceptor;
    const n = 1 + (cuts[i % Math.max(1, cuts.length)] ?? 1000);
    if (pos[from] < bytes.length) events.push({ kind: 'data', conn: 1, time: (t += 1), from, bytes: bytes.subarray(pos[from], pos[from] + n) });
    pos[from] += n;
  }
  if (close !== 'none') events.push({ kind: 'close', conn: 1, time: t + 1, from: 'requestor', how: close }, { kind: 'close', conn: 1, time: t + 2, from: 'acceptor', how: close });
  return events;
}

function decodeAll(events: WireEvent[]): { internal: string[]; count: number } {
  const decoder = new SessionDecoder({ maxDataSetBytes: 4096 });
  const builder = new SummaryBuilder({ path: 'fuzz', format: 'test' });
  const internal: string[] = [];
  let count = 0;
  const take = (evs: ReturnType<SessionDecoder['push']>) => {
    for (const ev of evs) {
      count++;
      builder.apply(ev);
      if (ev.type === 'decode.error' && ev.reason.startsWith('internal decoder error')) internal.push(ev.reason);
    }
  };
  for (const ev of events) take(decoder.push(ev));
  take(decoder.finish());
  JSON.stringify(builder.result()); // the model must always serialise
  return { internal, count };
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 50_000);

describe('decoding core under fuzzing', () => {
  it('the valid session decodes without errors (the baseline the mutations start from)', () => {
    const decoder = new SessionDecoder();
    // Causal order: the A-ASSOCIATE-RQ, the AC, then the rest of each side in odd-sized chunks.
    const pduEnd = (b: Uint8Array) => 6 + new DataView(b.buffer, b.byteOffset).getUint32(2);
    const rqEnd = pduEnd(base.requestor);
    const acEnd = pduEnd(base.acceptor);
    const events = wireEvents(base.requestor.subarray(0, rqEnd), new Uint8Array(0), [rqEnd], 'none');
    events.push(...wireEvents(new Uint8Array(0), base.acceptor.subarray(0, acEnd), [acEnd], 'none').slice(1));
    events.push(...wireEvents(base.requestor.subarray(rqEnd), new Uint8Array(0), [7, 300, 1, 5000], 'none').slice(1));
    events.push(...wireEvents(new Uint8Array(0), base.acceptor.subarray(acEnd), [7, 300, 1, 5000], 'fin').slice(1));
    const evs = events.flatMap((e) => decoder.push(e));
    expect(evs.filter((e) => e.type === 'decode.error')).toEqual([]);
    // Both directions are interleaved by chunk, so compare each side's messages in its own order.
    const commands = (side: string) => evs.flatMap((e) => (e.type === 'dimse' && e.from === side ? [e.message.command] : []));
    expect(commands('requestor')).toEqual(['C-FIND-RQ', 'C-MOVE-RQ', 'C-STORE-RQ']);
    expect(commands('acceptor')).toEqual(['C-FIND-RSP', 'C-FIND-RSP', 'C-MOVE-RSP', 'C-MOVE-RSP']);
    expect(evs.at(-1)).toMatchObject({ type: 'association.end', outcome: 'released' });
  });

  it(`mutated streams (${RUNS} runs) never make a layer throw`, () => {
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.array(mutation, { maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('fin' as const, 'reset' as const, 'none' as const),
        fc.nat(endings.length),
        (mr, ma, cuts, close, ending) => {
          const rq = mutate(ending < endings.length ? concatBytes([base.requestor, endings[ending]]) : base.requestor, mr);
          const { internal } = decodeAll(wireEvents(rq, mutate(base.acceptor, ma), cuts, close));
          expect(internal).toEqual([]);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261122) },
    );
  });

  it(`random byte streams (${RUNS} runs) never make a layer throw`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (a, b, cuts, headed) => {
          // Half the runs start with a plausible PDU header so that the random bytes reach the deeper layers.
          const rq = headed ? concatBytes([Uint8Array.of(a.length % 7 + 1, 0, 0, 0, a.length >> 8, a.length & 0xff), a]) : a;
          const { internal } = decodeAll(wireEvents(rq, b, cuts, 'fin'));
          expect(internal).toEqual([]);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261122) + 1 },
    );
  });

  it('memory stays bounded on 64 MB of garbage and on a P-DATA-TF that claims 4 GB', () => {
    const decoder = new SessionDecoder();
    const before = process.memoryUsage().heapUsed;
    const events: WireEvent[] = [{ kind: 'open', conn: 1, time: 0, requestor: { host: '127.0.0.1', port: 1 }, acceptor: { host: '127.0.0.1', port: 2 } }];
    for (const ev of events) decoder.push(ev);
    const chunk = new Uint8Array(1 << 20);
    let seed = 1;
    for (let i = 0; i < chunk.length; i++) chunk[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    let errors = 0;
    for (let i = 0; i < 64; i++) errors += decoder.push({ kind: 'data', conn: 1, time: i, from: 'acceptor', bytes: chunk }).length;
    // A P-DATA-TF header announcing 0xFFFFFFFF bytes, followed by 64 MB of PDV value: streamed, not held.
    const { requestor } = validSession();
    const huge = concatBytes([Uint8Array.of(4, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 1, 0)]);
    decoder.push({ kind: 'data', conn: 1, time: 100, from: 'requestor', bytes: requestor.subarray(0, 0) });
    decoder.push({ kind: 'data', conn: 1, time: 100, from: 'requestor', bytes: huge });
    for (let i = 0; i < 64; i++) decoder.push({ kind: 'data', conn: 1, time: 101 + i, from: 'requestor', bytes: chunk });
    globalThis.gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    expect(errors).toBeLessThan(64 * 1024); // resynchronisation coalesces garbage, not one error per byte
    expect(grown).toBeLessThan(48 * 1024 * 1024);
  });
});
