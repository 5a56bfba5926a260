/**
 * What a one-instance C-MOVE says about the route to its destination (pure):
 * the final status and counters of the C-MOVE-RSP (PS3.4 C.4.2.1.5, status
 * codes of C.4.2.1.5 / Table C.4-2) and, when the destination is pacscope's
 * own store SCP, the sub-association the peer opened to it (PS3.4 C.4.2.3.1)
 * and its C-STORE-RSPs, as the capture decoded them.
 */
import { formatStatus, statusInfo } from '../../shared/dimse/status.ts';
import type { OperationResult, SubOperationCounters } from '../endpoints/scu/options.ts';
import type { SummaryAssociation } from '../../shared/model/summary-types.ts';
import { rejectText } from '../endpoints/scu/run-operation.ts';
import { destinationFix, destinationSnippets, type KnownAe } from './config-snippets.ts';

export interface MoveFacts {
  destination: string;
  /** pacscope's store SCP when it is the destination, else null. */
  store: { host: string; port: number } | null;
  result: OperationResult;
  counters: SubOperationCounters;
  /** Sub-associations to the store SCP (empty when it is not the destination). */
  subs: Pick<SummaryAssociation, 'id' | 'outcome' | 'reject' | 'presentationContexts'>[];
  /** C-STORE-RSPs on them. */
  stores: { instance: string; status: string | null; category: string | null; meaning: string | null }[];
  /** The instance moved (null: a series). */
  instance: string | null;
  /** How long the store SCP was watched after the final response, ms. */
  waitedMs: number;
}

export interface MoveVerdict {
  ok: boolean;
  detail: string;
  fix?: string;
}

const counts = (c: SubOperationCounters) => `completed ${c.completed}, failed ${c.failed}, warning ${c.warning}${c.remaining !== null ? `, remaining ${c.remaining}` : ''}`;

export function diagnoseMove(f: MoveFacts): MoveVerdict {
  const { result: r, counters: c, destination } = f;
  const known: KnownAe = { ae: destination, host: f.store?.host ?? null, port: f.store?.port ?? null };
  const at = f.store ? `${f.store.host}:${f.store.port}` : null;
  if (r.status === undefined) {
    const fix = /presentation context/.test(r.reason ?? '')
      ? 'the peer does not accept C-MOVE in this information model: enable Q/R MOVE on it'
      : 'the C-MOVE association failed although C-ECHO worked: see the reason, and the peer\'s log';
    return { ok: false, detail: `no C-MOVE response: ${r.reason ?? r.outcome}`, fix };
  }
  const info = statusInfo(r.status, 'C-MOVE');
  const head = `final ${formatStatus(r.status)} ${info.meaning}; ${counts(c)}`;
  const subOps = c.completed + c.failed + c.warning;
  const delivered = f.stores.filter((s) => s.category === 'success' || s.category === 'warning').filter((s) => f.instance === null || s.instance === f.instance);

  if (r.status === 0xa801) {
    return { ok: false, detail: `the peer does not know the move destination ${destination}\n${head}`, fix: destinationFix(known) };
  }
  const rejectedSub = f.subs.find((s) => s.reject !== null);
  if (rejectedSub?.reject) {
    return {
      ok: false,
      detail: `the peer's sub-association ${rejectedSub.id} to ${destination} was rejected: ${rejectText(rejectedSub.reject)}\n${head}`,
      fix: `the peer calls the destination with AE titles the store SCP at ${at} does not accept: the called AE title in the peer's table for ${destination} must be ${destination}`,
    };
  }
  if (f.store && delivered.length > 0) {
    const ok = info.category === 'success' || info.category === 'warning' || info.category === 'pending';
    const ids = [...new Set(f.subs.map((s) => s.id))].join(', ');
    const detail = `pacscope's store SCP received ${f.instance ? 'the instance' : `${delivered.length} instance(s)`} on sub-association ${ids}\n${head}`;
    return ok ? { ok, detail } : { ok, detail, fix: 'the instance arrived but the peer reported a failure: see its log' };
  }
  if (f.store && f.subs.length > 0) {
    const failures = f.stores.filter((s) => s.category !== 'success' && s.category !== 'warning');
    const noContext = f.subs.some((s) => s.presentationContexts.length > 0 && s.presentationContexts.every((p) => p.result !== null && p.result !== 0));
    const why = failures.length > 0 ? `the store SCP answered ${failures.map((s) => `${s.status} ${s.meaning ?? ''}`.trim()).join(', ')}` : noContext ? 'the store SCP accepted none of the presentation contexts the peer proposed' : 'no C-STORE arrived on it';
    return {
      ok: false,
      detail: `the peer reached pacscope's store SCP (${f.subs.map((s) => s.id).join(', ')}) but the instance was not stored: ${why}\n${head}`,
      fix: noContext
        ? 'the peer proposes a SOP class or transfer syntax the store SCP does not accept: let the peer convert to Explicit/Implicit VR Little Endian for this destination (Orthanc: the modality\'s "AllowTranscoding")'
        : 'see the store SCP\'s answer above and the peer\'s log',
    };
  }
  if (info.category === 'success' || info.category === 'warning') {
    if (subOps === 0) {
      return { ok: false, detail: `nothing was sent: the peer found nothing to move for the identifier\n${head}`, fix: 'the C-MOVE identifier matched nothing although C-FIND listed it: check the peer\'s Q/R level support (IMAGE level, relational retrieve)' };
    }
    if (f.store) {
      return {
        ok: false,
        detail: `the peer reports success, but no association reached pacscope's store SCP at ${at} within ${Math.round(f.waitedMs / 1000)} s of the final response\n${head}`,
        fix: `the peer sends to another address for ${destination}: check host/port in its table (it must point to ${at}) and that nothing blocks the peer's connection to it — ${destinationSnippets(known)}`,
      };
    }
    return { ok: true, detail: `the peer sent it (the destination is not pacscope's store SCP: check on ${destination} that it arrived)\n${head}` };
  }
  if (info.category === 'failure' && subOps === 0 && f.subs.length === 0) {
    // Orthanc 1.10 answers an unknown destination (and an unreachable one) with 0xC000 instead of 0xA801.
    const where = f.store ? ` and no association reached pacscope's store SCP at ${at}` : '';
    return {
      ok: false,
      detail: `the peer does not know ${destination}, or cannot connect to it: a failure with no sub-operation${where} (Orthanc 1.10 answers 0xC000 for both)\n${head}`,
      fix: `${destinationFix(known)}; if it is there already, its host and port must be where ${destination} listens${at ? ` (${at})` : ''}`,
    };
  }
  if (info.category === 'cancel') return { ok: false, detail: `the doctor was cancelled\n${head}` };
  const fix =
    (r.status & 0xff00) === 0xa700
      ? 'the peer is out of resources: see its log (disk, number of associations)'
      : r.status === 0xa900
        ? 'the peer says the identifier does not match the SOP class: check the information model and level it supports'
        : c.failed > 0
          ? `${c.failed} sub-operation(s) failed: the destination rejected the SOP class or transfer syntax, or the peer cannot reach it — see the peer's log`
          : 'see the peer\'s log for this status';
  const more = r.reason?.replace(/^C-[A-Z]+ status 0x[0-9A-F]{4} [^;]*(; )?/, '');
  return { ok: false, detail: `${head}${more ? `\n${more}` : ''}`, fix };
}
