/**
 * The presentation contexts of the probe, planned as data before any socket
 * exists (pure). A service class gets one context listing the native transfer
 * syntaxes (the peer picks one); a storage class gets one context per
 * transfer syntax, so the A-ASSOCIATE-AC says yes or no to each syntax
 * separately (PS3.8 §9.3.3.2: one result per context, Table 9-18).
 *
 * PS3.8 §9.3.2.2: context ids are odd integers 1–255, so one A-ASSOCIATE-RQ
 * carries at most 128 contexts; a longer plan is split over several
 * associations, each starting with the Verification context (the probe sends
 * its C-ECHO there) and keeping a SOP class's contexts together.
 */
import { MAX_PRESENTATION_CONTEXT_ID, MAX_PRESENTATION_CONTEXTS, NATIVE_PROBE_SYNTAXES, PROBE_SERVICE_CLASSES, PROBE_STORAGE_CLASSES, PROBE_TRANSFER_SYNTAXES, type ProbeSopClass } from './tables.ts';

export interface PlannedContext {
  /** Odd, 1–255, unique within its association. */
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

/** One SOP class and the contexts it needs. */
export interface ProbeItem {
  sopClass: ProbeSopClass;
  /** Each entry is one presentation context's transfer syntax list. */
  contexts: string[][];
}

/** The default probe: the service classes with the native syntaxes, each storage class × each syntax. */
export function defaultProbeItems(): ProbeItem[] {
  return [
    ...PROBE_SERVICE_CLASSES.map((sopClass) => ({ sopClass, contexts: [[...NATIVE_PROBE_SYNTAXES]] })),
    ...PROBE_STORAGE_CLASSES.map((sopClass) => ({ sopClass, contexts: PROBE_TRANSFER_SYNTAXES.map((t) => [t.uid]) })),
  ];
}

/**
 * Packs the items into associations of at most `max` contexts (≤ 128), ids 1, 3, 5 … in each. The first
 * item (Verification) opens every association. Throws when one item alone does not fit.
 */
export function planContexts(items: readonly ProbeItem[], max = MAX_PRESENTATION_CONTEXTS): PlannedContext[][] {
  const limit = Math.min(max, MAX_PRESENTATION_CONTEXTS);
  if (items.length === 0) return [];
  const [first, ...rest] = items;
  const size = (i: ProbeItem) => i.contexts.length;
  for (const item of items) {
    const needed = item === first ? size(first) : size(first) + size(item);
    if (needed > limit) throw new Error(`${item.sopClass.label} needs ${size(item)} presentation contexts: more than fit one association (${limit})`);
  }
  const groups: ProbeItem[][] = [];
  let current: ProbeItem[] = [first];
  let used = size(first);
  for (const item of rest) {
    if (used + size(item) > limit) {
      groups.push(current);
      current = [first];
      used = size(first);
    }
    current.push(item);
    used += size(item);
  }
  groups.push(current);
  return groups.map((group) => {
    let id = -1;
    return group.flatMap((item) =>
      item.contexts.map((transferSyntaxes) => {
        id += 2;
        if (id > MAX_PRESENTATION_CONTEXT_ID) throw new Error(`presentation context id ${id} beyond ${MAX_PRESENTATION_CONTEXT_ID}`);
        return { id, abstractSyntax: item.sopClass.uid, transferSyntaxes: [...transferSyntaxes] };
      }),
    );
  });
}
