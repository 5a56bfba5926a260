/**
 * Step d: which SOP classes and transfer syntaxes the peer accepts. The plan
 * of context-plan.ts is proposed (one association per 128 contexts) and the
 * result of every context is read from the hub's decoding of the
 * A-ASSOCIATE-AC (PS3.8 §9.3.3.2, results of Table 9-18), matched to the plan
 * by presentation context id.
 */
import type { SummaryAssociation } from '../../shared/model/summary-types.ts';
import { uidName } from '../../shared/dicom/uids.ts';
import { associationById, associationIdOf } from './hub-evidence.ts';
import { defaultProbeItems, planContexts, type PlannedContext, type ProbeItem } from './context-plan.ts';
import { proposeContexts } from './probe-association.ts';
import { transferSyntaxLabel } from './tables.ts';
import { wasAccepted } from './step-echo.ts';
import { scuTarget, step, type DoctorContext, type DoctorContextProbe, type DoctorStep } from './types.ts';

export interface ContextsStep {
  step: DoctorStep;
  /** Per SOP class; empty when no association was accepted. */
  probes: DoctorContextProbe[];
}

/** One SOP class's verdict from the contexts proposed for it and the A-ASSOCIATE-AC (pure). */
export function judgeSopClass(item: ProbeItem, planned: readonly PlannedContext[], answered: SummaryAssociation['presentationContexts']): DoctorContextProbe {
  const mine = planned.filter((p) => p.abstractSyntax === item.sopClass.uid);
  const accepted: string[] = [];
  const reasons = new Set<string>();
  for (const p of mine) {
    const a = answered.find((c) => c.id === p.id);
    if (a?.result === 0 && a.transferSyntax) {
      if (!accepted.includes(a.transferSyntax)) accepted.push(a.transferSyntax);
    } else reasons.add(a?.resultText ?? 'not answered');
  }
  return {
    sopClass: item.sopClass.uid,
    name: item.sopClass.label,
    kind: item.sopClass.kind,
    accepted,
    rejected: accepted.length > 0 ? null : [...reasons].join(', ') || 'not proposed',
  };
}

const syntaxes = (uids: readonly string[]) => uids.map(transferSyntaxLabel).join(', ');

/** The step's text: headline, services, then storage classes grouped by identical syntax lists (pure). */
export function describeProbes(probes: readonly DoctorContextProbe[], proposed: number, associations: number): string {
  const acceptedCount = probes.filter((p) => p.accepted.length > 0).length;
  const lines = [`${proposed} presentation contexts for ${probes.length} SOP classes proposed on ${associations} association${associations === 1 ? '' : 's'}; ${acceptedCount} SOP classes accepted`];
  const services = probes.filter((p) => p.kind !== 'storage');
  const ok = services.filter((p) => p.accepted.length > 0);
  const no = services.filter((p) => p.accepted.length === 0);
  if (ok.length > 0) lines.push(`services: ${ok.map((p) => `${p.name} (${syntaxes(p.accepted)})`).join('; ')}`);
  if (no.length > 0) lines.push(`services not accepted: ${no.map((p) => `${p.name} (${p.rejected})`).join('; ')}`);
  const byList = new Map<string, string[]>();
  for (const p of probes.filter((x) => x.kind === 'storage' && x.accepted.length > 0)) {
    const key = syntaxes(p.accepted);
    byList.set(key, [...(byList.get(key) ?? []), p.name]);
  }
  for (const [list, names] of byList) lines.push(`storage ${names.join(', ')}: ${list}`);
  const rejected = probes.filter((x) => x.kind === 'storage' && x.accepted.length === 0);
  if (rejected.length > 0) lines.push(`storage not accepted: ${rejected.map((p) => `${p.name} (${p.rejected})`).join('; ')}`);
  return lines.join('\n');
}

export async function probeContexts(ctx: DoctorContext, items: ProbeItem[] = defaultProbeItems()): Promise<ContextsStep> {
  const { hub } = ctx;
  const groups = planContexts(items);
  const ids: string[] = [];
  const answered = new Map<number, { planned: PlannedContext[]; assoc: SummaryAssociation }>();
  const problems: string[] = [];
  for (const [index, group] of groups.entries()) {
    if (ctx.signal?.aborted) break;
    const { end, connection } = await proposeContexts(scuTarget(ctx), group, hub);
    const id = associationIdOf(hub, connection);
    if (id) ids.push(id);
    const assoc = associationById(hub, id);
    if (assoc && wasAccepted(assoc)) answered.set(index, { planned: group, assoc });
    else problems.push(end.kind === 'released' ? 'no A-ASSOCIATE-AC' : end.reason);
  }
  const title = 'Presentation contexts (SOP classes and transfer syntaxes)';
  if (answered.size === 0) {
    const fix = 'the peer accepted the C-ECHO association but not the probe: it may limit the number of presentation contexts per association (this probe proposes up to 128)';
    return { step: step('contexts', title, false, `the probe association was not accepted: ${problems.join('; ')}`, ids, { fix }), probes: [] };
  }
  const probes = items.map((item) => {
    const hits = [...answered.values()].filter((g) => g.planned.some((p) => p.abstractSyntax === item.sopClass.uid));
    const verdicts = hits.map((g) => judgeSopClass(item, g.planned, g.assoc.presentationContexts));
    // Verification opens every association: accepted once is accepted.
    return verdicts.find((v) => v.accepted.length > 0) ?? verdicts[0] ?? { sopClass: item.sopClass.uid, name: item.sopClass.label || (uidName(item.sopClass.uid) ?? item.sopClass.uid), kind: item.sopClass.kind, accepted: [], rejected: 'not answered (its probe association failed)' };
  });
  const proposed = groups.reduce((n, g) => n + g.length, 0);
  const detail = describeProbes(probes, proposed, groups.length) + (problems.length > 0 ? `\nnot answered: ${problems.join('; ')}` : '');
  const any = probes.some((p) => p.accepted.length > 0);
  return {
    step: step('contexts', title, any && problems.length === 0, detail, ids, {
      contexts: probes,
      ...(any ? {} : { fix: 'the peer accepted none of the proposed SOP classes: check that it is the PACS you mean, and that this caller is allowed the services (some PACSs reject contexts for unknown callers)' }),
    }),
    probes,
  };
}
