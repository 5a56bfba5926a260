/**
 * The AE map's model (web/src/lib/aemap/ae-graph.ts) on real sessions:
 * summaries of DCMTK sessions (test/fixtures/web/*.summary.json) and
 * captures decoded here by the shared pipeline (test/fixtures/pcap/):
 * dcmqrscp rejecting a wrong called AE (1/1/7), Orthanc 1.10 with an
 * asynchronous C-MOVE to a registered destination where nothing listens,
 * a refused connection, a capture joined after the A-ASSOCIATE-AC. The
 * first two (dcmtk-wrong-called-ae.pcapng, orthanc-async-dead-destination
 * .pcapng) were captured with dumpcap on lo running the flows of
 * test/e2e/ae-map.test.ts (DCMTK 3.6.7, Orthanc 1.10.1). Some
 * cases change one real summary in one way (a misrouted destination, a
 * connection tapped twice, a C-MOVE still running), said in each test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary, SummaryAssociation } from '../../../shared/model/summary-types.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { buildAeGraph, worse, type AeGraph } from '../../../web/src/lib/aemap/ae-graph.ts';
import { endpointOf, titleText } from '../../../web/src/lib/aemap/ae-words.ts';
import { importBytes } from '../capture/import-helpers.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const fixture = (name: string): Summary => migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));
const capture = (name: string): Promise<Summary> =>
  summarize([importBytes(new Uint8Array(readFileSync(new URL(`../../fixtures/pcap/${name}`, import.meta.url)))).events], { path: name, format: 'pcapng' });

/** Nodes as "id column roles listening/refused/ephemeral", edges as "kind from>to outcome [ids]". */
const shape = (g: AeGraph) => ({
  nodes: g.nodes.map((n) => `${n.id} ${n.named} c${n.column} ${n.roles.join('+')} L${n.listening.join(',')} R${n.refusedAt.join(',')} E${n.ephemeral.length}`),
  edges: g.edges.map((e) => `${e.kind} ${e.from}>${e.to} ${e.outcome} [${e.associations.join(',')}]`),
});

describe('buildAeGraph: a wrong called AE (dcmqrscp, A-ASSOCIATE-RJ 1/1/7)', () => {
  it('draws the wrong title as its own node at the same address, the edge rejected with the reason in words', async () => {
    const g = buildAeGraph(await capture('dcmtk-wrong-called-ae.pcapng'));
    const port = g.nodes.find((n) => n.ae === 'QRSCP')!.listening[0];
    expect(shape(g)).toEqual({
      nodes: ['SCU@127.0.0.1 wire c0 scu L R E2', `QRSCP@127.0.0.1 wire c1 scp L${port} R E0`, `WRONGAE@127.0.0.1 wire c1 scp L${port} R E0`],
      edges: ['association SCU@127.0.0.1>QRSCP@127.0.0.1 released [a1]', 'association SCU@127.0.0.1>WRONGAE@127.0.0.1 rejected [a2]'],
    });
    const rejected = g.edges[1];
    expect(rejected.counts).toEqual({ rejected: 1 });
    expect(rejected.lines).toEqual(['1 rejected: called AE title not recognised (1/1/7)']);
    expect(g.edges[0].lines).toEqual(['1 released']);
    // The SCU's two connections come from two ephemeral ports, folded into one node and listed.
    const scu = g.nodes[0];
    expect(new Set(scu.ephemeral).size).toBe(2);
    expect(endpointOf(scu)).toBe('127.0.0.1');
    expect(endpointOf(g.nodes[2])).toBe(`127.0.0.1:${port}`);
  });

  it('counts one edge by outcome, worst first, when the same pair both released and was rejected', async () => {
    // The capture above with the rejected association's called AE made QRSCP: one pair, two outcomes.
    const s = await capture('dcmtk-wrong-called-ae.pcapng');
    s.associations[1] = { ...s.associations[1], acceptor: { ...s.associations[1].acceptor, ae: 'QRSCP' } };
    const [edge] = buildAeGraph(s).edges;
    expect(edge).toMatchObject({ from: 'SCU@127.0.0.1', to: 'QRSCP@127.0.0.1', outcome: 'rejected', counts: { released: 1, rejected: 1 }, associations: ['a1', 'a2'] });
    expect(edge.lines).toEqual(['1 rejected: called AE title not recognised (1/1/7)', '1 released']);
  });
});

describe('buildAeGraph: C-MOVE', () => {
  it('a working move (dcmqrscp → storescp): the move SCP folds its sub-association port, the dashed edge goes from the requested AE to where it went', () => {
    const g = buildAeGraph(fixture('move'));
    expect(shape(g)).toEqual({
      nodes: [
        'SCU@127.0.0.1 wire c0 scu L R E1',
        'QRSCP@127.0.0.1 wire c1 scp+move-scp L42817 R E1',
        'STORESCP@127.0.0.1 wire c2 move-destination L40739 R E0',
        'requested:STORESCP requested c2 requested-destination L R E0',
      ],
      edges: [
        'association SCU@127.0.0.1>QRSCP@127.0.0.1 released [a1]',
        'association QRSCP@127.0.0.1>STORESCP@127.0.0.1 released [a2]',
        'move-destination requested:STORESCP>STORESCP@127.0.0.1 released [a1,a2]',
      ],
    });
    const dashed = g.edges[2];
    expect(dashed.moves).toEqual([0]);
    expect(dashed.lines).toEqual(['C-MOVE #1 → here', '1 sub-association released']);
    expect(g.nodes[1].ephemeral).toEqual([54640]);
  });

  it('an unknown destination (0xA801): the requested AE is a node, the dashed edge from the move SCP says "never reached"', () => {
    const g = buildAeGraph(fixture('move-unknown'));
    expect(shape(g).nodes).toContain('requested:NOWHERE requested c2 requested-destination L R E0');
    const dashed = g.edges.find((e) => e.kind === 'move-destination')!;
    expect(dashed).toMatchObject({ from: 'QRSCP@127.0.0.1', to: 'requested:NOWHERE', outcome: 'never-reached', associations: ['a1'], moves: [0], counts: {} });
    expect(dashed.lines).toEqual(['never reached (C-MOVE #1)', '0xA801 Refused: move destination unknown']);
  });

  it('a C-MOVE still running with nothing opened yet is "waiting", not a failure', () => {
    // move-unknown cut before the final response, its association still open.
    const s = fixture('move-unknown');
    const live: Summary = { ...s, messages: s.messages.slice(0, 1), associations: s.associations.map((a) => ({ ...a, outcome: 'open', end: null })) };
    const dashed = buildAeGraph(live).edges.find((e) => e.kind === 'move-destination')!;
    expect(dashed.outcome).toBe('waiting');
    expect(dashed.lines).toEqual(['C-MOVE #1 running', 'no sub-association yet']);
  });

  it('a dead destination (Orthanc 1.10, asynchronous): the refused connection is named after the C-MOVE at both ends', async () => {
    const s = await capture('orthanc-async-dead-destination.pcapng');
    const refused = s.associations.find((a) => a.outcome === 'refused')!;
    expect(refused.requestor.ae).toBeNull();
    const g = buildAeGraph(s);
    const orthanc = g.nodes.find((n) => n.id === 'ORTHANC@127.0.0.1')!;
    expect(shape(g)).toEqual({
      nodes: [
        'MOVESCU@127.0.0.1 wire c0 scu L R E1',
        `ORTHANC@127.0.0.1 wire c1 scp+move-scp L${orthanc.listening[0]} R E1`,
        `DEAD@127.0.0.1 move c2 move-destination L R${refused.acceptor.port} E0`,
        'requested:DEAD requested c2 requested-destination L R E0',
      ],
      edges: [
        'association MOVESCU@127.0.0.1>ORTHANC@127.0.0.1 released [a1]',
        `association ORTHANC@127.0.0.1>DEAD@127.0.0.1 refused [${refused.id}]`,
        `move-destination requested:DEAD>DEAD@127.0.0.1 refused [a1,${refused.id}]`,
      ],
    });
    // The move SCP's refused attempt came from an ephemeral port of Orthanc's node.
    expect(orthanc.ephemeral).toEqual([refused.requestor.port]);
    expect(g.edges[1].lines).toEqual(['1 refused: nothing listening (TCP RST)']);
    expect(g.edges[2].lines).toEqual(['C-MOVE #1 → here', '1 sub-association refused: nothing listening (TCP RST)']);
    expect(endpointOf(g.nodes[2])).toBe(`127.0.0.1:${refused.acceptor.port}`);
    expect(endpointOf(g.nodes[3])).toBe('');
  });

  it('a misrouted destination: STORESCP is at home at another address, the dashed edge joins the two nodes', () => {
    // move.summary.json plus a storescu → STORESCP association at 10.0.0.5:104 (where STORESCP is known to listen).
    const s = fixture('move');
    const home: SummaryAssociation = { ...s.associations[1], id: 'a3', requestor: { ae: 'STORESCU', host: '10.0.0.9', port: 50000 }, acceptor: { ae: 'STORESCP', host: '10.0.0.5', port: 104 }, cause: null, start: 0, end: 0.001 };
    const g = buildAeGraph({ ...s, associations: [home, ...s.associations] });
    const dashed = g.edges.filter((e) => e.kind === 'move-destination');
    expect(dashed.map((e) => `${e.from}>${e.to}`)).toEqual(['STORESCP@10.0.0.5>STORESCP@127.0.0.1']);
    expect(g.nodes.some((n) => n.named === 'requested')).toBe(false);
    expect(g.nodes.filter((n) => n.ae === 'STORESCP').map((n) => [n.host, n.listening, n.roles])).toEqual([
      ['10.0.0.5', [104], ['scp']],
      ['127.0.0.1', [40739], ['move-destination']],
    ]);
  });

  it('a capture joined after the A-ASSOCIATE-AC: the unnamed move SCP takes the AE title its sub-association called from', async () => {
    const s = await capture('dcmtk-move-after-ac.pcapng');
    expect(s.associations[0].acceptor.ae).toBeNull();
    const g = buildAeGraph(s);
    expect(shape(g).nodes).toEqual([
      '@127.0.0.1 none c0 scu L R E1',
      'QRSCP@127.0.0.1 wire c1 scp+move-scp L61000 R E1',
      'STORESCP@127.0.0.1 wire c2 move-destination L61001 R E0',
      'requested:STORESCP requested c2 requested-destination L R E0',
    ]);
    expect(titleText(g.nodes[0])).toBe('127.0.0.1');
  });
});

describe('buildAeGraph: ends without AE titles, duplicates, order', () => {
  it('a refused connection unrelated to any C-MOVE is drawn between addresses', async () => {
    const g = buildAeGraph(await capture('dcmtk-refused.pcapng'));
    expect(shape(g)).toEqual({
      nodes: ['@127.0.0.1 none c0 scu L R E1', '@127.0.0.1:11999 none c1 scp L R11999 E0'],
      edges: ['association @127.0.0.1>@127.0.0.1:11999 refused [a1]'],
    });
    expect(g.nodes.map(titleText)).toEqual(['127.0.0.1', '127.0.0.1:11999']);
  });

  it('a connection tapped twice counts once', () => {
    // get.summary.json with its association seen a second time (both ends tapped in one process).
    const s = fixture('get');
    const g = buildAeGraph({ ...s, associations: [...s.associations, { ...s.associations[0], id: 'a2' }] });
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0]).toMatchObject({ associations: ['a1'], counts: { released: 1 } });
  });

  it('names an acceptor the wire left unnamed after this server\'s own endpoint there', async () => {
    const s = await capture('dcmtk-store-after-ac.pcapng');
    const g = buildAeGraph(s, { endpoints: [{ role: 'store-scp', ae: 'STORESCP', host: '127.0.0.1', port: 11112 }] });
    expect(g.nodes.map((n) => n.id)).toEqual(['@127.0.0.1', 'STORESCP@127.0.0.1']);
  });

  it('is deterministic, and ranks outcomes worst last', async () => {
    const s = await capture('orthanc-async-dead-destination.pcapng');
    expect(buildAeGraph(s)).toEqual(buildAeGraph(s));
    expect(worse('released', 'rejected')).toBe('rejected');
    expect(worse('refused', 'aborted')).toBe('refused');
    expect(worse('never-reached', 'open')).toBe('never-reached');
  });
});
