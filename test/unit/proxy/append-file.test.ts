/**
 * The proxy recording's file writer (server/proxy/append-file.ts): whatever
 * the sizes of the appends and wherever the flushes fall, the file holds
 * exactly the bytes appended; full stages go around the page cache on a
 * file system that allows it (ext4 on Linux; elsewhere only the bytes are
 * checked); a reader sees bytes within
 * FLUSH_MS without a flush; without an aligned stage (the pool used up) the
 * same bytes go through the page cache; a file that cannot be created says
 * why and holds nothing up.
 */
import { mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendFile, FLUSH_MS } from '../../../server/proxy/append-file.ts';
import { STAGE_BYTES, StagePool } from '../../../server/proxy/stage-pool.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-append-file-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Deterministic bytes, different at every position of the file. */
function bytesAt(offset: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = ((offset + i) * 2654435761) >>> 24;
  return b;
}

const EXT4_MAGIC = 0xef53;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AppendFile', () => {
  it('holds exactly the bytes appended, whatever the sizes of the appends and wherever the flushes fall', async () => {
    const dir = await tempDir();
    const path = join(dir, 'a.bin');
    const f = new AppendFile(path);
    await f.opened;
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    let length = 0;
    // ≈ 6 stages: appends from 0 bytes to 300 KB, crossing stage ends; flushes anywhere.
    while (length < 6 * STAGE_BYTES) {
      const n = rand(4) === 0 ? rand(300_000) : rand(70_000);
      f.append(bytesAt(length, n));
      length += n;
      if (rand(5) === 0) await f.flush();
      if (rand(9) === 0) await sleep(FLUSH_MS + 10);
      expect(f.pending).toBeLessThanOrEqual(8 * STAGE_BYTES);
    }
    await f.close();
    const file = await readFile(path);
    expect(file.length).toBe(length);
    expect(Buffer.compare(file, Buffer.from(bytesAt(0, length)))).toBe(0);
  });

  it('writes full stages with O_DIRECT where the file system takes it (ext4 on Linux), else through the page cache', async () => {
    const dir = await tempDir();
    const ext4 = process.platform === 'linux' && (await statfs(dir)).type === EXT4_MAGIC;
    const f = new AppendFile(join(dir, 'd.bin'));
    await f.opened;
    if (ext4) expect(f.direct).toBe(true);
    f.append(bytesAt(0, 3 * STAGE_BYTES + 17));
    await f.flush();
    // No direct write was refused (aligned buffers, offsets and lengths): still direct.
    if (ext4) expect(f.direct).toBe(true);
    await f.close();
    expect(Buffer.compare(await readFile(join(dir, 'd.bin')), Buffer.from(bytesAt(0, 3 * STAGE_BYTES + 17)))).toBe(0);
  });

  it('a reader sees what was appended within FLUSH_MS, without a flush', async () => {
    const dir = await tempDir();
    const path = join(dir, 'tail.bin');
    const f = new AppendFile(path);
    await f.opened;
    f.append(bytesAt(0, 5000)); // one block and a tail
    await sleep(FLUSH_MS * 3);
    expect((await readFile(path)).length).toBe(5000);
    f.append(bytesAt(5000, 10));
    await sleep(FLUSH_MS * 3);
    const seen = await readFile(path);
    expect(Buffer.compare(seen, Buffer.from(bytesAt(0, 5010)))).toBe(0);
    await f.close();
  });

  it('with every aligned stage in use, writes the same bytes through the page cache', async () => {
    const dir = await tempDir();
    const path = join(dir, 'plain.bin');
    const pool = new StagePool(STAGE_BYTES);
    const held = pool.take();
    expect(held).not.toBeNull();
    expect(pool.take()).toBeNull();
    const f = new AppendFile(path, { pool });
    f.append(bytesAt(0, 2 * STAGE_BYTES + 4097));
    await f.close();
    expect(Buffer.compare(await readFile(path), Buffer.from(bytesAt(0, 2 * STAGE_BYTES + 4097)))).toBe(0);
    pool.give(held!);
    expect(pool.inUse).toBe(0);
  });

  it('gives every stage back to the pool once written', async () => {
    const dir = await tempDir();
    const pool = new StagePool(4 * STAGE_BYTES);
    const f = new AppendFile(join(dir, 'p.bin'), { pool });
    f.append(bytesAt(0, 5 * STAGE_BYTES + 3));
    await f.close();
    expect(pool.inUse).toBe(0);
  });

  it('a file that exists is not replaced: the error is kept, appends are dropped, flush and close do not hang', async () => {
    const dir = await tempDir();
    const path = join(dir, 'exists.bin');
    await writeFile(path, 'keep me');
    const f = new AppendFile(path);
    f.append(bytesAt(0, 100));
    await expect(f.opened).rejects.toThrow(/EEXIST/);
    f.append(bytesAt(0, 100));
    await f.flush();
    await expect(f.close()).rejects.toThrow(/EEXIST/);
    expect(await readFile(path, 'utf8')).toBe('keep me');
  });
});
