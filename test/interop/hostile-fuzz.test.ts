/**
 * Issue 14: property-based fuzzing of whole associations against the
 * running endpoints of a real `pacscope serve` process (not only the
 * decoder, which test/fuzz/ holds to principle 5). fast-check, with a fixed
 * seed, makes scripts of a few steps — A-ASSOCIATE-RQs with odd, even,
 * duplicate or missing contexts and any maximum length, C-ECHO, C-FIND with
 * well-formed or broken identifiers, C-CANCEL, A-RELEASE-RQ, A-ABORT, PDUs
 * of any type and length field, valid PDUs with bytes flipped, garbage —
 * cut into random pieces and sent to the PACS or the store SCP. Whatever
 * comes back must be PS3.8: known PDU types only, at most one
 * A-ASSOCIATE-AC, an A-ASSOCIATE-RJ only as the first answer, nothing after
 * an A-ABORT, A-ABORT sources and reasons from Table 9-26. Every few runs a
 * whole C-ECHO association must still succeed; at the end DCMTK echoscu
 * must, and the process' memory must be bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes, encodeAAbort, encodeAReleaseRq, encodeAAssociateRq } from '../../shared/pdu/encode.ts';
import { encodeDataSet, el, EXPLICIT_LE as EXPLICIT_ENC } from '../unit/dimse/encode.ts';
import { requireRealPeers } from './harness/lab.ts';
import { runTool } from './harness/process.ts';
import { ServeProcess } from './harness/serve-process.ts';
import { cancelRq, dataPdu, echoRq, exchange, findRq, rawEcho, EXPLICIT_LE, IMPLICIT_LE, STUDY_ROOT_FIND, VERIFICATION, type ReceivedPdu } from './harness/raw-peer.ts';

const SEED = 1447;
const RUNS = 200;
const ECHO_EVERY = 15;

let dir = '';
let serve: ServeProcess;
let rssStart = 0;

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-hostile-fuzz-'));
  serve = await ServeProcess.start(join(dir, 'data'), ['--acse-timeout', '2', '--dimse-timeout', '3']);
  expect(await rawEcho(serve.pacsPort)).toBe(0);
  rssStart = (await serve.memory()).rss;
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

const context = fc.record({
  id: fc.oneof(fc.constantFrom(1, 3, 5), fc.integer({ min: 0, max: 255 })),
  abstractSyntax: fc.constantFrom(VERIFICATION, STUDY_ROOT_FIND, CT_STORAGE, '', '1.2.3.4'),
  transferSyntaxes: fc.subarray([EXPLICIT_LE, IMPLICIT_LE, '1.2.840.10008.1.2.4.50']),
});

const associateRq = fc
  .record({
    contexts: fc.array(context, { maxLength: 4 }),
    maxLength: fc.oneof(fc.constant(16384), fc.constant(0), fc.integer({ min: 0, max: 70_000 })),
    version: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0xffff })),
  })
  .map((r) =>
    encodeAAssociateRq({
      calledAeTitle: 'FUZZ-SCP',
      callingAeTitle: 'FUZZ',
      protocolVersion: r.version,
      presentationContexts: r.contexts.length > 0 ? r.contexts : [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
      userInformation: { maxLength: r.maxLength, implementationClassUid: '1.2.3' },
    }),
  );

/** An identifier: well-formed, or with one element's length changed to anything. */
const identifier = fc.record({ name: fc.string({ maxLength: 20 }), lengthAt: fc.option(fc.nat({ max: 40 })), length: fc.nat({ max: 0xffff }) }).map((r) => {
  const bytes = encodeDataSet([el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', r.name.replace(/[^\x20-\x7e]/g, 'X'))], EXPLICIT_ENC);
  if (r.lengthAt !== null && r.lengthAt + 2 <= bytes.length) new DataView(bytes.buffer).setUint16(r.lengthAt, r.length, true);
  return bytes;
});

const dimseStep = fc.oneof(
  fc.constant(echoRq(1, 7)),
  fc.record({ ctx: fc.constantFrom(1, 3, 5, 7), sop: fc.constantFrom(STUDY_ROOT_FIND, VERIFICATION), id: identifier }).map((r) => concatBytes([findRq(r.ctx, r.sop, 9), dataPdu(r.ctx, r.id)])),
  fc.nat({ max: 20 }).map((id) => cancelRq(3, id)),
);

/** A PDU header of any type, reserved byte and length field, with a short body. */
const anyPdu = fc.record({ type: fc.integer({ min: 0, max: 10 }), reserved: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), length: fc.oneof(fc.nat({ max: 200 }), fc.constant(0xfffffffe)), body: fc.uint8Array({ maxLength: 64 }) }).map((r) => {
  const head = Uint8Array.of(r.type, r.reserved, r.length >>> 24, (r.length >>> 16) & 0xff, (r.length >>> 8) & 0xff, r.length & 0xff);
  return concatBytes([head, r.body]);
});

/** A valid piece with a few bytes changed. */
const flipped = fc.record({ piece: fc.oneof(associateRq, dimseStep), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }) }).map((r) => {
  const b = r.piece.slice();
  for (const [at, v] of r.flips) b[at % b.length] = v;
  return b;
});

const step = fc.oneof(
  { weight: 4, arbitrary: associateRq },
  { weight: 4, arbitrary: dimseStep },
  { weight: 1, arbitrary: fc.constant(encodeAReleaseRq()) },
  { weight: 1, arbitrary: fc.record({ source: fc.nat({ max: 3 }), reason: fc.nat({ max: 7 }) }).map((a) => encodeAAbort(a)) },
  { weight: 2, arbitrary: anyPdu },
  { weight: 2, arbitrary: flipped },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 100 }) },
);

/** A well-formed A-ASSOCIATE-RQ (odd, distinct context IDs) most of the time, else any of the above. */
const opening = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(VERIFICATION, STUDY_ROOT_FIND, CT_STORAGE).map(() => encodeAAssociateRq({ calledAeTitle: 'FUZZ-SCP', callingAeTitle: 'FUZZ', presentationContexts: [1, 3, 5].map((id, i) => ({ id, abstractSyntax: [VERIFICATION, STUDY_ROOT_FIND, CT_STORAGE][i], transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] })), userInformation: { maxLength: 16384 } })) },
  { weight: 2, arbitrary: associateRq },
  { weight: 1, arbitrary: step },
);

/**
 * The opening, then (once it is answered, as a requestor waits for the A-ASSOCIATE-AC) the steps' bytes
 * cut into pieces at random places: any chunking must give the same answers.
 */
const script = fc.record({ opening, steps: fc.array(step, { maxLength: 6 }), cuts: fc.array(fc.nat(), { maxLength: 5 }), store: fc.boolean() }).map((r) => {
  const bytes = concatBytes(r.steps);
  const at = [...new Set(r.cuts.map((c) => c % Math.max(1, bytes.length)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [r.opening];
  let from = 0;
  for (const c of at) {
    if (c > from) pieces.push(bytes.subarray(from, c));
    from = Math.max(from, c);
  }
  if (from < bytes.length) pieces.push(bytes.subarray(from));
  return { pieces, store: r.store };
});

/** What PS3.8 allows an acceptor to send back; null when it holds. */
function violation(pdus: ReceivedPdu[]): string | null {
  const types = pdus.map((p) => p.type);
  if (types.some((t) => ![2, 3, 4, 6, 7].includes(t))) return `unknown PDU type in ${types}`;
  if (types.filter((t) => t === 2).length > 1) return 'more than one A-ASSOCIATE-AC';
  if (types.indexOf(3) > 0) return 'A-ASSOCIATE-RJ after other PDUs';
  const abort = types.indexOf(7);
  if (abort >= 0 && abort < types.length - 1) return `PDUs after the A-ABORT: ${types}`;
  for (const p of pdus.filter((x) => x.type === 7)) {
    const [source, reason] = p.fields!.split('/').map(Number);
    if (source === 0 && reason !== 0) return `service-user A-ABORT with reason ${reason}`;
    if (source === 2 && ![0, 1, 2, 4, 5, 6].includes(reason)) return `service-provider A-ABORT with reason ${reason}`;
    if (source !== 0 && source !== 2) return `A-ABORT source ${source}`;
  }
  if (types.includes(4) && types[0] !== 2) return 'P-DATA-TF without an A-ASSOCIATE-AC';
  return null;
}

describe('whole associations, fuzzed, against pacscope serve', () => {
  it(`${RUNS} scripts (seed ${SEED}): answers as PS3.8 allows, and the endpoints stay up`, async () => {
    let run = 0;
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(script, async (s) => {
        const port = s.store ? serve.storePort : serve.pacsPort;
        const r = await exchange(port, s.pieces, { waitMs: 4000, gapMs: 2, quietMs: 100, after: s.pieces.map((_, i) => (i === 0 ? 0 : 1)) });
        const key = r.pdus.map((p) => p.type).join('') || '-';
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        const bad = violation(r.pdus);
        if (bad) throw new Error(`${bad}: ${r.pdus.map((p) => `${p.type}${p.fields ? `:${p.fields}` : ''}`).join(' ')}`);
        if (++run % ECHO_EVERY === 0) {
          if (!serve.alive) throw new Error(`pacscope serve exited:\n${serve.proc.output.slice(-3000)}`);
          const status = await rawEcho(serve.pacsPort);
          if (status !== 0) throw new Error(`C-ECHO after run ${run} answered ${status}`);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.info(`[hostile-fuzz] answers (PDU types) over ${RUNS} runs: ${JSON.stringify(outcomes)}`);
    // The scripts reach every kind of answer: accepted and released, DIMSE responses, rejects, aborts.
    const seen = Object.keys(outcomes).join(' ');
    for (const t of ['2', '3', '4', '6', '7']) expect(seen, JSON.stringify(outcomes)).toContain(t);
  }, 120_000);

  it('afterwards DCMTK echoscu succeeds and the memory is bounded', async () => {
    expect(serve.alive).toBe(true);
    const r = await runTool('echoscu', ['-aec', 'PACSCOPE', '-to', '5', '-ta', '5', '127.0.0.1', String(serve.pacsPort)], { timeoutMs: 8000 });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toMatch(/Failed|Abort|Reject/i); // echoscu exits 0 even when the echo failed
    const m = await serve.memory();
    console.info(`[hostile-fuzz] RSS ${rssStart.toFixed(0)} → ${m.rss.toFixed(0)} MiB (peak ${m.peak.toFixed(0)} MiB)`);
    expect(m.rss).toBeLessThan(rssStart + 150);
    const { guard } = await serve.status();
    expect(guard.counts.abort).toBeGreaterThan(0);
  });
});
