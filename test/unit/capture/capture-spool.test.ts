/**
 * The spool that follows dumpcap's ring of files (server/sources/capture-spool.ts),
 * with files written here as dumpcap writes them: appended to while open, the
 * next one named once the one before is closed. Every byte comes out once, in
 * order; a file is deleted once read; nothing is read while the reader is busy;
 * `end()` resolves after the last byte. (The interop and e2e capture tests run
 * it behind a real dumpcap.)
 */
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureSpool } from '../../../server/sources/capture-spool.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bytes = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) % 251);
let dir = '';

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`timed out: ${what}`);
}

describe('CaptureSpool', () => {
  it('reads every byte of every file once and in order, as they grow, and deletes each file once read', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-spool-test-'));
    const got: number[] = [];
    const spool = new CaptureSpool((chunk) => {
      for (const b of chunk) got.push(b);
    }, dir);
    const first = join(dir, 'capture_00001.pcapng');
    await writeFile(first, bytes(0, 100));
    spool.named(first);
    await until(() => got.length === 100, 'the first 100 bytes');
    // Appended while it is the newest file: read on the next look (a wake, as dumpcap's "Packets:" line gives).
    await appendFile(first, bytes(100, 50));
    spool.wake();
    await until(() => got.length === 150, 'the appended bytes');
    expect(existsSync(first)).toBe(true);
    // dumpcap closes the file (a last write), then opens and names the next: the first is whole.
    await appendFile(first, bytes(150, 30));
    const second = join(dir, 'capture_00002.pcapng');
    await writeFile(second, bytes(180, 2_000_000));
    spool.named(second);
    await until(() => got.length === 2_000_180, 'both files');
    expect(existsSync(first)).toBe(false);
    await spool.end();
    expect(got).toEqual(Array.from(bytes(0, 2_000_180)));
    expect(await readdir(dir)).toEqual([]);
    expect(spool.bytesRead).toBe(2_000_180);
  });

  it('reads nothing while its reader is busy, and everything once it is not', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-spool-test-'));
    let busy = true;
    let got = 0;
    const spool = new CaptureSpool((chunk) => (got += chunk.length), dir, () => busy);
    const file = join(dir, 'capture_00001.pcapng');
    await writeFile(file, bytes(0, 5000));
    spool.named(file);
    await sleep(100);
    expect(got).toBe(0);
    busy = false;
    await spool.end();
    expect(got).toBe(5000);
  });

  it('makes and removes a folder of its own when given none', async () => {
    let got = 0;
    const spool = new CaptureSpool((chunk) => (got += chunk.length));
    expect(spool.target.startsWith(join(tmpdir(), 'pacscope-capture-'))).toBe(true);
    const file = join(spool.dir, 'capture_00001.pcapng');
    await writeFile(file, bytes(0, 10));
    spool.named(file);
    await spool.end();
    expect(got).toBe(10);
    expect(existsSync(spool.dir)).toBe(false);
  });
});
