/** Recording files on disk: the writer, reading while it writes, the reader, and opening any file by its magic. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingWriter } from '../../../server/recording/writer.ts';
import { readRecordingFile } from '../../../server/recording/reader.ts';
import { openWireSource, readWireEvents } from '../../../server/sources/open-source.ts';
import type { RecordingHeader } from '../../../shared/capture/recording/recording-meta.ts';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { shape, stream } from './import-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pacscope-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

const header: RecordingHeader = { tool: { name: 'pacscope', version: '0.1.0' }, startTime: 1_700_000_000_000, source: { kind: 'scu', description: 'echo to 127.0.0.1:11112' }, metadata: {} };

function sample(n: number): WireEvent[] {
  const events: WireEvent[] = [{ kind: 'open', conn: 1, time: 1, requestor: { host: '127.0.0.1', port: 5000 }, acceptor: { host: '127.0.0.1', port: 104 } }];
  for (let i = 0; i < n; i++) events.push({ kind: 'data', conn: 1, time: 2 + i, from: i % 2 ? 'acceptor' : 'requestor', bytes: new Uint8Array(1000 + i).fill(i & 0xff) });
  return events;
}

describe('recording writer and reader', () => {
  it('writes a file that reads back the same, header, metadata updates and all', async () => {
    const path = join(dir, 'a.pacscope');
    const w = await RecordingWriter.open(path, header);
    const events = sample(50);
    for (const e of events) w.write(e);
    w.writeMetadata({ label: 'first try' });
    w.write({ kind: 'close', conn: 1, time: 99, from: 'requestor', how: 'fin' });
    await w.close();
    const r = await readRecordingFile(path);
    expect(r.errors).toEqual([]);
    expect(r.meta).toEqual({ ...header, formatVersion: 3, metadata: { label: 'first try' } });
    expect(r.events).toEqual([...events, { kind: 'close', conn: 1, time: 99, from: 'requestor', how: 'fin' }]);
    expect(w.bytesWritten).toBe(readFileSync(path).length);
  });

  it('is readable while it is being written', async () => {
    const path = join(dir, 'live.pacscope');
    const w = await RecordingWriter.open(path, header);
    for (const e of sample(10)) w.write(e);
    await w.flush();
    const during = await readRecordingFile(path);
    expect(during.errors).toEqual([]);
    expect(during.events).toHaveLength(11);
    w.write({ kind: 'close', conn: 1, time: 99, from: 'acceptor', how: 'reset' });
    await w.close();
    expect((await readRecordingFile(path)).events).toHaveLength(12);
  });

  it('after a crash mid-record: everything up to the last whole record, and a warning', async () => {
    const path = join(dir, 'crashed.pacscope');
    const w = await RecordingWriter.open(path, header);
    for (const e of sample(5)) w.write(e);
    await w.close();
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 500)); // the last data record is torn
    const r = await readRecordingFile(path);
    expect(r.events).toEqual(sample(4));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].reason).toMatch(/incomplete last record/);
  });

  it('never overwrites an existing recording unless asked', async () => {
    const path = join(dir, 'a.pacscope');
    await expect(RecordingWriter.open(path, header)).rejects.toThrow(/EEXIST/);
    const w = await RecordingWriter.open(path, header, { overwrite: true });
    await w.close();
    expect((await readRecordingFile(path)).events).toEqual([]);
  });
});

describe('openWireSource', () => {
  it('tells the format by the magic, not the extension, and streams events in small chunks', async () => {
    const disguised = join(dir, 'capture.txt');
    copyFileSync(join(fixtures, 'pcap/dcmtk-store.pcapng'), disguised);
    const source = await openWireSource(disguised, { chunkBytes: 4096 });
    expect(source.format).toBe('pcapng');
    const events: WireEvent[] = [];
    for await (const e of source.events()) events.push(e);
    expect(source.errors).toEqual([]);
    expect(stream(events, 1, 'requestor').length).toBe(70513);
    expect(stream(events, 1, 'acceptor').length).toBe(4407);

    const pcap = await openWireSource(join(fixtures, 'pcap/dcmtk-store.pcap'));
    expect(pcap.format).toBe('pcap');
    const rec = await openWireSource(join(fixtures, 'recording/v1-dcmtk-echo.pacscope'));
    expect(rec.format).toBe('recording');
    const recEvents: WireEvent[] = [];
    for await (const batch of rec.batches()) recEvents.push(...batch);
    expect(rec.meta?.metadata.label).toBe('C-ECHO fixture');
    expect(shape(recEvents)[0]).toMatch(/^open 1 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:11112$/);
  });

  it('a pcap and the recording made from it give the same wire events', async () => {
    const fromPcap: WireEvent[] = [];
    for await (const e of readWireEvents(join(fixtures, 'pcap/dcmtk-echo.pcapng'))) fromPcap.push(e);
    const fromRecording: WireEvent[] = [];
    for await (const e of readWireEvents(join(fixtures, 'recording/v1-dcmtk-echo.pacscope'))) fromRecording.push(e);
    expect(fromRecording).toEqual(fromPcap);
  });

  it('collects file-level errors of a damaged capture and still delivers what was readable', async () => {
    const whole = readFileSync(join(fixtures, 'pcap/dcmtk-store.pcap'));
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, whole.subarray(0, whole.length - 100));
    const source = await openWireSource(path);
    const events: WireEvent[] = [];
    for await (const e of source.events()) events.push(e);
    expect(source.errors).toEqual([{ offset: expect.any(Number), reason: expect.stringMatching(/^truncated packet record/) }]);
    expect(events[0].kind).toBe('open');
  });

  it('a missing, empty or unknown file is a thrown Error with a one-line message', async () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.pcapng');
    writeFileSync(text, 'just some notes\n');
    await expect(openWireSource(join(dir, 'nope.pcap'))).rejects.toThrow(`${join(dir, 'nope.pcap')}: no such file`);
    await expect(openWireSource(empty)).rejects.toThrow(`${empty}: the file is empty`);
    await expect(openWireSource(text)).rejects.toThrow(`${text}: not a pacscope recording, pcap or pcapng file (it starts with 6a 75 73 74 20 73 6f 6d)`);
    await expect(openWireSource(dir)).rejects.toThrow(/is a directory|cannot read/);
    const gen = readWireEvents(join(dir, 'nope.pcap'));
    await expect(gen.next()).rejects.toThrow(/no such file/);
  });
});
