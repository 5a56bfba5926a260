/**
 * Issue 14 §5: one damaged length field early in a recording no longer makes
 * the rest decode to nothing. Real files on disk — a recording of 2,000
 * C-ECHO associations, and the frozen version 1 fixture — with the length of
 * an early record damaged in the ways a disk or a copy damages it: reading
 * resumes at the next whole record, the damage is reported with its offset
 * and the bytes skipped, everything after it is decoded, by the reader, by
 * `pacscope summary` (with bounded memory) and by a session opened in the UI.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordingFile } from '../../../server/recording/reader.ts';
import { indexSession, pagePlan } from '../../../server/live/session-index.ts';
import { buildPage } from '../../../server/live/session-page.ts';
import { encodeHeader, encodeRecord } from '../../../shared/capture/recording/encode.ts';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { echoConnection, writeManyEchoesRecording } from './big-files.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));
const V1 = fileURLToPath(new URL('../../fixtures/recording/v1-dcmtk-echo.pacscope', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pacscope-damaged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONNECTIONS = 2000;
const clean = join(dir, 'clean.pacscope');
let bytes: Buffer;
let events: WireEvent[];
/** The third record of the file: conn 1's A-ASSOCIATE-RQ (after the header and conn 1's open). */
let at: number;
let size: number;

beforeAll(async () => {
  await writeManyEchoesRecording(clean, CONNECTIONS);
  bytes = readFileSync(clean);
  events = (await readRecordingFile(clean)).events;
  const t0 = Date.UTC(2026, 0, 5, 8);
  const first = echoConnection(1, t0 + 2);
  at = encodeHeader({ tool: { name: 'pacscope', version: 'test' }, startTime: t0, source: { kind: 'test', description: `${CONNECTIONS} C-ECHO associations` }, metadata: {} }).length + encodeRecord(first[0]).length;
  size = encodeRecord(first[1]).length;
});

/** A copy of the clean file with the 4 bytes of the length field at `offset` replaced. */
function damagedCopy(name: string, offset: number, length: number): string {
  const copy = Buffer.from(bytes);
  copy.writeUInt32BE(length >>> 0, offset);
  const path = join(dir, name);
  writeFileSync(path, copy);
  return path;
}

describe('a recording with a damaged length field early on', () => {
  for (const [what, length] of [
    ['pointing 16 MiB further (within the record size limit)', 16 * 1024 * 1024],
    ['beyond the record size limit', 0x7fff_ffff],
    ['shorter than the record', 40],
    ['zero', 0],
  ] as const) {
    it(`${what}: the record is skipped, reading resumes at the next one, everything after it is decoded`, async () => {
      const path = damagedCopy(`length-${length}.pacscope`, at, length);
      const r = await readRecordingFile(path);
      expect(r.events).toEqual([events[0], ...events.slice(2)]);
      expect(r.errors).toEqual([{ offset: at, reason: expect.stringMatching(new RegExp(`^damaged record: .*; ${size} bytes skipped, reading resumed at offset ${at + size}$`)) }]);
    });
  }

  it('pacscope summary decodes every association after the damage, says where the damage is, with bounded memory', () => {
    const path = damagedCopy('summary.pacscope', at, 16 * 1024 * 1024);
    const run = spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, BIN, 'summary', '--json', path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.associations).toHaveLength(CONNECTIONS);
    // a1 lost its A-ASSOCIATE-RQ; every association after it is a whole C-ECHO.
    const after = summary.associations.slice(1);
    expect(after.every((a) => a.outcome === 'released' && a.requestor.ae === 'ECHOSCU' && a.acceptor.ae === 'ANY-SCP')).toBe(true);
    expect(summary.messages.filter((m) => m.association !== 'a1' && m.commandField === CommandField.CEchoRsp && m.status === 0x0000)).toHaveLength(CONNECTIONS - 1);
    expect(summary.errors).toContainEqual(expect.objectContaining({ offset: at, reason: expect.stringMatching(/^file: damaged record: .* bytes skipped, reading resumed at offset/) }));
    const peakMb = Number(/maxrss (\d+)/.exec(run.stderr)?.[1]) / 1024;
    // The reader holds at most one record (64 MiB at most) while it checks a length it cannot trust yet.
    expect(peakMb).toBeLessThan(400);
  });

  it('opened in the UI: every association after the damage on its pages, the damage among the errors', async () => {
    const path = damagedCopy('session.pacscope', at, 16 * 1024 * 1024);
    const index = await indexSession(path);
    expect(index.totals.associations).toBe(CONNECTIONS);
    const page = await buildPage(pagePlan(index, index.pages.length - 1));
    expect(page.summary.page?.lastAssociation).toBe(`a${CONNECTIONS}`);
    expect(page.summary.associations.every((a) => a.outcome === 'released')).toBe(true);
    expect(page.summary.errors).toContainEqual(expect.objectContaining({ offset: at, reason: expect.stringMatching(/^file: damaged record: /) }));
  });

  it('in a frozen version 1 file (lengths only, no checksum): the same resynchronisation', async () => {
    const v1 = readFileSync(V1);
    const whole = await readRecordingFile(V1);
    // The third record of the version 1 file: after the 12-byte preamble, the header record and the first event.
    const header = 12 + 9 + v1.readUInt32BE(12);
    const second = header + 9 + v1.readUInt32BE(header);
    const damagedSize = 9 + v1.readUInt32BE(second);
    const path = join(dir, 'v1-damaged.pacscope');
    copyFileSync(V1, path);
    const copy = Buffer.from(v1);
    copy.writeUInt32BE(0x00ff_0000, second);
    writeFileSync(path, copy);
    const r = await readRecordingFile(path);
    expect(r.meta?.formatVersion).toBe(1);
    expect(r.events).toEqual([whole.events[0], ...whole.events.slice(2)]);
    expect(r.errors).toEqual([{ offset: second, reason: expect.stringMatching(new RegExp(`; ${damagedSize} bytes skipped, reading resumed at offset ${second + damagedSize}$`)) }]);
  });
});
