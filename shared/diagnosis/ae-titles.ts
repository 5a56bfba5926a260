/**
 * AE title problems (PS3.5 §6.2, VR AE: 1–16 characters of the default
 * repertoire without backslash or control characters; leading and trailing
 * spaces are not significant, and a value of only spaces is not allowed).
 * The A-ASSOCIATE-RQ has a fixed 16-byte field for each title (PS3.8 Table
 * 9-11), so a longer title configured on one side arrives cut; Move
 * Destination (0000,0600) is an AE element of the C-MOVE-RQ and can be too
 * long on the wire. Many SCPs compare titles byte for byte: case and leading
 * spaces count, though the standard says leading spaces do not.
 *
 * `aeProblems` feeds the texts of other findings (a rejected association,
 * an unknown move destination); the rule here reports bad titles that no
 * other finding has already explained.
 */
import type { DiagnosisContext } from './context.ts';
import { q } from './format.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';

const ILLEGAL = /[\\\x00-\x1f\x7f]/;

/** What is odd about an AE title, in words; [] when nothing is. */
export function aeProblems(ae: string | null, what = 'the AE title'): string[] {
  if (ae === null) return [];
  const out: string[] = [];
  if (ae.trim() === '') out.push(`${what} is blank (all spaces): no SCP can be configured to match it (PS3.5 §6.2)`);
  if (ae.length > 16) out.push(`${what} ${q(ae)} has ${ae.length} characters, over the 16 an AE title may have (PS3.5 §6.2)`);
  else if (ae.length === 16) out.push(`${what} ${q(ae)} fills all 16 characters: if it is configured longer somewhere, it was cut to these 16`);
  if (ILLEGAL.test(ae)) out.push(`${what} ${q(ae)} contains a backslash or a control character, which an AE title may not (PS3.5 §6.2)`);
  if (/^ +\S/.test(ae)) out.push(`${what} ${q(ae)} starts with spaces: many SCPs compare them, though PS3.5 says leading spaces are not significant`);
  if (/[a-z]/.test(ae)) out.push(`${what} ${q(ae)} has lowercase letters: most SCPs compare AE titles case-sensitively`);
  return out;
}

/** The known title that `ae` differs from only by case or surrounding spaces, if any. */
export function nearMiss(ae: string | null, known: Iterable<string>): string | null {
  if (ae === null) return null;
  const norm = (s: string) => s.trim().toUpperCase();
  for (const k of known) if (k !== ae && norm(k) === norm(ae)) return k;
  return null;
}

/** Titles that are wrong wherever they appear: blank, too long, illegal characters. */
function invalid(ae: string | null): string | null {
  if (ae === null) return null;
  if (ae.trim() === '') return 'blank';
  if (ae.length > 16) return 'over 16 characters';
  if (ILLEGAL.test(ae)) return 'contains a backslash or control character';
  return null;
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const a of ctx.summary.associations) {
    // A rejection names bad titles in its own text (association-reject.ts); other findings about the association do not.
    if (a.midStream || a.outcome === 'refused' || a.outcome === 'rejected') continue;
    for (const [role, ae] of [['calling', a.requestor.ae], ['called', a.acceptor.ae]] as const) {
      const bad = invalid(ae);
      if (!bad) continue;
      const rq = ctx.pdusOfType(a.id, 'A-ASSOCIATE-RQ');
      out.push({
        rule: 'ae-title.invalid',
        severity: 'warning',
        title: `${role === 'calling' ? 'Calling' : 'Called'} AE title ${q(ae)} on ${a.id} is not a valid AE title (${bad})`,
        text: `The A-ASSOCIATE-RQ of ${a.id} names the ${role} AE ${q(ae)}: ${aeProblems(ae, `the ${role} AE title`).join('; ')}. This peer accepted it, but others will not, and it cannot be entered in an AE table.`,
        fix: `Give the ${role === 'calling' ? `SCU at ${a.requestor.host}` : `SCP at ${a.acceptor.host}:${a.acceptor.port}`} a title of 1–16 uppercase letters, digits, "_" or "-" instead of ${q(ae)}, and use the same title on both sides.`,
        evidence: { associations: [a.id], messages: [], pdus: rq },
        time: a.start,
      });
    }
  }
  const { messages } = ctx.summary;
  for (const run of ctx.retrieves) {
    const m = messages[run.rq];
    // A cancelled move says nothing about its destination's title: that is still worth a word.
    const cancelled = run.final !== null && ctx.message(run.final).statusCategory === 'cancel';
    if (run.service !== 'C-MOVE' || (ctx.claimedMessages.has(run.rq) && !cancelled)) continue;
    const bad = invalid(m.moveDestination);
    if (!bad) continue;
    out.push({
      rule: 'ae-title.invalid',
      severity: 'warning',
      title: `Move destination ${q(m.moveDestination)} is not a valid AE title (${bad})`,
      text: `The C-MOVE-RQ on ${m.association} names the move destination ${q(m.moveDestination)}: ${aeProblems(m.moveDestination, 'the move destination').join('; ')}.`,
      fix: `Set the move destination of the C-MOVE on ${m.association} to the AE title of the store SCP exactly as ${q(m.to)} has it in its AE table${ctx.productOf(ctx.associations.get(m.association)!, 'requestor') === 'dcmtk' ? ' (DCMTK movescu: -aem)' : ctx.productOf(ctx.associations.get(m.association)!, 'requestor') === 'pacscope' ? ' (pacscope move: --dest)' : ''}: 1–16 characters, no backslash or control characters.`,
      evidence: { associations: [m.association], messages: [run.rq] },
      time: m.time,
    });
  }
}

export const aeTitleRules: RuleFamily = {
  name: 'ae-titles',
  catalogue: [{ id: 'ae-title.invalid', severity: 'warning', summary: 'A blank, over-long or illegal AE title (PS3.5 §6.2) in an association or a move destination that no other finding explains' }],
  run,
};
