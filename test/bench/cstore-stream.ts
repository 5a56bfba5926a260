/**
 * A synthetic but faithful C-STORE session for the benchmark: one association
 * (A-ASSOCIATE-RQ/AC with max PDU 16384 like DCMTK), N C-STORE-RQs of a CT
 * image with a data set of `dataSetBytes`, each answered by a C-STORE-RSP,
 * then A-RELEASE. The bytes of each direction are cut into reads of
 * `readBytes`, as a socket delivers them, regardless of PDU boundaries.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { concatBytes, encodeAAssociateAc, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../shared/pdu/encode.ts';
import { commandSet, el, encodeDataSet, EXPLICIT_LE } from '../unit/dimse/encode.ts';

export interface CStoreStreamOptions {
  instances: number;
  dataSetBytes: number;
  maxPdu: number;
  readBytes: number;
}

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE_UID = '1.2.840.10008.1.2.1';
const requestor = { host: '127.0.0.1', port: 50000 };
const acceptor = { host: '127.0.0.1', port: 11112 };

function* reads(conn: number, from: 'requestor' | 'acceptor', bytes: Uint8Array, readBytes: number, time: () => number): Generator<WireEvent> {
  for (let i = 0; i < bytes.length; i += readBytes) yield { kind: 'data', conn, time: time(), from, bytes: bytes.subarray(i, i + readBytes) };
}

/** P-DATA-TF PDUs carrying `value` as fragments that fit the receiver's maximum length (PS3.8 Annex D.1). */
function fragment(pcid: number, isCommand: boolean, value: Uint8Array, maxPdu: number): Uint8Array {
  const max = maxPdu - 6; // a PDV item's own header is 6 bytes; the PDU variable field holds one PDV
  const pdus: Uint8Array[] = [];
  for (let i = 0; i < value.length || i === 0; i += max) {
    const part = value.subarray(i, i + max);
    pdus.push(encodePDataTf([{ presentationContextId: pcid, isCommand, isLast: i + max >= value.length, value: part }]));
    if (value.length === 0) break;
  }
  return concatBytes(pdus);
}

export function* cstoreWireEvents(o: CStoreStreamOptions): Generator<WireEvent> {
  let t = Date.UTC(2026, 10, 22, 8, 0, 0);
  const time = () => (t += 0.05);
  yield { kind: 'open', conn: 1, time: time(), requestor, acceptor };
  const ui = { maxLength: o.maxPdu, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'PACSCOPE_BENCH' };
  yield* reads(1, 'requestor', encodeAAssociateRq({ callingAeTitle: 'STORESCU', calledAeTitle: 'STORESCP', presentationContexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE_UID] }], userInformation: ui }), o.readBytes, time);
  yield* reads(1, 'acceptor', encodeAAssociateAc({ callingAeTitle: 'STORESCU', calledAeTitle: 'STORESCP', presentationContexts: [{ id: 1, result: 0, transferSyntax: EXPLICIT_LE_UID }], userInformation: ui }), o.readBytes, time);
  const pixels = new Uint8Array(o.dataSetBytes - 400);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) & 0xff;
  for (let n = 1; n <= o.instances; n++) {
    const uid = `1.2.826.0.1.3680043.10.2.${n}`;
    const command = commandSet([
      [0x0002, 'UI', CT],
      [0x0100, 'US', [0x0001]],
      [0x0110, 'US', [n]],
      [0x0700, 'US', [0]],
      [0x0800, 'US', [0x0000]],
      [0x1000, 'UI', uid],
    ]);
    const header = encodeDataSet(
      [
        el(0x00080016, 'UI', CT),
        el(0x00080018, 'UI', uid),
        el(0x00080060, 'CS', 'CT'),
        el(0x00100010, 'PN', 'BENCH^PATIENT'),
        el(0x00100020, 'LO', 'BENCH-1'),
        el(0x00280010, 'US', [512]),
        el(0x00280011, 'US', [512]),
        el(0x00280100, 'US', [16]),
      ],
      EXPLICIT_LE,
    );
    const dataSet = concatBytes([header, encodeDataSet([el(0x7fe00010, 'OW', pixels.subarray(0, o.dataSetBytes - header.length - 12))], EXPLICIT_LE)]);
    const rq = concatBytes([fragment(1, true, command, o.maxPdu), fragment(1, false, dataSet, o.maxPdu)]);
    yield* reads(1, 'requestor', rq, o.readBytes, time);
    const rsp = commandSet([
      [0x0002, 'UI', CT],
      [0x0100, 'US', [0x8001]],
      [0x0120, 'US', [n]],
      [0x0800, 'US', [0x0101]],
      [0x0900, 'US', [0x0000]],
      [0x1000, 'UI', uid],
    ]);
    yield* reads(1, 'acceptor', fragment(1, true, rsp, o.maxPdu), o.readBytes, time);
  }
  yield* reads(1, 'requestor', encodeAReleaseRq(), o.readBytes, time);
  yield* reads(1, 'acceptor', encodeAReleaseRp(), o.readBytes, time);
  yield { kind: 'close', conn: 1, time: time(), from: 'requestor', how: 'fin' };
  yield { kind: 'close', conn: 1, time: time(), from: 'acceptor', how: 'fin' };
}
