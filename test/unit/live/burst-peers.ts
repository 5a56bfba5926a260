/**
 * Two DICOM peers on real loopback sockets for the live window tests, fast
 * enough for tens of thousands of messages: an SCP tapped into a capture
 * hub (server/sources/tap.ts, as the built-in endpoints are) that accepts
 * every association and answers C-ECHO-RQs and C-FIND-RQs, and an SCU that
 * sends a batch of requests at once and waits for every answer (PS3.7
 * §9.1.5 C-ECHO, §9.1.2 C-FIND; PS3.8 §9.3 PDUs). Only the SCP is tapped:
 * the hub sees both directions of each connection once.
 */
import net from 'node:net';
import type { CaptureHub } from '../../../server/capture/hub.ts';
import { tapSocket } from '../../../server/sources/tap.ts';
import { associateAc, associateRq, echoRq, echoRsp, findFinal, findPending, findRq, RELEASE_RP, RELEASE_RQ } from '../../bench/dimse-burst.ts';

/** Pending responses the SCP sends to each C-FIND-RQ before its final one. */
export const FIND_MATCHES = 4;

/** Calls `onPdu(type, pcid, isCommand, bytes)` for each whole PDU of a stream cut anyhow. */
function pduReader(onPdu: (type: number, pcid: number, isCommand: boolean) => void): (chunk: Buffer) => void {
  let held: Buffer = Buffer.alloc(0);
  return (chunk) => {
    held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
    while (held.length >= 6) {
      const length = held.readUInt32BE(2);
      if (held.length < 6 + length) break;
      const type = held[0];
      // A P-DATA-TF here carries one PDV: its context ID and message control header (PS3.8 Annex E.2).
      onPdu(type, type === 0x04 ? held[10] : 0, type === 0x04 ? (held[11] & 1) === 1 : false);
      held = held.subarray(6 + length);
    }
  };
}

/** The SCP: every connection tapped into `hub` as the acceptor's. */
export async function startBurstScp(hub: CaptureHub): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    tapSocket(socket, { conn: hub.nextConnection(), localSide: 'acceptor', sink: hub.sink });
    let echoes = 0;
    let finds = 0;
    socket.on(
      'data',
      pduReader((type, pcid, isCommand) => {
        if (type === 0x01) socket.write(associateAc());
        else if (type === 0x05) socket.end(RELEASE_RP);
        else if (type === 0x04 && pcid === 1) socket.write(echoRsp(++echoes));
        else if (type === 0x04 && pcid === 3 && !isCommand) {
          // The identifier came: the matches, then Success.
          finds += 1;
          const out = [];
          for (let i = 0; i < FIND_MATCHES; i++) out.push(findPending(finds, finds * 100 + i));
          out.push(findFinal(finds));
          socket.write(Buffer.concat(out));
        }
      }),
    );
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One association of the SCU: `echoes` C-ECHO-RQs and `finds` C-FIND-RQs sent at once, every answer waited for, then released. Resolves with the DIMSE messages it made. */
export function burstAssociation(port: number, echoes: number, finds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let echoRsps = 0;
    let findRsps = 0;
    let released = false;
    const expected = () => echoRsps === echoes && findRsps === finds * (FIND_MATCHES + 1);
    socket.on('connect', () => socket.write(associateRq()));
    socket.on(
      'data',
      pduReader((type, pcid, isCommand) => {
        if (type === 0x02) {
          const requests: Uint8Array[] = [];
          for (let i = 1; i <= echoes; i++) requests.push(echoRq(i));
          for (let i = 1; i <= finds; i++) requests.push(findRq(i));
          socket.write(Buffer.concat(requests));
        } else if (type === 0x04 && pcid === 1) echoRsps += 1;
        else if (type === 0x04 && pcid === 3 && isCommand) findRsps += 1;
        else if (type === 0x06) released = true;
        if (type === 0x04 && expected()) socket.write(RELEASE_RQ);
      }),
    );
    socket.on('close', () => (released ? resolve(2 * echoes + finds * (FIND_MATCHES + 2)) : reject(new Error(`association ended before A-RELEASE-RP (${echoRsps}/${echoes} C-ECHO-RSP, ${findRsps} C-FIND-RSP)`))));
    socket.on('error', reject);
  });
}
