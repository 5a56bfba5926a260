/**
 * Bursts of DIMSE messages as one socket read delivers them, for the hub
 * benchmarks and the live window tests: an association (A-ASSOCIATE-RQ/AC)
 * whose requestor sends many small C-ECHO-RQs in one read, or whose acceptor
 * answers a C-FIND with many pending C-FIND-RSPs (each with an identifier),
 * the worst case per byte for the decoder (PS3.7 §9.1.2, §9.3.5; PS3.8
 * §9.3.5 P-DATA-TF).
 */
import type { Endpoint, WireEvent } from '../../shared/capture/wire-event.ts';
import { concatBytes, encodeAAssociateAc, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../shared/pdu/encode.ts';
import { commandSet, el, encodeDataSet, EXPLICIT_LE } from '../unit/dimse/encode.ts';

export const VERIFICATION = '1.2.840.10008.1.1';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const EXPLICIT_LE_UID = '1.2.840.10008.1.2.1';
const IMPLICIT_LE_UID = '1.2.840.10008.1.2';

/** A-ASSOCIATE-RQ of an SCU proposing Verification (context 1) and Study Root C-FIND (context 3). */
export function associateRq(calling = 'BURSTSCU', called = 'BURSTSCP'): Uint8Array {
  return encodeAAssociateRq({
    callingAeTitle: calling,
    calledAeTitle: called,
    presentationContexts: [
      { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE_UID] },
      { id: 3, abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [EXPLICIT_LE_UID] },
    ],
    userInformation: { maxLength: 16384, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'PACSCOPE_BURST' },
  });
}

/** Its A-ASSOCIATE-AC: both contexts accepted. */
export function associateAc(calling = 'BURSTSCU', called = 'BURSTSCP'): Uint8Array {
  return encodeAAssociateAc({
    callingAeTitle: calling,
    calledAeTitle: called,
    presentationContexts: [
      { id: 1, result: 0, transferSyntax: IMPLICIT_LE_UID },
      { id: 3, result: 0, transferSyntax: EXPLICIT_LE_UID },
    ],
    userInformation: { maxLength: 16384, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'PACSCOPE_BURST' },
  });
}

const command = (pcid: number, elements: Parameters<typeof commandSet>[0]): Uint8Array =>
  encodePDataTf([{ presentationContextId: pcid, isCommand: true, isLast: true, value: commandSet(elements) }]);

/** C-ECHO-RQ with Message ID `id` (one P-DATA-TF, 82 bytes). */
export function echoRq(id: number): Uint8Array {
  return command(1, [
    [0x0002, 'UI', VERIFICATION],
    [0x0100, 'US', [0x0030]],
    [0x0110, 'US', [id & 0xffff]],
    [0x0800, 'US', [0x0101]],
  ]);
}

/** C-ECHO-RSP to Message ID `id`, Success. */
export function echoRsp(id: number): Uint8Array {
  return command(1, [
    [0x0002, 'UI', VERIFICATION],
    [0x0100, 'US', [0x8030]],
    [0x0120, 'US', [id & 0xffff]],
    [0x0800, 'US', [0x0101]],
    [0x0900, 'US', [0x0000]],
  ]);
}

/** A C-FIND-RQ (Study Root, STUDY level) with Message ID `id` and its identifier (a command PDU, then a data set PDU). */
export function findRq(id: number): Uint8Array {
  const rq = command(3, [
    [0x0002, 'UI', STUDY_ROOT_FIND],
    [0x0100, 'US', [0x0020]],
    [0x0110, 'US', [id & 0xffff]],
    [0x0700, 'US', [0]],
    [0x0800, 'US', [0x0000]],
  ]);
  const identifier = encodeDataSet([el(0x00080052, 'CS', 'STUDY'), el(0x00100010, 'PN', 'BURST*'), el(0x0020000d, 'UI', '')], EXPLICIT_LE);
  return concatBytes([rq, encodePDataTf([{ presentationContextId: 3, isCommand: false, isLast: true, value: identifier }])]);
}

/** A pending C-FIND-RSP to Message ID `id` with a STUDY identifier (a command PDU, then a data set PDU). */
export function findPending(id: number, n: number): Uint8Array {
  const rsp = command(3, [
    [0x0002, 'UI', STUDY_ROOT_FIND],
    [0x0100, 'US', [0x8020]],
    [0x0120, 'US', [id & 0xffff]],
    [0x0800, 'US', [0x0000]],
    [0x0900, 'US', [0xff00]],
  ]);
  const identifier = encodeDataSet(
    [
      el(0x00080020, 'DA', '20240301'),
      el(0x00080052, 'CS', 'STUDY'),
      el(0x00100010, 'PN', `BURST^PATIENT${n}`),
      el(0x00100020, 'LO', `BURST${n}`),
      el(0x0020000d, 'UI', `2.25.1447014.9.${n}`),
    ],
    EXPLICIT_LE,
  );
  return concatBytes([rsp, encodePDataTf([{ presentationContextId: 3, isCommand: false, isLast: true, value: identifier }])]);
}

/** The final C-FIND-RSP to Message ID `id`: Success, no identifier. */
export function findFinal(id: number): Uint8Array {
  return command(3, [
    [0x0002, 'UI', STUDY_ROOT_FIND],
    [0x0100, 'US', [0x8020]],
    [0x0120, 'US', [id & 0xffff]],
    [0x0800, 'US', [0x0101]],
    [0x0900, 'US', [0x0000]],
  ]);
}

/** Back-to-back PDUs of `make(i)` for i = first, first + 1, … until `bytes` are filled (the last one whole). */
export function burst(make: (i: number) => Uint8Array, bytes: number, first = 1): { bytes: Uint8Array; count: number } {
  const parts: Uint8Array[] = [];
  let size = 0;
  let i = first;
  while (size < bytes) {
    const p = make(i++);
    parts.push(p);
    size += p.length;
  }
  return { bytes: concatBytes(parts), count: parts.length };
}

export const RELEASE_RQ = encodeAReleaseRq();
export const RELEASE_RP = encodeAReleaseRp();

/** An association's wire events with each burst as one read, for feeding a hub or writing a recording. */
export function burstAssociation(conn: number, time: number, requestor: Endpoint, acceptor: Endpoint, reads: { from: 'requestor' | 'acceptor'; bytes: Uint8Array }[]): WireEvent[] {
  let t = time;
  const events: WireEvent[] = [{ kind: 'open', conn, time: t, requestor, acceptor }];
  const data = (from: 'requestor' | 'acceptor', bytes: Uint8Array) => events.push({ kind: 'data', conn, time: (t += 0.5), from, bytes });
  data('requestor', associateRq());
  data('acceptor', associateAc());
  for (const r of reads) data(r.from, r.bytes);
  data('requestor', RELEASE_RQ);
  data('acceptor', RELEASE_RP);
  events.push({ kind: 'close', conn, time: (t += 0.5), from: 'requestor', how: 'fin' }, { kind: 'close', conn, time: (t += 0.5), from: 'acceptor', how: 'fin' });
  return events;
}
