/**
 * The UI bench's "before": another revision of pacscope (BENCH_UI_BEFORE=REV,
 * e.g. the commit before a change) measured in the same run as the working
 * tree, so the two are printed side by side under the same machine load.
 * The revision's files are exported with `git archive` (read-only: the
 * working tree and the index are not touched) into .tmp/bench/before-SHA/,
 * with this checkout's node_modules linked in and its UI built there; its
 * own bench server (test/bench/ui-bench-server.ts) and `pacscope serve`
 * then run from it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../e2e/harness.ts';
import { BENCH_DIR } from './ui-bench-session.ts';

/** What is measured: a checkout and the UI it serves. */
export interface Build {
  label: string;
  root: string;
  webRoot: string;
}

export function prepareBefore(rev: string): Build {
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const root = join(BENCH_DIR, `before-${sha}`);
  const done = join(root, '.prepared');
  if (!existsSync(done)) {
    process.stdout.write(`preparing "before" = ${rev} (${sha}) in ${root} …\n`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', sha], { cwd: REPO_ROOT, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive ${sha}: ${archive.stderr.toString()}`);
    const untar = spawnSync('tar', ['-x', '-C', root], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.toString()}`);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-web.mjs'), '--force'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building the UI of ${sha} failed:\n${build.stdout}\n${build.stderr}`);
    writeFileSync(done, `${sha}\n`);
  }
  return { label: `before (${sha})`, root, webRoot: join(root, 'web', 'dist') };
}
