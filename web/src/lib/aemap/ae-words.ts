/**
 * The AE map's texts, in people's words: edge labels (associations counted by
 * outcome, a rejection's reason as PS3.8 Table 9-21 names it, what a C-MOVE's
 * destination came to) and the lines of a node box. Pure; wrapping to a width
 * is the layout's business (ae-layout.ts).
 */
import type { AssociationOutcome, SummaryAssociation, SummaryMessage } from '../../../../shared/model/summary-types.ts';
import { REJECT_REASONS } from '../../../../shared/diagnosis/association-reject.ts';
import type { AeNode, AeRole, EdgeOutcome } from './ae-types.ts';
import { statusCodeOf, statusMeaningOf } from '../../../../shared/dimse/message-words.ts';

/** Worst first: what the label says first. */
const ORDER: readonly AssociationOutcome[] = ['refused', 'rejected', 'aborted', 'closed', 'open', 'released'];

/** "called AE title not recognised (1/1/7)": result/source/reason of the A-ASSOCIATE-RJ (PS3.8 §9.3.4). */
export function rejectText(reject: NonNullable<SummaryAssociation['reject']>): string {
  const short = REJECT_REASONS.get(`${reject.source}/${reject.reason}`)?.short ?? reject.text;
  return `${short} (${reject.result}/${reject.source}/${reject.reason})`;
}

/** How one association ended, without its count: "rejected: called AE title not recognised (1/1/7)". */
export function outcomeText(a: SummaryAssociation): string {
  switch (a.outcome) {
    case 'released':
      return 'released';
    case 'open':
      return 'open';
    case 'rejected':
      return a.reject ? `rejected: ${rejectText(a.reject)}` : 'rejected';
    case 'aborted':
      return a.abort ? `aborted by the ${a.abort.by} (${a.abort.text})` : 'aborted';
    case 'closed':
      return a.closeReason ? `closed without release: ${a.closeReason}` : 'closed without release';
    case 'refused':
      // PS3.8 §9.1.1: no A-ASSOCIATE-RQ was ever sent; a RST to the SYN means nothing listened there.
      return !a.closeReason || /^connection refused \(RST\)$/.test(a.closeReason) ? 'refused: nothing listening (TCP RST)' : `refused: ${a.closeReason}`;
  }
}

/** One line per distinct way the associations ended, worst first, with counts: "2 released". */
export function associationLines(members: readonly SummaryAssociation[]): string[] {
  const counts = new Map<string, { n: number; rank: number }>();
  for (const a of members) {
    const text = outcomeText(a);
    const entry = counts.get(text) ?? { n: 0, rank: ORDER.indexOf(a.outcome) };
    entry.n++;
    counts.set(text, entry);
  }
  return [...counts].sort((x, y) => x[1].rank - y[1].rank).map(([text, { n }]) => `${n} ${text}`);
}

/** A C-MOVE's final response in words: "0xA801 Refused: move destination unknown". */
function finalText(final: SummaryMessage | null): string {
  if (!final) return 'no final response yet';
  return [statusCodeOf(final), statusMeaningOf(final)].filter(Boolean).join(' ') || 'final response';
}

/**
 * A move-destination edge: which C-MOVE(s) named this destination and what
 * their sub-associations came to, or that nothing was ever opened (PS3.4
 * C.4.2.1.4: the SCP opens the sub-association to the Move Destination).
 */
export function moveLines(runs: readonly { rq: SummaryMessage; final: SummaryMessage | null }[], members: readonly SummaryAssociation[], outcome: EdgeOutcome): string[] {
  const which = runs.length === 1 ? `C-MOVE #${runs[0].rq.messageId ?? '?'}` : `${runs.length} C-MOVEs`;
  if (outcome === 'waiting') return [`${which} running`, 'no sub-association yet'];
  if (members.length === 0) {
    const finals = [...new Set(runs.map((r) => finalText(r.final)))];
    return [`never reached (${which})`, ...finals];
  }
  const counts = associationLines(members).map((line) => line.replace(/^(\d+) /, (_, n: string) => `${n} sub-association${n === '1' ? '' : 's'} `));
  return [`${which} → here`, ...counts];
}

const ROLE_TEXT: Record<AeRole, string> = {
  scu: 'SCU',
  scp: 'SCP',
  'move-scp': 'move SCP',
  'move-destination': 'move destination',
  'requested-destination': 'requested move destination',
};

/** "SCP · move SCP". */
export function roleText(n: AeNode): string {
  return n.roles.map((r) => ROLE_TEXT[r]).join(' · ');
}

/** The big line of a node box: its AE title, or its address when it has none. */
export function titleText(n: AeNode): string {
  if (n.ae !== null) return n.ae;
  return n.listening.length || n.refusedAt.length ? `${n.host}:${[...n.listening, ...n.refusedAt][0]}` : (n.host ?? '?');
}

/** Beside the title: where the title came from when the wire did not carry it. */
export function namingText(n: AeNode): string | null {
  switch (n.named) {
    case 'move':
      return '(from C-MOVE)';
    case 'sub':
      return '(from its sub-association)';
    case 'address':
      return '(by its address)';
    case 'none':
      return '(no AE title seen)';
    default:
      return null;
  }
}

/**
 * Where it listens ("127.0.0.1:4242"), where a connection to it was refused,
 * or its host when it only connected; one entry a line. A node without an AE
 * title already shows its (first) address as its title.
 */
export function addressLines(n: AeNode): string[] {
  if (n.host === null) return ['(only named in the C-MOVE-RQ)'];
  const parts = [...n.listening.map((p) => `${n.host}:${p}`), ...n.refusedAt.map((p) => `${n.host}:${p} (refused)`)];
  if (parts.length === 0) parts.push(n.host);
  return n.ae === null ? parts.slice(1) : parts;
}

/** The ephemeral ports it connected from, the first few: "from :45486 :45490 +3". */
export function ephemeralText(n: AeNode, shown = 3): string | null {
  if (n.ephemeral.length === 0) return null;
  const more = n.ephemeral.length - shown;
  return `from ${n.ephemeral.slice(0, shown).map((p) => `:${p}`).join(' ')}${more > 0 ? ` +${more}` : ''}`;
}

/** The node's data-endpoint: its first listening host:port, else its host ('' when unknown). */
export function endpointOf(n: AeNode): string {
  if (n.host === null) return '';
  const port = n.listening[0] ?? n.refusedAt[0];
  return port === undefined ? n.host : `${n.host}:${port}`;
}

/** The CSS colour of an outcome (web/src/app.css). */
export function outcomeColour(outcome: EdgeOutcome): string {
  switch (outcome) {
    case 'released':
      return 'var(--success)';
    case 'open':
    case 'waiting':
      return 'var(--muted)';
    case 'closed':
      return 'var(--warning)';
    case 'cancelled':
      return 'var(--cancel)';
    default:
      return 'var(--failure)';
  }
}
