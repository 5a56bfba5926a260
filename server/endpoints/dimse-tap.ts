/**
 * dcmjs-dimse endpoints with every byte captured through the tap (docs/architecture.md,
 * "Known traps"): a client's socket is tapped right after `send()` creates it,
 * before it connects; an SCP runs on our own net.Server, so each accepted
 * socket is tapped before the library sees a byte.
 */
import net from 'node:net';
import dimse from './dimse.ts';
import type { Client, Scp } from 'dcmjs-dimse';
import { tapSocket } from '../sources/tap.ts';
import type { CaptureHub } from '../capture/hub.ts';

export interface SendOptions {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  /** Passed on to Client.send (timeouts, asyncOps, userIdentity, …). */
  clientOptions?: Parameters<Client['send']>[4];
}

/** `client.send(…)` with the socket tapped into the hub; returns the connection number. */
export function sendTapped(client: Client, hub: CaptureHub, o: SendOptions): number {
  client.send(o.host, o.port, o.callingAeTitle, o.calledAeTitle, o.clientOptions);
  const conn = hub.nextConnection();
  const socket = (client as unknown as { network?: { socket?: net.Socket } }).network?.socket;
  if (socket) tapSocket(socket, { conn, localSide: 'requestor', sink: hub.sink, target: { host: o.host, port: o.port } });
  return conn;
}

export type ScpClass = new (socket: net.Socket, opts?: Record<string, unknown>) => Scp;

export interface TappedServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on host:port (127.0.0.1 unless told otherwise) and runs one `ScpClass` per accepted
 * connection, tapped into the hub. `opts` go to the Scp constructor (`customOptions` for our state).
 */
export async function listenTapped(ScpClass: ScpClass, hub: CaptureHub, host: string, port: number, opts: Record<string, unknown> = {}): Promise<TappedServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    tapSocket(socket, { conn: hub.nextConnection(), localSide: 'acceptor', sink: hub.sink });
    const scp = new ScpClass(socket, opts);
    // Without this its association timeout never fires (docs/architecture.md, "Known traps").
    (scp as unknown as { connected: boolean }).connected = true;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export { dimse };
