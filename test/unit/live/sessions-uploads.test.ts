/**
 * The sessions folder and C-STORE uploads of the live API (issue 4 §3):
 * GET /api/sessions lists recordings and captures by magic number (the live
 * recording marked), an opened session has its summary, message details and
 * PDU bytes; POST /api/uploads takes Part 10 files only and a C-STORE
 * operation sends them to the PACS once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionList, UploadInfo } from '../../../shared/events/live-api.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { startLiveFixture, type LiveFixture } from './live-fixture.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';

const PCAP = fileURLToPath(new URL('../../fixtures/pcap/dcmtk-store.pcapng', import.meta.url));

let fx: LiveFixture | null = null;
afterEach(async () => {
  await fx?.stop();
  fx = null;
});

async function json<T>(url: string): Promise<{ status: number; body: T }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as T };
}

async function firstDicomFile(dir: string): Promise<string> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.dcm')) return join(e.parentPath, e.name);
  }
  throw new Error(`no .dcm under ${dir}`);
}

describe('sessions API', () => {
  it('lists the folder by magic number, opens a capture and the live recording with details and bytes', async () => {
    fx = await startLiveFixture({ sessions: true });
    const sessions = join(fx.dir, 'sessions');
    await copyFile(PCAP, join(sessions, 'site-capture.pcapng'));
    await writeFile(join(sessions, 'notes.txt'), 'not a capture');
    await writeFile(join(sessions, 'fake.pcapng'), 'also not a capture, whatever its name');
    const echo = await fetch(`${fx.base}/api/operations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ op: 'echo', host: '127.0.0.1', port: fx.pacs.port, callingAeTitle: 'UI', calledAeTitle: 'LIVEPACS' }),
    });
    await fx.live.operations.settled(((await echo.json()) as { id: string }).id);

    const list = await json<SessionList>(`${fx.base}/api/sessions`);
    expect(list.status).toBe(200);
    expect(list.body.dir).toBe(sessions);
    expect(list.body.sessions.map((s) => [s.name, s.format, s.live]).sort()).toEqual([
      ['live.pacscope', 'recording', true],
      ['site-capture.pcapng', 'pcapng', false],
    ]);

    const capture = await json<Summary>(`${fx.base}/api/sessions/site-capture.pcapng`);
    expect(capture.status).toBe(200);
    expect(capture.body.source.format).toBe('pcapng');
    expect(capture.body.messages.map((m) => commandOf(m))).toContain('C-STORE-RQ');
    const detail = await json<{ commandElements: { keyword: string }[] }>(`${fx.base}/api/sessions/site-capture.pcapng/messages/0`);
    expect(detail.body.commandElements.map((e) => e.keyword)).toContain('AffectedSOPInstanceUID');
    const pdu = await json<{ hex: string; length: number }>(`${fx.base}/api/sessions/site-capture.pcapng/pdus/0/bytes`);
    expect(pdu.status).toBe(200);
    expect(pdu.body.hex.slice(0, 2)).toBe('01'); // A-ASSOCIATE-RQ
    expect(pdu.body.hex.length).toBe(pdu.body.length * 2);

    // The recording being written: flushed before it is read, so the C-ECHO is in it.
    const own = await json<Summary>(`${fx.base}/api/sessions/live.pacscope`);
    expect(own.body.messages.map((m) => commandOf(m))).toEqual(['C-ECHO-RQ', 'C-ECHO-RSP']);

    expect((await fetch(`${fx.base}/api/sessions/notes.txt`)).status).toBe(422);
    expect((await fetch(`${fx.base}/api/sessions/..%2Flive-fixture.ts`)).status).toBe(404);
    expect((await fetch(`${fx.base}/api/sessions/missing.pcap`)).status).toBe(404);
    expect((await fetch(`${fx.base}/api/sessions/site-capture.pcapng/messages/999`)).status).toBe(404);
    expect((await fetch(`${fx.base}/api/sessions`, { method: 'DELETE', headers: { origin: fx.base } })).status).toBe(405);
  });

  it('saves a dropped capture into the folder under a safe, unique name, by magic number', async () => {
    fx = await startLiveFixture({ sessions: true });
    const bytes = await readFile(PCAP);
    const post = (name: string, body: Blob, origin = fx!.base) =>
      fetch(`${fx!.base}/api/sessions?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', origin }, body });
    const first = await post('site A.pcapng', new Blob([bytes]));
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ name: 'site A.pcapng', format: 'pcapng', size: bytes.length, live: false });
    expect(((await (await post('site A.pcapng', new Blob([bytes]))).json()) as { name: string }).name).toBe('site A-2.pcapng');
    expect(((await (await post('../../escape', new Blob([bytes]))).json()) as { name: string }).name).toBe('escape.pcapng');
    const junk = await post('fake.pcap', new Blob(['GET / HTTP/1.1']));
    expect(junk.status).toBe(415);
    expect(((await junk.json()) as { error: string }).error).toMatch(/fake\.pcap is not a pacscope recording, a pcap or a pcapng/);
    expect((await post('x.pcapng', new Blob([bytes]), 'http://evil.example')).status).toBe(403);
    const names = (await readdir(join(fx.dir, 'sessions'))).sort();
    expect(names).toEqual(['escape.pcapng', 'live.pacscope', 'site A-2.pcapng', 'site A.pcapng']);
    const opened = await json<Summary>(`${fx.base}/api/sessions/${encodeURIComponent('site A-2.pcapng')}`);
    expect(opened.body.messages.length).toBeGreaterThan(0);
  });

  it('answers 404 when the server has no sessions folder', async () => {
    fx = await startLiveFixture();
    expect((await fetch(`${fx.base}/api/sessions`)).status).toBe(404);
  });
});

describe('uploads and C-STORE', () => {
  it('takes a Part 10 file, refuses others, and stores the upload once with C-STORE', async () => {
    fx = await startLiveFixture();
    const file = await firstDicomFile(join(fx.dir, 'pacs'));
    const upload = (body: Blob | string, name: string) =>
      fetch(`${fx!.base}/api/uploads?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': 'application/dicom', origin: fx!.base }, body });

    const bad = await upload('plain text', 'readme.txt');
    expect(bad.status).toBe(415);
    expect(((await bad.json()) as { error: string }).error).toMatch(/readme\.txt is not a DICOM Part 10 file/);
    expect((await fetch(`${fx.base}/api/uploads`, { method: 'POST', headers: { origin: 'http://evil.example' }, body: 'x' })).status).toBe(403);

    const ok = await upload(new Blob([await readFile(file)]), 'ct slice.dcm');
    expect(ok.status).toBe(201);
    const info = (await ok.json()) as UploadInfo;
    expect(info).toMatchObject({ name: 'ct slice.dcm', size: (await readFile(file)).length });
    expect(info.sopClassUid).toMatch(/^1\.2\.840\.10008\.5\.1\.4\.1\.1\./);
    expect(info.sopInstanceUid).toMatch(/^[\d.]+$/);

    const target = { op: 'store', host: '127.0.0.1', port: fx.pacs.port, callingAeTitle: 'UI', calledAeTitle: 'LIVEPACS', uploads: [info.id] };
    const post = (body: unknown) => fetch(`${fx!.base}/api/operations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const started = await post(target);
    expect(started.status).toBe(201);
    const done = await fx.live.operations.settled(((await started.json()) as { id: string }).id);
    expect(done).toMatchObject({ op: 'store', state: 'done', result: { ok: true, outcome: 'success', status: 0 }, store: { total: 1, sent: 1, failed: [], skipped: [] } });
    const stores = fx.hub.summary().messages.filter((m) => m.commandField === CommandField.CStoreRq);
    expect(stores.map((m) => m.affectedSopInstance)).toEqual([info.sopInstanceUid]);

    // Used once: the file is gone, the id unknown.
    expect(await readdir(join(fx.dir, 'uploads'))).toEqual([]);
    const again = await post(target);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toMatch(/no upload/);
    expect((await post({ ...target, uploads: [] })).status).toBe(400);
  });
});
