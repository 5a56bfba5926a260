/**
 * Issue 14 §5: `pacscope summary FILE | head -1` — the reader closes the pipe
 * after one line, the next write to stdout fails with EPIPE — exits cleanly,
 * without a stack trace. A real shell pipeline, with an output (≈700 kB) far
 * larger than a pipe's buffer, so that the write does fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeManyEchoesRecording } from '../capture/big-files.ts';

const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pacscope-pipe-'));
const file = join(dir, 'echoes.pacscope');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => writeManyEchoesRecording(file, 1000));

/** `pacscope ARGS | head -1` in bash: pacscope's exit status, its stderr, and what head printed. */
function piped(args: string): { status: number; stderr: string; stdout: string } {
  const errFile = join(dir, 'stderr.txt');
  const script = `"${process.execPath}" "${BIN}" ${args} 2>"${errFile}" | head -1; echo "status=\${PIPESTATUS[0]}"; cat "${errFile}" >&2`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const status = Number(/status=(\d+)/.exec(r.stdout)?.[1]);
  return { status, stderr: r.stderr, stdout: r.stdout.replace(/status=\d+\n$/, '') };
}

describe('pacscope summary into a pipe closed early', () => {
  it('prints the first line and exits 0 without a stack trace (text and JSON)', () => {
    const full = spawnSync(process.execPath, [BIN, 'summary', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(full.stdout.length).toBeGreaterThan(256 * 1024);
    for (const [args, first] of [
      [`summary "${file}"`, /^.*echoes\.pacscope \(recording\), starts .*: 1000 association\(s\), 2000 message\(s\), 0 decode error\(s\)\n$/],
      [`summary --json "${file}"`, /^\{\n$/],
    ] as const) {
      const r = piped(args);
      expect(r.stdout).toMatch(first);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
