/**
 * One lifeline per application entity (docs/architecture.md, "the view
 * follows the user"): a lane is an AE title on a host, not a socket. The
 * ephemeral ports an SCU connects from, and the several ports one AE title
 * listened on over a session (a teaching scenario's actors get new ports
 * every run), are folded into the lane; two hosts that share a title are two
 * lanes. Pure.
 *
 * An end without an AE title (a TCP connection refused before any
 * A-ASSOCIATE-RQ, PS3.8 §9.1.1) is named by what the capture knows: a refused
 * connection linked to a C-MOVE goes from the move SCP's lane to the lane of
 * the Move Destination the C-MOVE-RQ named (PS3.4 C.4.2.1.4); otherwise the
 * lane is named by its address.
 *
 * An association rejected because the called AE title was not recognised
 * (A-ASSOCIATE-RJ 1/1/7, PS3.8 Table 9-21) is drawn to the AE that does
 * listen at that address, when an accepted association shows it: the arrow
 * says "called AE 'PACS' not recognized" on the lane of TEACHPACS, which is
 * the misconfiguration to see (and no lane for a title nobody has).
 *
 * Lanes are ordered so arrows stay short: requestors (SCUs), then SCPs
 * (acceptors of top-level associations), then move destinations (acceptors of
 * sub-associations only), each group in order of first appearance.
 */
import type { SummaryAssociation, SummaryMessage } from '../../model/summary-types.ts';
import type { EndpointInfo } from '../../events/live-messages.ts';
import { associationAccepted } from '../../model/association-accepted.ts';

export interface Lifeline {
  key: string;
  /** AE title ('' when neither the wire nor the context names one). */
  ae: string;
  /** How the AE title is known: sent in an A-ASSOCIATE-RQ (or a known endpoint of this server), inferred from a C-MOVE, or not at all (the lane is its address). */
  named: 'wire' | 'move' | 'address';
  host: string;
  /** Ports it accepted associations on, in order of first use. */
  ports: number[];
  /** Connections it opened (their ephemeral source ports are not lanes). */
  connections: number;
  /** host:port it listens on (the latest), else its host: what the head shows under the title. */
  endpoint: string;
  /** 0 SCU, 1 SCP, 2 destination. */
  rank: number;
  /** Left-to-right position, 0-based. */
  order: number;
}

export interface LifelineAssignment {
  lifelines: Lifeline[];
  /** Association id → lifeline keys of its requestor and acceptor. */
  ends: Map<string, { requestor: string; acceptor: string }>;
}

/** The parent of a sub-association as the plan knows it (associations.ts). */
export type Parents = Map<string, { association: string; messageIndex: number | null }>;

export interface EndName {
  key: string;
  ae: string;
  named: Lifeline['named'];
  host: string;
}

/** What is known of one end of an association, for naming its lane. */
/** host:port → the AE titles that accepted associations there, with when. */
export type Listeners = Map<string, { ae: string; start: number }[]>;

export function listenersOf(associations: readonly SummaryAssociation[]): Listeners {
  const listeners: Listeners = new Map();
  for (const a of associations) {
    const ae = a.acceptor.ae?.trim();
    if (!ae || !associationAccepted(a)) continue;
    const key = `${a.acceptor.host}:${a.acceptor.port}`;
    const list = listeners.get(key);
    if (!list) listeners.set(key, [{ ae, start: a.start }]);
    else if (list[list.length - 1].ae !== ae) list.push({ ae, start: a.start });
  }
  return listeners;
}

/** The AE that listened at the association's acceptor address nearest in time (ports are reused across runs), if any. */
function listenerAt(a: SummaryAssociation, listeners: Listeners): string | null {
  const list = listeners.get(`${a.acceptor.host}:${a.acceptor.port}`);
  if (!list) return null;
  let best = list[0];
  for (const l of list) if (Math.abs(l.start - a.start) < Math.abs(best.start - a.start)) best = l;
  return best.ae;
}

export function endName(
  a: SummaryAssociation,
  side: 'requestor' | 'acceptor',
  parents: Parents,
  byId: ReadonlyMap<string, SummaryAssociation>,
  messages: readonly SummaryMessage[],
  endpoints: readonly EndpointInfo[],
  listeners: Listeners = new Map(),
): EndName {
  const end = a[side];
  if (side === 'acceptor' && a.reject?.source === 1 && a.reject.reason === 7) {
    const listener = listenerAt(a, listeners);
    if (listener) return { key: `${listener}@${end.host}`, ae: listener, named: 'wire', host: end.host };
  }
  const wire = end.ae?.trim() || (side === 'acceptor' ? endpoints.find((e) => e.host === end.host && e.port === end.port)?.ae : undefined);
  if (wire) return { key: `${wire}@${end.host}`, ae: wire, named: 'wire', host: end.host };
  const parent = parents.get(a.id);
  if (parent) {
    // The acceptor is the Move Destination the C-MOVE-RQ named. The requestor is the move SCP, the acceptor of the
    // C-MOVE's association: its host too, since a connect that failed has no local address.
    const scp = byId.get(parent.association)?.acceptor;
    const inferred = side === 'acceptor' ? (parent.messageIndex !== null ? messages[parent.messageIndex]?.moveDestination?.trim() : null) : scp?.ae?.trim();
    const host = side === 'requestor' && scp ? scp.host : end.host;
    if (inferred) return { key: `${inferred}@${host}`, ae: inferred, named: 'move', host };
  }
  const address = side === 'acceptor' ? `${end.host}:${end.port}` : end.host;
  return { key: `@${address}`, ae: '', named: 'address', host: end.host };
}

interface Building extends Lifeline {
  scp: boolean;
  destination: boolean;
  scu: boolean;
  first: number;
}

export function assignLifelines(
  associations: SummaryAssociation[],
  parents: Parents,
  endpoints: EndpointInfo[] = [],
  messages: readonly SummaryMessage[] = [],
): LifelineAssignment {
  const byId = new Map(associations.map((a) => [a.id, a]));
  const listeners = listenersOf(associations);
  const lanes = new Map<string, Building>();
  const ends: LifelineAssignment['ends'] = new Map();
  const lane = (name: EndName, first: number): Building => {
    let line = lanes.get(name.key);
    if (!line) {
      line = { key: name.key, ae: name.ae, named: name.named, host: name.host, ports: [], connections: 0, endpoint: name.host, rank: 0, order: 0, scp: false, destination: false, scu: false, first };
      lanes.set(name.key, line);
    } else if (name.named === 'wire' && line.named !== 'wire') line.named = 'wire';
    return line;
  };
  associations.forEach((a, i) => {
    const requestor = lane(endName(a, 'requestor', parents, byId, messages, endpoints, listeners), i * 2);
    const acceptor = lane(endName(a, 'acceptor', parents, byId, messages, endpoints, listeners), i * 2 + 1);
    requestor.scu = true;
    requestor.connections += 1;
    if (parents.has(a.id)) acceptor.destination = true;
    else acceptor.scp = true;
    // Nothing listened where a connection was refused: that port is not the lane's.
    if (a.outcome !== 'refused' && !acceptor.ports.includes(a.acceptor.port)) acceptor.ports.push(a.acceptor.port);
    ends.set(a.id, { requestor: requestor.key, acceptor: acceptor.key });
  });
  const lines = [...lanes.values()];
  for (const l of lines) {
    l.rank = l.scp ? 1 : l.scu ? 0 : 2;
    l.endpoint = l.ports.length ? `${l.host}:${l.ports[l.ports.length - 1]}` : l.named === 'address' ? l.key.slice(1) : l.host;
  }
  lines.sort((x, y) => x.rank - y.rank || x.first - y.first);
  return {
    lifelines: lines.map((l, order) => ({ key: l.key, ae: l.ae, named: l.named, host: l.host, ports: l.ports, connections: l.connections, endpoint: l.endpoint, rank: l.rank, order })),
    ends,
  };
}
