/**
 * What the browser tests stand on: the product as a user starts it
 * (`pacscope serve` as a child process, free loopback ports, a temp data
 * dir), the built UI (scripts/build-web.mjs), and Debian's Chromium driven by
 * playwright-core with a fresh profile. Screenshots go to test-results/e2e/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { RunningProcess } from '../interop/harness/process.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(REPO_ROOT, 'bin', 'pacscope.js');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'e2e');

/** Builds web/dist when stale; throws with the build's output when that fails or there is no UI. */
export function ensureWebBuilt(): void {
  // A UI served from elsewhere (pacscope serve honours PACSCOPE_WEB_ROOT): nothing to build here.
  if (process.env.PACSCOPE_WEB_ROOT) return;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-web.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the UI failed:\n${r.stdout}\n${r.stderr}`);
  if (!existsSync(join(REPO_ROOT, 'web', 'dist', 'index.html'))) throw new Error(`no built UI (web/dist/index.html): ${r.stdout.trim()}`);
}

export interface RunningServe {
  /** The page's address, as printed. */
  url: string;
  httpPort: number;
  pacsAe: string;
  pacsPort: number;
  storePort: number;
  dataDir: string;
  proc: RunningProcess;
  stop(): Promise<void>;
}

/**
 * `pacscope serve` on free loopback ports with its own data dir; resolves once it printed its endpoints.
 * `root`: another checkout to run (the UI bench's "before"), serving its own web/dist.
 */
export async function startServe(extra: string[] = [], root = REPO_ROOT): Promise<RunningServe> {
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-e2e-'));
  const dataDir = join(dir, 'data');
  const env: Record<string, string> = root === REPO_ROOT ? { TCP_NODELAY: '1' } : { TCP_NODELAY: '1', PACSCOPE_WEB_ROOT: join(root, 'web', 'dist') };
  const proc = new RunningProcess(
    process.execPath,
    [join(root, 'bin', 'pacscope.js'), 'serve', '--http', '127.0.0.1:0', '--pacs', 'PACSCOPE@127.0.0.1:0', '--store', 'STORESCP@127.0.0.1:0', '--data', dataDir, ...extra],
    { cwd: root, env },
  );
  try {
    await proc.waitFor(/move destinations of .*\n/, 30_000);
  } catch (e) {
    await proc.stop('SIGTERM');
    throw new Error(`pacscope serve did not start: ${(e as Error).message}\n${proc.output}`);
  }
  const url = /serving on (http:\/\/\S+)/.exec(proc.output)?.[1] ?? '';
  const httpPort = Number(new URL(url).port);
  const pacs = /PACS\s+(\S+)@127\.0\.0\.1:(\d+)/.exec(proc.output);
  const storePort = Number(/store SCP\s+\S+@127\.0\.0\.1:(\d+)/.exec(proc.output)?.[1]);
  return {
    url,
    httpPort,
    pacsAe: pacs?.[1] ?? '',
    pacsPort: Number(pacs?.[2]),
    storePort,
    dataDir,
    proc,
    stop: async () => {
      await proc.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every JavaScript dialog (alert, confirm, prompt) the page opened: must stay empty. */
  dialogs: string[];
  /** Uncaught page errors. */
  errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium with a fresh profile (user data dir) and one page. */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: npm test installs it (scripts/ensure-deps.mjs --test), or apt-get install chromium`);
  const profile = await mkdtemp(join(tmpdir(), 'pacscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1600, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    dialogs,
    errors,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The product as a user starts it (`pacscope serve`, the built UI) and a browser on its page, once the page is drawn. */
export async function openProduct(extra: string[] = []): Promise<{ serve: RunningServe; browser: Browser }> {
  ensureWebBuilt();
  const serve = await startServe(extra);
  let browser: Browser | null = null;
  try {
    browser = await openBrowser();
    await browser.page.goto(serve.url);
    await browser.page.locator('[data-testid=diagram]').waitFor({ timeout: 15_000 });
    return { serve, browser };
  } catch (e) {
    await browser?.close();
    await serve.stop();
    throw e;
  }
}
