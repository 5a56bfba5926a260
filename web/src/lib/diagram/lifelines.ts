/**
 * One lifeline per application entity (AE title + host:port), ordered so the
 * flow reads left to right: SCUs (only ever requestors), then SCPs (acceptors
 * of top-level associations), then destinations (acceptors of
 * sub-associations only). Pure.
 *
 * A requestor connects from an ephemeral port, so it is named by AE title and
 * host; when it is also a listening SCP (the move SCP opening a
 * sub-association) it is drawn on that SCP's lifeline.
 */
import type { SummaryAssociation, SummaryEndpoint } from '../../../../shared/model/summary-types.ts';
import type { EndpointInfo } from '../../../../shared/events/live-messages.ts';

export interface Lifeline {
  key: string;
  /** AE title, '' when unknown. */
  ae: string;
  /** host:port (for a requestor: of its first connection). */
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

function aeOf(end: SummaryEndpoint, endpoints: EndpointInfo[]): string {
  if (end.ae) return end.ae;
  const known = endpoints.find((e) => e.host === end.host && e.port === end.port);
  return known ? known.ae : '';
}

export function assignLifelines(
  associations: SummaryAssociation[],
  parents: Map<string, { association: string }>,
  endpoints: EndpointInfo[] = [],
): LifelineAssignment {
  const byKey = new Map<string, Lifeline & { first: number; scp: boolean; destination: boolean; scu: boolean }>();
  const ends: LifelineAssignment['ends'] = new Map();
  let appearance = 0;
  const touch = (key: string, ae: string, endpoint: string) => {
    let line = byKey.get(key);
    if (!line) {
      line = { key, ae, endpoint, rank: 0, order: 0, first: appearance++, scp: false, destination: false, scu: false };
      byKey.set(key, line);
    }
    return line;
  };
  // Acceptors first, so a requestor that also listens finds its SCP lifeline.
  const acceptorKey = (a: SummaryAssociation) => {
    const ae = aeOf(a.acceptor, endpoints);
    return { key: `${ae}@${a.acceptor.host}:${a.acceptor.port}`, ae, endpoint: `${a.acceptor.host}:${a.acceptor.port}` };
  };
  for (const a of associations) {
    const { key, ae, endpoint } = acceptorKey(a);
    const line = touch(key, ae, endpoint);
    if (parents.has(a.id)) line.destination = true;
    else line.scp = true;
  }
  for (const a of associations) {
    const ae = aeOf(a.requestor, endpoints);
    const own = acceptorKey(a).key;
    const parent = parents.get(a.id);
    let key: string | null = null;
    if (parent) {
      const parentAssociation = associations.find((p) => p.id === parent.association);
      if (parentAssociation) {
        const candidate = acceptorKey(parentAssociation);
        if (candidate.ae === ae && candidate.key !== own) key = candidate.key;
      }
    }
    const requestorKey = `${ae}@${a.requestor.host}`;
    if (!key && byKey.has(requestorKey)) key = requestorKey;
    if (!key) {
      const listening = [...byKey.values()].find(
        (l) => l.key !== own && l.key !== requestorKey && l.ae === ae && ae !== '' && l.endpoint.startsWith(`${a.requestor.host}:`) && (l.scp || l.destination),
      );
      if (listening) key = listening.key;
    }
    if (!key) key = requestorKey;
    const line = touch(key, ae, `${a.requestor.host}:${a.requestor.port}`);
    if (key === requestorKey) line.scu = true;
    ends.set(a.id, { requestor: key, acceptor: own });
  }
  // A lifeline's first appearance is when its first association started.
  const firstSeen = new Map<string, number>();
  associations.forEach((a, i) => {
    const e = ends.get(a.id)!;
    for (const key of [e.requestor, e.acceptor]) if (!firstSeen.has(key)) firstSeen.set(key, i * 2 + (key === e.requestor ? 0 : 1));
  });
  const lines = [...byKey.values()];
  for (const l of lines) l.rank = l.scp ? 1 : l.destination ? 2 : 0;
  lines.sort((x, y) => x.rank - y.rank || (firstSeen.get(x.key) ?? x.first) - (firstSeen.get(y.key) ?? y.first));
  return {
    lifelines: lines.map((l, order) => ({ key: l.key, ae: l.ae, endpoint: l.endpoint, rank: l.rank, order })),
    ends,
  };
}
