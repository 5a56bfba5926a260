/**
 * Filters of the sequence diagram: by AE title (lifeline), by command family
 * (C-MOVE matches its -RQ and -RSP), by status category, by association. Pure:
 * the layout asks `applyFilter` which associations and messages to draw.
 *
 * - An association passes the AE filter when either end has that AE title,
 *   and the association filter when it is that association or one of its
 *   sub-associations (drawn under its C-MOVE).
 * - A message passes when its association passes and it matches the command
 *   and status filters.
 * - With a command or status filter, an association without a visible message
 *   is hidden, unless it is the one chosen in the association filter.
 * - PDUs (PDU level) follow their association.
 * - The view's scope: `since` (a "new session": only associations that
 *   started at or after that time; the recording keeps everything) and
 *   `only` (a run's own tab: its associations and their sub-associations).
 *   The filter bar's "clear" keeps the scope.
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../../model/summary-types.ts';
import { serviceOfField } from '../../dimse/command-fields.ts';

export const STATUS_CATEGORIES = ['success', 'pending', 'warning', 'failure', 'cancel'] as const;
export type StatusFilter = (typeof STATUS_CATEGORIES)[number];

/** The DIMSE command families offered even before they are seen. */
export const COMMAND_FAMILIES = [
  'C-ECHO', 'C-FIND', 'C-MOVE', 'C-GET', 'C-STORE', 'C-CANCEL',
  'N-EVENT-REPORT', 'N-GET', 'N-SET', 'N-ACTION', 'N-CREATE', 'N-DELETE',
] as const;

export interface DiagramFilter {
  /** AE title ('' = an end without AE title), null = any. */
  ae: string | null;
  /** Command family (`C-MOVE`), null = any. */
  command: string | null;
  status: StatusFilter | null;
  /** Association id, null = any. */
  association: string | null;
  /** Associations picked elsewhere (an AE map edge: all the associations between two AEs), with their sub-associations; null = any. */
  picked: ReadonlySet<string> | null;
  /** Only associations that started at or after this time (seconds, as in the summary); null = from the start. */
  since: number | null;
  /** Only these associations and their sub-associations; null = all. */
  only: ReadonlySet<string> | null;
}

export const NO_FILTER: Readonly<DiagramFilter> = Object.freeze({ ae: null, command: null, status: null, association: null, picked: null, since: null, only: null });

export function isFilterActive(f: DiagramFilter): boolean {
  return f.ae !== null || f.command !== null || f.status !== null || f.association !== null || f.picked !== null || f.since !== null || f.only !== null;
}

/** Is anything but the view's scope set (what the filter bar's "clear" removes)? */
export function isNarrowed(f: DiagramFilter): boolean {
  return f.ae !== null || f.command !== null || f.status !== null || f.association !== null || f.picked !== null;
}

/** The same filter, its scope kept and the rest cleared. */
export function clearedFilter(f: DiagramFilter): DiagramFilter {
  return f.since === null && f.only === null ? NO_FILTER : { ...NO_FILTER, since: f.since, only: f.only };
}

/** `C-MOVE-RQ` → `C-MOVE`; `N-EVENT-REPORT-RSP` → `N-EVENT-REPORT`. */
export function commandFamily(command: string): string {
  return command.replace(/-(RQ|RSP)$/, '');
}

export interface FilterResult {
  /** Associations to draw (a subset of the ones given). */
  associations: Set<string>;
  /** Per message index: drawn or not (only meaningful for drawn associations). */
  messages: boolean[];
}

/** Does the message pass the command and status filters (its association aside)? */
export function messageMatches(m: SummaryMessage, f: DiagramFilter): boolean {
  if (f.command !== null && serviceOfField(m.commandField) !== f.command) return false;
  if (f.status !== null && m.statusCategory !== f.status) return false;
  return true;
}

/**
 * What to draw of `associations` (the associations the diagram would draw
 * unfiltered) under filter `f`. `parents` maps a sub-association to the
 * association of its C-MOVE.
 */
export function applyFilter(
  summary: Summary,
  associations: SummaryAssociation[],
  parents: Map<string, { association: string }>,
  f: DiagramFilter,
): FilterResult {
  const chosen = chooseAssociations(associations, parents, f);
  const messages = summary.messages.map((m) => chosen.has(m.association) && messageMatches(m, f));
  if (f.command === null && f.status === null) return { associations: chosen, messages };
  const withMessages = new Set<string>();
  summary.messages.forEach((m, i) => {
    if (messages[i]) withMessages.add(m.association);
  });
  const kept = new Set([...chosen].filter((id) => withMessages.has(id) || id === f.association));
  return { associations: kept, messages };
}

/**
 * The associations that pass the AE, association and scope filters (before
 * the messages are looked at). `aes`: the AE titles of an association's two
 * lanes (lifelines.ts names ends the wire left unnamed); default: those the
 * A-ASSOCIATE-RQ carried.
 */
export function chooseAssociations(
  associations: SummaryAssociation[],
  parents: Map<string, { association: string }>,
  f: DiagramFilter,
  aes: (id: string) => [string, string] | undefined = () => undefined,
): Set<string> {
  const chosen = new Set<string>();
  for (const a of associations) {
    if (f.ae !== null) {
      // The titles the wire carried, or the lanes' (a refused connection named by its C-MOVE, a wrong called AE drawn to the AE that listens there).
      const lanes: string[] = aes(a.id) ?? [];
      if ((a.requestor.ae ?? '') !== f.ae && (a.acceptor.ae ?? '') !== f.ae && !lanes.includes(f.ae)) continue;
    }
    if (f.association !== null && !descendsFrom(a.id, f.association, parents)) continue;
    if (f.picked !== null && ![...f.picked].some((id) => descendsFrom(a.id, id, parents))) continue;
    if (f.since !== null && a.start < f.since) continue;
    if (f.only !== null && ![...f.only].some((id) => descendsFrom(a.id, id, parents))) continue;
    chosen.add(a.id);
  }
  return chosen;
}

/** Is `id` the association `ancestor` or nested (at any depth) under it? */
function descendsFrom(id: string, ancestor: string, parents: Map<string, { association: string }>): boolean {
  const seen = new Set<string>();
  let current: string | undefined = id;
  while (current !== undefined && !seen.has(current)) {
    if (current === ancestor) return true;
    seen.add(current);
    current = parents.get(current)?.association;
  }
  return false;
}

export interface FilterChoices {
  /** AE titles seen, sorted ('' for an end without one). */
  aes: string[];
  /** Command families: the standard ones, then any other seen. */
  commands: string[];
  /** Associations: id and a short title. */
  associations: { id: string; title: string }[];
}

/** The values the filter bar offers for a summary. */
export function filterChoices(summary: Summary): FilterChoices {
  const aes = new Set<string>();
  for (const a of summary.associations) {
    aes.add(a.requestor.ae ?? '');
    aes.add(a.acceptor.ae ?? '');
  }
  const commands: string[] = [...COMMAND_FAMILIES];
  const seen = new Set<string>(commands);
  const raw = new Set<number>();
  for (const m of summary.messages) {
    if (raw.has(m.commandField)) continue;
    raw.add(m.commandField);
    const family = serviceOfField(m.commandField);
    if (!seen.has(family)) {
      seen.add(family);
      commands.push(family);
    }
  }
  return {
    aes: [...aes].sort(),
    commands,
    associations: summary.associations.map((a) => ({ id: a.id, title: `${a.id} ${a.requestor.ae ?? '?'} → ${a.acceptor.ae ?? '?'}` })),
  };
}

/**
 * The associations inside the view's scope (`since`, `only`; their
 * sub-associations through the model's parent links), or null when the view
 * has no scope. The findings panel shows what concerns them.
 */
export function scopedAssociations(summary: Summary, f: DiagramFilter): Set<string> | null {
  if (f.since === null && f.only === null) return null;
  const parents = new Map<string, { association: string }>();
  for (const a of summary.associations) if (a.cause) parents.set(a.id, a.cause);
  return chooseAssociations(summary.associations, parents, { ...NO_FILTER, since: f.since, only: f.only });
}

/** The time of the last event of a summary (a "new session" starts after it). */
export function lastEventTime(summary: Summary): number {
  let t = 0;
  for (const a of summary.associations) t = Math.max(t, a.start, a.end ?? 0);
  const last = summary.messages[summary.messages.length - 1];
  return last ? Math.max(t, last.time) : t;
}

