/**
 * The index of an opened session (docs/live-api.md, "Sessions in pages"):
 * one pass over the file through the one decoder that counts, per
 * association, its PDUs, messages and errors, and cuts the session into
 * pages of whole associations in the order they opened, none holding more
 * than SESSION_PAGE_BUDGET. An association bigger than a page is cut into
 * slices of its own (its items in decoding order), one page each.
 *
 * Nothing of the model is kept: the counts of the associations not yet on
 * a page (those opened since the oldest one still open), the pages found, the
 * first few file problems. When the whole session fits in one page, that
 * page is built during the same pass (most files: a single read).
 */
import type { DerivedEvent } from '../../shared/events/derived-event.ts';
import { SESSION_PAGE_BUDGET, type SessionPageInfo } from '../../shared/events/live-api.ts';
import { scenarioRunsOf, type ScenarioRunRecord } from '../../shared/events/scenario-runs.ts';
import type { SummaryError } from '../../shared/model/summary-types.ts';
import type { SummarySource } from '../../shared/model/summary-builder.ts';
import { SessionDecoder } from '../../shared/model/session-decoder.ts';
import { openWireSource, type WireSourceFormat } from '../sources/open-source.ts';
import { associationNumber, PageBuilder, type PageCounts, type PagePlan, type PageSpec, type SessionPage } from './session-page.ts';

/** File problems and errors of no association kept for display; the rest are counted. */
const KEEP_PROBLEMS = 100;

export type PageBudget = Readonly<PageCounts>;

export interface SessionIndex {
  path: string;
  format: WireSourceFormat;
  source: SummarySource;
  /** Time of the first derived event (what every page counts its times from), null for an empty session. */
  startTime: number | null;
  pages: (PageSpec & PageCounts)[];
  totals: PageCounts;
  scenarioRuns: ScenarioRunRecord[];
  /** The first KEEP_PROBLEMS file problems as summary errors ("file: …"), and a line for the rest. */
  fileErrors: SummaryError[];
  unattributed: DerivedEvent[];
  /** Page 0, when the whole session fits in it (built during the pass). */
  onlyPage: SessionPage | null;
}

/** One slice of an association: its items [from, to), with what they hold. */
interface Slice extends PageCounts {
  from: number;
  to: number | null;
}

/** An association not yet on a page. */
interface Pending {
  items: number;
  ended: boolean;
  /** Slices closed so far (an association bigger than a page), and the one being counted. */
  slices: Slice[];
  current: Slice;
}

const emptyCounts = (): PageCounts => ({ associations: 0, messages: 0, pdus: 0, errors: 0 });
const newSlice = (from: number): Slice => ({ from, to: null, ...emptyCounts(), associations: 1 });

/** Cuts associations, in order, into pages. */
class Paginator {
  readonly pages: (PageSpec & PageCounts)[] = [];
  private page: (PageSpec & PageCounts) | null = null;

  constructor(private readonly budget: PageBudget) {}

  /** Association `n`'s slices, in order (the first may share a page with the associations before it). */
  add(n: number, slices: Slice[]): void {
    slices.forEach((slice, i) => {
      const b = this.budget;
      const p = this.page;
      const fits = p !== null && i === 0 && p.associations + 1 <= b.associations && p.messages + slice.messages <= b.messages && p.pdus + slice.pdus <= b.pdus && p.errors + slice.errors <= b.errors;
      if (fits) {
        p.last = n;
        p.lastTo = slice.to;
        p.associations += 1;
        p.messages += slice.messages;
        p.pdus += slice.pdus;
        p.errors += slice.errors;
        return;
      }
      this.close();
      this.page = { first: n, firstFrom: slice.from, last: n, lastTo: slice.to, associations: 1, messages: slice.messages, pdus: slice.pdus, errors: slice.errors };
    });
  }

  close(): void {
    if (this.page !== null) this.pages.push(this.page);
    this.page = null;
  }
}

/** The index pass over `path`. Throws (as openWireSource) for a file of no known format. */
export async function indexSession(path: string, budget: PageBudget = SESSION_PAGE_BUDGET): Promise<SessionIndex> {
  const source = await openWireSource(path);
  const summarySource: SummarySource = { path, format: source.format };
  const decoder = new SessionDecoder();
  const pending = new Map<number, Pending>();
  const paginator = new Paginator(budget);
  const totals = emptyCounts();
  let nextOnPage = 1;
  let startTime: number | null = null;
  const unattributed: DerivedEvent[] = [];
  let unattributedCount = 0;
  const fileErrors: SummaryError[] = [];
  let fileErrorCount = 0;
  // The whole session as one page, for as long as it fits in one.
  let whole: PageBuilder | null = new PageBuilder(summarySource, null, null);

  /** Associations that ended, in order from the oldest not on a page yet, go onto pages. */
  const paginate = (all: boolean): void => {
    for (let p = pending.get(nextOnPage); p !== undefined && (p.ended || all); p = pending.get(nextOnPage)) {
      const slices = [...p.slices];
      if (p.current.messages + p.current.pdus + p.current.errors > 0 || slices.length === 0) slices.push(p.current);
      else slices[slices.length - 1].to = null; // the last full slice ran to the end
      paginator.add(nextOnPage, slices);
      pending.delete(nextOnPage);
      nextOnPage += 1;
    }
  };

  const item = (p: Pending, kind: 'messages' | 'pdus' | 'errors'): void => {
    p.items += 1;
    p.current[kind] += 1;
    totals[kind] += 1;
    const c = p.current;
    if (c.messages >= budget.messages || c.pdus >= budget.pdus || c.errors >= budget.errors) {
      c.to = p.items;
      p.slices.push(c);
      p.current = newSlice(p.items);
    }
  };

  const take = (derived: DerivedEvent[]): void => {
    for (const e of derived) {
      startTime ??= e.time;
      if (whole !== null) {
        whole.apply(e);
        if (e.type === 'decode.error' && e.association === null) whole.unattributed(e);
        const c = whole.counts;
        if (c.associations > budget.associations || c.messages > budget.messages || c.pdus > budget.pdus || c.errors > budget.errors) whole = null;
      }
      if (e.association === null) {
        if (unattributedCount++ < KEEP_PROBLEMS) unattributed.push(e);
        continue;
      }
      const n = associationNumber(e.association);
      if (e.type === 'connection.open' || e.type === 'connection.refused') {
        pending.set(n, { items: 0, ended: false, slices: [], current: newSlice(0) });
        totals.associations += 1;
        continue;
      }
      const p = pending.get(n);
      if (p === undefined) continue;
      if (e.type === 'association.end') {
        p.ended = true;
        if (n === nextOnPage) paginate(false);
      } else if (e.type !== 'tls') item(p, e.type === 'dimse' ? 'messages' : e.type === 'pdu' ? 'pdus' : 'errors');
    }
  };

  for await (const batch of source.batches()) {
    for (const event of batch) {
      whole?.wire(event);
      take(decoder.push(event));
    }
    // The file's own problems (damage, torn tail): the first few kept, the others counted, none piling up.
    for (const e of source.errors.splice(0)) {
      if (fileErrorCount++ < KEEP_PROBLEMS) fileErrors.push({ association: null, side: null, offset: e.offset, time: 0, reason: `file: ${e.reason}` });
    }
  }
  take(decoder.finish());
  for (const e of source.errors.splice(0)) {
    if (fileErrorCount++ < KEEP_PROBLEMS) fileErrors.push({ association: null, side: null, offset: e.offset, time: 0, reason: `file: ${e.reason}` });
  }
  if (fileErrorCount > KEEP_PROBLEMS) fileErrors.push({ association: null, side: null, offset: null, time: 0, reason: `file: ${fileErrorCount - KEEP_PROBLEMS} more problems not listed` });
  paginate(true);
  paginator.close();
  const pages = paginator.pages;
  totals.errors += unattributedCount + fileErrorCount;
  const scenarioRuns = scenarioRunsOf(source.meta?.metadata);
  const index: SessionIndex = { path, format: source.format, source: summarySource, startTime, pages, totals, scenarioRuns, fileErrors, unattributed, onlyPage: null };
  if (whole !== null && pages.length <= 1) index.onlyPage = whole.finish(scenarioRuns, pageInfo(index, 0), fileErrors);
  return index;
}

/** What the page says about itself. */
export function pageInfo(index: SessionIndex, k: number): SessionPageInfo {
  const spec = index.pages[k];
  return {
    index: k,
    count: Math.max(1, index.pages.length),
    firstAssociation: spec ? `a${spec.first}` : null,
    lastAssociation: spec ? `a${spec.last}` : null,
    partial: spec ? spec.firstFrom > 0 || spec.lastTo !== null : false,
    totals: { ...index.totals },
  };
}

/** How to build page `k` of the session (0 ≤ k < pages). */
export function pagePlan(index: SessionIndex, k: number): PagePlan {
  return {
    path: index.path,
    source: index.source,
    startTime: index.startTime,
    // A session without any association has no page spec: an empty range.
    spec: index.pages[k] ?? { first: 1, firstFrom: 0, last: 0, lastTo: null },
    info: pageInfo(index, k),
    scenarioRuns: index.scenarioRuns,
    fileErrors: index.fileErrors,
    unattributed: index.unattributed,
  };
}
