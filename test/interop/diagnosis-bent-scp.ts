/**
 * A peer that bends the standard the way real PACSs were seen to, for the
 * diagnosis interop tests: a raw-socket SCP (Node `net`, the PDUs written
 * byte by byte with shared/pdu/encode.ts) that a real DCMTK SCU talks to.
 * It accepts every proposed context (Implicit VR Little Endian), then:
 *
 * - answers a C-MOVE-RQ with a failure C-MOVE-RSP whose command set carries
 *   the Failed SOP Instance UID List (0008,0058) — a data set element, where
 *   only group 0000 belongs (PS3.7 §6.3.1) — with an odd-length Error
 *   Comment and a Command Group Length that does not add up;
 * - answers a C-ECHO-RQ in a PDV whose message control header has reserved
 *   bits set (PS3.8 Annex E.2);
 * - releases when asked (PS3.8 §7.2).
 *
 * Its implementation class UID is nobody's: the product stays unknown.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { decodeCommandSet } from '../../shared/dimse/command.ts';
import { encodeAAssociateAc, encodeAReleaseRp, encodePdu } from '../../shared/pdu/encode.ts';

export const BENT_CLASS_UID = '1.2.826.0.1.3680043.2.1143.99.1';
export const BENT_VERSION = 'BENTPACS_1';

/** One element in Implicit VR Little Endian (PS3.5 §7.1.3). */
function element(group: number, el: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + value.length);
  out.writeUInt16LE(group, 0);
  out.writeUInt16LE(el, 2);
  out.writeUInt32LE(value.length, 4);
  Buffer.from(value).copy(out, 8);
  return out;
}
const us = (n: number) => Uint8Array.from([n & 0xff, n >> 8]);
const text = (s: string) => new TextEncoder().encode(s);
/** UI values padded to even length with NUL (PS3.5 §6.2). */
const ui = (s: string) => text(s.length % 2 ? `${s}\0` : s);

/** A C-MOVE-RSP failure with the failed instances in its command set, and an odd-length Error Comment. */
export function bentMoveResponse(respondsTo: number, sopClass: string, failed: string[]): Buffer {
  const body = [
    element(0, 0x0002, ui(sopClass)),
    element(0, 0x0100, us(0x8021)),
    element(0, 0x0120, us(respondsTo)),
    element(0, 0x0800, us(0x0101)),
    element(0, 0x0900, us(0xa702)),
    element(0, 0x0902, text('no dest')), // 7 bytes: an odd value length (PS3.5 §7.1.1)
    element(0, 0x1021, us(0)),
    element(0, 0x1022, us(failed.length)),
    element(0, 0x1023, us(0)),
    element(0x0008, 0x0058, ui(failed.join('\\'))),
  ];
  const rest = Buffer.concat(body);
  // Command Group Length counting the foreign element too: it does not add up to group 0000 (PS3.7 E.1).
  const length = Buffer.alloc(4);
  length.writeUInt32LE(rest.length, 0);
  return Buffer.concat([element(0, 0x0000, length), rest]);
}

/** A C-ECHO-RSP success. */
export function echoResponse(respondsTo: number): Buffer {
  const rest = Buffer.concat([element(0, 0x0002, ui('1.2.840.10008.1.1')), element(0, 0x0100, us(0x8030)), element(0, 0x0120, us(respondsTo)), element(0, 0x0800, us(0x0101)), element(0, 0x0900, us(0))]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(rest.length, 0);
  return Buffer.concat([element(0, 0x0000, length), rest]);
}

/** A P-DATA-TF with one PDV; `control` is the message control header as sent (PS3.8 Annex E.2). */
function pdata(pcid: number, control: number, value: Buffer): Uint8Array {
  const item = Buffer.alloc(6 + value.length);
  item.writeUInt32BE(value.length + 2, 0);
  item[4] = pcid;
  item[5] = control;
  value.copy(item, 6);
  return encodePdu(0x04, item);
}

export interface BentScp {
  port: number;
  close(): Promise<void>;
}

/** Starts the SCP on 127.0.0.1 (port 0: any free one); `failed` are the instances its C-MOVE-RSP lists as failed. */
export async function startBentScp(ae: string, failed: string[]): Promise<BentScp> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let command: Buffer[] = [];
    let pending: { pcid: number; field: number; id: number; sopClass: string } | null = null;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 6) {
        const type = buffer[0];
        const length = buffer.readUInt32BE(2);
        if (buffer.length < 6 + length) break;
        const pdu = buffer.subarray(0, 6 + length);
        buffer = buffer.subarray(6 + length);
        if (type === 0x01) socket.write(accept(pdu, ae));
        else if (type === 0x05) socket.end(encodeAReleaseRp());
        else if (type === 0x07) socket.destroy();
        else if (type === 0x04) {
          for (let p = 6; p + 6 <= pdu.length; ) {
            const itemLength = pdu.readUInt32BE(p);
            const pcid = pdu[p + 4];
            const control = pdu[p + 5];
            const value = pdu.subarray(p + 6, p + 4 + itemLength);
            p += 4 + itemLength;
            if (control & 1) {
              command.push(Buffer.from(value));
              if (!(control & 2)) continue;
              const { message } = decodeCommandSet(new Uint8Array(Buffer.concat(command)), 0, pcid);
              command = [];
              if (!message) continue;
              pending = { pcid, field: message.commandField, id: message.messageId ?? 1, sopClass: message.affectedSopClass ?? '' };
              if (message.hasDataSet) continue;
            } else if (!(control & 2)) continue;
            if (!pending) continue;
            const { pcid: id, field, id: messageId, sopClass } = pending;
            pending = null;
            // C-ECHO: the response's PDV has reserved bits 2–7 set (0x07 instead of 0x03).
            if (field === 0x0030) socket.write(pdata(id, 0x07, echoResponse(messageId)));
            else if (field === 0x0021) socket.write(pdata(id, 0x03, bentMoveResponse(messageId, sopClass, failed)));
          }
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The A-ASSOCIATE-AC accepting every proposed context with Implicit VR Little Endian. */
function accept(rq: Buffer, ae: string): Uint8Array {
  const calling = rq.subarray(26, 42).toString('latin1').trim();
  const contexts: { id: number }[] = [];
  for (let p = 74; p + 4 <= rq.length; ) {
    const itemType = rq[p];
    const len = rq.readUInt16BE(p + 2);
    if (itemType === 0x20) contexts.push({ id: rq[p + 4] });
    p += 4 + len;
  }
  return encodeAAssociateAc({
    calledAeTitle: ae,
    callingAeTitle: calling,
    presentationContexts: contexts.map((c) => ({ id: c.id, result: 0, transferSyntax: '1.2.840.10008.1.2' })),
    userInformation: { maxLength: 16384, implementationClassUid: BENT_CLASS_UID, implementationVersionName: BENT_VERSION },
  });
}
