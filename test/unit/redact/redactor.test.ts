/**
 * The redactor end to end, wire events in and out, decoded by the one
 * decoder: a C-FIND, a C-MOVE with its C-STORE sub-association and a C-GET,
 * with data sets fragmented over many PDUs under small maximum lengths and
 * cut into small reads. The redacted stream must decode with no error into
 * the same associations, messages and links, with every original personal
 * value gone from its bytes, UIDs and names mapped the same way in every
 * command, data set and association, dates and times shifted together.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { Pseudonyms } from '../../../shared/redact/pseudonyms.ts';
import { el, type Element } from '../dimse/encode.ts';
import { allBytes, contains, decode, latin1, redact, sequenceOf, summary, utf8 } from './helpers.ts';
import { cmd, dataSet, SessionBuilder, SOP, type TsName } from './session-builder.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const SALT = 'stream-salt';
const P = new Pseudonyms(SALT);
const STUDY = '2.25.9001.1';
const SERIES = '2.25.9001.1.1';
const INSTANCES = ['2.25.9001.1.1.1', '2.25.9001.1.1.2'];
const NAME = 'MÜLLER^JÜRGEN';
const DAY = 86_400_000;
/** Latin-1 bytes padded to even length (PS3.5 §7.1.1), as a string value on the wire. */
const text = (v: string): Uint8Array => latin1(v.length % 2 ? `${v} ` : v);

function instance(uid: string, pixels: number): Element[] {
  return [
    el(0x00080005, 'CS', 'ISO_IR 100'),
    el(0x00080016, 'UI', SOP.mr),
    el(0x00080018, 'UI', uid),
    el(0x00080020, 'DA', '20240220'),
    el(0x00080050, 'SH', 'ACC002'),
    el(0x00080080, 'LO', 'INSTITUTION OF JÜRGEN'),
    el(0x00080090, 'PN', 'REFERRING^DOCTOR'),
    el(0x00081110, 'SQ', [[el(0x00081150, 'UI', '1.2.840.10008.3.1.2.3.1'), el(0x00081155, 'UI', '2.25.9001.77')]], true),
    el(0x00100010, 'PN', text(NAME)),
    el(0x00100020, 'LO', 'PSC002'),
    el(0x00100030, 'DA', '19700101'),
    el(0x0020000d, 'UI', STUDY),
    el(0x0020000e, 'UI', SERIES),
    el(0x00290010, 'LO', 'SIEMENS CSA HEADER'),
    el(0x00291010, 'OB', text('PSC002 MÜLLER')),
    el(0x7fe00010, 'OW', new Uint8Array(pixels).map((_, i) => i & 0xff)),
  ];
}

/** A C-FIND (study level, with a date range), a C-MOVE of that study with its sub-association, and a C-GET. */
function session(opts: { ts?: TsName; storeTs?: TsName; maxPdu?: number; readBytes?: number } = {}): WireEvent[] {
  const ts = opts.ts ?? 'implicit';
  const storeTs = opts.storeTs ?? ts;
  const maxPdu = { requestor: opts.maxPdu ?? 256, acceptor: opts.maxPdu ?? 512 };
  const s = new SessionBuilder(opts.readBytes ?? 97);
  const find = s.associate({ calling: 'FINDSCU', called: 'QRSCP', contexts: [[SOP.find, ts]], maxPdu, userIdentity: { identityType: 2, positiveResponseRequested: true, primaryField: 'dr.jones', secondaryField: 'hunter2' } });
  const query = [el(0x00080005, 'CS', 'ISO_IR 100'), el(0x00080020, 'DA', '20240101-20241231'), el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', text('MÜLLER*')), el(0x00100020, 'LO', 'PSC002'), el(0x0020000d, 'UI', '')];
  s.send(find, 'requestor', SOP.find, cmd.findRq(1), dataSet(query, ts));
  const match = [el(0x00080005, 'CS', 'ISO_IR 100'), el(0x00080020, 'DA', '20240220'), el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', text(NAME)), el(0x00100020, 'LO', 'PSC002'), el(0x0020000d, 'UI', STUDY)];
  s.send(find, 'acceptor', SOP.find, cmd.findRsp(1, 0xff00, true), dataSet(match, ts));
  s.send(find, 'acceptor', SOP.find, cmd.findRsp(1, 0x0000, false));
  s.release(find);

  const move = s.associate({ calling: 'MOVESCU', called: 'QRSCP', contexts: [[SOP.move, ts]], maxPdu });
  s.send(move, 'requestor', SOP.move, cmd.moveRq(1, 'STORESCP'), dataSet([el(0x00080052, 'CS', 'STUDY'), el(0x0020000d, 'UI', STUDY)], ts));
  const sub = s.associate({ calling: 'QRSCP', called: 'STORESCP', contexts: [[SOP.mr, storeTs]], maxPdu, requestor: { host: '192.168.1.10', port: 50001 }, acceptor: { host: '192.168.1.30', port: 11113 } });
  INSTANCES.forEach((uid, i) => {
    s.send(sub, 'requestor', SOP.mr, cmd.storeRq(i + 1, SOP.mr, uid, ['MOVESCU', 1]), dataSet(instance(uid, 1500 + i * 700), storeTs));
    s.send(sub, 'acceptor', SOP.mr, cmd.storeRsp(i + 1, SOP.mr, uid));
    s.send(move, 'acceptor', SOP.move, cmd.moveRsp(1, 0xff00, [1 - i, i + 1, 0, 0]));
  });
  s.release(sub);
  s.send(move, 'acceptor', SOP.move, cmd.moveRsp(1, 0x0000, [null, 2, 0, 0]));
  s.release(move);
  s.refused({ host: '192.168.1.20', port: 40999 }, { host: '192.168.1.10', port: 105 });
  return s.events;
}

const PERSONAL = ['PSC002', 'ACC002', 'REFERRING', 'INSTITUTION', 'SIEMENS', '19700101', '20240220', 'dr.jones', 'hunter2', STUDY, SERIES, ...INSTANCES, '2.25.9001.77'];

function expectNoPersonalValue(events: WireEvent[]): void {
  const bytes = allBytes(events);
  for (const v of PERSONAL) expect(contains(bytes, v), v).toBe(false);
  for (const v of [latin1(NAME), utf8(NAME), latin1('MÜLLER'), utf8('MÜLLER'), latin1('JÜRGEN')]) expect(contains(bytes, v)).toBe(false);
}

describe.each<[string, TsName, TsName]>([
  ['Implicit VR LE', 'implicit', 'implicit'],
  ['Explicit VR LE', 'explicit', 'explicit'],
  ['Explicit VR BE', 'big', 'big'],
  ['Deflated Explicit VR LE instances', 'explicit', 'deflated'],
])('%s', (_name, ts, storeTs) => {
  const original = session({ ts, storeTs });
  const { out, redactor } = redact(original, { salt: SALT, dateShiftDays: -30 });
  const before = decode(original);
  const after = decode(out);

  it('decodes with no error into the same message sequence', () => {
    expect(before.errors).toEqual([]);
    expect(redactor.ctx.problems).toEqual([]);
    expect(after.errors).toEqual([]);
    expect(sequenceOf(after.messages)).toEqual(sequenceOf(before.messages));
  });

  it('leaves no original personal value in the bytes', () => {
    expect(contains(allBytes(original), 'PSC002')).toBe(true); // the check itself can see it
    expectNoPersonalValue(out);
  });

  it('maps UIDs and names the same way in every command, data set and association', () => {
    const m = after.messages;
    const findMatch = m.find((x) => x.commandField === CommandField.CFindRsp && x.dataSet)!.dataSet!.attributes;
    const moveId = m.find((x) => x.commandField === CommandField.CMoveRq)!.dataSet!.attributes;
    const stores = m.filter((x) => x.commandField === CommandField.CStoreRq);
    const rsps = m.filter((x) => x.commandField === CommandField.CStoreRsp);
    expect(findMatch.StudyInstanceUID).toBe(P.uid(STUDY));
    expect(moveId.StudyInstanceUID).toBe(P.uid(STUDY));
    stores.forEach((s, i) => {
      expect(s.affectedSopInstance).toBe(P.uid(INSTANCES[i]));
      expect(s.dataSet!.attributes.SOPInstanceUID).toBe(P.uid(INSTANCES[i]));
      expect(rsps[i].affectedSopInstance).toBe(P.uid(INSTANCES[i]));
      expect(s.dataSet!.attributes.StudyInstanceUID).toBe(P.uid(STUDY));
      expect(s.dataSet!.attributes.PatientName).toBe(findMatch.PatientName);
      expect(s.dataSet!.attributes.PatientID).toBe(findMatch.PatientID);
    });
    expect(findMatch.PatientName).toBe(P.of('patient-name', NAME));
    const query = m.find((x) => x.commandField === CommandField.CFindRq)!.dataSet!.attributes;
    expect(query.PatientID).toBe(findMatch.PatientID); // the matching key still matches the response
    expect(query.StudyDate).toBe('20231202-20241201');
    expect(findMatch.StudyDate).toBe('20240121');
  });

  it('re-fragments under each receiver maximum, keeping the sender PDU boundaries where it can', async () => {
    const s = await summary(out);
    for (const p of s.pdus.filter((x) => x.type === 'P-DATA-TF')) expect(p.length - 6).toBeLessThanOrEqual(p.from === 'requestor' ? 512 : 256);
    const o = await summary(original);
    const count = (x: typeof s) => x.pdus.filter((p) => p.type === 'P-DATA-TF').length;
    expect(count(s)).toBeGreaterThanOrEqual(count(o));
    // (A deflated data set goes back uncompressed, in more PDUs.)
    if (storeTs !== 'deflated') expect(count(s)).toBeLessThan(count(o) * 1.3);
  });

  it('keeps associations, outcomes, links and timing (moved by the date shift)', async () => {
    const [o, s] = [await summary(original), await summary(out)];
    const shape = (x: typeof s) => x.associations.map((a) => [a.id, a.requestor.ae, a.acceptor.ae, a.outcome, a.cause, a.start, a.end]);
    expect(shape(s)).toEqual(shape(o));
    expect(s.associations[2].cause).toMatchObject({ relation: 'c-move', association: 'a2' });
    expect(s.errors).toEqual([]);
    expect(Date.parse(s.source.start!) - Date.parse(o.source.start!)).toBe(-30 * DAY);
    expect(s.associations[0].userIdentity?.username).toBe(P.of('user', 'dr.jones'));
  });
});

describe('options and damaged input', () => {
  it('maps AE titles, addresses and ports with the network option, and the links still hold', async () => {
    const original = session();
    const { out } = redact(original, { salt: SALT, network: true });
    const s = await summary(out);
    expect(s.errors).toEqual([]);
    expect(s.associations.map((a) => a.requestor.ae)).toEqual([P.of('ae', 'FINDSCU'), P.of('ae', 'MOVESCU'), P.of('ae', 'QRSCP'), null]);
    expect(s.associations[2].cause).toMatchObject({ relation: 'c-move', association: 'a2', evidence: 'move-originator' });
    expect(s.messages.find((m) => m.commandField === CommandField.CMoveRq)?.moveDestination).toBe(P.of('ae', 'STORESCP'));
    expect(s.associations[3].outcome).toBe('refused');
    const bytes = allBytes(out);
    for (const v of ['FINDSCU', 'MOVESCU', 'QRSCP', 'STORESCP', '192.168.', '11113', '40999']) expect(contains(bytes, v), v).toBe(false);
    expect(new Set(s.associations.map((a) => `${a.requestor.host}:${a.requestor.port}`)).size).toBe(4);
  });

  it('keeps encapsulated pixel data fragments and rewrites the elements around them', () => {
    const s = new SessionBuilder(300);
    const a = s.associate({ calling: 'STORESCU', called: 'STORESCP', contexts: [[SOP.ct, 'jpegBaseline']], maxPdu: { requestor: 1024, acceptor: 1024 } });
    const jpeg = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    s.send(a, 'requestor', SOP.ct, cmd.storeRq(1, SOP.ct, '2.25.5.5'), dataSet([el(0x00080018, 'UI', '2.25.5.5'), el(0x00100010, 'PN', 'DOE^JOHN'), el(0x7fe00010, 'OB', jpeg, true)], 'explicit'));
    s.send(a, 'acceptor', SOP.ct, cmd.storeRsp(1, SOP.ct, '2.25.5.5'));
    s.release(a);
    const { out } = redact(s.events, { salt: SALT });
    const d = decode(out);
    expect(d.errors).toEqual([]);
    expect(d.messages[0].dataSet?.skipped.PixelData).toBe(decode(s.events).messages[0].dataSet?.skipped.PixelData);
    const bytes = allBytes(out);
    expect(contains(bytes, jpeg.subarray(1000, 1900))).toBe(true);
    expect(contains(bytes, 'DOE^JOHN')).toBe(false);
  });

  it('leaves out what a capture that began mid-message, a gap or garbage makes unreadable', () => {
    const events = session({ readBytes: 4000 });
    // Start the sub-association's capture in the middle of the first data set, and lose bytes in the second.
    const sub = 3;
    const subData = events.filter((e): e is Extract<WireEvent, { kind: 'data' }> => e.conn === sub && e.kind === 'data' && e.from === 'requestor');
    const cut: WireEvent[] = events.map((e) => (e.kind === 'open' && e.conn === sub ? { ...e, midStream: true } : e));
    const firstData = cut.indexOf(subData[0]);
    cut.splice(firstData, 2, { ...subData[1], bytes: subData[1].bytes.subarray(200) });
    const second = cut.indexOf(subData[3]);
    cut.splice(second, 1, { kind: 'gap', conn: sub, time: subData[3].time, from: 'requestor', length: 300 }, { ...subData[3], bytes: subData[3].bytes.subarray(300) });
    cut.push({ kind: 'data', conn: 1, time: cut[cut.length - 1].time + 1, from: 'requestor', bytes: latin1('garbage PSC002 MÜLLER garbage') });
    const { out, redactor } = redact(cut, { salt: SALT });
    expectNoPersonalValue(out);
    expect(redactor.ctx.problems.map((p) => p.reason)).toContain('data on unknown connection 1: left out');
    const d = decode(out);
    // The messages that were whole still decode, the losses show as capture gaps.
    expect(sequenceOf(d.messages)).toEqual(sequenceOf(decode(cut).messages));
    expect(d.errors.filter((e) => e.startsWith('capture gap'))).toHaveLength(2);
  });

  it('gives the same output whatever the reads the input came in', () => {
    const a = redact(session({ readBytes: 7 }), { salt: SALT });
    const b = redact(session({ readBytes: 100_000 }), { salt: SALT });
    const stream = (x: WireEvent[], conn: number, from: string) => allBytes(x.filter((e) => e.kind === 'data' && e.conn === conn && e.from === from));
    for (const conn of [1, 2, 3]) for (const from of ['requestor', 'acceptor']) expect(stream(a.out, conn, from)).toEqual(stream(b.out, conn, from));
  });
});
