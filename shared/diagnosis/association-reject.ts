/**
 * A-ASSOCIATE-RJ (PS3.8 §9.3.4, Table 9-21): for every result/source/reason,
 * who refused whom, what the SCP was called and what it likely expects (the
 * called AE titles it accepted at the same address in this capture, AE titles
 * that differ only by case or spaces), and which setting on which side fixes
 * it. A rejected sub-association of a C-MOVE is the PACS's configuration
 * talking: its AE table entry for the destination holds the wrong title.
 */
import type { DiagnosisContext } from './context.ts';
import type { SummaryAssociation } from '../model/summary-types.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { aeProblems, nearMiss } from './ae-titles.ts';
import { hostPort, list, q } from './format.ts';
import { setting } from './peer-settings.ts';
import type { ProductId } from './products.ts';

type FixKind = 'called-ae' | 'calling-ae' | 'ae-both' | 'app-context' | 'provider' | 'protocol' | 'retry' | 'limit' | 'unknown';

interface RejectReason {
  id: string;
  /** Short form for the title. */
  short: string;
  why: string;
  fix: FixKind;
}

/** Source/reason → meaning and fix, PS3.8 Table 9-21 (reason codes depend on the source). Data. */
export const REJECT_REASONS: ReadonlyMap<string, RejectReason> = new Map([
  ['1/1', { id: 'association.rejected.no-reason', short: 'no reason given', fix: 'ae-both', why: 'The SCP (service-user) refused without a reason. SCPs answer so for whatever they do not accept: most often the calling AE title is not in their AE table or the called AE title is not theirs; some also check the caller\'s host (Orthanc "DicomCheckModalityHost", TCP wrappers).' }],
  ['1/2', { id: 'association.rejected.application-context', short: 'application context name not supported', fix: 'app-context', why: 'The A-ASSOCIATE-RQ proposed an application context the SCP does not support; DICOM has exactly one, 1.2.840.10008.3.1.1.1 (PS3.7 Annex A.2.1).' }],
  ['1/3', { id: 'association.rejected.calling-ae', short: 'calling AE title not recognised', fix: 'calling-ae', why: 'The SCP does not know the calling AE title {CALLING}: it answers only peers listed in its AE table.' }],
  ['1/7', { id: 'association.rejected.called-ae', short: 'called AE title not recognised', fix: 'called-ae', why: 'The SCP answered that it is not called {CALLED}: the called AE title of the A-ASSOCIATE-RQ is not its own.' }],
  ['2/1', { id: 'association.rejected.provider', short: 'refused by the DICOM upper layer, no reason given', fix: 'provider', why: 'The SCP\'s DICOM upper layer (ACSE), not the application, refused the A-ASSOCIATE-RQ: usually something in it that the implementation cannot handle (user identity, extended negotiation, a maximum PDU length it refuses).' }],
  ['2/2', { id: 'association.rejected.protocol-version', short: 'protocol version not supported', fix: 'protocol', why: 'The A-ASSOCIATE-RQ carried a protocol version the SCP does not support; DICOM defines only version 1 (PS3.8 §9.3.2).' }],
  ['3/1', { id: 'association.rejected.congestion', short: 'temporary congestion', fix: 'retry', why: 'The SCP is temporarily overloaded (presentation-related provider rejection, temporary-congestion).' }],
  ['3/2', { id: 'association.rejected.local-limit', short: 'local limit exceeded', fix: 'limit', why: 'The SCP has reached its limit of simultaneous associations (local-limit-exceeded).' }],
]);

const SOURCES: Record<number, string> = { 1: 'the SCP (DICOM UL service-user)', 2: 'the SCP\'s DICOM upper layer (service-provider, ACSE)', 3: 'the SCP\'s DICOM upper layer (service-provider, presentation)' };

function run(ctx: DiagnosisContext, out: Finding[]): void {
  for (const a of ctx.summary.associations) {
    // An association a more specific rule explained (a storage commitment report association) is not reported again.
    if (!a.reject || ctx.claimedAssociations.has(a.id)) continue;
    const { result, source, reason } = a.reject;
    const entry = REJECT_REASONS.get(`${source}/${reason}`) ?? { id: 'association.rejected.other-reason', short: `reason ${reason} of source ${source}`, fix: 'unknown' as const, why: `Reason ${reason} is reserved or unknown for source ${source} in PS3.8 Table 9-21.` };
    const move = ctx.moveOf.get(a.id);
    const moveRq = move ? ctx.message(move.rq) : null;
    const called = a.acceptor.ae;
    const calling = a.requestor.ae;
    const accepted = [...(ctx.acceptedCalledAes.get(hostPort(a.acceptor)) ?? [])].filter((x) => x !== called);
    const near = nearMiss(called, accepted);
    const notes: string[] = [];
    if (moveRq) notes.push(`This is the sub-association of the C-MOVE-RQ #${moveRq.messageId ?? '?'} on ${moveRq.association} (PS3.4 C.4.2): the PACS ${q(calling)} opened it to the move destination ${q(moveRq.moveDestination)} using the AE title and address in its own AE table.`);
    if (entry.fix === 'called-ae' || entry.fix === 'ae-both') {
      if (near) notes.push(`At the same address the SCP accepted the called AE ${q(near)}, which differs from ${q(called)} only by case or spaces.`);
      else if (accepted.length) notes.push(`At the same address it accepted the called AE title${accepted.length > 1 ? 's' : ''} ${list(accepted.map(q))} in this capture: that is likely the title it expects.`);
      notes.push(...aeProblems(called, 'the called AE title'));
    }
    if (entry.fix === 'calling-ae' || entry.fix === 'ae-both') notes.push(...aeProblems(calling, 'the calling AE title'));
    const transient = result === 2 ? ' (rejected-transient: the same request may succeed later)' : result === 1 ? ' (rejected-permanent)' : '';
    const rj = ctx.pdusOfType(a.id, 'A-ASSOCIATE-RJ');
    const rq = ctx.pdusOfType(a.id, 'A-ASSOCIATE-RQ');
    const messages = move ? [move.rq, ...(move.final === null ? [] : [move.final])] : [];
    out.push({
      rule: entry.id,
      severity: 'error',
      title: `Association ${a.id} rejected by ${q(called)} at ${hostPort(a.acceptor)}: ${entry.short} (${result}/${source}/${reason})`,
      text:
        `${q(calling)} asked ${q(called)} at ${hostPort(a.acceptor)} for an association; ${SOURCES[source] ?? `source ${source}`} answered A-ASSOCIATE-RJ result ${result}${transient}, source ${source}, reason ${reason}: ${entry.short} (PS3.8 §9.3.4, Table 9-21). ` +
        `${entry.why.replace('{CALLED}', q(called)).replace('{CALLING}', q(calling))}${notes.length ? ` ${notes.join('. ')}.` : ''}`,
      fix: fixText(ctx, entry.fix, a, moveRq?.moveDestination ?? null, near ?? (accepted.length === 1 ? accepted[0] : null), source, reason),
      evidence: { associations: move ? [a.id, move.association.id] : [a.id], messages, pdus: [...rq, ...rj] },
      time: a.end ?? a.start,
    });
  }
}

function fixText(ctx: DiagnosisContext, kind: FixKind, a: SummaryAssociation, dest: string | null, expected: string | null, source: number, reason: number): string {
  const called = a.acceptor.ae;
  const calling = a.requestor.ae;
  const scu: ProductId | null = ctx.productOf(a, 'requestor');
  const scp: ProductId | null = ctx.productOf(a, 'acceptor');
  const at = hostPort(a.acceptor);
  const here = { HOST: a.acceptor.host, PORT: a.acceptor.port };
  // Where the caller itself listens, if it does in this capture (a knownCaller entry of Orthanc or dcmqrscp wants it).
  const callerAt = ctx.products.addressOf(calling);
  const caller = { AE: calling, HOST: a.requestor.host, PORT: callerAt?.host === a.requestor.host ? callerAt.port : null };
  const sub = dest !== null;
  switch (kind) {
    case 'called-ae':
      if (sub) {
        return `Correct the PACS's entry for ${q(dest)}: the destination at ${at} does not answer to ${q(called)}${expected ? ` (it answered to ${q(expected)} in this capture)` : ''}. ` +
          `In the PACS (${q(calling)}): ${setting('moveDestination', scu, { DEST: expected ?? dest, ...here })}. ` +
          `Or make the destination answer to ${q(called)}: ${setting('scpOwnAe', scp, { AE: called, ...here })}; or accept any called AE there: ${setting('calledAeCheckOff', scp)}.`;
      }
      return `Call the SCP at ${at} by its own AE title${expected ? ` ${q(expected)}` : ''} instead of ${q(called)}${expected ? `: ${setting('scuCalledAe', scu, { AE: expected })}` : ' (this capture does not show that title: read it in the SCP\'s configuration)'}. ` +
        `Or make the SCP answer to ${q(called)}: ${setting('scpOwnAe', scp, { AE: called, ...here })}; or accept any called AE: ${setting('calledAeCheckOff', scp)}.` +
        (scp === 'dcmqrscp' ? ` If ${q(called)} is right, dcmqrscp answers 1/1/7 too when the calling AE ${q(calling)} is not in the peers column of that AETable line: ${setting('knownCaller', scp, caller)}.` : '');
    case 'calling-ae':
      if (sub) return `Register the PACS's calling AE ${q(calling)} at the destination ${q(called)} (${at}): ${setting('knownCaller', scp, caller)}.`;
      return `Add the caller ${q(calling)} from ${a.requestor.host} to the peers the SCP at ${at} knows: ${setting('knownCaller', scp, caller)}. Or call with an AE title the SCP already knows (the SCU's calling AE title${scu ? `; ${setting('scuCallingAe', scu, { AE: calling })} is the current one` : ''}).`;
    case 'ae-both':
      return `Make the SCP at ${at} answer to ${q(called)} and know the caller ${q(calling)}: its own title is ${setting('scpOwnAe', scp, { AE: called, ...here })}; the caller is ${setting('knownCaller', scp, caller)}. Its log says which of the two it refused.`;
    case 'app-context':
      return 'Use an SCU that proposes the DICOM application context name 1.2.840.10008.3.1.1.1; anything else is not DICOM.';
    case 'provider':
      return `Read the log of the SCP at ${at} for the reason, and compare this A-ASSOCIATE-RQ with one it accepts (user identity, extended negotiation, maximum PDU length).`;
    case 'protocol':
      return "Fix or replace the SCU's DICOM library: it must send protocol version 1 (bit 0 of the Protocol-version field).";
    case 'retry':
      return `Retry later; if it persists, have the SCU open fewer associations at once or raise the limit of the SCP at ${at}: ${setting('maxAssociations', scp)}.`;
    case 'limit':
      return `Wait for the other associations of the SCP at ${at} to end, look for SCUs that never release theirs, or raise its limit: ${setting('maxAssociations', scp)}.`;
    case 'unknown':
      return `Look up reason ${reason} of source ${source} in the documentation and log of the SCP at ${at}: PS3.8 does not define it.`;
  }
}

export const associationRejectRules: RuleFamily = {
  name: 'association-reject',
  catalogue: [
    ...[...REJECT_REASONS.values()].map((r) => ({ id: r.id, severity: 'error' as const, summary: `A-ASSOCIATE-RJ: ${r.short} (PS3.8 Table 9-21)` })),
    { id: 'association.rejected.other-reason', severity: 'error', summary: 'A-ASSOCIATE-RJ with a reserved or unknown source/reason' },
  ],
  run,
};
