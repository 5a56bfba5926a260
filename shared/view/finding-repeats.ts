/**
 * The same finding, made again and again, listed once: a lecturer who runs
 * the rejected-association scenario three times, or a modality that retries
 * a misconfigured association every minute, has one problem and one change
 * to make, not a list of copies that pushes the other findings out of view.
 *
 * Two findings repeat each other when they say the same thing: same rule,
 * same title once the association ids of their own evidence and the port
 * numbers of host:port are left out ("Association a4 rejected by "PACS" at
 * 127.0.0.1:46631": a teaching scenario's PACS, or a restarted test SCP,
 * listens on a new port each run; another host stays another finding). Their texts and fixes may still differ
 * in particulars, so a list shows the newest occurrence's words (`latest`). The group keeps
 * the first one's time and carries every occurrence's evidence, so the
 * diagram marks them all.
 */
import type { Evidence, Finding } from '../diagnosis/types.ts';

export interface RepeatedFinding {
  /** The first occurrence, with the evidence of every occurrence. */
  finding: Finding;
  /** How many times it was made. */
  count: number;
  /** Every occurrence, in the order given. */
  occurrences: Finding[];
  /** The newest occurrence (the largest time). */
  latest: Finding;
}

function keyOf(f: Finding): string {
  let key = `${f.rule}\u0000${f.title}`;
  // Longest first: "a12" is not left as "#2" by "a1".
  for (const id of [...f.evidence.associations].sort((a, b) => b.length - a.length)) key = key.split(id).join('#');
  // host:port, an IPv4 address or a name; an IPv6 host is written [addr]:port.
  return key.replace(/((?:\d{1,3}\.){3}\d{1,3}|\]|[A-Za-z][\w.-]*):\d{1,5}\b/g, '$1:*');
}

/** Groups repeated findings; groups are in the order of their first occurrence. */
export function groupRepeats(findings: readonly Finding[]): RepeatedFinding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = keyOf(f);
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()].map((occurrences) => {
    const [first] = occurrences;
    const latest = occurrences.reduce((a, b) => (b.time >= a.time ? b : a));
    const finding = occurrences.length === 1 ? first : { ...first, evidence: mergeEvidence(occurrences.map((f) => f.evidence)) };
    return { finding, count: occurrences.length, occurrences, latest };
  });
}

function mergeEvidence(all: readonly Evidence[]): Evidence {
  const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
  const pdus = all.flatMap((e) => e.pdus ?? []);
  return {
    associations: unique(all.flatMap((e) => e.associations)),
    messages: unique(all.flatMap((e) => e.messages)),
    ...(pdus.length > 0 ? { pdus: unique(pdus) } : {}),
  };
}
