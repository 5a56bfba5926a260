/**
 * The UI's fixtures are what the current decoder makes of real captures
 * (scripts/web-fixtures.ts): a change to the model or the decoder that
 * changes one fails here until the fixtures are rendered again, so the UI
 * tests never run on summaries of an older shape.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, renderFixture, WEB_FIXTURES } from '../../../scripts/web-fixtures.ts';
import { SUMMARY_VERSION } from '../../../shared/model/summary-types.ts';

describe('test/fixtures/web', () => {
  for (const f of WEB_FIXTURES) {
    it(`${f.name}: the summary of ${f.capture} (${f.flow}), as the decoder makes it now`, async () => {
      const committed = JSON.parse(readFileSync(fixturePath(f.name), 'utf8'));
      expect(committed.version).toBe(SUMMARY_VERSION);
      expect(committed).toEqual(await renderFixture(f.capture));
    });
  }
});
