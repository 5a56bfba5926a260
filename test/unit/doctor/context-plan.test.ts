/** The presentation contexts of the probe (server/doctor/context-plan.ts), PS3.8 §9.3.2.2: odd ids 1–255, ≤ 128 per association. */
import { describe, expect, it } from 'vitest';
import { defaultProbeItems, planContexts, type ProbeItem } from '../../../server/doctor/context-plan.ts';
import { MAX_PRESENTATION_CONTEXTS, PROBE_STORAGE_CLASSES, PROBE_TRANSFER_SYNTAXES } from '../../../server/doctor/tables.ts';

function checkGroup(group: { id: number }[]): void {
  expect(group.length).toBeLessThanOrEqual(MAX_PRESENTATION_CONTEXTS);
  const ids = group.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) {
    expect(id % 2).toBe(1);
    expect(id).toBeGreaterThanOrEqual(1);
    expect(id).toBeLessThanOrEqual(255);
  }
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
}

describe('planContexts', () => {
  it('the default probe fits one association: 127 contexts, ids 1…253, Verification first', () => {
    const groups = planContexts(defaultProbeItems());
    expect(groups).toHaveLength(1);
    const [g] = groups;
    checkGroup(g);
    expect(g).toHaveLength(7 + PROBE_STORAGE_CLASSES.length * PROBE_TRANSFER_SYNTAXES.length);
    expect(g[0]).toMatchObject({ id: 1, abstractSyntax: '1.2.840.10008.1.1' });
    expect(g.at(-1)?.id).toBe(2 * g.length - 1);
    // Each storage class: one context per transfer syntax, so each is answered on its own.
    const ct = g.filter((c) => c.abstractSyntax === '1.2.840.10008.5.1.4.1.1.2');
    expect(ct.map((c) => c.transferSyntaxes)).toEqual(PROBE_TRANSFER_SYNTAXES.map((t) => [t.uid]));
  });

  it('a longer plan is split, each association ≤ 128 contexts with Verification first, a SOP class never split', () => {
    const base = defaultProbeItems();
    const extra: ProbeItem[] = Array.from({ length: 20 }, (_, i) => ({
      sopClass: { uid: `1.2.3.${i}`, label: `X${i}`, kind: 'storage' },
      contexts: PROBE_TRANSFER_SYNTAXES.map((t) => [t.uid]),
    }));
    const items = [...base, ...extra];
    const groups = planContexts(items);
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) {
      checkGroup(g);
      expect(g[0].abstractSyntax).toBe('1.2.840.10008.1.1');
    }
    for (const item of items.slice(1)) {
      const holding = groups.filter((g) => g.some((c) => c.abstractSyntax === item.sopClass.uid));
      expect(holding).toHaveLength(1);
      expect(holding[0].filter((c) => c.abstractSyntax === item.sopClass.uid)).toHaveLength(item.contexts.length);
    }
  });

  it('honours a smaller maximum, never a larger one', () => {
    for (const g of planContexts(defaultProbeItems(), 20)) expect(g.length).toBeLessThanOrEqual(20);
    expect(planContexts(defaultProbeItems(), 1000)).toHaveLength(1);
  });

  it('an item that cannot fit one association is an error', () => {
    const huge: ProbeItem = { sopClass: { uid: '1.2.3', label: 'huge', kind: 'storage' }, contexts: Array.from({ length: 130 }, () => ['1.2.840.10008.1.2']) };
    expect(() => planContexts([defaultProbeItems()[0], huge])).toThrow(/huge needs 130 presentation contexts/);
  });
});
