/**
 * The sessions folder of `pacscope serve`: the recordings it writes (one a
 * run, by default) and any pcap, pcapng or recording copied there. Listing
 * tells a file's format by its magic number, as every source does
 * (open-source.ts), so a file of no known format is simply not listed.
 *
 * Opening one runs the file through a capture hub of its own — the same one
 * pipeline as live traffic (DESIGN.md principle 2) — so an opened session has
 * what the live one has: the summary, full message details and PDU bytes for
 * the inspector. The last few opened sessions are kept, keyed by name, size
 * and modification time (the live recording grows: reopening it reads it anew).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { SessionInfo } from '../../shared/events/live-api.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { CaptureHub } from '../capture/hub.ts';
import { detectFormat, openWireSource } from '../sources/open-source.ts';
import { fileStart } from '../sources/file-chunks.ts';
import { HttpError } from './http-json.ts';

/** Opened sessions kept in memory (each holds its summary and up to BYTE_BUDGET of PDU bytes). */
const KEEP_OPEN = 3;
const BYTE_BUDGET = 64 * 1024 * 1024;

export interface OpenedSession {
  readonly name: string;
  readonly hub: CaptureHub;
  /** The summary with the file's own problems (torn tail, unknown link type) among its errors. */
  readonly summary: Summary;
}

export class SessionLibrary {
  private readonly opened = new Map<string, { key: string; session: Promise<OpenedSession> }>();

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
    const session = decode(name, path);
    this.opened.delete(name);
    this.opened.set(name, { key, session });
    session.catch(() => this.opened.delete(name));
    while (this.opened.size > KEEP_OPEN) this.opened.delete(this.opened.keys().next().value!);
    return session;
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

async function decode(name: string, path: string): Promise<OpenedSession> {
  let source;
  try {
    source = await openWireSource(path);
  } catch (e) {
    throw new HttpError(422, (e as Error).message);
  }
  const hub = await CaptureHub.open({ source: { kind: 'file', description: path }, byteBudget: BYTE_BUDGET, format: source.format });
  for await (const batch of source.batches()) for (const event of batch) hub.sink(event);
  await hub.close();
  const summary = hub.summary();
  for (const e of source.errors) summary.errors.push({ association: null, side: null, offset: e.offset, time: 0, reason: `file: ${e.reason}` });
  return { name, hub, summary };
}
