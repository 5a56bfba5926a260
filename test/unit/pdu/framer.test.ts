import { describe, it, expect } from 'vitest';
import { PduFramer } from '../../../shared/pdu/framer.ts';
import type { FramerEvent, PDataTf } from '../../../shared/pdu/types.ts';
import {
  encodeAAbort,
  encodeAAssociateAc,
  encodeAAssociateRj,
  encodeAAssociateRq,
  encodeAReleaseRp,
  encodeAReleaseRq,
  encodePDataTf,
} from '../../../shared/pdu/encode.ts';
import { bytes, concat, errors, normalise, oneByteChunks, pdus, prng, randomCuts, run, split } from './helpers.ts';

const value = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

const RQ = encodeAAssociateRq({
  calledAeTitle: 'ORTHANC',
  callingAeTitle: 'STORESCU',
  presentationContexts: [
    { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
    { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
  ],
  userInformation: { maxLength: 16384, implementationClassUid: '1.2.3.4', implementationVersionName: 'PACSCOPE' },
});
const AC = encodeAAssociateAc({
  calledAeTitle: 'ORTHANC',
  callingAeTitle: 'STORESCU',
  presentationContexts: [
    { id: 1, transferSyntax: '1.2.840.10008.1.2' },
    { id: 3, transferSyntax: '1.2.840.10008.1.2.1' },
  ],
  userInformation: { maxLength: 0 },
});
// A C-STORE: command PDV in one PDU, then a data set in two PDUs, the first with two PDVs.
const PDATA_COMMAND = encodePDataTf([{ presentationContextId: 3, isCommand: true, isLast: true, value: value(90, 1) }]);
const PDATA_DATA_1 = encodePDataTf([
  { presentationContextId: 3, isCommand: false, isLast: false, value: value(700, 2) },
  { presentationContextId: 3, isCommand: false, isLast: false, value: value(300, 3) },
]);
const PDATA_DATA_2 = encodePDataTf([{ presentationContextId: 3, isCommand: false, isLast: true, value: value(1, 4) }]);
const EMPTY_PDV = encodePDataTf([{ presentationContextId: 1, isCommand: true, isLast: true, value: new Uint8Array(0) }]);
const STREAM = concat(RQ, AC, PDATA_COMMAND, PDATA_DATA_1, PDATA_DATA_2, EMPTY_PDV, encodeAReleaseRq(), encodeAReleaseRp(), encodeAAbort({ source: 2, reason: 1 }));

describe('PduFramer: framing whole streams', () => {
  it('frames every PDU type with stream offsets and streams PDV values', () => {
    const events = run([STREAM]);
    expect(errors(events)).toEqual([]);
    const names = pdus(events).map((p) => [p.name, p.offset, p.length]);
    let o = 0;
    const expected: [string, number, number][] = [];
    for (const [name, pdu] of [
      ['A-ASSOCIATE-RQ', RQ],
      ['A-ASSOCIATE-AC', AC],
      ['P-DATA-TF', PDATA_COMMAND],
      ['P-DATA-TF', PDATA_DATA_1],
      ['P-DATA-TF', PDATA_DATA_2],
      ['P-DATA-TF', EMPTY_PDV],
      ['A-RELEASE-RQ', encodeAReleaseRq()],
      ['A-RELEASE-RP', encodeAReleaseRp()],
      ['A-ABORT', encodeAAbort()],
    ] as const) {
      expected.push([name, o, pdu.length]);
      o += pdu.length;
    }
    expect(names).toEqual(expected);

    const pdvs = normalise(events).filter((e) => e.kind === 'pdv');
    expect(pdvs.map((e) => (e.kind === 'pdv' ? [e.pdvOffset, e.offset, e.hex.length / 2, e.end] : null))).toEqual([
      [RQ.length + AC.length + 6, RQ.length + AC.length + 12, 90, true],
      [RQ.length + AC.length + PDATA_COMMAND.length + 6, RQ.length + AC.length + PDATA_COMMAND.length + 12, 700, true],
      [RQ.length + AC.length + PDATA_COMMAND.length + 6 + 706, RQ.length + AC.length + PDATA_COMMAND.length + 12 + 706, 300, true],
      [o - 30 - 12 - 13 + 6, o - 30 - 12 - 13 + 12, 1, true],
      [o - 30 - 12 + 6, o - 30 - 12 + 12, 0, true],
    ]);
    const second = pdus(events)[3] as PDataTf;
    expect(second.pdvs.map((h) => [h.presentationContextId, h.isCommand, h.isLast, h.valueLength])).toEqual([
      [3, false, false, 700],
      [3, false, false, 300],
    ]);
    // Each pdv event comes before the P-DATA-TF event that carried it.
    const kinds = events.map((e) => e.kind).join(',');
    expect(kinds).toBe('pdu,pdu,pdv,pdu,pdv,pdv,pdu,pdv,pdu,pdv,pdu,pdu,pdu,pdu');
  });

  it('hands PDV values on as views of the caller’s chunk, without copying', () => {
    const framer = new PduFramer();
    const chunk = concat(PDATA_COMMAND, PDATA_DATA_1);
    const pieces = framer.push(chunk).filter((e): e is Extract<FramerEvent, { kind: 'pdv' }> => e.kind === 'pdv');
    expect(pieces).toHaveLength(3);
    for (const p of pieces) {
      expect(p.bytes.buffer).toBe(chunk.buffer);
      expect(p.bytes.byteOffset).toBe(p.offset);
    }
  });

  it('gives the same events for any chunking: all in one, 1-byte chunks, random splits', () => {
    const reference = normalise(run([STREAM]));
    expect(normalise(run(oneByteChunks(STREAM)))).toEqual(reference);
    const random = prng(42);
    for (let i = 0; i < 200; i++) {
      const cuts = randomCuts(STREAM.length, 1 + Math.floor(random() * 12), random);
      expect(normalise(run(split(STREAM, cuts)))).toEqual(reference);
    }
  });

  it('tracks the offset, gaps included', () => {
    const framer = new PduFramer();
    framer.push(RQ.subarray(0, 10));
    expect(framer.offset).toBe(10);
    framer.gap(5);
    expect(framer.offset).toBe(15);
  });
});

describe('PduFramer: PDV problems inside a P-DATA-TF', () => {
  it('reports reserved control bits and an even context id, and keeps going', () => {
    // P-DATA-TF with one PDV: context 2 (even), control 0x43 (bit 6 reserved), value "ab"
    const events = run([bytes`04 00 00000008 00000004 02 43 "ab"`, encodeAReleaseRq()]);
    expect(errors(events).map((e) => e.reason)).toEqual([
      'PDV presentation context ID 2 is not odd (PS3.8 §9.3.2.2)',
      'PDV message control header 0x43 has reserved bits 2–7 set (PS3.8 Annex E.2)',
    ]);
    expect(pdus(events).map((p) => p.name)).toEqual(['P-DATA-TF', 'A-RELEASE-RQ']);
  });

  it('skips the rest of the PDU after a PDV length < 2 or overrunning, then frames the next PDU', () => {
    // P-DATA-TF, length 20: a good PDV (context 1, "abcd"), then a PDV of length 1, then 5 bytes of junk
    const shortPdv = bytes`04 00 00000014 00000006 01 02 "abcd" 00000001 01 "junk!"`;
    // P-DATA-TF, length 16: a good PDV, then a PDV claiming 50 bytes with 2 left
    const overrun = bytes`04 00 00000010 00000006 01 02 "abcd" 00000032 01 00`;
    for (const chunks of [[shortPdv, overrun, encodeAReleaseRq()], oneByteChunks(concat(shortPdv, overrun, encodeAReleaseRq()))]) {
      const events = run(chunks);
      expect(errors(events)).toEqual([
        { kind: 'error', offset: 16, reason: 'PDV item length 1 is less than 2 (no room for context ID and message control header): rest of the PDU skipped' },
        { kind: 'error', offset: 26 + 16, reason: 'PDV item length 50 overruns the P-DATA-TF (2 bytes left): rest of the PDU skipped' },
      ]);
      expect(pdus(events).map((p) => [p.name, p.offset, p.name === 'P-DATA-TF' ? p.pdvs.length : -1])).toEqual([
        ['P-DATA-TF', 0, 1],
        ['P-DATA-TF', 26, 1],
        ['A-RELEASE-RQ', 48, -1],
      ]);
    }
  });

  it('reports a P-DATA-TF carrying no PDV', () => {
    const events = run([bytes`04 00 00000000`, encodeAReleaseRq()]);
    expect(errors(events)).toEqual([{ kind: 'error', offset: 0, reason: 'P-DATA-TF carries no PDV item' }]);
    expect(pdus(events).map((p) => p.name)).toEqual(['P-DATA-TF', 'A-RELEASE-RQ']);
  });

  it('reports stray bytes too short for a PDV header at the end of a P-DATA-TF', () => {
    // P-DATA-TF, length 13: PDV (context 1, "abc"), then 4 stray bytes
    const events = run([bytes`04 00 0000000d 00000005 01 02 "abc" 01020304`]);
    expect(errors(events).map((e) => e.reason)).toEqual(['4 stray byte(s) at the end of the P-DATA-TF at offset 0, too short for a PDV item header']);
    expect(pdus(events)).toHaveLength(1);
  });
});

describe('PduFramer: resynchronisation', () => {
  const HTTP = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: pacs.example:104\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n');

  it('turns garbage before a PDU into two errors and finds the PDU', () => {
    const stream = concat(HTTP, RQ);
    for (const chunks of [[stream], oneByteChunks(stream)]) {
      const events = run(chunks);
      expect(errors(events)).toEqual([
        { kind: 'error', offset: 0, reason: "no valid PDU header at offset 0: unknown PDU type 0x47 (ASCII 'G'); scanning for the next PDU header" },
        {
          kind: 'error',
          offset: 0,
          reason: `skipped ${HTTP.length} byte(s) that are not PDUs; resynchronised at a PDU header at offset ${HTTP.length}`,
          skipped: HTTP.length,
        },
      ]);
      expect(pdus(events).map((p) => [p.name, p.offset])).toEqual([['A-ASSOCIATE-RQ', HTTP.length]]);
    }
  });

  it('handles garbage between and after PDUs', () => {
    const junk = bytes`ff ff 00 01 02 03 04 05 06 07`;
    const stream = concat(RQ, junk, AC, junk);
    const reference = normalise(run([stream]));
    expect(reference.filter((e) => e.kind === 'error')).toEqual([
      { kind: 'error', offset: RQ.length, reason: `no valid PDU header at offset ${RQ.length}: unknown PDU type 0xff; scanning for the next PDU header` },
      { kind: 'error', offset: RQ.length, reason: `skipped 10 byte(s) that are not PDUs; resynchronised at a PDU header at offset ${RQ.length + 10}`, skipped: 10 },
      { kind: 'error', offset: RQ.length + 10 + AC.length, reason: expect.stringContaining('unknown PDU type 0xff') },
      { kind: 'error', offset: RQ.length + 10 + AC.length, reason: 'skipped 10 byte(s) that are not PDUs; the stream ended', skipped: 10 },
    ]);
    expect(reference.filter((e) => e.kind === 'pdu').length).toBe(2);
    expect(normalise(run(oneByteChunks(stream)))).toEqual(reference);
  });

  it('distrusts impossible lengths and a reserved byte that is not 0', () => {
    const cases: [Uint8Array, string][] = [
      [bytes`05 00 00000005 0000000000`, 'A-RELEASE-RQ length is 5, must be 4'], // release with length 5
      [bytes`03 00 00000003 000101`, 'A-ASSOCIATE-RJ length is 3, must be 4'], // reject with length 3
      [bytes`01 00 00000010`, 'A-ASSOCIATE-RQ length 16 is less than the 68 bytes of its fixed fields'], // RQ too short
      [bytes`07 01 00000004 00000000`, 'A-ABORT header has reserved byte 0x01, not 0x00'], // reserved byte 1
      [bytes`04 00 00000003 000000`, 'P-DATA-TF length 3 is too short for a PDV item (6 bytes at least)'], // P-DATA, length 3
      [bytes`04 00 00000008 00000009 01 02 0000`, "P-DATA-TF's first PDV item length 9 overruns the P-DATA-TF (4 bytes left)"], // first PDV overruns
    ];
    for (const [bad, reason] of cases) {
      const events = run([bad, encodeAReleaseRq()]);
      expect(errors(events)[0]).toEqual({ kind: 'error', offset: 0, reason: `no valid PDU header at offset 0: ${reason}; scanning for the next PDU header` });
      expect(errors(events)[1]).toMatchObject({ offset: 0, skipped: bad.length });
      expect(pdus(events).map((p) => [p.name, p.offset])).toEqual([['A-RELEASE-RQ', bad.length]]);
    }
  });

  it('at the end, drops a candidate header that needed more bytes and frames what follows it', () => {
    const stream = bytes`
      ff                                # junk
      01 00 00000100 0001 0000          # looks like an A-ASSOCIATE-RQ header, but the stream is too short to judge it
      05 00 00000004 00000000           # A-RELEASE-RQ
    `;
    for (const chunks of [[stream], oneByteChunks(stream)]) {
      const events = run(chunks);
      expect(errors(events).map((e) => [e.offset, e.kind === 'error' ? e.skipped : 0])).toEqual([
        [0, undefined],
        [0, 11],
      ]);
      expect(pdus(events).map((p) => [p.name, p.offset])).toEqual([['A-RELEASE-RQ', 11]]);
    }
  });

  it('refuses an A-ASSOCIATE-RQ longer than maxBufferedPdu', () => {
    const events = run([RQ], { maxBufferedPdu: 100 });
    expect(errors(events)[0].reason).toContain(`A-ASSOCIATE-RQ of ${RQ.length} bytes exceeds the 100-byte limit`);
    expect(pdus(events)).toEqual([]);
  });

  it('gives a small number of errors for a large run of random garbage', () => {
    const random = prng(7);
    const junk = Uint8Array.from({ length: 100_000 }, () => Math.floor(random() * 256));
    const events = run([concat(junk, RQ)]);
    expect(errors(events).length).toBeLessThan(50);
    expect(pdus(events).at(-1)).toMatchObject({ name: 'A-ASSOCIATE-RQ', offset: junk.length });
  });
});

describe('PduFramer: a capture that starts mid-stream', () => {
  it('scans strictly from the first byte and reports the bytes before the first PDU', () => {
    // The capture starts 100 bytes into a P-DATA-TF whose values could pass for loose headers.
    const tail = PDATA_DATA_1.subarray(100);
    const events = run([tail, PDATA_DATA_2], { midStream: true });
    expect(errors(events)).toEqual([
      { kind: 'error', offset: 0, reason: `skipped ${tail.length} byte(s) that are not PDUs; resynchronised at a PDU header at offset ${tail.length}`, skipped: tail.length },
    ]);
    expect(pdus(events).map((p) => [p.name, p.offset])).toEqual([['P-DATA-TF', tail.length]]);
  });
});

describe('PduFramer: capture gaps', () => {
  it('resumes exactly at the next PDU when the gap falls inside a PDU', () => {
    // The gap takes 100 bytes from the middle of the first data P-DATA-TF.
    const before = concat(RQ, AC, PDATA_COMMAND);
    const cutAt = 300;
    const steps = [before, PDATA_DATA_1.subarray(0, cutAt), { gap: 100 }, PDATA_DATA_1.subarray(cutAt + 100), PDATA_DATA_2];
    const events = run(steps);
    const pduStart = before.length;
    expect(errors(events)).toEqual([
      {
        kind: 'error',
        offset: pduStart + cutAt,
        reason: `capture gap of 100 byte(s) at offset ${pduStart + cutAt} inside the P-DATA-TF at offset ${pduStart}: the PDU is lost; framing resumes at offset ${pduStart + PDATA_DATA_1.length}`,
      },
    ]);
    expect(pdus(events).map((p) => [p.name, p.offset])).toEqual([
      ['A-ASSOCIATE-RQ', 0],
      ['A-ASSOCIATE-AC', RQ.length],
      ['P-DATA-TF', RQ.length + AC.length],
      ['P-DATA-TF', pduStart + PDATA_DATA_1.length],
    ]);
  });

  it('scans after a gap at a PDU boundary, or one running past the PDU end', () => {
    // Gap of 50 bytes at the boundary; the stream then resumes 20 bytes into AC (mid-PDU): scan finds the P-DATA-TF after it.
    const events = run([RQ, { gap: 50 }, AC.subarray(20), PDATA_COMMAND]);
    const errs = errors(events);
    expect(errs[0]).toEqual({ kind: 'error', offset: RQ.length, reason: `capture gap of 50 byte(s) at offset ${RQ.length}: scanning for the next PDU header` });
    expect(errs[1]).toMatchObject({ offset: RQ.length + 50, skipped: AC.length - 20 });
    expect(pdus(events).map((p) => [p.name, p.offset])).toEqual([
      ['A-ASSOCIATE-RQ', 0],
      ['P-DATA-TF', RQ.length + 50 + AC.length - 20],
    ]);
    // A gap that runs past the end of the RQ.
    const past = run([RQ.subarray(0, 40), { gap: RQ.length }, encodeAReleaseRq()]);
    expect(errors(past)[0].reason).toBe(`capture gap of ${RQ.length} byte(s) at offset 40 runs past the end of the A-ASSOCIATE-RQ at offset 0: scanning for the next PDU header`);
    expect(pdus(past).map((p) => p.name)).toEqual(['A-RELEASE-RQ']);
  });

  it('gives the same events for any chunking around a gap', () => {
    const tail = concat(PDATA_DATA_1.subarray(500), PDATA_DATA_2, encodeAReleaseRq());
    const reference = normalise(run([RQ.subarray(0, 30), { gap: 33 }, tail]));
    expect(normalise(run([...oneByteChunks(RQ.subarray(0, 30)), { gap: 33 }, ...oneByteChunks(tail)]))).toEqual(reference);
    expect(reference.filter((e) => e.kind === 'pdu').map((e) => (e.kind === 'pdu' ? (e.pdu as { name: string }).name : ''))).toEqual(['P-DATA-TF', 'A-RELEASE-RQ']);
  });

  it('ignores an invalid gap length with an error', () => {
    const framer = new PduFramer();
    expect(framer.gap(-1)[0].kind).toBe('error');
    expect(framer.gap(0)).toEqual([]);
    expect(framer.offset).toBe(0);
  });
});

describe('PduFramer: end of stream', () => {
  it('reports a truncated PDU, header or P-DATA-TF', () => {
    expect(errors(run([RQ.subarray(0, 100)]))).toEqual([
      { kind: 'error', offset: 0, reason: `stream ended inside the A-ASSOCIATE-RQ at offset 0: 100 of ${RQ.length} bytes received` },
    ]);
    expect(errors(run([RQ, encodeAReleaseRq().subarray(0, 3)]))).toEqual([
      { kind: 'error', offset: RQ.length, reason: `stream ended inside a PDU header: 3 byte(s) at offset ${RQ.length}` },
    ]);
    const cut = run([PDATA_DATA_1.subarray(0, 500)]);
    expect(errors(cut)).toEqual([{ kind: 'error', offset: 0, reason: `stream ended inside the P-DATA-TF at offset 0: 500 of ${PDATA_DATA_1.length} bytes received` }]);
    expect(cut.filter((e) => e.kind === 'pdv').every((e) => e.kind === 'pdv' && !e.end)).toBe(true);
  });

  it('reports nothing at a clean end, and can be used again after end()', () => {
    const framer = new PduFramer();
    framer.push(encodeAAssociateRj({ result: 1, source: 1, reason: 7 }));
    expect(framer.end()).toEqual([]);
    expect(framer.push(encodeAReleaseRq()).map((e) => e.kind)).toEqual(['pdu']);
  });
});
