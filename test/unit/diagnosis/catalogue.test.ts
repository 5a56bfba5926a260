/**
 * docs/diagnosis.md is generated from the rule registry and the real
 * captures of test/fixtures (scripts/diagnosis-catalogue.ts): it lists every
 * rule id once, and the committed file is what the generator renders now —
 * a rule, a fix text or a capture that changes without the page fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_PATH, EXAMPLES, renderCatalogue } from '../../../scripts/diagnosis-catalogue.ts';
import { RULE_CATALOGUE } from '../../../shared/diagnosis/registry.ts';

describe('docs/diagnosis.md', () => {
  it('is what scripts/diagnosis-catalogue.ts renders from the rules and the captures (run it after changing either)', async () => {
    const rendered = await renderCatalogue();
    expect(readFileSync(CATALOGUE_PATH, 'utf8')).toBe(rendered);
  });

  it('has every rule id of the registry once, and an example from a real capture for most', async () => {
    const text = await renderCatalogue();
    for (const r of RULE_CATALOGUE) expect(text.split(`### \`${r.id}\`\n`).length, r.id).toBe(2);
    const examples = text.split('\nExample — ').length - 1;
    expect(examples).toBeGreaterThanOrEqual(20);
    // Every capture listed exists and is read (a missing or unreadable one throws in renderCatalogue).
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(20);
  });
});
