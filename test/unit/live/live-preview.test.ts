/**
 * The live end's preview (shared/events/live-preview.ts), sent before a long
 * window's snapshot: its last messages as they are, their indices and links
 * counted from its base, a link to a message before it left out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';
import { PREVIEW_ABOVE, PREVIEW_MESSAGES, previewJson, previewOf } from '../../../shared/events/live-preview.ts';
import { unpackSnapshot, wholeWindow } from '../../../shared/events/live-snapshot.ts';
import type { LiveServerMessage } from '../../../shared/events/live-messages.ts';

const fixture = (name: string): Summary =>
  migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));

describe('the preview of a live window', () => {
  it('is its last messages, indices and links counted from its base, links before it left out', () => {
    for (const name of ['move', 'get']) {
      const summary = fixture(name);
      const count = Math.ceil(summary.messages.length / 2);
      const preview = previewOf(summary, count, 1)!;
      const base = summary.messages.length - count;
      expect(preview.base).toBe(base);
      expect(preview.summary.pdus).toEqual([]);
      expect(preview.summary.errors).toEqual(summary.errors);
      expect(preview.summary.associations.map((a) => a.id)).toEqual(summary.associations.map((a) => a.id));
      preview.summary.messages.forEach((m, i) => {
        const whole = summary.messages[base + i];
        expect({ ...m, request: null, cause: null }).toEqual({ ...whole, request: null, cause: null });
        expect(m.request).toBe(whole.request !== null && whole.request >= base ? whole.request - base : null);
        expect(m.cause?.message ?? null).toBe(whole.cause && whole.cause.message >= base ? whole.cause.message - base : null);
      });
      preview.summary.associations.forEach((a, i) => {
        const cause = summary.associations[i].cause;
        expect(a.cause?.message ?? null).toBe(cause && cause.message >= base ? cause.message - base : null);
      });
    }
  });

  it('is sent only for a window longer than PREVIEW_ABOVE messages, as a message both ends read', () => {
    const summary = fixture('move');
    expect(previewOf(summary)).toBeNull();
    expect(previewJson(3, summary, [], wholeWindow(summary))).toBeNull();
    const long: Summary = { ...summary, messages: Array.from({ length: PREVIEW_ABOVE + 1 }, (_, i) => ({ ...summary.messages[i % summary.messages.length], request: null, cause: null })) };
    const message = JSON.parse(previewJson(3, long, [], wholeWindow(long))!) as LiveServerMessage;
    if (message.type !== 'preview') throw new Error(`a ${message.type}`);
    expect(message.base).toBe(PREVIEW_ABOVE + 1 - PREVIEW_MESSAGES);
    expect(unpackSnapshot(message.summary).messages).toEqual(long.messages.slice(message.base));
  });
});
