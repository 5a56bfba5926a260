/**
 * A page of the live session read back from the recording (docs/live-api.md,
 * "The live window"): the summary, full message decode and bytes of a closed
 * live page (live-pages.ts), for the pages the hub no longer holds — and for
 * any of their messages the inspector asks about.
 *
 * The page's records are [start, end). Reading starts earlier, at the open
 * of its oldest association (`scanFrom`), and goes through the one decoder
 * (docs/architecture.md §2) like every source; only connections opened since
 * then are decoded (each connection decodes on its own, PS3.8 §9.1.1, so its
 * events are what they were live), association ids counted on from that
 * association's number. Before `start`, only what a page starting inside an
 * association needs is kept — its open and A-ASSOCIATE PDUs, told to the
 * page's builder first and not listed — as the live window's builder was told
 * (live-window.ts), so messages and PDUs come out in the same order, with the
 * same indices and links as they had live.
 *
 * The last few pages read are kept (each at most a page's budget and
 * PAGE_BYTE_BUDGET of bytes).
 */
import type { DerivedEvent } from '../../shared/events/derived-event.ts';
import type { SessionPageInfo } from '../../shared/events/live-api.ts';
import type { DimseMessage } from '../../shared/dimse/types.ts';
import { SessionDecoder } from '../../shared/model/session-decoder.ts';
import { SummaryBuilder, type SummarySource } from '../../shared/model/summary-builder.ts';
import { PAGE_BYTE_BUDGET, SessionPage } from '../live/session-page.ts';
import { ByteLog } from './byte-log.ts';
import type { PduBytes } from './hub.ts';
import { associationNumber, type LivePage } from './live-pages.ts';
import { STATE_PDUS, type LiveWindow } from './live-window.ts';
import { rangeDecoder, recordingStretch } from './recording-range.ts';

/** Pages read back kept in memory. */
const KEEP_PAGES = 3;

/** Why a page or an item of one cannot be had: 404 none such, 410 not kept (nothing recorded, or the recording unreadable). */
export class LivePageError extends Error {
  constructor(
    readonly status: 404 | 410,
    message: string,
  ) {
    super(message);
  }
}

/** Reads closed page `page` back from the recording at `path`. */
export async function readLivePage(path: string, page: LivePage, source: SummarySource, startTime: number | null, info: SessionPageInfo): Promise<SessionPage> {
  const file = await rangeDecoder(path);
  const decoder = new SessionDecoder();
  /** Connections opened since `scanFrom`: the only ones decoded. */
  const known = new Set<number>();
  const base = page.scanAssociation - 1;
  const rename = (e: DerivedEvent): DerivedEvent => (e.association === null ? e : { ...e, association: `a${associationNumber(e.association) + base}` });
  const bytes = new ByteLog(PAGE_BYTE_BUDGET);
  const connOf = new Map<string, number>();
  /** Associations open at the page's start: their open and A-ASSOCIATE PDUs. */
  const context = new Map<string, DerivedEvent[]>();

  for await (const batch of recordingStretch(path, file, page.scanFrom, page.start)) {
    for (const event of batch) {
      if (event.kind === 'open' || event.kind === 'refused') known.add(event.conn);
      else if (!known.has(event.conn)) continue;
      // Bytes before the page are not kept, but they move the stream offsets on.
      if (event.kind === 'data') bytes.gap(event.conn, event.from, event.bytes.length);
      else if (event.kind === 'gap') bytes.gap(event.conn, event.from, event.length);
      else if (event.kind === 'close') bytes.close(event.conn, event.from);
      for (const e of decoder.push(event).map(rename)) {
        if (e.type === 'connection.open' || e.type === 'connection.refused') {
          context.set(e.association, [e]);
          connOf.set(e.association, e.conn);
        } else if ((e.type === 'pdu' && STATE_PDUS.has(e.pdu.pduType)) || e.type === 'tls') context.get(e.association)?.push(e);
        else if (e.type === 'association.end') context.delete(e.association);
      }
    }
  }

  const builder = new SummaryBuilder(source, startTime);
  for (const [, events] of [...context].sort(([a], [b]) => associationNumber(a) - associationNumber(b))) for (const e of events) builder.apply(e);
  builder.result().pdus.length = 0;
  const details: DimseMessage[] = [];
  for await (const batch of recordingStretch(path, file, page.start, page.end)) {
    for (const event of batch) {
      if (event.kind === 'open' || event.kind === 'refused') known.add(event.conn);
      else if (!known.has(event.conn)) continue;
      if (event.kind === 'data') bytes.data(event.conn, event.from, event.bytes);
      else if (event.kind === 'gap') bytes.gap(event.conn, event.from, event.length);
      for (const e of decoder.push(event).map(rename)) {
        if (e.type === 'connection.open' || e.type === 'connection.refused') connOf.set(e.association, e.conn);
        builder.apply(e);
        if (e.type === 'dimse') details.push(e.message);
      }
    }
  }
  const summary = builder.result();
  const c = page.counts;
  if (summary.messages.length !== c.messages || summary.pdus.length !== c.pdus) {
    // Only a recording damaged since (or a decoder that changed) can make this differ: said, not hidden.
    summary.errors.push({ association: null, side: null, offset: null, time: 0, reason: `file: this page read back holds ${summary.messages.length} messages and ${summary.pdus.length} PDUs; live it held ${c.messages} and ${c.pdus}` });
  }
  return new SessionPage({ ...summary, scenarioRuns: [], page: info }, details, bytes, connOf);
}

/** The closed pages of a hub's live session, read back on demand, and the details of their messages. */
export class RecordedPages {
  private readonly kept = new Map<number, Promise<SessionPage>>();

  constructor(
    /** The recording; null when the hub records nothing. */
    private readonly path: string | null,
    private readonly window: LiveWindow,
    private readonly source: SummarySource,
    /** Puts everything written so far on disk. */
    private readonly flush: () => Promise<void>,
  ) {}

  /** What page `k` says about itself. */
  info(k: number): SessionPageInfo {
    const page = this.window.pages[k];
    return {
      index: k,
      count: this.window.pages.length + 1,
      firstAssociation: page?.firstAssociation == null ? null : `a${page.firstAssociation}`,
      lastAssociation: page?.lastAssociation == null ? null : `a${page.lastAssociation}`,
      partial: page?.partial ?? false,
      totals: { ...this.window.totals },
    };
  }

  /** Closed page `k`, read back (cached); LivePageError 404 for the page being filled or none, 410 when nothing is recorded. */
  page(k: number): Promise<SessionPage> {
    const page = Number.isInteger(k) ? this.window.pages[k] : undefined;
    if (page === undefined) {
      const last = this.window.pages.length;
      return Promise.reject(new LivePageError(404, k === last ? `page ${k} is the live end, still being filled: it comes with the live stream (/api/live)` : `no page ${k} in the live session (it has ${last + 1})`));
    }
    if (this.path === null) return Promise.reject(new LivePageError(410, `page ${k} of the live session is gone: pacscope keeps the last pages in memory, and nothing is recorded (--no-record) to read older ones back from`));
    const cached = this.kept.get(k);
    if (cached) {
      this.keep(k, cached);
      return cached;
    }
    const path = this.path;
    const built = this.flush().then(() =>
      readLivePage(path, page, this.source, this.window.sessionStart, this.info(k)).catch((e: unknown) => {
        throw new LivePageError(410, `page ${k} of the live session cannot be read back from ${path}: ${(e as Error)?.message ?? String(e)}`);
      }),
    );
    built.catch(() => this.kept.delete(k));
    this.keep(k, built);
    return built;
  }

  /** The full decode of message `index` of the session: from the window, else from its page read back; null when there is none. */
  async messageDetail(index: number): Promise<DimseMessage | null> {
    const held = this.window.detail(index);
    if (held) return held;
    const page = this.window.pageOf('message', index);
    if (!page) return null;
    return (await this.page(page.index)).messageDetail(index - page.first.message);
  }

  /** The bytes of PDU `index` of the session, from its page read back (`PduBytes` with the session's index). */
  async pduBytes(index: number, cap: number): Promise<PduBytes | null> {
    const page = this.window.pageOf('pdu', index);
    if (!page) return null;
    const read = (await this.page(page.index)).pduBytes(index - page.first.pdu, cap);
    return read.ok ? { ...read, index } : read;
  }

  private keep(k: number, page: Promise<SessionPage>): void {
    this.kept.delete(k);
    this.kept.set(k, page);
    while (this.kept.size > KEEP_PAGES) this.kept.delete(this.kept.keys().next().value!);
  }
}
