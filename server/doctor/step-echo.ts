/**
 * Steps a and b: the TCP connection and C-ECHO (PS3.7 §9.1.5, Verification
 * PS3.4 Annex A) with the AE titles given. One association proves both: its
 * `open` (or `refused`) in the capture is the TCP step, its A-ASSOCIATE-AC or
 * -RJ and the C-ECHO-RSP are the echo step.
 */
import { cEcho } from '../endpoints/scu/echo.ts';
import type { OperationResult } from '../endpoints/scu/options.ts';
import type { SummaryAssociation } from '../../shared/model/summary-types.ts';
import { associationById, associationIdOf } from './hub-evidence.ts';
import { callerFix, type KnownAe } from './config-snippets.ts';
import { rejectText } from '../endpoints/scu/run-operation.ts';
import { isCalledAeReject, isCallingAeReject, type RejectCodes } from './ae-variants.ts';
import { scuTarget, step, type DoctorContext, type DoctorStep } from './types.ts';

export type EchoVerdict =
  /** Associations work: go on. */
  | { kind: 'go' }
  /** A-ASSOCIATE-RJ: the called-AE step may explain it. */
  | { kind: 'rejected'; reject: RejectCodes }
  /** Nothing more can be learnt. */
  | { kind: 'stop' };

export interface EchoSteps {
  steps: DoctorStep[];
  verdict: EchoVerdict;
}

/** True when the A-ASSOCIATE-AC arrived: some context has a result (PS3.8 §9.3.3). */
export function wasAccepted(a: SummaryAssociation | null): boolean {
  return !!a && a.reject === null && a.presentationContexts.some((c) => c.result !== null);
}

/** The fix for a failed TCP connect, from the reason the socket gave. */
export function connectFix(host: string, port: number, reason: string): string {
  if (/ENOTFOUND|EAI_AGAIN/.test(reason)) return `the host name ${host} does not resolve: check its spelling, or use the IP address`;
  if (/no answer within/.test(reason)) return `no answer from ${host}:${port}: a firewall drops the connection, or the host is down or wrong — check the address and the firewall between here and the peer`;
  if (/EHOSTUNREACH|ENETUNREACH/.test(reason)) return `no route to ${host}: check the address and the network (VPN, routing)`;
  return `nothing listens on ${host}:${port} — check the port and that the service runs; firewall`;
}

/**
 * The caller as the peer sees it: our address on this connection (the capture's requestor end) and, when
 * the store SCP answers to the calling AE title, its port (where the peer sends what it is asked to move).
 */
export function callerAsSeen(ctx: DoctorContext, assoc: SummaryAssociation): KnownAe {
  const store = ctx.options.storeScp;
  const host = assoc.requestor.host.replace(/^::ffff:/, '') || null;
  return { ae: ctx.callingAeTitle, host, port: store && store.ae.trim() === ctx.callingAeTitle.trim() ? store.port : null };
}

/** The answer to an A-ASSOCIATE-RQ whose first byte is no PDU type: which protocol it looks like. */
export function notDicom(firstByte: number, where: string): { detail: string; fix: string } {
  const hex = `0x${firstByte.toString(16).toUpperCase().padStart(2, '0')}`;
  const char = firstByte >= 0x20 && firstByte < 0x7f ? ` '${String.fromCharCode(firstByte)}'` : '';
  const guess = firstByte === 0x48 ? ' — "H" as in "HTTP/1.1 …": a web server or proxy' : firstByte === 0x15 || firstByte === 0x16 ? ' — a TLS record: this port expects DICOM over TLS' : '';
  return {
    detail: `the peer answered the A-ASSOCIATE-RQ with bytes that are not a DICOM PDU (first byte ${hex}${char}${guess})`,
    fix: `${where} does not speak plain DICOM: check the port (not the HTTP/DICOMweb port), or use TLS if the peer requires it`,
  };
}

export async function connectAndEcho(ctx: DoctorContext): Promise<EchoSteps> {
  const { hub, target } = ctx;
  const where = `${target.host}:${target.port}`;
  const r: OperationResult = await cEcho(scuTarget(ctx), hub);
  const id = associationIdOf(hub, r.connection);
  const ids = id ? [id] : [];
  const assoc = associationById(hub, id);

  if (r.outcome === 'refused' || (assoc?.outcome === 'refused')) {
    const reason = r.reason ?? assoc?.closeReason ?? 'connection failed';
    return { steps: [step('connect', 'TCP connection', false, `cannot connect to ${where}: ${reason.replace(/^cannot connect to \S+: /, '')}`, ids, { fix: connectFix(target.host, target.port, reason) })], verdict: { kind: 'stop' } };
  }
  if (r.outcome === 'error' && !assoc) {
    return { steps: [step('connect', 'TCP connection', false, r.reason ?? 'could not start', ids)], verdict: { kind: 'stop' } };
  }
  const connect = step('connect', 'TCP connection', true, `${where} accepts TCP connections`, ids);
  const title = `C-ECHO ${ctx.callingAeTitle} → ${ctx.calledAeTitle}`;

  if (r.outcome === 'rejected' && assoc?.reject) {
    const rj = assoc.reject;
    const codes = { result: rj.result, source: rj.source, reason: rj.reason };
    const detail = `A-ASSOCIATE-RJ (${rj.result === 2 ? 'transient' : 'permanent'}): ${rejectText(codes)}`;
    let fix: string | undefined;
    if (rj.result === 2) fix = 'a transient reject: the peer is busy (too many associations, or starting up) — try again later, or raise its maximum number of associations';
    else if (isCallingAeReject(codes)) fix = callerFix(callerAsSeen(ctx, assoc), ctx.calledAeTitle);
    else if (!isCalledAeReject(codes)) fix = 'the peer rejects the association itself (application context or protocol version): check that this port is a plain DICOM port (not TLS, HTTP or DICOMweb)';
    return { steps: [connect, step('echo', title, false, detail, ids, fix ? { fix } : {})], verdict: isCalledAeReject(codes) || isCallingAeReject(codes) ? { kind: 'rejected', reject: codes } : { kind: 'stop' } };
  }
  const foreign = /Unknown PDU type: (\d+)/.exec(r.reason ?? '');
  if (foreign && !wasAccepted(assoc)) {
    // PS3.8 §9.3.1: a PDU starts with its type, 0x01–0x07; anything else is another protocol.
    const { detail, fix } = notDicom(Number(foreign[1]), where);
    return { steps: [connect, step('echo', title, false, detail, ids, { fix })], verdict: { kind: 'stop' } };
  }
  if (!wasAccepted(assoc)) {
    const detail = r.reason ?? 'the association was not accepted';
    const fix = /before answering/.test(detail)
      ? 'the peer closed the connection without answering the A-ASSOCIATE-RQ: it may expect TLS on this port, accept only known hosts (Orthanc: DicomCheckModalityHost), or not be a DICOM service'
      : 'the peer aborted the association: see its log for why (an unknown caller, a limit, a malformed request)';
    return { steps: [connect, step('echo', title, false, detail, ids, { fix })], verdict: { kind: 'stop' } };
  }
  if (r.ok) return { steps: [connect, step('echo', title, true, `association accepted, C-ECHO-RSP 0x0000 Success`, ids, { status: '0x0000' })], verdict: { kind: 'go' } };
  // Accepted, but no successful C-ECHO: Verification not offered, a failure status, an abort: go on, the services are what matters.
  const fix = /not accepted|no presentation context/.test(r.reason ?? '')
    ? 'the peer does not offer Verification (C-ECHO): harmless for Q/R, but enable it for monitoring'
    : undefined;
  return { steps: [connect, step('echo', title, false, `association accepted, but ${r.reason ?? r.outcome}`, ids, fix ? { fix } : {})], verdict: { kind: 'go' } };
}
