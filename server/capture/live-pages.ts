/**
 * The pages of the live session (docs/live-api.md, "The live window"): as
 * the hub decodes, the session is cut into pages of bounded size, as an
 * opened recording is (session-index.ts), so that memory holds one or two
 * pages whatever the session's length (issue 14).
 *
 * A live page is a stretch of the recording: the derived events of the
 * records written in [start, end), in the order decoded. Its associations
 * are those that did something on it — opened, sent a PDU or a message, had
 * an error or ended — and an association may be on several pages (a long
 * one, or one open across the cut). What a page needs to be read back from
 * the recording is kept here, a few numbers a page: where to start reading
 * (`scanFrom`, the open of its oldest association) and what that
 * association's number is, so that association ids come out as the hub gave
 * them (recorded-page.ts).
 */
import type { LiveCounts } from '../../shared/events/live-messages.ts';
import { SESSION_PAGE_BUDGET } from '../../shared/events/live-api.ts';

/** Messages the live window holds at most, by default: two pages of 5,000 (tens of MB of model, full decode and JSON text). */
export const DEFAULT_LIVE_WINDOW = 10_000;

/** The most one live page holds for a window of `window` messages: half the window, with PDUs, associations and errors in the proportions of an opened session's pages. */
export function livePageBudget(window: number): LiveCounts {
  const scale = Math.max(2, Math.floor(window)) / 2 / SESSION_PAGE_BUDGET.messages;
  const at = (n: number) => Math.max(1, Math.round(n * scale));
  return { associations: at(SESSION_PAGE_BUDGET.associations), messages: at(SESSION_PAGE_BUDGET.messages), pdus: at(SESSION_PAGE_BUDGET.pdus), errors: at(SESSION_PAGE_BUDGET.errors) };
}

/** A closed page of the live session. */
export interface LivePage {
  index: number;
  /** Index in the whole live session of its first message, PDU and error. */
  first: { message: number; pdu: number; error: number };
  /** What it holds: associations that did something on it, messages, PDUs, errors. */
  counts: LiveCounts;
  /** Numbers of its first and last association (null: none did anything on it). */
  firstAssociation: number | null;
  lastAssociation: number | null;
  /** One of its associations opened on an earlier page or went on after it. */
  partial: boolean;
  /** Its records in the recording: those that start in [start, end). */
  start: number;
  end: number;
  /** Where reading it back starts: the open record of its oldest association (≤ start), and that association's number. */
  scanFrom: number;
  scanAssociation: number;
}

export const emptyCounts = (): LiveCounts => ({ associations: 0, messages: 0, pdus: 0, errors: 0 });

export const associationNumber = (id: string): number => Number(id.slice(1));

/** The page being filled: counted as its events come. */
export class OpenPage {
  readonly counts = emptyCounts();
  /** Associations that did something on it. */
  private readonly members = new Set<number>();
  private firstAssociation: number | null = null;
  private lastAssociation: number | null = null;
  private partial = false;
  private scanFrom: number;
  private scanAssociation = 0;

  constructor(
    readonly index: number,
    /** Offset of its first record. */
    readonly start: number,
    readonly first: { message: number; pdu: number; error: number },
  ) {
    this.scanFrom = start;
  }

  /** Association `n` (opened at record offset `openedAt`) did something on this page. */
  touch(n: number, openedAt: number | null): void {
    if (this.members.has(n)) return;
    this.members.add(n);
    this.counts.associations += 1;
    this.firstAssociation = this.firstAssociation === null ? n : Math.min(this.firstAssociation, n);
    this.lastAssociation = this.lastAssociation === null ? n : Math.max(this.lastAssociation, n);
    if (openedAt === null) return;
    if (openedAt < this.start) this.partial = true;
    if (openedAt < this.scanFrom || (openedAt === this.scanFrom && (this.scanAssociation === 0 || n < this.scanAssociation))) {
      this.scanFrom = openedAt;
      this.scanAssociation = n;
    }
  }

  /** Whether association `n` did something on this page. */
  has(n: number): boolean {
    return this.members.has(n);
  }

  full(budget: LiveCounts): boolean {
    const c = this.counts;
    return c.associations >= budget.associations || c.messages >= budget.messages || c.pdus >= budget.pdus || c.errors >= budget.errors;
  }

  /** The page, closed at record offset `end`; `goesOn`: one of its associations is still open. */
  close(end: number, goesOn: boolean): LivePage {
    // Reading starts at the oldest open on the page; with none (nothing opened on it), at the page itself, numbering from the first association seen.
    const scanAssociation = this.scanAssociation || (this.firstAssociation ?? 1);
    return {
      index: this.index,
      first: { ...this.first },
      counts: { ...this.counts },
      firstAssociation: this.firstAssociation,
      lastAssociation: this.lastAssociation,
      partial: this.partial || goesOn,
      start: this.start,
      end,
      scanFrom: this.scanFrom,
      scanAssociation,
    };
  }

  /** Its associations, for a check of those still open at its end. */
  associations(): IterableIterator<number> {
    return this.members.values();
  }
}
