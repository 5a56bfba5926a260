/**
 * Property: for any well-formed session — any transfer syntax per context,
 * any maximum PDU lengths, any cutting into reads, names in Latin-1 or UTF-8,
 * sequences of defined or undefined length, nested, pixel data native or
 * encapsulated, commands and data sets in one PDU or in several — the
 * redacted stream decodes with zero decoder errors (data sets included) into
 * the same message sequence (commands, message IDs, statuses, counters), its
 * P-DATA-TF PDUs respect each receiver's maximum, and the patient's name is
 * nowhere in its bytes. And for damaged sessions (bytes flipped, cut,
 * inserted): the redactor never fails inside, its output never makes the
 * decoder fail inside, and the name is not in it either.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, encodePDataTf } from '../../../shared/pdu/encode.ts';
import { commandSet, el, type Element } from '../dimse/encode.ts';
import { allBytes, contains, decode, latin1, redact, sequenceOf, summary, utf8 } from './helpers.ts';
import { cmd, dataSet, SessionBuilder, SOP, type TsName } from './session-builder.ts';

/** Name characters: ASCII letters and the Latin-1 letters of Western names. The "ZQX" prefix occurs nowhere else. */
const nameChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPRSTUVWYabcdefghijklmnoprstuvwy^ ÄÖÜÉÈÑÇÅØßäöüéèñçåø'.split(''));
const name = fc.array(nameChars, { minLength: 3, maxLength: 30 }).map((cs) => `ZQX${cs.join('')}`);

const spec = fc.record({
  findTs: fc.constantFrom<TsName>('implicit', 'explicit', 'big'),
  storeTs: fc.constantFrom<TsName>('implicit', 'explicit', 'big', 'deflated', 'jpegBaseline'),
  maxRequestor: fc.oneof(fc.constant(0), fc.integer({ min: 64, max: 20000 })),
  maxAcceptor: fc.oneof(fc.constant(0), fc.integer({ min: 64, max: 20000 })),
  readBytes: fc.integer({ min: 5, max: 6000 }),
  name,
  utf8Names: fc.boolean(),
  undefinedSequences: fc.boolean(),
  matches: fc.integer({ min: 0, max: 3 }),
  stores: fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 3 }),
  together: fc.boolean(),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function session(p: Spec) {
  const s = new SessionBuilder(p.readBytes);
  const charset = p.utf8Names ? 'ISO_IR 192' : 'ISO_IR 100';
  const raw = (t: string) => (p.utf8Names ? utf8(t) : latin1(t));
  const pn = (t: string) => {
    const b = raw(t);
    return b.length % 2 ? concatBytes([b, Uint8Array.of(0x20)]) : b;
  };
  const maxPdu = { requestor: p.maxRequestor, acceptor: p.maxAcceptor };
  const nested = (depth: number): Element[] => [
    ...(depth > 0 ? [el(0x00081140, 'SQ', [nested(depth - 1), []], p.undefinedSequences)] : []),
    el(0x00081150, 'UI', SOP.ct),
    el(0x00081155, 'UI', `2.25.77.${depth}`),
    el(0x0040a123, 'PN', pn(`${p.name}${depth}`)),
  ];
  const find = s.associate({ calling: 'FINDSCU', called: 'QRSCP', contexts: [[SOP.find, p.findTs]], maxPdu });
  const query = [el(0x00080005, 'CS', charset), el(0x00080020, 'DA', '20200101-'), el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', pn(`${p.name}*`)), el(0x0020000d, 'UI', '')];
  send(s, find, 'requestor', SOP.find, cmd.findRq(1), dataSet(query, p.findTs), p.together);
  for (let i = 0; i < p.matches; i++) {
    const match = [el(0x00080005, 'CS', charset), el(0x00080020, 'DA', '20240101'), el(0x00080052, 'CS', 'STUDY'), el(0x00081110, 'SQ', [nested(i)], p.undefinedSequences), el(0x00100010, 'PN', pn(p.name)), el(0x0020000d, 'UI', `2.25.88.${i}`)];
    send(s, find, 'acceptor', SOP.find, cmd.findRsp(1, 0xff00, true), dataSet(match, p.findTs), p.together);
  }
  s.send(find, 'acceptor', SOP.find, cmd.findRsp(1, 0, false));
  s.release(find);
  const store = s.associate({ calling: 'STORESCU', called: 'STORESCP', contexts: [[SOP.ct, p.storeTs]], maxPdu });
  p.stores.forEach((pixels, i) => {
    const uid = `2.25.99.${i}`;
    const encapsulated = p.storeTs === 'jpegBaseline';
    const image = [
      el(0x00080005, 'CS', charset),
      el(0x00080016, 'UI', SOP.ct),
      el(0x00080018, 'UI', uid),
      el(0x00081140, 'SQ', [nested(2)], p.undefinedSequences),
      el(0x00100010, 'PN', pn(p.name)),
      el(0x00291010, 'OB', pn(p.name)),
      el(0x7fe00010, encapsulated ? 'OB' : 'OW', new Uint8Array(pixels & ~1).map((_, k) => k & 0xff), encapsulated),
    ];
    send(s, store, 'requestor', SOP.ct, cmd.storeRq(i + 1, SOP.ct, uid), dataSet(image, p.storeTs === 'jpegBaseline' ? 'explicit' : p.storeTs), p.together);
    s.send(store, 'acceptor', SOP.ct, cmd.storeRsp(i + 1, SOP.ct, uid));
  });
  s.release(store);
  return { events: s.events, nameBytes: raw(p.name) };
}

/** Like SessionBuilder.send, but with `together` the command and a small data set share one P-DATA-TF (two PDVs). */
function send(s: SessionBuilder, a: ReturnType<SessionBuilder['associate']>, side: 'requestor' | 'acceptor', sop: string, command: Parameters<typeof commandSet>[0], data: Uint8Array, together: boolean): void {
  const receiverMax = side === 'requestor' ? a.spec.maxPdu!.acceptor : a.spec.maxPdu!.requestor;
  const c = commandSet(command);
  if (together && (receiverMax === 0 || c.length + data.length + 12 <= receiverMax)) {
    const pc = a.contextOf(sop);
    s.data(a.conn, side, encodePDataTf([{ presentationContextId: pc, isCommand: true, isLast: true, value: c }, { presentationContextId: pc, isCommand: false, isLast: true, value: data }]));
  } else s.send(a, side, sop, command, data);
}

describe('redaction property', () => {
  it('any well-formed session: zero decoder errors, same message sequence, PDUs within limits, no name left', async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (p) => {
        const { events, nameBytes } = session(p);
        const before = decode(events);
        expect(before.errors).toEqual([]);
        const { out, redactor } = redact(events, { salt: 'property' });
        const after = decode(out);
        expect(redactor.ctx.problems).toEqual([]);
        expect(after.errors).toEqual([]);
        expect(sequenceOf(after.messages)).toEqual(sequenceOf(before.messages));
        expect(contains(allBytes(out), nameBytes)).toBe(false);
        const s = await summary(out);
        for (const pdu of s.pdus.filter((x) => x.type === 'P-DATA-TF')) {
          const max = pdu.from === 'requestor' ? p.maxAcceptor : p.maxRequestor;
          if (max > 0) expect(pdu.length - 6).toBeLessThanOrEqual(Math.max(max, 64));
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('any damaged session: no internal error in the redactor or in the decoder of its output, no name left', () => {
    const damage = fc.record({ at: fc.nat(), kind: fc.constantFrom('flip', 'cut', 'insert'), value: fc.integer({ min: 0, max: 255 }), n: fc.integer({ min: 1, max: 40 }) });
    fc.assert(
      fc.property(spec, fc.array(damage, { minLength: 1, maxLength: 4 }), (p, damages) => {
        const events = session(p).events.slice();
        for (const d of damages) {
          const data = events.map((e, i) => [e, i] as const).filter(([e]) => e.kind === 'data');
          const [e, i] = data[d.at % data.length];
          if (e.kind !== 'data') continue;
          const b = e.bytes.slice();
          const at = d.at % Math.max(1, b.length);
          let bytes: Uint8Array = b;
          if (d.kind === 'flip') b[at] ^= d.value || 1;
          else if (d.kind === 'cut') bytes = concatBytes([b.subarray(0, at), b.subarray(at + d.n)]);
          else bytes = concatBytes([b.subarray(0, at), new Uint8Array(d.n).fill(d.value), b.subarray(at)]);
          events[i] = { ...e, bytes };
        }
        const { out, redactor } = redact(events, { salt: 'damaged' });
        expect(redactor.ctx.problems.filter((x) => x.reason.includes('internal'))).toEqual([]);
        expect(decode(out).errors.filter((x) => x.includes('internal'))).toEqual([]);
        // Damage must not make the name slip through either (0 in 5,000 runs when this was written; a kept bulk
        // value whose length field itself is damaged could still carry one, and the export warns about that case).
        expect(contains(allBytes(out), session(p).nameBytes)).toBe(false);
      }),
      {
        numRuns: 300,
        // Found by a CI run: one bit flipped inside a deflated data set inflates into garbage whose
        // back-references copy the nested names into the pixel data, which was kept.
        examples: [
          [
            { findTs: 'implicit', storeTs: 'deflated', maxRequestor: 64, maxAcceptor: 302, readBytes: 177, name: 'ZQXAAAAfAAAèAÈ', utf8Names: false, undefinedSequences: true, matches: 0, stores: [3728], together: false },
            [{ at: 968900431, kind: 'flip', value: 208, n: 1 }, { at: 0, kind: 'flip', value: 0, n: 1 }],
          ],
        ],
      },
    );
  }, 120_000);
});
