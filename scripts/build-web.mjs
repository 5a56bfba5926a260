#!/usr/bin/env node
/**
 * Builds the browser UI (web/ → web/dist, with vite and the config at the
 * repository root) when web/dist is missing or older than any source file of
 * the UI. Plain Node ESM; run by scripts/ensure-deps.mjs after the npm
 * packages are in place, so `npm start` and `npm test` serve a current UI.
 *
 *   node scripts/build-web.mjs           build when stale
 *   node scripts/build-web.mjs --force   build anyway
 *
 * Fast when up to date: only file-system checks. Exits non-zero with a clear
 * message when the build fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const dist = join(web, 'dist');
const stamp = join(dist, 'index.html');
const tag = '[build-web]';
const SKIP = new Set(['dist', 'node_modules', '.svelte-kit', '.vite']);

/** The newest source file under `dir` (and the vite config): [mtime, path]. */
function newestSource(dir, best = [0, '']) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) best = newestSource(path, best);
    else if (entry.isFile()) {
      const m = statSync(path).mtimeMs;
      if (m > best[0]) best = [m, path];
    }
  }
  return best;
}

/** Why web/dist must be rebuilt, or null when it is current. */
export function staleReason() {
  if (!existsSync(stamp)) return 'web/dist is missing';
  const built = statSync(stamp).mtimeMs;
  // The UI imports shared/ too (the live protocol, the model's types and codecs).
  let [newest, path] = newestSource(join(root, 'shared'), newestSource(web));
  const config = join(root, 'vite.config.ts');
  if (existsSync(config) && statSync(config).mtimeMs > newest) [newest, path] = [statSync(config).mtimeMs, config];
  return newest > built ? `${relative(root, path)} is newer than web/dist` : null;
}

const lockDir = join(root, 'node_modules', '.cache', 'pacscope-build-web.lock');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * One build at a time (test files and npm start may ask together; vite empties web/dist first).
 * A lock older than 5 minutes is left over from a killed build and taken over.
 */
function withLock(fn) {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let age = 0;
      try {
        age = Date.now() - statSync(lockDir).mtimeMs;
      } catch {
        continue;
      }
      if (age > 5 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another build holds ${lockDir} for too long`);
      else sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function main() {
  if (!existsSync(join(web, 'index.html'))) {
    console.log(`${tag} no UI sources (web/index.html is missing): nothing to build`);
    return 0;
  }
  if (!process.argv.includes('--force') && staleReason() === null) return 0;
  return withLock(build);
}

function build() {
  // Checked again under the lock: another process may just have built it.
  const reason = process.argv.includes('--force') ? 'asked to (--force)' : staleReason();
  if (reason === null) return 0;
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    console.error(`${tag} ERROR: vite is not installed (node_modules/vite); run npm install first`);
    return 1;
  }
  console.log(`${tag} ${reason}: running vite build`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`${tag} ERROR: vite build failed (${r.error ? r.error.message : `exit ${r.status}`}); see its output above`);
    return 1;
  }
  if (!existsSync(stamp)) {
    console.error(`${tag} ERROR: vite build finished but web/dist/index.html is missing`);
    return 1;
  }
  console.log(`${tag} built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main());
