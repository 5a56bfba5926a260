import { describe, it, expect } from 'vitest';
import { DimseReassembler } from '../../../shared/dimse/reassembler.ts';
import type { ReassemblerEvent, PdvPiece } from '../../../shared/dimse/reassembler.ts';
import { EXPLICIT_LE, IMPLICIT_LE, commandSet, el, encodeDataSet, pdvs } from './encode.ts';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const STUDY_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Context 1 accepted Implicit VR LE, context 3 Explicit VR LE; others unknown. */
const syntaxes: Record<number, string> = { 1: IMPLICIT, 3: EXPLICIT };
const make = (opts: { maxDataSetBytes?: number; maxCommandBytes?: number } = {}) =>
  new DimseReassembler({ transferSyntaxOf: (id) => syntaxes[id] ?? null, ...opts });

function run(r: DimseReassembler, pieces: PdvPiece[]): ReassemblerEvent[] {
  return pieces.flatMap((p) => r.push(p));
}
const messages = (events: ReassemblerEvent[]) => events.flatMap((e) => (e.kind === 'message' ? [e.message] : []));
const errors = (events: ReassemblerEvent[]) => events.flatMap((e) => (e.kind === 'error' ? [e] : []));

// C-FIND-RQ (Study Root, message 7, medium priority, identifier follows)
const findRq = commandSet([
  [0x0002, 'UI', STUDY_FIND],
  [0x0100, 'US', [0x0020]],
  [0x0110, 'US', [7]],
  [0x0700, 'US', [0]],
  [0x0800, 'US', [0x0000]],
]);
// Identifier: Query/Retrieve Level STUDY, Patient Name "Doe^*", Study Instance UID empty (return key)
const findIdentifier = (enc = IMPLICIT_LE) =>
  encodeDataSet([el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', 'Doe^*'), el(0x0020000d, 'UI', '')], enc);
// C-ECHO-RQ (message 1, no data set)
const echoRq = commandSet([
  [0x0002, 'UI', '1.2.840.10008.1.1'],
  [0x0100, 'US', [0x0030]],
  [0x0110, 'US', [1]],
  [0x0800, 'US', [0x0101]],
]);
// C-STORE-RQ (CT, message 11, data set follows)
const storeRq = commandSet([
  [0x0002, 'UI', CT_STORAGE],
  [0x0100, 'US', [0x0001]],
  [0x0110, 'US', [11]],
  [0x0700, 'US', [0]],
  [0x0800, 'US', [0x0000]],
  [0x1000, 'UI', '1.2.3.4'],
]);

describe('DimseReassembler', () => {
  it('emits a message without data set as soon as its command set is complete', () => {
    const r = make();
    const events = run(r, pdvs(1, true, echoRq).pieces);
    expect(events).toHaveLength(1);
    expect(messages(events)[0]).toMatchObject({ command: 'C-ECHO-RQ', offset: 6, presentationContextId: 1, dataSet: null });
  });

  it('emits a message with data set when the data set has arrived, decoded in the accepted transfer syntax', () => {
    const r = make();
    const cmd = pdvs(1, true, findRq);
    expect(run(r, cmd.pieces)).toEqual([]);
    const ds = findIdentifier();
    const events = run(r, pdvs(1, false, ds, { offset: cmd.next }).pieces);
    const [m] = messages(events);
    expect(errors(events)).toEqual([]);
    expect(m.command).toBe('C-FIND-RQ');
    expect(m.dataSet).toEqual({
      length: ds.length,
      transferSyntax: IMPLICIT,
      attributes: { QueryRetrieveLevel: 'STUDY', PatientName: 'Doe^*', StudyInstanceUID: '' },
      skipped: {},
      truncated: false,
      error: null,
    });
  });

  it('gives the same message for one PDV and for many fragments split in pieces', () => {
    const whole = make();
    const a = pdvs(3, true, findRq);
    const wholeEvents = [...run(whole, a.pieces), ...run(whole, pdvs(3, false, findIdentifier(EXPLICIT_LE), { offset: a.next }).pieces)];
    for (const [fragment, split] of [
      [1, 1],
      [7, 3],
      [16, 16],
      [33, 5],
    ]) {
      const r = make();
      const c = pdvs(3, true, findRq, { fragment, split });
      expect(c.pieces.length).toBeGreaterThan(1);
      const events = [...run(r, c.pieces), ...run(r, pdvs(3, false, findIdentifier(EXPLICIT_LE), { offset: a.next, fragment, split }).pieces)];
      expect(events).toEqual(wholeEvents);
    }
    expect(messages(wholeEvents)[0].dataSet?.transferSyntax).toBe(EXPLICIT);
  });

  it('keeps presentation contexts apart when their fragments interleave', () => {
    const r = make();
    const find = pdvs(1, true, findRq, { fragment: 10 }).pieces;
    const echo = pdvs(3, true, echoRq, { fragment: 10 }).pieces;
    const interleaved: PdvPiece[] = [];
    for (let i = 0; i < Math.max(find.length, echo.length); i++) {
      if (find[i]) interleaved.push(find[i]);
      if (echo[i]) interleaved.push(echo[i]);
    }
    const events = run(r, interleaved);
    expect(messages(events).map((m) => [m.command, m.presentationContextId])).toEqual([['C-ECHO-RQ', 3]]);
    const ds = run(r, pdvs(1, false, findIdentifier()).pieces);
    expect(messages(ds).map((m) => [m.command, m.presentationContextId])).toEqual([['C-FIND-RQ', 1]]);
  });

  it('measures a C-STORE with 1 MiB of pixel data in 16 KiB PDVs, holding none of it', () => {
    const r = make();
    const pixels = new Uint8Array(1 << 20);
    // (0008,0018) SOP Instance UID, (0010,0010) Patient Name, (7FE0,0010) OW 1 MiB
    const ds = encodeDataSet([el(0x00080018, 'UI', '1.2.3.4'), el(0x00100010, 'PN', 'Doe^Jane'), el(0x7fe00010, 'OW', pixels)], EXPLICIT_LE);
    const c = pdvs(3, true, storeRq);
    run(r, c.pieces);
    const events = run(r, pdvs(3, false, ds, { offset: c.next, fragment: 16372, split: 4000 }).pieces);
    const [m] = messages(events);
    expect(errors(events)).toEqual([]);
    expect(m.dataSet).toMatchObject({
      length: ds.length,
      truncated: false,
      skipped: { PixelData: (1 << 20) + 12 },
      attributes: { SOPInstanceUID: '1.2.3.4', PatientName: 'Doe^Jane' },
    });
  });

  it('reports data set fragments with no command waiting, once per data set', () => {
    const r = make();
    const events = run(r, pdvs(1, false, findIdentifier(), { fragment: 8, offset: 100 }).pieces);
    expect(events).toEqual([{ kind: 'error', offset: 106, reason: expect.stringMatching(/no command waiting/) }]);
    // and a command afterwards works
    expect(messages(run(r, pdvs(1, true, echoRq).pieces))).toHaveLength(1);
  });

  it('emits the old command with no data set when a new command comes first', () => {
    const r = make();
    const a = pdvs(1, true, storeRq);
    run(r, a.pieces);
    const events = run(r, pdvs(1, true, echoRq, { offset: a.next }).pieces);
    expect(events.map((e) => e.kind)).toEqual(['error', 'message', 'message']);
    expect(errors(events)[0]).toMatchObject({ offset: a.next + 6, reason: expect.stringMatching(/C-STORE-RQ \(message ID 11\) still waits/) });
    expect(messages(events).map((m) => [m.command, m.dataSet])).toEqual([
      ['C-STORE-RQ', null],
      ['C-ECHO-RQ', null],
    ]);
  });

  it('reports a data set fragment arriving before the command set is complete', () => {
    const r = make();
    const c = pdvs(1, true, findRq, { fragment: 20 });
    run(r, c.pieces.slice(0, 1));
    const events = run(r, pdvs(1, false, findIdentifier(), { offset: 500 }).pieces);
    expect(errors(events).map((e) => e.reason)).toEqual([expect.stringMatching(/before the command set's last fragment/), expect.stringMatching(/no command waiting/)]);
  });

  it('reports command sets that cannot be parsed, with stream offsets, and goes on', () => {
    const r = make();
    // a command set with Command Field but a Message ID (0000,0110) declaring 200 bytes
    const bad = commandSet([[0x0100, 'US', [0x0030]], [0x0800, 'US', [0x0101]]]);
    const broken = new Uint8Array([...bad, 0x00, 0x00, 0x10, 0x01, 0xc8, 0x00, 0x00, 0x00, 0x01, 0x00]);
    const p = pdvs(1, true, broken, { offset: 1000, fragment: 12 });
    const events = run(r, p.pieces);
    const errs = errors(events);
    expect(errs[0].reason).toMatch(/\(0000,0110\) length 200 overruns/);
    // the bad element is at byte 32 of the command set: third PDV (values of 12 bytes), byte 8 of its value
    expect(errs[0].offset).toBe(1000 + 2 * (12 + 12) + 12 + 8);
    expect(messages(events)[0].command).toBe('C-ECHO-RQ');
    // no Command Field: an error, no message
    const none = run(r, pdvs(1, true, commandSet([[0x0110, 'US', [1]]])).pieces);
    expect(none).toEqual([{ kind: 'error', offset: 12, reason: 'command set has no Command Field (0000,0100)' }]);
  });

  it('rejects command sets over the size limit', () => {
    const r = make({ maxCommandBytes: 40 });
    const events = run(r, pdvs(1, true, findRq, { fragment: 16 }).pieces);
    expect(events).toEqual([{ kind: 'error', offset: expect.any(Number), reason: expect.stringMatching(/longer than 40 bytes/) }]);
    expect(messages(run(r, pdvs(1, true, echoRq.subarray(0, echoRq.length)).pieces))).toHaveLength(0);
  });

  it('reports element overruns in a data set with their stream offset', () => {
    const r = make();
    const c = pdvs(1, true, findRq);
    run(r, c.pieces);
    // (0010,0020) LO declaring 64 bytes with 4 present (Implicit VR LE)
    const ds = new Uint8Array([0x10, 0x00, 0x20, 0x00, 0x40, 0x00, 0x00, 0x00, 0x41, 0x42, 0x43, 0x44]);
    const events = run(r, pdvs(1, false, ds, { offset: 2000 }).pieces);
    expect(errors(events)).toEqual([{ kind: 'error', offset: 2012, reason: 'element (0010,0020) overruns the data set end by 60 bytes' }]);
    expect(messages(events)[0].dataSet?.error).toMatch(/overruns/);
  });

  it('at the end of the connection emits what waits and reports partial fragments', () => {
    const r = make();
    const a = pdvs(1, true, storeRq);
    run(r, a.pieces);
    const partial = pdvs(3, true, findRq, { fragment: 10, offset: a.next });
    run(r, partial.pieces.slice(0, 2));
    const events = r.end();
    expect(events.map((e) => e.kind)).toEqual(['error', 'message', 'error']);
    expect(messages(events)[0]).toMatchObject({ command: 'C-STORE-RQ', dataSet: null });
    expect(errors(events)[1]).toMatchObject({ offset: a.next + 6, reason: expect.stringMatching(/inside a command set on presentation context 3/) });
    expect(r.end()).toEqual([]);
  });

  it('at the end of the connection decodes a partial data set and says it was incomplete', () => {
    const r = make();
    const a = pdvs(1, true, findRq);
    run(r, a.pieces);
    // the first 20 bytes: (0008,0052) whole (14 bytes), (0010,0010) cut
    const ds = pdvs(1, false, findIdentifier(), { offset: a.next, fragment: 20 });
    run(r, ds.pieces.slice(0, 1));
    const events = r.end();
    const [m] = messages(events);
    expect(m.dataSet?.attributes).toEqual({ QueryRetrieveLevel: 'STUDY' });
    expect(errors(events)[0].reason).toMatch(/its data set was not complete/);
  });

  it('never throws on random pieces', () => {
    let seed = 99;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const r = make({ maxDataSetBytes: 256 });
    let offset = 0;
    const valid = [echoRq, findRq, findIdentifier(), storeRq];
    for (let i = 0; i < 3000; i++) {
      const source = valid[Math.floor(rand() * valid.length)];
      const bytes = rand() < 0.5 ? source.slice() : new Uint8Array(Math.floor(rand() * 64));
      for (let k = 0; k < bytes.length; k++) if (rand() < 0.05) bytes[k] = Math.floor(rand() * 256);
      const header = { offset, itemLength: bytes.length + 2, presentationContextId: 1 + 2 * Math.floor(rand() * 2), isCommand: rand() < 0.5, isLast: rand() < 0.7, valueLength: bytes.length };
      expect(() => r.push({ header, offset: offset + 6, bytes, end: rand() < 0.8 })).not.toThrow();
      offset += bytes.length + 6;
    }
    expect(() => r.end()).not.toThrow();
  });
});
