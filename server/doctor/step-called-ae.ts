/**
 * Step c: after an A-ASSOCIATE-RJ, the AE titles that explain it
 * (ae-variants.ts), one C-ECHO association each, at most 8, stopping at the
 * first one the peer accepts. A rejection that names the caller (1/1/3) is
 * fixed on the peer: it must know the calling AE title (config-snippets.ts).
 */
import { cEcho } from '../endpoints/scu/echo.ts';
import { associationById, associationIdOf } from './hub-evidence.ts';
import { aeVariants, isCallingAeReject, type AeVariant, type RejectCodes } from './ae-variants.ts';
import { callerFix } from './config-snippets.ts';
import { callerAsSeen, wasAccepted } from './step-echo.ts';
import { scuTarget, step, type DoctorContext, type DoctorStep } from './types.ts';

export interface CalledAeStep {
  step: DoctorStep;
  /** The variant the peer accepted, or null. */
  accepted: AeVariant | null;
}

const quoted = (ae: string) => `"${ae}"`;

export async function tryAeVariants(ctx: DoctorContext, reject: RejectCodes, firstAssociation: string | null): Promise<CalledAeStep> {
  const { hub } = ctx;
  const variants = aeVariants(ctx.calledAeTitle, ctx.callingAeTitle, reject);
  const ids: string[] = [];
  const lines: string[] = [];
  let accepted: AeVariant | null = null;
  for (const v of variants) {
    if (ctx.signal?.aborted) break;
    const r = await cEcho(scuTarget(ctx, v), hub);
    const id = associationIdOf(hub, r.connection);
    if (id) ids.push(id);
    const a = associationById(hub, id);
    const label = `${quoted(v.calledAeTitle)}${v.callingAeTitle !== ctx.callingAeTitle ? ` (calling ${quoted(v.callingAeTitle)})` : ''} — ${v.why}`;
    if (wasAccepted(a)) {
      lines.push(`${label}: accepted`);
      accepted = v;
      break;
    }
    lines.push(`${label}: ${a?.reject ? `rejected ${a.reject.result}/${a.reject.source}/${a.reject.reason}` : (r.reason ?? r.outcome)}`);
  }
  const title = 'Called AE title';
  const tried = `tried ${lines.length} variant${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
  const first = associationById(hub, firstAssociation);
  if (accepted) {
    const swapped = accepted.callingAeTitle !== ctx.callingAeTitle;
    const headline = swapped
      ? `accepted with the AE titles swapped: calling ${quoted(accepted.callingAeTitle)}, called ${quoted(accepted.calledAeTitle)}`
      : `the peer accepts called AE title ${quoted(accepted.calledAeTitle)}, not ${quoted(ctx.calledAeTitle)}; the next steps use it`;
    const fix = swapped
      ? `swap the AE titles: calling (--aet) ${accepted.callingAeTitle}, called (--aec) ${accepted.calledAeTitle}`
      : `call the peer as ${quoted(accepted.calledAeTitle)} (--aec ${accepted.calledAeTitle.trim()}; in a viewer or modality: the PACS's "AE title" field), or make the peer answer to ${quoted(ctx.calledAeTitle)} (Orthanc: DicomAet, or DicomCheckCalledAet false; dcmqrscp: an AETable line for it)`;
    return { step: step('called-ae', title, false, `${headline}\n${tried}`, ids, { fix }), accepted };
  }
  const fix = isCallingAeReject(reject) && first
    ? callerFix(callerAsSeen(ctx, first), ctx.calledAeTitle)
    : `ask the peer's administrator for its AE title (the called AE title, --aec): none of the usual variants of ${quoted(ctx.calledAeTitle)} was accepted`;
  const headline = variants.length === 0 ? 'no variant of the AE titles explains this reject' : `no variant was accepted`;
  return { step: step('called-ae', title, false, variants.length === 0 ? headline : `${headline}\n${tried}`, ids, { fix }), accepted: null };
}
