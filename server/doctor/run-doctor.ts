/**
 * The connectivity doctor: given a peer (host, port, AE titles) and
 * optionally a move destination, it runs the checks an integrator runs by
 * hand, in order, each on associations made through the capture hub so that
 * every verdict points at the traffic that proves it:
 *
 *   a. TCP connection            } one C-ECHO association (step-echo.ts)
 *   b. C-ECHO with the AE titles }
 *   c. after a reject: AE title variants that explain it (step-called-ae.ts)
 *   d. presentation contexts: SOP classes × transfer syntaxes (step-contexts.ts)
 *   e. C-FIND at STUDY level, then one series and one instance (step-find.ts)
 *   f. C-MOVE of that instance to the destination, C-GET of it (step-retrieve.ts)
 *
 * and builds one report: what works, what does not, and the fixes.
 *
 *   const report = await runDoctor({ host, port, calledAeTitle, callingAeTitle }, hub, { storeScp: { ae, host, port } });
 */
import type { CaptureHub } from '../capture/hub.ts';
import { connectAndEcho } from './step-echo.ts';
import { tryAeVariants } from './step-called-ae.ts';
import { probeContexts } from './step-contexts.ts';
import { findStudies, pickInstance } from './step-find.ts';
import { getOne, moveOne } from './step-retrieve.ts';
import { buildReport } from './report.ts';
import { isSendableAe } from './ae-variants.ts';
import { step, type DoctorContext, type DoctorOptions, type DoctorReport, type DoctorStep, type DoctorTarget } from './types.ts';

/** A one-line reason why the target cannot be examined, or null. */
export function targetProblem(t: DoctorTarget): string | null {
  if (typeof t.host !== 'string' || t.host.trim() === '') return 'the host must not be empty';
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) return `the port must be an integer from 1 to 65535, got ${String(t.port)}`;
  for (const [name, ae] of [['called', t.calledAeTitle], ['calling', t.callingAeTitle], ['destination', t.destination]] as const) {
    if (name === 'destination' && ae === undefined) continue;
    if (typeof ae !== 'string' || !isSendableAe(ae)) return `the ${name} AE title must have 1 to 16 characters, no backslash or control characters: "${String(ae)}"`;
  }
  return null;
}

export async function runDoctor(target: DoctorTarget, hub: CaptureHub, options: DoctorOptions = {}): Promise<DoctorReport> {
  const bad = targetProblem(target);
  if (bad) throw new Error(bad);
  const ctx: DoctorContext = { hub, target, options, calledAeTitle: target.calledAeTitle, callingAeTitle: target.callingAeTitle, signal: options.signal };
  const steps: DoctorStep[] = [];
  const add = (...more: DoctorStep[]) => {
    for (const s of more) {
      steps.push(s);
      try {
        options.onStep?.(s);
      } catch {
        // A listener's bug must not stop the doctor.
      }
    }
  };
  const done = () => buildReport(target, ctx.calledAeTitle, steps, options.signal?.aborted ?? false);
  const cancelled = () => options.signal?.aborted ?? false;

  const echo = await connectAndEcho(ctx);
  add(...echo.steps);
  if (echo.verdict.kind === 'stop') return done();
  if (echo.verdict.kind === 'rejected') {
    if (cancelled()) return done();
    const variant = await tryAeVariants(ctx, echo.verdict.reject, echo.steps[echo.steps.length - 1].associations[0] ?? null);
    add(variant.step);
    if (!variant.accepted) return done();
    ctx.calledAeTitle = variant.accepted.calledAeTitle;
    ctx.callingAeTitle = variant.accepted.callingAeTitle;
  }

  if (cancelled()) return done();
  const contexts = await probeContexts(ctx);
  add(contexts.step);

  if (cancelled()) return done();
  const find = await findStudies(ctx, contexts.probes);
  add(find.step);
  if (!find.model) return done();
  if (!find.study) {
    add(step('instance', 'One instance to retrieve', null, 'skipped: the C-FIND found no study, so there is nothing to retrieve (store an instance on the peer to test retrieval)', []));
    return done();
  }

  if (cancelled()) return done();
  const picked = await pickInstance(ctx, find.model, find.study);
  add(picked.step);
  if (!picked.retrieve) return done();

  if (cancelled()) return done();
  add(await moveOne(ctx, picked.retrieve, contexts.probes));
  if (cancelled()) return done();
  add(await getOne(ctx, picked.retrieve, contexts.probes));
  return done();
}
