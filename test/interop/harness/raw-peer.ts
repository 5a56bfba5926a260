/**
 * A raw DICOM peer for the hostile-input suite: it sends whatever bytes it
 * is told (PDUs built with shared/pdu/encode.ts, or nonsense), and reports
 * what came back — the PDUs, cut by their headers, with the type, the
 * A-ABORT / A-ASSOCIATE-RJ fields and the DIMSE status of response commands
 * — and how the connection ended (FIN, reset, still open). Plus the
 * well-formed pieces the tests start from: an A-ASSOCIATE-RQ, command sets,
 * a whole C-ECHO association (a fast liveness probe between fuzz runs).
 */
import net from 'node:net';
import { encodeAAssociateRq, encodeAReleaseRq, encodePDataTf, type PresentationContextRqSpec } from '../../../shared/pdu/encode.ts';
import { commandSet } from '../../unit/dimse/encode.ts';

export const VERIFICATION = '1.2.840.10008.1.1';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';

export interface ReceivedPdu {
  type: number;
  /** The whole PDU. */
  bytes: Buffer;
  /** A-ABORT "source/reason", A-ASSOCIATE-RJ "result/source/reason". */
  fields?: string;
  /** Status (0000,0900) of a command PDV, when the PDU carries one. */
  status?: number;
}

export interface Exchange {
  pdus: ReceivedPdu[];
  /** How the connection ended, as seen from here, within the wait. */
  end: 'fin' | 'reset' | 'open';
  /** ms from connect to the end (or to the wait's end). */
  ms: number;
}

/** Cuts received bytes into PDUs by their headers (a trailing partial PDU is left out). */
export function cutPdus(b: Buffer): ReceivedPdu[] {
  const out: ReceivedPdu[] = [];
  let p = 0;
  while (p + 6 <= b.length) {
    const len = b.readUInt32BE(p + 2);
    if (p + 6 + len > b.length) break;
    const bytes = b.subarray(p, p + 6 + len);
    const pdu: ReceivedPdu = { type: b[p], bytes };
    if (pdu.type === 7) pdu.fields = `${bytes[8]}/${bytes[9]}`;
    if (pdu.type === 3) pdu.fields = `${bytes[7]}/${bytes[8]}/${bytes[9]}`;
    if (pdu.type === 4 && len >= 6 && (bytes[11] & 1) === 1) {
      const cmd = bytes.subarray(12);
      for (let i = 0; i + 10 <= cmd.length; ) {
        const tag = cmd.readUInt16LE(i + 2);
        const vl = cmd.readUInt32LE(i + 4);
        if (cmd.readUInt16LE(i) === 0 && tag === 0x0900 && vl === 2) pdu.status = cmd.readUInt16LE(i + 8);
        i += 8 + vl;
      }
    }
    out.push(pdu);
    p += 6 + len;
  }
  return out;
}

export interface ExchangeOptions {
  /** Give up waiting for the end after this long (default 3000 ms). */
  waitMs?: number;
  /** Pause between the chunks (default 30 ms). */
  gapMs?: number;
  /** Stop waiting as soon as this holds for what came back. */
  until?: (pdus: ReceivedPdu[]) => boolean;
  /** Chunk i is sent once at least after[i] PDUs came back (lock-step, e.g. the A-ASSOCIATE-AC before a P-DATA-TF). */
  after?: readonly number[];
  /** Stop waiting once everything is sent and nothing came for this long. */
  quietMs?: number;
}

/** Connects, sends the chunks, collects the answer until the peer closes, `until` holds, or the wait ends. */
export function exchange(port: number, chunks: readonly Uint8Array[], o: ExchangeOptions = {}): Promise<Exchange> {
  const waitMs = o.waitMs ?? 3000;
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const got: Buffer[] = [];
    let end: Exchange['end'] = 'open';
    const t0 = Date.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (quiet) clearTimeout(quiet);
      socket.destroy();
      resolve({ pdus: cutPdus(Buffer.concat(got)), end, ms: Date.now() - t0 });
    };
    const timer = setTimeout(finish, waitMs);
    let sentAll = chunks.length === 0;
    let quiet: NodeJS.Timeout | null = null;
    const rearmQuiet = () => {
      if (o.quietMs === undefined || !sentAll) return;
      if (quiet) clearTimeout(quiet);
      quiet = setTimeout(finish, o.quietMs);
    };
    socket.on('data', (d) => {
      got.push(d);
      if (o.until?.(cutPdus(Buffer.concat(got)))) finish();
      else rearmQuiet();
    });
    socket.on('end', () => {
      end = 'fin';
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      end = e.code === 'ECONNRESET' ? 'reset' : 'fin';
      finish();
    });
    socket.on('close', finish);
    socket.on('connect', async () => {
      for (const [i, c] of chunks.entries()) {
        if (done) return;
        if (o.after) {
          const want = o.after[i] ?? 0;
          const deadline = Date.now() + waitMs;
          while (!done && cutPdus(Buffer.concat(got)).length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        } else if (i > 0) await new Promise((r) => setTimeout(r, o.gapMs ?? 30));
        if (!done && socket.writable) socket.write(c);
      }
      sentAll = true;
      rearmQuiet();
    });
  });
}

/** An A-ASSOCIATE-RQ: Verification and Study Root FIND in Explicit VR LE unless told otherwise. */
export function associateRq(o: { called?: string; contexts?: PresentationContextRqSpec[]; maxLength?: number } = {}): Uint8Array {
  return encodeAAssociateRq({
    calledAeTitle: o.called ?? 'ANY-SCP',
    callingAeTitle: 'HOSTILE',
    presentationContexts: o.contexts ?? [
      { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] },
      { id: 3, abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [EXPLICIT_LE] },
    ],
    userInformation: { maxLength: o.maxLength ?? 16384, implementationClassUid: '1.2.826.0.1.3680043.10.1447.99' },
  });
}

/** A command set in one P-DATA-TF. */
export function commandPdu(contextId: number, elements: Parameters<typeof commandSet>[0]): Uint8Array {
  return encodePDataTf([{ presentationContextId: contextId, isCommand: true, isLast: true, value: commandSet(elements) }]);
}

export const echoRq = (contextId = 1, messageId = 1): Uint8Array =>
  commandPdu(contextId, [
    [0x0002, 'UI', VERIFICATION],
    [0x0100, 'US', [0x0030]],
    [0x0110, 'US', [messageId]],
    [0x0800, 'US', [0x0101]],
  ]);

export const findRq = (contextId: number, sopClass: string, messageId = 1): Uint8Array =>
  commandPdu(contextId, [
    [0x0002, 'UI', sopClass],
    [0x0100, 'US', [0x0020]],
    [0x0110, 'US', [messageId]],
    [0x0700, 'US', [0]],
    [0x0800, 'US', [0x0000]],
  ]);

export const cancelRq = (contextId: number, respondsTo: number): Uint8Array =>
  commandPdu(contextId, [
    [0x0100, 'US', [0x0fff]],
    [0x0120, 'US', [respondsTo]],
    [0x0800, 'US', [0x0101]],
  ]);

export const dataPdu = (contextId: number, value: Uint8Array): Uint8Array => encodePDataTf([{ presentationContextId: contextId, isCommand: false, isLast: true, value }]);

/** A whole C-ECHO association (RQ, C-ECHO-RQ, A-RELEASE-RQ) in lock-step: the C-ECHO-RSP status, or null. */
export async function rawEcho(port: number, waitMs = 3000): Promise<number | null> {
  const r = await exchange(port, [associateRq(), echoRq(), encodeAReleaseRq()], { after: [0, 1, 2], waitMs, until: (p) => p.some((x) => x.type === 6 || x.type === 7 || x.type === 3) });
  return r.pdus.find((p) => p.status !== undefined)?.status ?? null;
}
