/**
 * `pacscope serve` and its bind address: a non-loopback address is refused
 * without --public; with --public the HTTP API requires the access token
 * printed at start (the page URL carries it), the UI's static files do not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunningProcess, runTool } from '../../interop/harness/process.ts';

const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let proc: RunningProcess | null = null;
let dir = '';
afterEach(async () => {
  await proc?.stop('SIGTERM');
  proc = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pacscope serve --public', () => {
  it('refuses a non-loopback address without --public', async () => {
    const r = await runTool(process.execPath, [BIN, 'serve', '--http', '0.0.0.0:0'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/refusing to listen on 0\.0\.0\.0: not a loopback address; add --public/);
  });

  it('prints an access token and requires it on /api', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-public-'));
    proc = new RunningProcess(process.execPath, [BIN, 'serve', '--public', '--http', '127.0.0.1:0', '--pacs', 'PACSCOPE@127.0.0.1:0', '--store', 'STORESCP@127.0.0.1:0', '--data', join(dir, 'data')], { cwd: ROOT, encoding: 'utf8' });
    await proc.waitFor(/move destinations of .*\n/, 30_000);
    const url = new URL(/serving on (\S+)/.exec(proc.output)![1]);
    const token = /access token: (\S+)/.exec(proc.output)![1];
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(url.searchParams.get('token')).toBe(token);
    const base = `http://127.0.0.1:${url.port}`;
    expect((await fetch(`${base}/api/status`)).status).toBe(401);
    expect((await fetch(`${base}/api/status?token=${encodeURIComponent(token)}`)).status).toBe(200);
    expect((await fetch(`${base}/api/pacs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/api/pacs`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });
});
