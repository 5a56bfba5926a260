/**
 * One page of an opened session (docs/live-api.md, "Sessions in pages"):
 * the summary of a range of associations, with the full decode of its
 * messages and the bytes of its connections for the inspector, of bounded
 * size whatever the file (SESSION_PAGE_BUDGET).
 *
 * A page is built by reading the file from its start through the one
 * decoder (docs/architecture.md §2), but only the page's connections are
 * decoded: each connection is decoded on its own (one association per TCP
 * connection, PS3.8 §9.1.1), so its derived events are the same whatever
 * else is decoded, and association ids only need the `open` and `refused`
 * events of the others. Reading stops once every association of the page has
 * ended. Links (a response to its request, a sub-association to its C-MOVE)
 * are those within the page.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import type { DerivedEvent } from '../../shared/events/derived-event.ts';
import type { SessionSummary, SessionPageInfo } from '../../shared/events/live-api.ts';
import type { ScenarioRunRecord } from '../../shared/events/scenario-runs.ts';
import type { DimseMessage } from '../../shared/dimse/types.ts';
import type { SummaryError, SummaryPdu } from '../../shared/model/summary-types.ts';
import { SessionDecoder } from '../../shared/model/session-decoder.ts';
import { SummaryBuilder, type SummarySource } from '../../shared/model/summary-builder.ts';
import { ByteLog } from '../capture/byte-log.ts';
import type { PduBytes } from '../capture/hub.ts';
import { openWireSource } from '../sources/open-source.ts';

/**
 * The associations of a page: from association number `first` (from its
 * item `firstFrom` on) to `last` (up to its item `lastTo`, exclusive; null:
 * all of it). An association's items are its derived events that the page
 * lists — PDUs, DIMSE messages, decode errors — numbered in the order the
 * decoder gives them.
 */
export interface PageSpec {
  first: number;
  firstFrom: number;
  last: number;
  lastTo: number | null;
}

/** What a page holds, counted as it is built. */
export interface PageCounts {
  associations: number;
  messages: number;
  pdus: number;
  errors: number;
}

/** PDUs that make an association what it is (PS3.8 §9.3.2–§9.3.4, §9.3.8): kept for a page that starts inside it, then left out of its PDU list. */
const STATE_PDUS: ReadonlySet<number> = new Set([0x01, 0x02, 0x03, 0x07]);

/** Bytes of the page's connections kept for the inspector's hex view (the oldest go first). */
export const PAGE_BYTE_BUDGET = 16 * 1024 * 1024;

export const associationNumber = (id: string): number => Number(id.slice(1));

/** A built page: what GET …/pages/:k answers, and its details. */
export class SessionPage {
  constructor(
    readonly summary: SessionSummary,
    private readonly details: DimseMessage[],
    private readonly bytes: ByteLog,
    private readonly connOf: Map<string, number>,
  ) {}

  /** The full decoded DIMSE message behind `summary.messages[index]`, or null. */
  messageDetail(index: number): DimseMessage | null {
    return this.details[index] ?? null;
  }

  /** The bytes of `summary.pdus[index]` (as CaptureHub.pduBytes). */
  pduBytes(index: number, cap = 64 * 1024): PduBytes {
    const pdu = this.summary.pdus[index];
    if (!pdu) return { ok: false, status: 404, reason: `no PDU ${index} on this page` };
    const conn = this.connOf.get(pdu.association);
    const read = conn === undefined ? null : this.bytes.read(conn, pdu.from, pdu.offset, pdu.length, cap);
    if (read === null) return { ok: false, status: 404, reason: `the bytes of PDU ${index} were not read here` };
    if (read === 'gone') return { ok: false, status: 410, reason: `the bytes of PDU ${index} are gone: a page keeps the last ${PAGE_BYTE_BUDGET / 1024 / 1024} MiB of its connections (or they were lost in a capture gap)` };
    return { ok: true, index, offset: pdu.offset, length: pdu.length, truncated: read.truncated, bytes: read.bytes };
  }
}

/** Folds the derived events of one page (or of everything: `spec` null) into its summary, details and bytes. */
export class PageBuilder {
  readonly counts: PageCounts = { associations: 0, messages: 0, pdus: 0, errors: 0 };
  private readonly builder: SummaryBuilder;
  private readonly details: DimseMessage[] = [];
  private readonly bytes = new ByteLog(PAGE_BYTE_BUDGET);
  private readonly connOf = new Map<string, number>();
  /** Items seen so far, by association number. */
  private readonly positions = new Map<number, number>();
  /** State PDUs of associations the page starts inside of: in the model for the association's sake, not listed. */
  private readonly stateOnly = new Set<SummaryPdu>();

  constructor(
    source: SummarySource,
    startTime: number | null,
    readonly spec: PageSpec | null,
  ) {
    this.builder = new SummaryBuilder(source, startTime);
  }

  /** Whether association number `n` is (at least partly) on this page. */
  has(n: number): boolean {
    return this.spec === null || (n >= this.spec.first && n <= this.spec.last);
  }

  /** A wire event of one of the page's connections: its bytes are kept for the hex view. */
  wire(event: WireEvent): void {
    if (event.kind === 'data') this.bytes.data(event.conn, event.from, event.bytes);
    else if (event.kind === 'gap') this.bytes.gap(event.conn, event.from, event.length);
  }

  /** A derived event of an association of this page (others are ignored). */
  apply(e: DerivedEvent): void {
    if (e.association === null) return;
    const n = associationNumber(e.association);
    if (!this.has(n)) return;
    switch (e.type) {
      case 'connection.open':
      case 'connection.refused':
        this.connOf.set(e.association, e.conn);
        this.counts.associations += 1;
        this.builder.apply(e);
        return;
      case 'association.end':
      case 'tls':
        this.builder.apply(e);
        return;
    }
    const position = this.positions.get(n) ?? 0;
    this.positions.set(n, position + 1);
    if (this.inSlice(n, position)) {
      this.builder.apply(e);
      if (e.type === 'dimse') {
        this.details.push(e.message);
        this.counts.messages += 1;
      } else if (e.type === 'pdu') this.counts.pdus += 1;
      else this.counts.errors += 1;
    } else if (e.type === 'pdu' && STATE_PDUS.has(e.pdu.pduType)) {
      this.builder.apply(e);
      this.stateOnly.add(this.builder.result().pdus.at(-1)!);
    }
  }

  /** Errors that belong to no association (shown on the first page). */
  unattributed(e: DerivedEvent): void {
    if (e.type === 'decode.error' && e.association === null) this.builder.apply(e);
  }

  /** The page, with the file's own problems among its errors. */
  finish(scenarioRuns: ScenarioRunRecord[], page: SessionPageInfo, fileErrors: SummaryError[]): SessionPage {
    const summary = this.builder.result();
    if (this.stateOnly.size > 0) {
      const listed = summary.pdus.filter((p) => !this.stateOnly.has(p));
      summary.pdus.length = 0;
      summary.pdus.push(...listed);
    }
    summary.errors.push(...fileErrors);
    return new SessionPage({ ...summary, scenarioRuns, page }, this.details, this.bytes, this.connOf);
  }

  private inSlice(n: number, position: number): boolean {
    const s = this.spec;
    if (s === null) return true;
    return (n > s.first || position >= s.firstFrom) && (n < s.last || s.lastTo === null || position < s.lastTo);
  }
}

/** What building a page needs from the session's index (session-index.ts). */
export interface PagePlan {
  path: string;
  source: SummarySource;
  startTime: number | null;
  spec: PageSpec;
  info: SessionPageInfo;
  scenarioRuns: ScenarioRunRecord[];
  fileErrors: SummaryError[];
  /** Errors of no association, for the first page. */
  unattributed: DerivedEvent[];
}

/** Reads the file again for page `plan`, decoding only its connections, until its associations have ended. */
export async function buildPage(plan: PagePlan): Promise<SessionPage> {
  const source = await openWireSource(plan.path);
  const decoder = new SessionDecoder();
  const page = new PageBuilder(plan.source, plan.startTime, plan.spec);
  /** Connections of the page, until their association ended. */
  const mine = new Set<number>();
  let open = 0;
  let pastLast = false;
  const take = (derived: DerivedEvent[]): void => {
    for (const e of derived) {
      if (e.type === 'connection.open' || e.type === 'connection.refused') {
        const n = associationNumber(e.association);
        if (n > plan.spec.last) pastLast = true;
        else if (page.has(n)) {
          mine.add(e.conn);
          open += 1;
        }
      } else if (e.type === 'association.end' && page.has(associationNumber(e.association))) open -= 1;
      page.apply(e);
    }
  };
  reading: for await (const batch of source.batches()) {
    for (const event of batch) {
      if (event.kind === 'open' || event.kind === 'refused') take(decoder.push(event));
      else if (mine.has(event.conn)) {
        page.wire(event);
        take(decoder.push(event));
      } else if (event.kind === 'close') decoder.push(event); // another page's: only so that the decoder lets it go
      if (pastLast && open === 0) break reading;
    }
  }
  if (!(pastLast && open === 0)) take(decoder.finish());
  if (plan.info.index === 0) for (const e of plan.unattributed) page.unattributed(e);
  return page.finish(plan.scenarioRuns, plan.info, plan.fileErrors);
}
