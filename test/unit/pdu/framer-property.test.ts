/**
 * Property tests of the framer (fast-check): it never throws, whatever the
 * bytes, and the events do not depend on how the stream is cut into chunks.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PduFramer } from '../../../shared/pdu/framer.ts';
import type { FramerEvent } from '../../../shared/pdu/types.ts';
import {
  encodeAAbort,
  encodeAAssociateAc,
  encodeAAssociateRj,
  encodeAAssociateRq,
  encodeAReleaseRp,
  encodeAReleaseRq,
  encodePDataTf,
} from '../../../shared/pdu/encode.ts';
import { concat, normalise, run, split, type Step } from './helpers.ts';

/** One valid PDU of any type, with small random contents. */
const pduArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.record({ called: fc.string({ maxLength: 16 }), calling: fc.string({ maxLength: 16 }), n: fc.integer({ min: 1, max: 4 }), max: fc.nat() }).map((r) =>
    encodeAAssociateRq({
      calledAeTitle: r.called,
      callingAeTitle: r.calling,
      presentationContexts: Array.from({ length: r.n }, (_, i) => ({ id: 2 * i + 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] })),
      userInformation: {
        maxLength: r.max,
        implementationClassUid: '1.2.3',
        roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: true, scpRole: true }],
        userIdentityRq: { identityType: 2, positiveResponseRequested: true, primaryField: 'u', secondaryField: 'p' },
      },
    }),
  ),
  fc.integer({ min: 0, max: 4 }).map((result) =>
    encodeAAssociateAc({ calledAeTitle: 'A', callingAeTitle: 'B', presentationContexts: [{ id: 1, result, transferSyntax: '1.2.840.10008.1.2' }] }),
  ),
  fc.array(
    fc.record({ id: fc.integer({ min: 0, max: 255 }), isCommand: fc.boolean(), isLast: fc.boolean(), value: fc.uint8Array({ maxLength: 300 }) }),
    { minLength: 1, maxLength: 4 },
  ).map((pdvs) => encodePDataTf(pdvs.map((p) => ({ presentationContextId: p.id, isCommand: p.isCommand, isLast: p.isLast, value: p.value })))),
  fc.constantFrom(encodeAReleaseRq(), encodeAReleaseRp(), encodeAAbort({ source: 2, reason: 2 }), encodeAAssociateRj({ result: 1, source: 1, reason: 7 })),
);

const streamArb = fc.array(pduArb, { minLength: 1, maxLength: 6 }).map((parts) => concat(...parts));

type Mutation = { kind: 'flip' | 'insert' | 'delete'; at: number; byte: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('flip', 'insert', 'delete'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });

function mutate(stream: Uint8Array, mutations: Mutation[]): Uint8Array {
  const bytes = Array.from(stream);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'flip') bytes[at] = m.byte;
    else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
    else bytes.splice(at, 1);
  }
  return Uint8Array.from(bytes);
}

/** Every offset an event reports lies within the stream. */
function offsetsInRange(events: FramerEvent[], total: number): boolean {
  return events.every((e) => {
    const o = e.kind === 'pdu' ? e.pdu.offset : e.offset;
    return Number.isInteger(o) && o >= 0 && o <= total;
  });
}

describe('PduFramer properties', () => {
  it('never throws on random bytes, chunks and gaps', () => {
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      { weight: 8, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.integer({ min: -5, max: 2000 }).map((gap) => ({ gap })) },
    );
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 20 }), (steps) => {
        const framer = new PduFramer({ maxBufferedPdu: 4096 });
        const events: FramerEvent[] = [];
        for (const s of steps) events.push(...(s instanceof Uint8Array ? framer.push(s) : framer.gap(s.gap)));
        events.push(...framer.end());
        expect(offsetsInRange(events, framer.offset)).toBe(true);
        expect(events.some((e) => e.kind === 'error' && e.reason.startsWith('internal'))).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('frames valid streams without errors, however they are chunked', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 10 }), (stream, cuts) => {
        const reference = normalise(run([stream]));
        expect(reference.filter((e) => e.kind === 'error' && !e.reason.includes('not odd'))).toEqual([]);
        expect(normalise(run(split(stream, cuts.map((c) => c % (stream.length + 1)))))).toEqual(reference);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same events for any chunking of a mutated stream, and never throws', () => {
    fc.assert(
      fc.property(streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (stream, mutations, cuts) => {
        const bad = mutate(stream, mutations);
        const reference = normalise(run([bad]));
        const chunked = normalise(run(split(bad, cuts.map((c) => c % (bad.length + 1)))));
        expect(chunked).toEqual(reference);
        expect(reference.some((e) => e.kind === 'error' && e.reason.startsWith('internal'))).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same events for any chunking around a capture gap', () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), fc.nat(), fc.array(fc.nat(), { maxLength: 8 }), (stream, g, l, cuts) => {
        const at = g % (stream.length + 1);
        const lost = l % (stream.length - at + 1);
        const before = stream.subarray(0, at);
        const after = stream.subarray(at + lost);
        const reference = normalise(run([before, { gap: lost }, after]));
        const chunked = normalise(
          run([...split(before, cuts.map((c) => c % (before.length + 1))), { gap: lost }, ...split(after, cuts.map((c) => c % (after.length + 1)))]),
        );
        expect(chunked).toEqual(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same events for 1-byte chunks of a mutated stream', () => {
    fc.assert(
      fc.property(streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (stream, mutations) => {
        const bad = mutate(stream, mutations);
        const ones = Array.from({ length: bad.length }, (_, i) => bad.subarray(i, i + 1));
        expect(normalise(run(ones))).toEqual(normalise(run([bad])));
      }),
      { numRuns: 500 },
    );
  });
});
