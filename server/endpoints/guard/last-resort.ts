/**
 * The last safety net of `pacscope serve` (issue 14, item 4): the DICOM
 * endpoints, the UI's HTTP server and the recorder share one process, so an
 * exception nobody caught must not end it. The guard already turns what an
 * SCP throws into an A-ABORT of that association (createGuardedScp in ../../dimse/scp.ts);
 * what still escapes — an exception in a timer or a rejected promise of
 * library code — is written to stderr and to the guard's record (so the
 * status API and the UI show it), and, when it happened while a connection's
 * gate was at work (AsyncLocalStorage), that association is aborted. The
 * process goes on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { GuardContext } from './guard-context.ts';

/** The connection whose work is running (set by the gate around reading, handing on and its timers). */
export const runningGate = new AsyncLocalStorage<{ internalFailure(error: unknown, where: string): void }>();

let installed: GuardContext | null = null;

export function installLastResort(context: GuardContext, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): () => void {
  installed = context;
  const onError = (kind: string) => (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`pacscope: ${kind} (the process goes on): ${message}`);
    context.stats.note({ time: Date.now(), endpoint: 'process', peer: '', kind: 'internal-error', what: `${kind}: ${error instanceof Error ? error.message : String(error)}` });
    runningGate.getStore()?.internalFailure(error, kind);
  };
  const uncaught = onError('uncaught exception');
  const rejected = onError('unhandled promise rejection');
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', rejected);
  return () => {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', rejected);
    installed = null;
  };
}

/** For tests: the context the net reports to. */
export const lastResortContext = (): GuardContext | null => installed;
