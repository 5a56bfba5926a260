/**
 * diagnose() as a whole: real DCMTK recordings of clean flows give no
 * warning or error (test/fixtures/web, made with `pacscope summary --json`
 * before the correlator existed: the links are rebuilt from Move
 * Originator), broken ones the expected rule; the output is deterministic;
 * every rule id a rule file can emit is in the catalogue; odd input does not
 * throw.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { diagnose, severityCounts } from '../../../shared/diagnosis/diagnose.ts';
import { RULE_CATALOGUE } from '../../../shared/diagnosis/registry.ts';
import { Session, moveRq, retrieveRsp } from './session.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const load = (name: string): Summary => migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));

describe('diagnose', () => {
  it('real DCMTK recordings: clean move and get give nothing, the broken ones their rule', () => {
    expect(diagnose(load('move'))).toEqual([]);
    expect(diagnose(load('get'))).toEqual([]);
    expect(diagnose(load('move-unknown')).map((f) => f.rule)).toEqual(['move.destination-unknown']);
    expect(diagnose(load('reject')).map((f) => f.rule)).toEqual(['association.rejected.called-ae']);
    expect(diagnose(load('refused')).map((f) => f.rule)).toEqual(['connection.refused']);
  });

  it('is deterministic and does not change the summary', () => {
    const s = load('move-unknown');
    const before = JSON.stringify(s);
    const a = diagnose(s);
    expect(diagnose(s)).toEqual(a);
    expect(JSON.stringify(s)).toBe(before);
  });

  it('every rule id in the rule files is in the catalogue, once', () => {
    const dir = new URL('../../../shared/diagnosis/', import.meta.url);
    const ids = new Set<string>();
    for (const file of readdirSync(dir)) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const m of text.matchAll(/(?:rule|id): '([a-z][a-z0-9-]*\.[a-z0-9.-]+)'/g)) ids.add(m[1]);
    }
    const catalogue = RULE_CATALOGUE.map((r) => r.id);
    expect(new Set(catalogue).size).toBe(catalogue.length);
    for (const id of ids) expect(catalogue, id).toContain(id);
    expect(catalogue.length).toBeGreaterThanOrEqual(35);
  });

  it('docs/summary-json.md lists every rule id of the catalogue', () => {
    const docs = readFileSync(new URL('../../../docs/summary-json.md', import.meta.url), 'utf8');
    const listed = [...docs.matchAll(/^\| `([a-z][a-z0-9.-]+)` \| (error|warning|info) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(listed.sort()).toEqual(RULE_CATALOGUE.map((r) => `${r.id} ${r.severity}`).sort());
  });

  it('odd input is data: a response before its request, unknown statuses, empty summary', () => {
    expect(diagnose({ version: 1, source: { path: '', format: '', start: null }, associations: [], pdus: [], messages: [], errors: [] })).toEqual([]);
    const s = new Session();
    const a = s.open({ calling: 'SCU', called: 'PACS' });
    s.message(a, 'C-MOVE-RSP', retrieveRsp(1, '0x1234', [null, null, null, null]));
    s.message(a, 'C-MOVE-RQ', moveRq(1, ''));
    s.message(s.summary.messages[0].association, 'N-ACTION-RSP', { respondsTo: 3, status: '0xFFFF' });
    s.release(a);
    const findings = diagnose(s.summary);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.rule !== 'diagnosis.internal-error')).toBe(true);
    expect(severityCounts(findings).error).toBeGreaterThan(0);
  });
});
