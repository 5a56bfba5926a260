/**
 * pacscope's side of the cross-check: `node bin/pacscope.js summary FILE --json`
 * run as a user would, its JSON (shared/model/summary-types.ts) turned into
 * the comparable AssociationFacts.
 */
import { fileURLToPath } from 'node:url';
import type { Summary, SummaryAssociation } from '../../../shared/model/summary-types.ts';
import { runTool } from './process.ts';
import { trimValue, type AssociationFacts, type MessageFacts } from './facts.ts';
import { commandOf, statusCodeOf } from '../../../shared/dimse/message-words.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));

export async function pacscopeSummary(file: string): Promise<Summary> {
  const res = await runTool(process.execPath, [BIN, 'summary', file, '--json'], { cwd: REPO_ROOT, timeoutMs: 60_000, encoding: 'utf8' });
  if (res.code !== 0) throw new Error(`${res.command} exited ${res.code}:\n${res.output.slice(0, 3000)}`);
  const start = res.output.indexOf('{');
  try {
    return JSON.parse(res.output.slice(start)) as Summary;
  } catch (err) {
    throw new Error(`${res.command} printed no JSON (${(err as Error).message}):\n${res.output.slice(0, 3000)}`);
  }
}

export function associationFacts(summary: Summary, a: SummaryAssociation): AssociationFacts {
  const messages: MessageFacts[] = summary.messages
    .filter((m) => m.association === a.id)
    .map((m) => ({
      command: commandOf(m),
      side: m.side,
      messageId: m.messageId,
      respondsTo: m.respondsTo,
      status: statusCodeOf(m),
      remaining: m.remaining,
      completed: m.completed,
      failed: m.failed,
      warning: m.warning,
      moveDestination: trimValue(m.moveDestination),
      moveOriginatorAe: trimValue(m.moveOriginator?.ae ?? null),
      moveOriginatorId: m.moveOriginator?.messageId ?? null,
      affectedSopInstance: trimValue(m.affectedSopInstance),
    }));
  return {
    requestorPort: a.requestor.port,
    acceptorPort: a.acceptor.port,
    callingAe: trimValue(a.requestor.ae),
    calledAe: trimValue(a.acceptor.ae),
    pdus: summary.pdus.filter((p) => p.association === a.id).map((p) => ({ type: p.type, side: p.from })),
    messages,
    reject: a.reject ? { result: a.reject.result, source: a.reject.source, reason: a.reject.reason } : null,
    abort: a.abort ? { source: a.abort.source, reason: a.abort.reason } : null,
  };
}

/** The association of `summary` between these two ports, or undefined. */
export function findAssociation(summary: Summary, requestorPort: number, acceptorPort: number): SummaryAssociation | undefined {
  return summary.associations.find((a) => a.requestor.port === requestorPort && a.acceptor.port === acceptorPort);
}
