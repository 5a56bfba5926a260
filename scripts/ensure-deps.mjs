#!/usr/bin/env node
/**
 * Makes `npm start` / `npm test` / `npm run bench` work as the first command
 * on a fresh clone (Debian 12, Node 20). Plain Node ESM without dependencies:
 * it runs before node_modules exist.
 *
 *   node scripts/ensure-deps.mjs          npm packages, then the browser UI
 *                                         (scripts/build-web.mjs: vite build when
 *                                         web/dist is missing or stale)
 *   node scripts/ensure-deps.mjs --test   also the real peers for the interop
 *                                         and browser tests (Debian packages
 *                                         dcmtk, tshark, orthanc, chromium,
 *                                         libpixelmed-java)
 *
 * Fast when everything is present: only file-system checks, no network.
 * Prints one line per action (npm's own output only when npm fails); exits
 * non-zero with a clear message when something cannot be installed (never
 * skips silently).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantTest = process.argv.includes('--test');
const tag = '[ensure-deps]';

function say(line) {
  console.log(`${tag} ${line}`);
}

function fail(line) {
  console.error(`${tag} ERROR: ${line}`);
  process.exit(1);
}

/** Runs a command with inherited stdio; returns its exit status (null when it could not start). */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.error) return null;
  return r.status;
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** Why node_modules needs an install, or null when it is up to date. */
function npmStaleReason() {
  const nm = join(root, 'node_modules');
  if (!existsSync(nm)) return 'node_modules is missing';
  const installed = mtime(join(nm, '.package-lock.json'));
  if (installed === null) return 'node_modules/.package-lock.json is missing';
  const lock = mtime(join(root, 'package-lock.json'));
  if (lock !== null && lock > installed) return 'package-lock.json is newer than node_modules';
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
  for (const name of names) {
    if (!existsSync(join(nm, name, 'package.json'))) return `dependency ${name} is missing`;
  }
  return null;
}

/** True when tsx (and so esbuild's platform binary) can run TypeScript. */
function tsxWorks() {
  // `-e` code is not compiled as TypeScript: run a real .ts file so esbuild's binary is exercised.
  const dir = mkdtempSync(join(tmpdir(), 'pacscope-tsx-'));
  const file = join(dir, 'check.ts');
  writeFileSync(file, 'const x: number = 40 + 2;\nif (x !== 42) process.exit(3);\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  rmSync(dir, { recursive: true, force: true });
  if (r.status === 0) return null;
  const text = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n');
  return (text.find((l) => /Error/.test(l)) ?? text[0]).trim();
}

/**
 * Runs npm with its output kept, not shown: a fresh start prints one line per
 * action, and npm's own output only when it fails. Returns the exit status
 * (null when npm could not start) and the output.
 */
function npmQuiet(args) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, [...args, '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`;
  return { status: r.error ? null : r.status, output };
}

/** npm's own summary ("added 167 packages in 14s"), or what it did by default. */
function npmResult(output, fallback) {
  return output.split('\n').find((l) => /^(added|removed|changed|up to date)\b/.test(l.trim()))?.trim() ?? fallback;
}

/** The first line of npm's error that says what went wrong (not "npm error code …" and the like). */
function npmReason(output) {
  for (const line of output.split('\n')) {
    const m = /^npm (?:error|ERR!) (.+)$/.exec(line.trim());
    if (m && !/^(code|path|errno|syscall|A complete log) /.test(m[1])) return m[1].trim();
  }
  return 'no reason given';
}

function showNpmOutput(output) {
  process.stderr.write(output.endsWith('\n') || output === '' ? output : `${output}\n`);
}

/**
 * `npm ci` (or `npm install` without a lock); falls back to `npm install` when
 * the lock is out of sync. Returns what npm did, for the line that says so. The install scripts of dependencies (esbuild's
 * postinstall, which checks and re-links its platform binary; core-js-pure's,
 * a funding banner) are denied in package.json's allowScripts (npm 11: `npm
 * help install-scripts`): npm 11 would skip them anyway, with a warning block;
 * tsx and vite use esbuild's platform package (@esbuild/linux-x64) directly,
 * and tsxWorks() below proves it.
 */
function npmInstall(reason) {
  if (existsSync(join(root, 'package-lock.json'))) {
    say(`${reason}: running npm ci`);
    const ci = npmQuiet(['ci']);
    if (ci.status === 0) return `npm ci: ${npmResult(ci.output, 'done')}`;
    say(`npm ci failed (${npmReason(ci.output)}): running npm install`);
  } else {
    say(`${reason}: running npm install (no package-lock.json)`);
  }
  const install = npmQuiet(['install']);
  if (install.status !== 0) {
    showNpmOutput(install.output);
    fail(`npm install failed (exit ${install.status}); check the network access to the npm registry`);
  }
  return `npm install: ${npmResult(install.output, 'done')}`;
}

function ensureNpm() {
  const reason = npmStaleReason();
  const installed = reason === null ? null : npmInstall(reason);
  const tsxError = tsxWorks();
  if (tsxError !== null) {
    if (reason !== null) fail(`tsx does not run after the install (esbuild binary from @esbuild/linux-x64?): ${tsxError}`);
    // Installed but broken (e.g. esbuild's platform binary missing): reinstall once.
    const reinstalled = npmInstall(`tsx does not run (${tsxError})`);
    const again = tsxWorks();
    if (again !== null) fail(`tsx still does not run after reinstalling: ${again}`);
    say(`${reinstalled}; tsx works`);
    return;
  }
  if (installed !== null) say(`${installed}; tsx works`);
}

function onPath(cmd) {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/bin', '/sbin']);
  return dirs.some((d) => d && existsSync(join(d, cmd)));
}

/** Debian packages the interop tests need, with the programs that prove each is installed. */
const DEBIAN_PEERS = [
  { pkg: 'dcmtk', programs: ['echoscu', 'findscu', 'movescu', 'getscu', 'storescu', 'storescp', 'dcmqrscp', 'dump2dcm'] },
  { pkg: 'tshark', programs: ['tshark', 'dumpcap'] },
  // The tests start their own Orthanc processes (own config, ports, storage): never the system service.
  { pkg: 'orthanc', programs: ['Orthanc'] },
  // The browser tests drive /usr/bin/chromium with playwright-core.
  { pkg: 'chromium', programs: ['chromium'] },
  // PixelMed's network tools, a real peer of the diagnosis tests (test/interop/diagnosis-outcomes.test.ts); an absolute path is a file to find.
  { pkg: 'default-jre-headless', programs: ['java'] },
  { pkg: 'libpixelmed-java', programs: ['/usr/share/java/pixelmed.jar'] },
];

const POLICY_RC = '/usr/sbin/policy-rc.d';

/**
 * Debian's orthanc postinst starts a system service (DICOM 4242, HTTP 8042, all interfaces).
 * A policy-rc.d that answers 101 ("action forbidden") keeps invoke-rc.d from starting it;
 * one is written only for the install and only when none exists (containers often have one).
 * Returns the undo, or null when nothing was written.
 */
function forbidServiceStarts(asRoot) {
  if (existsSync(POLICY_RC)) return null;
  const body = '#!/bin/sh\n# written by pacscope scripts/ensure-deps.mjs for the duration of an apt-get install\nexit 101\n';
  if (asRoot) {
    writeFileSync(POLICY_RC, body);
    chmodSync(POLICY_RC, 0o755);
    return () => rmSync(POLICY_RC, { force: true });
  }
  const tmp = join(mkdtempSync(join(tmpdir(), 'pacscope-policy-')), 'policy-rc.d');
  writeFileSync(tmp, body);
  if (run('sudo', ['install', '-m', '755', tmp, POLICY_RC]) !== 0) return null;
  return () => run('sudo', ['rm', '-f', POLICY_RC]);
}

/** Stops and disables a system Orthanc service if one runs anyway (e.g. started at boot by systemd). */
function quietSystemOrthanc(prefix) {
  const sh = (args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), ...args], { stdio: 'ignore' }) : run(args[0], args.slice(1), { stdio: 'ignore' }));
  if (existsSync('/run/systemd/system') && onPath('systemctl')) sh(['systemctl', 'disable', '--now', 'orthanc']);
  else if (onPath('service')) sh(['service', 'orthanc', 'stop']);
}

/** A program on PATH, or (an absolute path) a file that must exist. */
function present(prog) {
  return prog.startsWith('/') ? existsSync(prog) : onPath(prog);
}

function ensurePeers() {
  const missing = DEBIAN_PEERS.filter((p) => p.programs.some((prog) => !present(prog)));
  if (missing.length === 0) return;
  const pkgs = missing.map((p) => p.pkg);
  if (!onPath('apt-get')) fail(`missing ${pkgs.join(', ')} and apt-get is not available: install them by hand`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let prefix = [];
  if (!isRoot) {
    if (!onPath('sudo')) fail(`missing ${pkgs.join(', ')}; not root and no sudo: run as root: apt-get install ${pkgs.join(' ')}`);
    // sudo may reset the environment: pass the debconf frontend as an argument.
    prefix = ['sudo', 'env', 'DEBIAN_FRONTEND=noninteractive'];
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), 'apt-get', ...args], { env }) : run('apt-get', args, { env }));
  say(`missing ${pkgs.join(', ')}: running apt-get update`);
  const upd = apt(['update']);
  if (upd !== 0) fail(`apt-get update failed (exit ${upd})`);
  say(`installing ${pkgs.join(' ')} with apt-get`);
  const undoPolicy = pkgs.includes('orthanc') ? forbidServiceStarts(isRoot) : null;
  let inst;
  try {
    inst = apt(['install', '-y', '--no-install-recommends', ...pkgs]);
  } finally {
    undoPolicy?.();
  }
  if (inst !== 0) fail(`apt-get install ${pkgs.join(' ')} failed (exit ${inst}); the interop and browser tests need them`);
  if (pkgs.includes('orthanc')) quietSystemOrthanc(prefix);
  const still = DEBIAN_PEERS.flatMap((p) => p.programs).filter((prog) => !present(prog));
  if (still.length > 0) fail(`after apt-get install, still missing: ${still.join(', ')}`);
  say(`installed ${pkgs.join(', ')}`);
}

/** Builds web/dist when it is missing or older than the UI's sources (see scripts/build-web.mjs). */
function ensureWebBuild() {
  const status = run(process.execPath, [join(root, 'scripts', 'build-web.mjs')]);
  if (status !== 0) fail(`building the browser UI failed (exit ${status}): node scripts/build-web.mjs --force shows why`);
}

ensureNpm();
ensureWebBuild();
if (wantTest) ensurePeers();
