/**
 * Presentation contexts the SCP refused (PS3.8 §9.3.3.2, Table 9-18: 1
 * user-rejection, 2 no-reason, 3 abstract syntax not supported, 4 transfer
 * syntaxes not supported). All of them refused leaves an association that can
 * carry nothing; a storage SOP class refused on a C-STORE association means
 * those instances cannot be sent at all (storescu then skips them and says so
 * only in its own log). C-GET associations propose many storage classes
 * speculatively, so partial refusals there are left to the C-GET rules, and
 * the sub-associations of a C-MOVE to the C-MOVE rules (which run first).
 */
import type { DiagnosisContext } from './context.ts';
import type { SummaryAssociation, SummaryPresentationContext } from '../model/summary-types.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { hostPort, list, q, uidText } from './format.ts';
import { setting } from './peer-settings.ts';
import type { ProductId } from './products.ts';
import { CommandField } from '../dimse/command-fields.ts';

const STORAGE = '1.2.840.10008.5.1.4.1.1.';
const QUERY_RETRIEVE = '1.2.840.10008.5.1.4.1.2.';
export const isStorageClass = (uid: string | null): boolean => uid !== null && uid.startsWith(STORAGE);
const isQueryRetrieve = (uid: string | null): boolean => uid !== null && uid.startsWith(QUERY_RETRIEVE);

/**
 * Storage classes most often moved, first in lists of refused contexts: an
 * SCP like dcmqrscp proposes ~120 storage classes on a sub-association, and
 * nothing on the wire says which of them the instances have. Data.
 */
const COMMON_STORAGE: readonly string[] = ['2', '4', '1', '1.1', '7', '6.1', '1.2', '128', '20', '12.1', '12.2', '2.1', '4.1', '3.1', '481.1', '481.2', '481.3', '481.5', '88.11', '88.22', '88.33', '104.1'].map((x) => `${STORAGE}${x}`);

/** Refused contexts with the common storage classes first (then in proposal order). */
export function commonFirst(pcs: readonly SummaryPresentationContext[]): SummaryPresentationContext[] {
  const rank = (pc: SummaryPresentationContext) => {
    const i = COMMON_STORAGE.indexOf(pc.abstractSyntax ?? '');
    return i < 0 ? COMMON_STORAGE.length : i;
  };
  return pcs.map((pc, i) => ({ pc, i })).sort((x, y) => rank(x.pc) - rank(y.pc) || x.i - y.i).map((x) => x.pc);
}

/** Storage classes `a` accepted, by name. */
export function acceptedStorage(a: SummaryAssociation): string[] {
  return [...new Set(a.presentationContexts.filter((pc) => pc.result === 0 && isStorageClass(pc.abstractSyntax)).map((pc) => uidText(pc.abstractSyntax)))];
}

/**
 * Refused contexts grouped by reason: "abstract-syntax-not-supported: CT Image
 * Storage (…), Computed Radiography Image Storage (…) and 109 more", at most
 * `max` names in all.
 */
export function refusedText(pcs: readonly SummaryPresentationContext[], max = 4): string {
  const groups = new Map<string, string[]>();
  for (const pc of pcs) {
    const why = pc.result === 4 ? `${pc.resultText ?? 'transfer-syntaxes-not-supported'} (proposed ${list(pc.transferSyntaxes.map(uidText), 3)})` : (pc.resultText ?? `result ${pc.result}`);
    const names = groups.get(why);
    if (names) names.push(uidText(pc.abstractSyntax));
    else groups.set(why, [uidText(pc.abstractSyntax)]);
  }
  return [...groups].map(([why, names]) => `${why}: ${list(names, max)}`).join('; ');
}

/** Contexts refused whose abstract syntax no other context of the association got accepted for, one per abstract syntax. */
export function refusedContexts(a: SummaryAssociation): SummaryPresentationContext[] {
  const seen = new Set(a.presentationContexts.filter((pc) => pc.result === 0).map((pc) => pc.abstractSyntax));
  const out: SummaryPresentationContext[] = [];
  for (const pc of a.presentationContexts) {
    if (pc.result === null || pc.result === 0 || seen.has(pc.abstractSyntax)) continue;
    seen.add(pc.abstractSyntax);
    out.push(pc);
  }
  return out;
}

/**
 * The fix for refused contexts, by what kind of SOP class they are: `storeSide`
 * names the SCP that refused, `storeProduct` is its product and `scuProduct`
 * the proposer's (null: not identified).
 */
export function contextFix(refused: readonly SummaryPresentationContext[], storeSide: string, storeProduct: ProductId | null = null, scuProduct: ProductId | null = null): string {
  const parts: string[] = [];
  const storage = commonFirst(refused.filter((pc) => isStorageClass(pc.abstractSyntax)));
  const bySyntax = storage.filter((pc) => pc.result === 4);
  const byClass = storage.filter((pc) => pc.result !== 4);
  if (byClass.length) parts.push(`Make ${storeSide} accept ${list(byClass.map((pc) => uidText(pc.abstractSyntax)), 3)}: ${setting('storeSopClasses', storeProduct, { SOP: byClass[0].abstractSyntax ?? null })}.`);
  if (bySyntax.length) parts.push(`Make ${storeSide} accept one of the proposed transfer syntaxes (${list([...new Set(bySyntax.flatMap((pc) => pc.transferSyntaxes))].map(uidText), 3)}): ${setting('storeTransferSyntaxes', storeProduct)}. Or have the sender also propose Implicit VR Little Endian (1.2.840.10008.1.2), which every SCP must accept (PS3.5 §10.1).`);
  const qr = refused.filter((pc) => isQueryRetrieve(pc.abstractSyntax));
  if (qr.length) {
    parts.push(storeProduct === 'storescp'
      ? `Query the Query/Retrieve SCP instead: ${storeSide} is a store SCP (DCMTK storescp), which offers no ${list(qr.map((pc) => uidText(pc.abstractSyntax)))}; check the called AE title and port.`
      : `Use an information model ${storeSide} supports instead of ${list(qr.map((pc) => uidText(pc.abstractSyntax)))}: ${setting('informationModel', scuProduct)}. If it is a store SCP, it offers no query at all: check the called AE title and port.`);
  }
  const other = refused.filter((pc) => !isStorageClass(pc.abstractSyntax) && !isQueryRetrieve(pc.abstractSyntax));
  if (other.length) parts.push(`The SCP does not offer ${list(other.map((pc) => uidText(pc.abstractSyntax)))}: check its conformance statement for the services it supports.`);
  return parts.join(' ');
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const a of ctx.summary.associations) {
    if (a.midStream || a.presentationContexts.every((pc) => pc.result === 0 || pc.result === null) || ctx.claimedAssociations.has(a.id)) continue;
    const ac = ctx.pdusOfType(a.id, 'A-ASSOCIATE-AC');
    if (ac.length === 0) continue;
    const answered = a.presentationContexts.filter((pc) => pc.result !== null);
    const evidence = { associations: [a.id], messages: [] as number[], pdus: [...ctx.pdusOfType(a.id, 'A-ASSOCIATE-RQ'), ...ac] };
    const time = ctx.summary.pdus[ac[0]].time;
    if (answered.length > 0 && answered.every((pc) => pc.result !== 0)) {
      const ended = a.outcome === 'aborted' ? ` The ${a.abort?.by === 'requestor' ? 'SCU' : 'SCP'} then aborted.` : a.outcome === 'closed' ? ` Then: ${a.closeReason ?? 'the connection closed'}.` : '';
      out.push({
        rule: 'association.contexts-all-rejected',
        severity: 'error',
        title: `${q(a.acceptor.ae)} accepted ${a.id} but refused every presentation context`,
        text: `The A-ASSOCIATE-AC of ${a.id} refuses all ${answered.length} proposed presentation context(s) (PS3.8 Table 9-18), ${refusedText(refusedContexts(a), 6)}. The association can carry no DIMSE message at all.${ended}`,
        fix: contextFix(refusedContexts(a), `the SCP ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)}`, ctx.productOf(a, 'acceptor'), ctx.productOf(a, 'requestor')),
        evidence,
        time,
      });
      continue;
    }
    // Storage SCUs propose many classes speculatively (storescu proposes ~100): a refusal matters when nothing could be stored.
    if (hasGet(ctx, a) || storedAnything(ctx, a)) continue;
    const refused = commonFirst(refusedContexts(a).filter((pc) => isStorageClass(pc.abstractSyntax)));
    if (refused.length === 0) continue;
    const accepted = acceptedStorage(a);
    const ended = a.outcome === 'aborted' && a.abort?.by === 'requestor' ? ' The SCU then aborted the association (DCMTK storescu does when none of its files has an accepted context).' : '';
    out.push({
      rule: 'store.context-rejected',
      severity: 'error',
      title: `Nothing was stored on ${a.id}: ${q(a.acceptor.ae)} refused ${refused.length} storage SOP class(es), ${list(refused.map((pc) => uidText(pc.abstractSyntax)), 2)}`,
      text: `On ${a.id} no C-STORE was sent: the SCP accepted ${accepted.length ? `only ${list(accepted, 4)}` : 'no storage class'} and refused ${refused.length} (PS3.8 Table 9-18), ${refusedText(refused)}. Instances of a refused class cannot be sent on this association: a storage SCU skips them (DCMTK storescu logs "no presentation context").${ended}`,
      fix: contextFix(refused, `the store SCP ${q(a.acceptor.ae)} at ${hostPort(a.acceptor)}`, ctx.productOf(a, 'acceptor'), ctx.productOf(a, 'requestor')),
      evidence,
      time,
    });
  }
}

function storedAnything(ctx: DiagnosisContext, a: SummaryAssociation): boolean {
  return (ctx.messagesOf.get(a.id) ?? []).some((i) => ctx.message(i).commandField === CommandField.CStoreRq);
}

/** A C-GET association: its storage contexts are proposed speculatively. */
function hasGet(ctx: DiagnosisContext, a: SummaryAssociation): boolean {
  if (a.roles.some((r) => r.proposed.scp)) return true;
  return (ctx.messagesOf.get(a.id) ?? []).some((i) => ctx.message(i).commandField === CommandField.CGetRq);
}

export const presentationContextRules: RuleFamily = {
  name: 'presentation-contexts',
  catalogue: [
    { id: 'association.contexts-all-rejected', severity: 'error', summary: 'Every proposed presentation context refused: the association can carry nothing' },
    { id: 'store.context-rejected', severity: 'error', summary: 'Nothing stored on a storage association whose storage SOP classes were refused (abstract or transfer syntax), listed' },
  ],
  run,
};
