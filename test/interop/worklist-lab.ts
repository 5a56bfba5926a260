/**
 * Helpers of the worklist-*.test.ts interop tests: DCMTK wlmscpfs on a
 * worklist of dump2dcm files (harness/worklist-files.ts), tshark's account
 * of a capture against pacscope's (harness/compare.ts), two decodings of the
 * same traffic (a dumpcap capture and pacscope's own recording or live
 * model) compared message by message, identifiers and links included.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Summary, SummaryMessage } from '../../shared/model/summary-types.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';
import { worklistItems } from '../../server/endpoints/pacs/worklist-items.ts';
import { crossCheckTshark } from './harness/compare.ts';
import { associationFacts } from './harness/pacscope-cli.ts';
import { tsharkStreams } from './harness/tshark.ts';
import { waitListening } from './harness/net.ts';
import { RunningProcess } from './harness/process.ts';
import { writeWorklistFiles } from './harness/worklist-files.ts';

export const WLM_AE = 'WLMSCP';

/** wlmscpfs (AE WLMSCP) on `port`, serving the synthetic worklist as of today; -csk keeps the files' character set (ISO_IR 192). */
export async function startWlmscpfs(dir: string, port: number): Promise<RunningProcess> {
  const db = join(dir, 'wlistdb');
  await writeWorklistFiles(db, WLM_AE, worklistItems());
  const proc = new RunningProcess('wlmscpfs', ['-dfp', db, '-csk', String(port)], { cwd: dir, env: { TCP_NODELAY: '1' } });
  await waitListening(port, 10_000, () => proc.output.slice(-1500));
  return proc;
}

/** tshark and pacscope agree on every association of the capture (commands, ids, statuses, PDUs); returns how many were compared. */
export async function expectTsharkAgrees(file: string, ports: number[], summary: Summary): Promise<number> {
  const check = crossCheckTshark(summary.associations.map((a) => associationFacts(summary, a)), await tsharkStreams(file, { dicomPorts: ports }));
  for (const u of [...check.uncertain, ...check.notCompared]) console.info(`[worklist] ${file}: ${u}`);
  expect(check.mismatches).toEqual([]);
  return check.compared.length;
}

/** What two decodings of the same association must share: every message's command fields, identifier and link, in order. */
function messageView(s: Summary, m: SummaryMessage) {
  const cause = m.cause ? { relation: m.cause.relation, command: commandOf(s.messages[m.cause.message]) } : null;
  return {
    command: commandOf(m),
    status: statusCodeOf(m),
    side: m.side,
    messageId: m.messageId,
    respondsTo: m.respondsTo,
    affectedSopClass: m.affectedSopClass,
    affectedSopInstance: m.affectedSopInstance,
    requestedSopClass: m.requestedSopClass,
    requestedSopInstance: m.requestedSopInstance,
    errorComment: m.errorComment,
    identifier: m.identifier,
    cause,
  };
}

/** The associations between these AE titles, in order, as comparable views. */
export function decodedView(s: Summary, callingAes: readonly string[]) {
  return s.associations
    .filter((a) => a.requestor.ae !== null && callingAes.includes(a.requestor.ae))
    .map((a) => ({
      requestor: [a.requestor.ae, a.requestor.port],
      acceptor: [a.acceptor.ae, a.acceptor.port],
      outcome: a.outcome,
      contexts: a.presentationContexts.map((pc) => [pc.abstractSyntax, pc.result, pc.transferSyntax]),
      messages: s.messages.filter((m) => m.association === a.id).map((m) => messageView(s, m)),
    }));
}
