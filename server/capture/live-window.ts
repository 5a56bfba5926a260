/**
 * The live window (docs/live-api.md, "The live window"; issue 14): the part
 * of the live session the hub keeps in memory — the page being filled and
 * the one before it (live-pages.ts) — with the summary the browser draws, the
 * full decode of its messages for the inspector, and the JSON text of its
 * messages and PDUs for the snapshots. The pages before it are only a few
 * numbers each; they are read back from the recording when asked for
 * (recorded-page.ts). Memory is bounded by two pages whatever the session's
 * length.
 *
 * Each window has a summary builder of its own, fed since the window's first
 * page began: the one decoder's model (docs/architecture.md §2) of just that
 * stretch, its indices the window's own, its links (a response to its
 * request, a sub-association to its C-MOVE) those within it — as a page of an
 * opened recording has. A second builder is fed since the page being filled
 * began; when that page is full, the older page is let go and the second
 * builder's model becomes the window, with no work to catch up. Dropping the
 * older builder drops whatever the model and the correlator held of it.
 *
 * A builder that starts while associations are open is told about them
 * first — each one's open and its A-ASSOCIATE PDUs, which are before the page
 * and so not listed — as a session page that starts inside an association
 * is (session-page.ts). Reading a page back from the recording does the same,
 * so it comes out as it was live.
 */
import type { DerivedEvent } from '../../shared/events/derived-event.ts';
import type { LiveCounts, LiveDelta, LiveWindowInfo } from '../../shared/events/live-messages.ts';
import type { DimseMessage } from '../../shared/dimse/types.ts';
import type { Summary, SummaryPdu } from '../../shared/model/summary-types.ts';
import { JsonList } from '../../shared/events/json-list.ts';
import { WireMessageList } from '../../shared/events/wire-message.ts';
import { SummaryBuilder, type SummarySource } from '../../shared/model/summary-builder.ts';
import { associationNumber, emptyCounts, OpenPage, type LivePage } from './live-pages.ts';

/** PDUs that make an association what it is (PS3.8 §9.3.2–§9.3.4, §9.3.8): what a page starting inside it needs of it. */
export const STATE_PDUS: ReadonlySet<number> = new Set([0x01, 0x02, 0x03, 0x07]);

/** One summary builder, fed since the start of live page `page`, and the JSON text of its lists (made when a snapshot or the PDUs are asked for, each item once). */
class Segment {
  readonly builder: SummaryBuilder;
  readonly messages = new WireMessageList();
  readonly pdus = new JsonList<SummaryPdu>();

  constructor(
    source: SummarySource,
    startTime: number | null,
    readonly page: number,
    context: readonly DerivedEvent[][],
  ) {
    this.builder = new SummaryBuilder(source, startTime);
    for (const events of context) for (const e of events) this.builder.apply(e);
    // The open associations' A-ASSOCIATE PDUs came before this page: in the model for the associations' sake, not listed.
    this.builder.result().pdus.length = 0;
  }

  apply(e: DerivedEvent): LiveDelta[] {
    return this.builder.apply(e);
  }
}

/** An association still open: where its open is recorded, and what a builder starting now needs of it. */
interface OpenAssociation {
  number: number;
  openedAt: number;
  context: DerivedEvent[];
}

export type WindowListener = () => void;

export class LiveWindow {
  private live: Segment;
  /** Fed since the page being filled began; null while the window is that page alone. */
  private next: Segment | null = null;
  private current: OpenPage;
  /** Closed pages, oldest first. */
  private readonly closed: LivePage[] = [];
  /** Full decode of the window's messages: `details[i]` is message `first.message + i` of the session. */
  private details: DimseMessage[] = [];
  private readonly open = new Map<string, OpenAssociation>();
  /** Where recently ended associations were opened, for their late errors (bounded). */
  private readonly endedOpenedAt = new Map<string, number>();
  private startTime: number | null = null;
  readonly totals: LiveCounts = emptyCounts();
  private readonly listeners = new Set<WindowListener>();

  constructor(
    private readonly source: SummarySource,
    readonly budget: LiveCounts,
    /** Whether the hub records: the pages before the window can be read back. */
    readonly recorded: boolean,
    /** Offset of the recording's first record (after its header). */
    firstRecord = 0,
  ) {
    this.live = new Segment(source, null, 0, []);
    this.current = new OpenPage(0, firstRecord, { message: 0, pdu: 0, error: 0 });
  }

  /** The window moved on (its older page let go): the summary is another one, its indices counted from another start. */
  onMove(listener: WindowListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Time of the session's first event (what every page counts its times from), null before any. */
  get sessionStart(): number | null {
    return this.startTime;
  }

  /** Folds a derived event of the record at offset `at` in; returns the window's changes (its own indices). */
  apply(e: DerivedEvent, at: number): LiveDelta[] {
    this.startTime ??= e.time;
    this.count(e, at);
    const deltas = this.live.apply(e);
    this.next?.apply(e);
    if (e.type === 'dimse') this.details.push(e.message);
    return deltas;
  }

  /** The record that ended at offset `end` is decoded: a full page is closed there (pages end between records). */
  recordDone(end: number): void {
    if (this.current.full(this.budget)) this.closePage(end);
  }

  /** The window's summary (its indices its own). */
  summary(): Summary {
    return this.live.builder.result();
  }

  /** The JSON text of the window's messages and PDUs: each item stringified once, when first needed (a snapshot, a PDU request). */
  get messageTable(): WireMessageList {
    return this.live.messages.update(this.summary().messages);
  }

  get pduTable(): JsonList<SummaryPdu> {
    return this.live.pdus.update(this.summary().pdus);
  }

  /** Where the window stands in the session. */
  info(): LiveWindowInfo {
    return { page: this.live.page, pages: this.closed.length + 1, first: { ...this.first }, totals: { ...this.totals }, budget: { ...this.budget }, recorded: this.recorded };
  }

  /** Index in the session of the window's first message, PDU and error. */
  get first(): { message: number; pdu: number; error: number } {
    return this.live.page === this.current.index ? this.current.first : this.closed[this.live.page].first;
  }

  /** Index in the session of the first message, PDU and error of page `k` (closed or being filled), or null for no such page. */
  firstOf(k: number): { message: number; pdu: number; error: number } | null {
    if (k === this.current.index) return { ...this.current.first };
    return this.closed[k] ? { ...this.closed[k].first } : null;
  }

  /** Closed pages, oldest first (those before `info().page` are out of memory). */
  get pages(): readonly LivePage[] {
    return this.closed;
  }

  /** The full decode of message `index` of the session, when it is in the window. */
  detail(index: number): DimseMessage | null {
    return this.details[index - this.first.message] ?? null;
  }

  /** PDU `index` of the session, when it is in the window. */
  pdu(index: number): SummaryPdu | null {
    return this.summary().pdus[index - this.first.pdu] ?? null;
  }

  /** The closed page that holds item `index` of the session, or null (on the page being filled, or no such item). */
  pageOf(kind: 'message' | 'pdu', index: number): LivePage | null {
    if (!Number.isSafeInteger(index) || index < 0 || this.closed.length === 0) return null;
    let lo = 0;
    let hi = this.closed.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.closed[mid].first[kind] <= index) lo = mid;
      else hi = mid - 1;
    }
    const page = this.closed[lo];
    if (!page) return null;
    const count = kind === 'message' ? page.counts.messages : page.counts.pdus;
    return index >= page.first[kind] && index < page.first[kind] + count ? page : null;
  }

  private count(e: DerivedEvent, at: number): void {
    const page = this.current;
    if (e.type === 'dimse') (this.totals.messages++, page.counts.messages++);
    else if (e.type === 'pdu') (this.totals.pdus++, page.counts.pdus++);
    else if (e.type === 'decode.error') (this.totals.errors++, page.counts.errors++);
    if (e.association === null) return;
    const id = e.association;
    if (e.type === 'connection.open' || e.type === 'connection.refused') {
      this.totals.associations += 1;
      this.open.set(id, { number: associationNumber(id), openedAt: at, context: [e] });
    } else if ((e.type === 'pdu' && STATE_PDUS.has(e.pdu.pduType)) || e.type === 'tls') this.open.get(id)?.context.push(e);
    const open = this.open.get(id);
    page.touch(associationNumber(id), open?.openedAt ?? this.endedOpenedAt.get(id) ?? null);
    if (e.type === 'association.end' && open) {
      this.open.delete(id);
      this.endedOpenedAt.set(id, open.openedAt);
      if (this.endedOpenedAt.size > MAX_ENDED) this.endedOpenedAt.delete(this.endedOpenedAt.keys().next().value!);
    }
  }

  private closePage(end: number): void {
    let goesOn = false;
    for (const n of this.current.associations()) if (this.open.has(`a${n}`)) goesOn = true;
    const page = this.current.close(end, goesOn);
    this.closed.push(page);
    const first = { message: page.first.message + page.counts.messages, pdu: page.first.pdu + page.counts.pdus, error: page.first.error + page.counts.errors };
    this.current = new OpenPage(page.index + 1, end, first);
    // The associations open now, oldest first: what a builder starting here needs of them.
    const context = [...this.open.values()].sort((a, b) => a.number - b.number).map((o) => o.context);
    const fresh = new Segment(this.source, this.startTime, page.index + 1, context);
    if (this.next === null) {
      this.next = fresh;
      return;
    }
    // The window moves on: the older page goes, the builder of the newer one becomes the window's.
    const gone = this.closed[this.live.page];
    this.live = this.next;
    this.next = fresh;
    this.details = this.details.slice(gone.counts.messages);
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's bug must not stop the capture.
      }
    }
  }
}

/** Ended associations whose open offset is remembered, for a late error (data after the end). */
const MAX_ENDED = 4096;
