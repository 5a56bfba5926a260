/**
 * The AE map's model (issue 13 §8, "misconfigured AE titles and routes"):
 * Summary → the application entities seen and who talked to whom. Pure.
 *
 * - A node is an AE title on a host (PS3.8 §7.1.1.6: the AE title names an
 *   application entity, the address where it listens is configuration); two
 *   hosts sharing a title are two nodes. The ephemeral ports a requestor
 *   connects from are folded into its node and listed; the ports it accepted
 *   associations on are its listening addresses.
 * - An end without an AE title (a TCP connection refused before any
 *   A-ASSOCIATE-RQ, PS3.8 §9.1.1, or a capture that started mid-association)
 *   is named by what the capture knows: a connection linked to a C-MOVE
 *   (PS3.4 C.4.2) goes from the move SCP, the acceptor of the C-MOVE's
 *   association, to the Move Destination (0000,0600) of the C-MOVE-RQ
 *   ("from C-MOVE"); the unnamed acceptor of a C-MOVE whose sub-associations
 *   came from the same host takes the calling AE title they carried ("from
 *   its sub-association"); an unnamed acceptor at an address where exactly
 *   one AE title was called gets that title ("by its address"); otherwise
 *   the node is its address.
 * - Association edges: one per (requestor node, acceptor node), counting its
 *   associations by outcome, the worst outcome giving its colour.
 * - Move-destination edges (dashed), one per C-MOVE-RQ target: from the AE
 *   the C-MOVE-RQ asked for to where its sub-associations really went. The
 *   requested AE is a node of the capture with that title acting as SCU or
 *   SCP (the SCU asking for a move to itself, or a known store SCP) other
 *   than the target, else a node of its own, "requested" (no address is
 *   known). A misrouted destination (the PACS's table sends STORESCP to
 *   another host:port) shows as two nodes and the dashed edge between them.
 *   A C-MOVE that opened nothing (0xA801, or an asynchronous success with
 *   nothing arriving) gets a dashed edge from the move SCP to the requested
 *   AE, "never reached".
 *
 * A connection tapped twice (associations.ts) counts once. Links to a C-MOVE
 * come from DiagnosisContext: the model's `parent` (the correlator), Move
 * Originator for older summaries, and the refused connections placed among
 * the C-MOVEs running when they were tried.
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../../../../shared/model/summary-types.ts';
import type { EndpointInfo } from '../../../../shared/events/live-messages.ts';
import { DiagnosisContext, type RetrieveRun } from '../../../../shared/diagnosis/context.ts';
import { findDuplicates } from '../../../../shared/view/diagram/associations.ts';
import { associationLines, moveLines } from './ae-words.ts';
import type { AeEdge, AeGraph, AeNaming, AeNode, AeRole, EdgeOutcome } from './ae-types.ts';

export type { AeEdge, AeGraph, AeNaming, AeNode, AeRole, EdgeOutcome } from './ae-types.ts';

/** Worst last (PS3.8 §9.1: refused and rejected never carried a message; aborted lost what was in flight). */
const SEVERITY: readonly EdgeOutcome[] = ['released', 'open', 'waiting', 'cancelled', 'closed', 'aborted', 'never-reached', 'rejected', 'refused'];

export function worse(a: EdgeOutcome, b: EdgeOutcome): EdgeOutcome {
  return SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a;
}

interface EndName {
  key: string;
  ae: string | null;
  named: AeNaming;
}

export interface AeGraphOptions {
  /** This server's own endpoints: they name an acceptor the wire left unnamed. */
  endpoints?: readonly EndpointInfo[];
}

export function buildAeGraph(summary: Summary, options: AeGraphOptions = {}): AeGraph {
  const duplicateOf = findDuplicates(summary);
  const kept = summary.associations.filter((a) => !duplicateOf.has(a.id));
  const ctx = new DiagnosisContext(summary);
  const byId = new Map(kept.map((a) => [a.id, a]));
  const moveOf = linkedMoves(kept, ctx);
  const naming = new Naming(kept, moveOf, ctx, options.endpoints ?? []);

  const nodes = new Map<string, AeNode>();
  const node = (name: EndName, host: string | null): AeNode => {
    let n = nodes.get(name.key);
    if (!n) nodes.set(name.key, (n = { id: name.key, ae: name.ae, named: name.named, host, listening: [], refusedAt: [], ephemeral: [], roles: [], column: 0, associations: [], first: nodes.size }));
    else if (rankOfNaming(name.named) < rankOfNaming(n.named)) n.named = name.named;
    return n;
  };
  const edges = new Map<string, AeEdge & { members: SummaryAssociation[] }>();
  const ends = new Map<string, { from: AeNode; to: AeNode }>();

  for (const a of kept) {
    const from = node(naming.end(a, 'requestor'), a.requestor.host);
    const to = node(naming.end(a, 'acceptor'), a.acceptor.host);
    ends.set(a.id, { from, to });
    const sub = moveOf.has(a.id);
    addRole(from, sub ? 'move-scp' : 'scu');
    addRole(to, sub ? 'move-destination' : 'scp');
    addPort(from.ephemeral, a.requestor.port);
    addPort(a.outcome === 'refused' ? to.refusedAt : to.listening, a.acceptor.port);
    from.associations.push(a.id);
    if (to !== from) to.associations.push(a.id);
    const id = `association:${from.id}>${to.id}`;
    let edge = edges.get(id);
    if (!edge) edges.set(id, (edge = { id, kind: 'association', from: from.id, to: to.id, associations: [], counts: {}, outcome: 'released', moves: [], lines: [], members: [] }));
    edge.associations.push(a.id);
    edge.members.push(a);
    edge.counts[a.outcome] = (edge.counts[a.outcome] ?? 0) + 1;
    edge.outcome = worse(edge.outcome, a.outcome);
  }
  for (const edge of edges.values()) edge.lines = associationLines(edge.members);

  // The move-destination edges, C-MOVE by C-MOVE.
  const moveEdges = new Map<string, AeEdge & { runs: RetrieveRun[]; members: SummaryAssociation[] }>();
  for (const run of ctx.retrieves) {
    if (run.service !== 'C-MOVE' || duplicateOf.has(run.association.id)) continue;
    const rq = summary.messages[run.rq];
    const destination = rq.moveDestination?.trim();
    if (!destination) continue;
    const scp = ends.get(run.association.id)?.to;
    if (!scp) continue;
    const targets = new Map<AeNode, SummaryAssociation[]>();
    for (const a of [...run.subs, ...run.refused]) {
      const to = byId.has(a.id) && moveOf.get(a.id) === run ? ends.get(a.id)?.to : undefined;
      if (to) targets.set(to, [...(targets.get(to) ?? []), a]);
    }
    const home = requestedNode(destination, run, [...nodes.values()], targets, ends);
    const requested = home ?? node({ key: `requested:${destination}`, ae: destination, named: 'requested' }, null);
    if (!home) addRole(requested, 'requested-destination');
    const pairs: [AeNode, AeNode, SummaryAssociation[]][] = targets.size ? [...targets].map(([to, list]) => [requested, to, list]) : [[scp, requested, []]];
    for (const [from, to, list] of pairs) {
      const id = `move-destination:${from.id}>${to.id}`;
      let edge = moveEdges.get(id);
      if (!edge) moveEdges.set(id, (edge = { id, kind: 'move-destination', from: from.id, to: to.id, associations: [], counts: {}, outcome: 'released', moves: [], lines: [], runs: [], members: [] }));
      edge.runs.push(run);
      edge.moves.push(run.rq);
      for (const id of [run.association.id, ...list.map((a) => a.id)]) if (!edge.associations.includes(id)) edge.associations.push(id);
      for (const a of list) {
        edge.members.push(a);
        edge.counts[a.outcome] = (edge.counts[a.outcome] ?? 0) + 1;
      }
      const outcome = list.length ? list.map((a) => a.outcome as EdgeOutcome).reduce(worse) : unreached(run, summary.messages);
      edge.outcome = worse(edge.outcome, outcome);
    }
  }
  for (const edge of moveEdges.values()) edge.lines = moveLines(edge.runs.map((r) => ({ rq: summary.messages[r.rq], final: r.final === null ? null : summary.messages[r.final] })), edge.members, edge.outcome);

  const order = new Map(kept.map((a, i) => [a.id, i]));
  const byFirst = (x: AeEdge, y: AeEdge) => (order.get(x.associations[0]) ?? 0) - (order.get(y.associations[0]) ?? 0) || (x.moves[0] ?? 0) - (y.moves[0] ?? 0);
  const list = [...nodes.values()];
  for (const n of list) n.column = columnOf(n, nodes, [...moveEdges.values()]);
  list.sort((x, y) => x.column - y.column || x.first - y.first);
  return {
    nodes: list,
    edges: [
      ...[...edges.values()].map(strip).sort(byFirst),
      ...[...moveEdges.values()].map(strip).sort(byFirst),
    ],
  };
}

function strip(e: AeEdge & { members?: unknown; runs?: unknown }): AeEdge {
  const { id, kind, from, to, associations, counts, outcome, moves, lines } = e;
  return { id, kind, from, to, associations, counts, outcome, moves, lines };
}

const NAMING_RANK: readonly AeNaming[] = ['wire', 'address', 'sub', 'move', 'requested', 'none'];
const rankOfNaming = (n: AeNaming) => NAMING_RANK.indexOf(n);

function addRole(n: AeNode, role: AeRole): void {
  if (!n.roles.includes(role)) n.roles.push(role);
}

function addPort(list: number[], port: number): void {
  if (!list.includes(port)) list.push(port);
}

/**
 * SCPs and move SCPs in the middle; requestors left; destinations right. A
 * requested destination stands in the column of the node its C-MOVE reached
 * (drawn just above it), or with the destinations when it was never reached.
 */
function columnOf(n: AeNode, nodes: Map<string, AeNode>, moveEdges: AeEdge[]): 0 | 1 | 2 {
  if (n.roles.includes('scp') || n.roles.includes('move-scp')) return 1;
  if (n.roles.includes('scu')) return 0;
  if (n.named === 'requested') {
    const target = moveEdges.find((e) => e.from === n.id);
    const to = target ? nodes.get(target.to) : undefined;
    if (to && to !== n) return columnOf(to, nodes, moveEdges);
  }
  return 2;
}

/**
 * Sub-associations and refused connections linked to a C-MOVE. A refused
 * connection counts only when it came from the move SCP's host: the
 * diagnosis also places one from elsewhere, but naming its ends after the
 * C-MOVE would then be a guess.
 */
function linkedMoves(kept: SummaryAssociation[], ctx: DiagnosisContext): Map<string, RetrieveRun> {
  const out = new Map<string, RetrieveRun>();
  for (const a of kept) {
    const run = ctx.moveOf.get(a.id);
    if (!run || run.association.id === a.id) continue;
    if (a.outcome === 'refused' && !a.cause && run.association.acceptor.host !== a.requestor.host) continue;
    out.set(a.id, run);
  }
  return out;
}

/** A C-MOVE that opened nothing: still running (no final response, its association open), cancelled, or never reached. */
function unreached(run: RetrieveRun, messages: SummaryMessage[]): EdgeOutcome {
  if (run.final === null) return run.association.end === null ? 'waiting' : 'never-reached';
  return messages[run.final].statusCategory === 'cancel' ? 'cancelled' : 'never-reached';
}

/**
 * Where the requested Move Destination is "at home" in this capture: a node
 * with that AE title acting as SCU or SCP that is not one of the targets —
 * the C-MOVE's own requestor first (a move to oneself), then the first seen.
 */
function requestedNode(ae: string, run: RetrieveRun, nodes: AeNode[], targets: Map<AeNode, SummaryAssociation[]>, ends: Map<string, { from: AeNode; to: AeNode }>): AeNode | null {
  const candidates = nodes.filter((n) => n.ae === ae && n.named !== 'requested' && !targets.has(n) && (n.roles.includes('scu') || n.roles.includes('scp')));
  const own = ends.get(run.association.id)?.from;
  return candidates.find((n) => n === own) ?? candidates[0] ?? null;
}

/** Names the two ends of every association (see the file comment). */
class Naming {
  /** Unnamed acceptor "host:port" → the one AE title called there (if only one). */
  private readonly calledAt = new Map<string, Set<string>>();
  /** Association that carried C-MOVEs → the calling AE titles of their sub-associations from the same host. */
  private readonly subCallers = new Map<string, Set<string>>();

  constructor(
    kept: SummaryAssociation[],
    private readonly moveOf: Map<string, RetrieveRun>,
    private readonly ctx: DiagnosisContext,
    private readonly endpoints: readonly EndpointInfo[],
  ) {
    for (const a of kept) {
      const called = a.acceptor.ae?.trim();
      if (called) add(this.calledAt, `${a.acceptor.host}:${a.acceptor.port}`, called);
      const run = moveOf.get(a.id);
      const calling = a.requestor.ae?.trim();
      if (run && calling && run.association.acceptor.host === a.requestor.host) add(this.subCallers, run.association.id, calling);
    }
  }

  end(a: SummaryAssociation, side: 'requestor' | 'acceptor'): EndName {
    const end = a[side];
    const at = (ae: string, named: AeNaming): EndName => ({ key: `${ae}@${end.host}`, ae, named });
    const wire = end.ae?.trim() || (side === 'acceptor' ? this.endpoints.find((e) => e.host === end.host && e.port === end.port)?.ae.trim() : undefined);
    if (wire) return at(wire, 'wire');
    const run = this.moveOf.get(a.id);
    if (run) {
      // PS3.4 C.4.2.1.4: the move SCP opens the sub-association to the AE named by Move Destination.
      const inferred = side === 'acceptor' ? this.ctx.message(run.rq).moveDestination?.trim() : run.association.acceptor.ae?.trim();
      if (inferred) return at(inferred, 'move');
    }
    if (side === 'acceptor') {
      const subs = this.subCallers.get(a.id);
      if (subs?.size === 1) return at([...subs][0], 'sub');
      const called = this.calledAt.get(`${end.host}:${end.port}`);
      if (called?.size === 1) return at([...called][0], 'address');
      return { key: `@${end.host}:${end.port}`, ae: null, named: 'none' };
    }
    return { key: `@${end.host}`, ae: null, named: 'none' };
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
