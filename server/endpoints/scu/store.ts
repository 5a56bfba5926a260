/**
 * C-STORE SCU (PS3.7 §9.1.1, Storage SOP classes PS3.4 Annex B): sends DICOM
 * Part 10 files, given as files or folders (searched recursively, in name
 * order), on one association with a presentation context per SOP class.
 * Files that are not Part 10 ("DICM" at offset 128, PS3.10 §7.1) are skipped
 * and listed; an instance whose context was not accepted, or whose data set
 * cannot be put in the accepted transfer syntax, counts as failed.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import dimse from '../../dimse/library.ts';
import type { requests as rq, responses as rs } from '../../dimse/library.ts';
import { releaseDataset } from '../../dimse/requests.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import { formatStatus, statusInfo } from '../../../shared/dimse/status.ts';
import type { OperationResult, ScuTarget } from './options.ts';
import { acceptedContextOf, startAssociation } from './run-operation.ts';
import { operationResult } from './result.ts';

type CStoreRequest = InstanceType<typeof rq.CStoreRequest>;

export interface StoreTarget extends ScuTarget {
  /** Files or folders (recursive). */
  paths: string[];
}

export interface SentInstance {
  file: string;
  sopInstanceUid: string;
  status: number;
}

export interface FailedInstance {
  file: string;
  reason: string;
  status?: number;
}

export interface StoreOptions {
  /** Each response, in order. */
  onResponse?: (file: string, status: number, index: number) => void;
}

export interface StoreResult extends OperationResult {
  /** Instances the peer answered with success or warning. */
  sent: SentInstance[];
  /** Instances that failed (status, no accepted context, no response). */
  failed: FailedInstance[];
  /** Files not sent because they are not DICOM Part 10 files. */
  skipped: FailedInstance[];
}

async function expand(path: string, out: string[]): Promise<void> {
  const s = await stat(path);
  if (s.isDirectory()) {
    const entries = (await readdir(path)).sort();
    for (const e of entries) await expand(join(path, e), out);
  } else if (s.isFile()) {
    out.push(path);
  }
}

/** True when the file has the Part 10 preamble and "DICM" prefix. */
async function isPart10(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(132);
    const { bytesRead } = await handle.read(buf, 0, 132, 0);
    return bytesRead === 132 && buf.toString('latin1', 128, 132) === 'DICM';
  } finally {
    await handle.close();
  }
}

export async function cStore(target: StoreTarget, hub: CaptureHub, options: StoreOptions = {}): Promise<StoreResult> {
  const sent: SentInstance[] = [];
  const failed: FailedInstance[] = [];
  const skipped: FailedInstance[] = [];
  const files: string[] = [];
  for (const p of target.paths) {
    try {
      await expand(p, files);
    } catch (e) {
      return { ok: false, outcome: 'error', reason: `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, sent, failed, skipped };
    }
  }
  const requests: { file: string; request: CStoreRequest; answered: boolean }[] = [];
  for (const file of files) {
    try {
      if (!(await isPart10(file))) {
        skipped.push({ file, reason: 'not a DICOM Part 10 file' });
        continue;
      }
      const request = new dimse.requests.CStoreRequest(file);
      if (!request.getAffectedSopClassUid() || !request.getAffectedSopInstanceUid()) {
        skipped.push({ file, reason: 'no SOP Class UID or SOP Instance UID' });
        continue;
      }
      requests.push({ file, request, answered: false });
    } catch (e) {
      skipped.push({ file, reason: `cannot parse: ${(e as Error).message}` });
    }
  }
  if (requests.length === 0) {
    return { ok: false, outcome: 'error', reason: `no DICOM files to send in ${target.paths.join(', ')}${skipped.length ? ` (${skipped.length} skipped)` : ''}`, sent, failed, skipped };
  }
  let index = 0;
  for (const item of requests) {
    item.request.on('response', (r: InstanceType<typeof rs.CStoreResponse>) => {
      item.answered = true;
      const status = r.getStatus();
      const category = statusInfo(status, 'C-STORE').category;
      if (category === 'success' || category === 'warning') sent.push({ file: item.file, sopInstanceUid: item.request.getAffectedSopInstanceUid(), status });
      else failed.push({ file: item.file, status, reason: `${formatStatus(status)} ${statusInfo(status, 'C-STORE').meaning}` });
      options.onResponse?.(item.file, status, ++index);
      // The data set is not needed any more: do not hold every file in memory.
      releaseDataset(item.request);
    });
  }
  const notAccepted = new Map<CStoreRequest, string>();
  const run = startAssociation(
    {
      target,
      requests: requests.map((r) => r.request),
      onAccepted: (a) => {
        for (const { request } of requests) {
          const ctx = acceptedContextOf(a, request);
          if (!ctx.ok) notAccepted.set(request, ctx.reason);
        }
      },
    },
    hub,
  );
  const end = await run.ended;
  const started = run.association() !== null;
  for (const item of requests) {
    if (item.answered || !started) continue;
    failed.push({ file: item.file, reason: notAccepted.get(item.request) ?? 'no response (the data set could not be sent in the accepted transfer syntax, or the association ended)' });
  }
  const base = operationResult(end, null, run.connection);
  if (end.kind !== 'released' && sent.length + failed.length === 0) return { ...base, sent, failed, skipped };
  const warnings = sent.filter((s) => statusInfo(s.status, 'C-STORE').category === 'warning');
  const last = failed.at(-1);
  const outcome = end.kind !== 'released' && sent.length + failed.length < requests.length ? end.kind : failed.length > 0 ? 'failure' : warnings.length > 0 ? 'warning' : 'success';
  const reasons = [
    failed.length > 0 ? `${failed.length} of ${requests.length} instance(s) failed; first: ${failed[0].file}: ${failed[0].reason}` : undefined,
    end.kind !== 'released' ? end.reason : undefined,
  ].filter((x): x is string => !!x);
  return {
    ok: outcome === 'success' || outcome === 'warning',
    outcome,
    status: last?.status ?? sent.at(-1)?.status,
    statusText: last?.status !== undefined ? statusInfo(last.status, 'C-STORE').meaning : sent.length ? statusInfo(sent.at(-1)!.status, 'C-STORE').meaning : undefined,
    reason: reasons.length ? reasons.join('; ') : undefined,
    connection: run.connection,
    sent,
    failed,
    skipped,
  };
}
