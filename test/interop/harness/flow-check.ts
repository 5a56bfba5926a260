/**
 * The three checks every interop flow gets, each its own test:
 *  1. harness: tshark's decoding meets the flow's expectations and agrees
 *     with the DCMTK client's `-d` log (needs no pacscope: it proves the
 *     capture, tshark extraction and log parsing);
 *  2. pacscope: its `summary --json` meets the same expectations;
 *  3. cross-check: pacscope agrees with tshark on every association tshark
 *     decoded confidently, and with the DCMTK logs.
 * Mismatches and what could not be compared are collected for a report.
 */
import { expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { crossCheckDcmtk, crossCheckTshark } from './compare.ts';
import { parseDcmtkLog } from './dcmtk-log.ts';
import type { AssociationFacts } from './facts.ts';
import type { FlowContext } from './expectations.ts';
import type { FlowResult, InteropLab } from './lab.ts';
import { associationFacts, pacscopeSummary } from './pacscope-cli.ts';
import { tsharkStreams, type TsharkStream } from './tshark.ts';

export interface FlowSpec {
  name: string;
  /** Runs the flow (memoised by the caller: all three tests share one run). */
  run: () => Promise<FlowResult>;
  /** Whether the client must exit 0. */
  clientSucceeds: boolean;
  expectFacts: (all: readonly AssociationFacts[], ctx: FlowContext) => void;
  /** Further assertions on pacscope's summary only (identifiers, outcome…). */
  expectSummary?: (summary: Summary, ctx: FlowContext) => void;
}

export const REPORT: { flow: string; kind: 'mismatch' | 'uncertain' | 'not compared'; text: string }[] = [];

function memo<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= f());
}

export function defineFlowChecks(lab: InteropLab, spec: FlowSpec): void {
  const ctx = (decoder: string): FlowContext => ({ qrPort: lab.qrPort, storePort: lab.storePort, decoder });
  const ports = () => [lab.qrPort, lab.storePort];
  const flow = memo(spec.run);
  const tshark = memo(async () => tsharkStreams((await flow()).pcap, { dicomPorts: ports() }));
  const summary = memo(async () => pacscopeSummary((await flow()).pcap));

  it(`${spec.name}: capture, tshark and the DCMTK log agree (harness)`, async () => {
    const f = await flow();
    if (spec.clientSucceeds) expect(f.tool.code, f.tool.output.slice(-3000)).toBe(0);
    const streams: TsharkStream[] = await tshark();
    for (const s of streams) expect(s.sawSyn, `stream ${s.stream} captured from its SYN`).toBe(true);
    const troubled = streams.filter((s) => s.trouble.length > 0);
    const note = (text: string) => REPORT.push({ flow: spec.name, kind: 'uncertain', text });
    for (const s of troubled) note(`tshark stream ${s.stream} (${s.requestorPort}→${s.acceptorPort}) flagged: ${s.trouble.join(', ')}`);
    // The harness self-check needs confident tshark output: on a flagged capture a failure is reported, not raised.
    try {
      spec.expectFacts(streams, ctx('tshark'));
    } catch (err) {
      if (troubled.length === 0) throw err;
      note(`tshark's decoding misses the expectations (flagged capture): ${(err as Error).message.split('\n')[0]}`);
    }
    const main = streams.find((s) => s.acceptorPort === lab.qrPort);
    const dcmtk = parseDcmtkLog(f.tool.output, 'requestor');
    expect(dcmtk.length, 'associations in the client log').toBe(1);
    expect(main, 'tshark decoded the association to dcmqrscp').toBeDefined();
    const diff = crossCheckDcmtk('tshark vs client log', { name: 'tshark', facts: main! }, dcmtk[0]);
    if (main!.trouble.length === 0) expect(diff).toEqual([]);
    else diff.forEach(note);
  });

  it(`${spec.name}: pacscope summary meets the expectations`, async () => {
    const s = await summary();
    const facts = s.associations.map((a) => associationFacts(s, a));
    spec.expectFacts(facts, ctx('pacscope'));
    expect(s.errors, 'decode errors').toEqual([]);
    spec.expectSummary?.(s, ctx('pacscope'));
  });

  it(`${spec.name}: pacscope agrees with tshark and with DCMTK's logs`, async () => {
    const f = await flow();
    const s = await summary();
    const facts = s.associations.map((a) => associationFacts(s, a));
    const check = crossCheckTshark(facts, await tshark());
    const mismatches = [...check.mismatches];
    const main = facts.find((a) => a.acceptorPort === lab.qrPort);
    const clientLog = parseDcmtkLog(f.tool.output, 'requestor');
    if (main && clientLog.length === 1) mismatches.push(...crossCheckDcmtk('pacscope vs client log', { name: 'pacscope', facts: main }, clientLog[0]));
    const storeLog = parseDcmtkLog(f.storeScpLog, 'acceptor');
    const subs = facts.filter((a) => a.acceptorPort === lab.storePort);
    if (storeLog.length !== subs.length) {
      mismatches.push(`storescp logged ${storeLog.length} associations, pacscope has ${subs.length} to its port`);
    } else {
      // storescp dumps only the requests it receives: compare those.
      subs.forEach((sub, i) => mismatches.push(...crossCheckDcmtk(`pacscope vs storescp log #${i + 1}`, { name: 'pacscope', facts: { ...sub, messages: sub.messages.filter((m) => m.side === 'requestor') } }, storeLog[i])));
    }
    for (const text of check.notCompared) REPORT.push({ flow: spec.name, kind: 'not compared', text });
    for (const text of check.uncertain) REPORT.push({ flow: spec.name, kind: 'uncertain', text });
    for (const text of mismatches) REPORT.push({ flow: spec.name, kind: 'mismatch', text });
    expect(mismatches).toEqual([]);
    expect(check.compared.length + check.notCompared.length).toBeGreaterThan(0);
  });
}
