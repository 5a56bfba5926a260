/**
 * Summaries of every earlier version read as the current one
 * (shared/model/summary-migrations.ts), tested on frozen files:
 * - test/fixtures/summary/v1/: version 1 with its links (`parent`,
 *   `parentRequest`, `parentEvidence`, message `cause` as an index), written
 *   by pacscope 47220c8 from the captures of test/fixtures/diagnosis/; the
 *   migration must give what decoding the same capture gives now;
 * - test/fixtures/web/: version 1 written before the correlator (no link
 *   fields at all): the same linkers find the links from the facts they hold.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openWireSource } from '../../../server/sources/open-source.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { SUMMARY_VERSION, type Summary } from '../../../shared/model/summary-types.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const V1 = new URL('../../fixtures/summary/v1/', import.meta.url);
const CAPTURES = new URL('../../fixtures/diagnosis/', import.meta.url);
const json = (url: URL): unknown => JSON.parse(readFileSync(url, 'utf8'));

async function decoded(name: string): Promise<Summary> {
  const source = await openWireSource(new URL(name, CAPTURES).pathname);
  return summarize(source.batches(), { path: name, format: source.format });
}

/** What version 1 also held, and the links: the facts compared between a migrated file and a fresh decoding. */
const facts = (s: Summary) => ({
  associations: s.associations.map((a) => ({ id: a.id, requestor: a.requestor, acceptor: a.acceptor, outcome: a.outcome, start: a.start, end: a.end, cause: a.cause })),
  messages: s.messages.map((m) => ({ association: m.association, time: m.time, side: m.side, commandField: m.commandField, messageId: m.messageId, status: m.status, statusCategory: m.statusCategory, request: m.request, cause: m.cause })),
});

describe('summary migrations', () => {
  const frozen = readdirSync(V1).filter((f) => f.endsWith('.summary.json'));

  it('has frozen version 1 files with links to test', () => {
    expect(frozen.length).toBeGreaterThanOrEqual(3);
    for (const f of frozen) expect((json(new URL(f, V1)) as { version: number }).version).toBe(1);
  });

  for (const file of frozen) {
    it(`version 1 → ${SUMMARY_VERSION}: ${file} reads as a decoding of its capture does now`, async () => {
      const capture = readdirSync(CAPTURES).find((c) => c.replace(/\.(pcapng|pacscope)$/, '') === file.replace('.summary.json', ''))!;
      const migrated = migrateSummary(json(new URL(file, V1)));
      expect(migrated.version).toBe(SUMMARY_VERSION);
      expect(facts(migrated)).toEqual(facts(await decoded(capture)));
    });
  }

  it('a version 1 file written before the correlator gets its links from the same linkers', () => {
    const move = migrateSummary(json(new URL('../../fixtures/web/move.summary.json', import.meta.url)));
    const rq = move.messages.findIndex((m) => m.commandField === CommandField.CMoveRq);
    expect(move.associations.map((a) => a.cause)).toEqual([null, { relation: 'c-move', association: 'a1', message: rq, evidence: 'move-originator' }]);
    const responses = move.messages.filter((m) => m.commandField === CommandField.CMoveRsp);
    expect(responses.every((m) => m.request === rq)).toBe(true);
    expect(responses.map((m) => m.status)).toEqual([0xff00, 0xff00, 0xff00, 0x0000]);
    const get = migrateSummary(json(new URL('../../fixtures/web/get.summary.json', import.meta.url)));
    const getRq = get.messages.findIndex((m) => m.commandField === CommandField.CGetRq);
    expect(get.messages.filter((m) => m.commandField === CommandField.CStoreRq).every((m) => m.cause?.relation === 'c-get' && m.cause.message === getRq)).toBe(true);
  });

  it('refuses what it cannot read, saying why', () => {
    expect(() => migrateSummary({ version: SUMMARY_VERSION + 1, associations: [], messages: [] })).toThrow(/newer than this pacscope reads/);
    expect(() => migrateSummary({ hello: 1 })).toThrow(/not a pacscope summary/);
    expect(() => migrateSummary({ version: 1, associations: [], messages: [{ command: 'C-BOGUS-RQ' }] })).toThrow(/unknown command/);
  });
});
