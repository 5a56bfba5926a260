/**
 * The sessions folder of `pacscope serve`: the recordings it writes (one a
 * run, by default) and any pcap, pcapng or recording copied there. Listing
 * tells a file's format by its magic number, as every source does
 * (open-source.ts), so a file of no known format is simply not listed.
 *
 * Opening one runs the file through the one decoder (docs/architecture.md
 * §2) and serves it in pages of bounded size (docs/live-api.md, "Sessions in
 * pages"): a first pass indexes it (session-index.ts), each page is built
 * when asked for (session-page.ts) with its summary, full message details
 * and PDU bytes for the inspector. Memory is bounded whatever the file: the
 * index keeps counts, a page at most SESSION_PAGE_BUDGET. The last few
 * indexes and pages are kept, keyed by name, size and modification time (the
 * live recording grows: reopening it reads it anew).
 */
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SessionInfo } from '../../shared/events/live-api.ts';
import { detectFormat } from '../sources/open-source.ts';
import { fileStart } from '../sources/file-chunks.ts';
import { HttpError } from './http-json.ts';
import { indexSession, pagePlan, type SessionIndex } from './session-index.ts';
import { buildPage, type SessionPage } from './session-page.ts';

/** Indexes of opened sessions kept in memory (counts only). */
const KEEP_OPEN = 3;
/** Built pages kept in memory, all sessions together (each at most SESSION_PAGE_BUDGET and PAGE_BYTE_BUDGET). */
const KEEP_PAGES = 3;
/** A file dropped on the page (POST /api/sessions) is refused past this size. */
export const MAX_SESSION_UPLOAD = 8 * 1024 * 1024 * 1024;

export interface OpenedSession {
  readonly name: string;
  readonly index: SessionIndex;
  /** Page `k` (0-based): its summary (with the file's own problems among its errors, and the teaching scenario runs a recording carries), details and bytes; HttpError 404 past the last page. */
  page(k: number): Promise<SessionPage>;
}

export class SessionLibrary {
  private readonly opened = new Map<string, { key: string; session: Promise<OpenedSession> }>();
  /** Built pages by "name, key, page", most recently used last. */
  private readonly pages = new Map<string, Promise<SessionPage>>();

  constructor(
    /** The folder listed; null: none (the list is empty). */
    readonly dir: string | null,
    /** The recording this server writes now (listed as live), if any. */
    private readonly liveFile: string | null,
    /** Flushes the live recording so that opening it sees everything so far. */
    private readonly flushLive: () => Promise<void> = async () => {},
  ) {}

  /** The folder's recordings and captures, newest first. */
  async list(): Promise<SessionInfo[]> {
    if (this.dir === null) return [];
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: SessionInfo[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const s = await stat(path);
        if (!s.isFile() || s.size === 0) continue;
        const format = detectFormat(await fileStart(path, 8));
        if (format === null) continue;
        out.push({ name, size: s.size, modified: s.mtime.toISOString(), format, live: this.isLive(path) });
      } catch {
        // Gone or unreadable between readdir and stat: not listed.
      }
    }
    return out.sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : a.name.localeCompare(b.name)));
  }

  /** Decodes the session `name` (cached); HttpError 404 for a name that is not in the folder. */
  async open(name: string): Promise<OpenedSession> {
    const path = this.pathOf(name);
    if (this.isLive(path)) await this.flushLive();
    let s;
    try {
      s = await stat(path);
    } catch {
      throw new HttpError(404, `no session "${name}" in ${this.dir}`);
    }
    const key = `${s.size}:${s.mtimeMs}`;
    const cached = this.opened.get(name);
    if (cached && cached.key === key) {
      // Most recently used last.
      this.opened.delete(name);
      this.opened.set(name, cached);
      return cached.session;
    }
    const session = this.decode(name, path, key);
    this.opened.delete(name);
    this.opened.set(name, { key, session });
    session.catch(() => this.opened.delete(name));
    while (this.opened.size > KEEP_OPEN) this.opened.delete(this.opened.keys().next().value!);
    return session;
  }

  /**
   * Saves a file sent by the browser (dropped on the page or picked) into the
   * folder under `name` (made unique: "capture-2.pcapng" when taken), streamed,
   * and keeps it only when it is a recording, pcap or pcapng.
   */
  async save(req: IncomingMessage, name: string): Promise<SessionInfo> {
    if (this.dir === null) throw new HttpError(404, 'this server has no sessions folder');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_SESSION_UPLOAD) throw new HttpError(413, `file larger than ${MAX_SESSION_UPLOAD} bytes`);
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.upload-${randomBytes(6).toString('hex')}`);
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > MAX_SESSION_UPLOAD) done(new HttpError(413, `file larger than ${MAX_SESSION_UPLOAD} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, count, createWriteStream(temp, { flags: 'wx' }));
      const format = size === 0 ? null : detectFormat(await fileStart(temp, 8));
      if (format === null) throw new HttpError(415, `${name || 'the file'} is not a pacscope recording, a pcap or a pcapng (told by its first bytes, not its name)`);
      const path = await this.claim(temp, safeName(name, format));
      const s = await stat(path);
      return { name: basename(path), size: s.size, modified: s.mtime.toISOString(), format, live: false };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Links `temp` to a free name like `wanted` in the folder (link fails if taken: no race with another upload). */
  private async claim(temp: string, wanted: string): Promise<string> {
    const ext = extname(wanted);
    const stem = wanted.slice(0, wanted.length - ext.length);
    for (let n = 1; ; n++) {
      const path = join(this.dir!, n === 1 ? wanted : `${stem}-${n}${ext}`);
      try {
        await link(temp, path);
        return path;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n > 9999) throw e;
      }
    }
  }

  private async decode(name: string, path: string, key: string): Promise<OpenedSession> {
    let index: SessionIndex;
    try {
      index = await indexSession(path);
    } catch (e) {
      throw new HttpError(422, (e as Error).message);
    }
    const cacheKey = (k: number) => `${name}\u0000${key}\u0000${k}`;
    if (index.onlyPage) this.keepPage(cacheKey(0), Promise.resolve(index.onlyPage));
    index.onlyPage = null;
    return {
      name,
      index,
      page: (k: number): Promise<SessionPage> => {
        if (!Number.isInteger(k) || k < 0 || k >= Math.max(1, index.pages.length)) throw new HttpError(404, `no page ${k} in ${name} (it has ${Math.max(1, index.pages.length)})`);
        const cached = this.pages.get(cacheKey(k));
        if (cached) {
          this.keepPage(cacheKey(k), cached);
          return cached;
        }
        const page = buildPage(pagePlan(index, k));
        page.catch(() => this.pages.delete(cacheKey(k)));
        this.keepPage(cacheKey(k), page);
        return page;
      },
    };
  }

  private keepPage(key: string, page: Promise<SessionPage>): void {
    this.pages.delete(key);
    this.pages.set(key, page);
    while (this.pages.size > KEEP_PAGES) this.pages.delete(this.pages.keys().next().value!);
  }

  private pathOf(name: string): string {
    // A name, never a path: nothing outside the folder can be opened this way.
    if (this.dir === null || name === '' || name !== basename(name) || name === '.' || name === '..' || name.includes('\0')) throw new HttpError(404, `no session "${name}"`);
    return join(this.dir, name);
  }

  private isLive(path: string): boolean {
    return this.liveFile !== null && resolve(path) === resolve(this.liveFile);
  }
}

const EXTENSION = { recording: '.pacscope', pcap: '.pcap', pcapng: '.pcapng' } as const;

/** A plain file name from what the browser sent: no folders, no hidden files, no control characters; an extension for its format when it has none. */
function safeName(name: string, format: keyof typeof EXTENSION): string {
  let base = basename(name.replaceAll('\\', '/')).replace(/[\x00-\x1f\x7f/]/g, '').replace(/^\.+/, '').trim().slice(0, 200);
  if (base === '') base = `session-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  if (extname(base) === '') base += EXTENSION[format];
  return base;
}
