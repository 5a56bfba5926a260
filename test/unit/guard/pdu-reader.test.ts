/** The guard's PDU reader (server/endpoints/guard/pdu-reader.ts): headers judged before bodies are held, any chunking. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PduReader, type HeaderDecision } from '../../../server/endpoints/guard/pdu-reader.ts';
import { concatBytes, encodeAReleaseRq, encodePDataTf, encodePdu } from '../../../shared/pdu/encode.ts';

function read(chunks: Uint8Array[], decide: (type: number, length: number) => HeaderDecision = () => 'read') {
  const reader = new PduReader();
  const pdus: number[][] = [];
  const heads: number[] = [];
  for (const c of chunks)
    reader.feed(c, {
      header: (type, _r, length) => (heads.push(type), decide(type, length)),
      pdu: (b) => (pdus.push([...b]), true),
    });
  return { pdus, heads, held: reader.held };
}

describe('PduReader', () => {
  const stream = concatBytes([encodeAReleaseRq(), encodePDataTf([{ presentationContextId: 1, isCommand: true, isLast: true, value: new Uint8Array(300).fill(7) }]), encodePdu(7, Uint8Array.of(0, 0, 2, 2))]);

  it('gives the same PDUs whatever the chunking (fixed seed)', () => {
    const whole = read([stream]).pdus;
    expect(whole.map((p) => p[0])).toEqual([5, 4, 7]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 12 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [...at, stream.length].map((c, i) => stream.subarray(i === 0 ? 0 : at[i - 1], c));
        expect(read(chunks).pdus).toEqual(whole);
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it('a header claiming 4 GiB costs nothing when refused, or is skipped without being held', () => {
    const huge = Uint8Array.of(4, 0, 0xff, 0xff, 0xff, 0xfe);
    const stopped = read([huge, new Uint8Array(1 << 20)], () => 'stop');
    expect(stopped).toMatchObject({ pdus: [], heads: [4], held: 0 });
    const skipped = read([huge, new Uint8Array(1 << 20)], () => 'skip');
    expect(skipped.held).toBe(0);
  });
});
