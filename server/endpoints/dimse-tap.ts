/**
 * dcmjs-dimse endpoints with every byte captured through the tap (docs/architecture.md,
 * "Known traps"): a client's socket is tapped right after `send()` creates it,
 * before it connects; an SCP runs on our own net.Server behind a guard
 * (guard/), so each accepted connection is tapped before the library sees a
 * byte and the library sees only what PS3.8 allows.
 */
import net from 'node:net';
import dimse, { type Client } from '../dimse/library.ts';
import { clientSocket } from '../dimse/client-network.ts';
import { createGuardedScp, type ScpClass } from '../dimse/scp.ts';
import { tapSocket, wallClock } from '../sources/tap.ts';
import type { CaptureHub } from '../capture/hub.ts';
import { AssociationGate } from './guard/association-gate.ts';
import { GuardContext } from './guard/guard-context.ts';
import type { TlsMaterial } from '../tls/tls-settings.ts';
import { clientOptions } from '../tls/tls-settings.ts';
import { tapTlsClient } from '../tls/tls-client-tap.ts';
import { logKeys } from '../tls/keylog.ts';
import { tlsAcceptor } from '../tls/tls-accept.ts';
import type { WireTls } from '../../shared/capture/wire-event.ts';
import type tls from 'node:tls';

export interface SendOptions {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  /** Passed on to Client.send (timeouts, asyncOps, userIdentity, …). */
  clientOptions?: Parameters<Client['send']>[4];
  /** DICOM over TLS (PS3.15 Annex B): the library connects with these (its `securityOptions`). */
  tls?: TlsMaterial | null;
}

/** `client.send(…)` with the socket tapped into the hub; returns the connection number. */
export function sendTapped(client: Client, hub: CaptureHub, o: SendOptions): number {
  const securityOptions = o.tls ? clientOptions(o.tls) : undefined;
  client.send(o.host, o.port, o.callingAeTitle, o.calledAeTitle, { ...o.clientOptions, ...(securityOptions ? { securityOptions } : {}) } as Parameters<Client['send']>[4]);
  const conn = hub.nextConnection();
  const socket = clientSocket(client);
  if (socket && o.tls) {
    logKeys(socket, o.tls.settings.keylogFile);
    tapTlsClient(socket as tls.TLSSocket, { conn, localSide: 'requestor', sink: hub.sink, target: { host: o.host, port: o.port } }, o.tls.allowed);
  } else if (socket) tapSocket(socket, { conn, localSide: 'requestor', sink: hub.sink, target: { host: o.host, port: o.port } });
  return conn;
}

export type { ScpClass };

export interface TappedServer {
  readonly host: string;
  readonly port: number;
  /** The guard of this server's connections (shared with the other DICOM ports when one was given). */
  readonly guard: GuardContext;
  close(): Promise<void>;
}

export interface GuardOptions {
  /** Shared by all DICOM ports of the process (limits, caps, record); a server of its own by default. */
  context?: GuardContext;
  /** How the record names this endpoint ("PACS PACSCOPE"). */
  name?: string;
  /** A TLS port (PS3.15 Annex B): the guard and the SCP see the decrypted stream (../tls/tls-accept.ts). */
  tls?: TlsMaterial | null;
}

/**
 * Listens on host:port (127.0.0.1 unless told otherwise) and puts a guard
 * (guard/association-gate.ts) on every accepted connection: the library's
 * `ScpClass` is made when an acceptable A-ASSOCIATE-RQ arrives and sees only
 * what the guard hands it (each entry point guarded: createGuardedScp in
 * ../dimse/scp.ts). A connection is tapped into the hub from its
 * first byte on (its open time is the accept time); one that closes without
 * a byte is only counted. `opts` go to the Scp constructor (`customOptions`
 * for our state). The library's own timers stay idle: the guard runs ARTIM
 * and the idle timer (the library's association timeout would only run with
 * `connected` set).
 */
export async function listenTapped(ScpClass: ScpClass, hub: CaptureHub, host: string, port: number, opts: Record<string, unknown> = {}, guard: GuardOptions = {}): Promise<TappedServer> {
  const context = guard.context ?? new GuardContext();
  const sockets = new Set<net.Socket>();
  let endpoint = guard.name ?? ScpClass.name;
  const acceptor = guard.tls ? tlsAcceptor(guard.tls, context.limits.acseTimeout * 1000) : null;
  const gate = (socket: net.Socket, acceptedAt: number, tlsFacts: Omit<WireTls, 'conn'> | null) =>
    new AssociationGate({
      socket,
      context,
      endpoint,
      createScp: (lib, g) => createGuardedScp(ScpClass, lib, opts, g, context.limits.maxPduReceive),
      firstBytes: (chunk) => {
        const conn = hub.nextConnection();
        let first = true;
        const now = () => (first ? ((first = false), acceptedAt) : wallClock());
        tapSocket(socket, { conn, localSide: 'acceptor', sink: hub.sink, now });
        if (tlsFacts) hub.sink({ ...tlsFacts, conn });
        hub.sink({ kind: 'data', conn, time: wallClock(), from: 'requestor', bytes: new Uint8Array(chunk) });
      },
    });
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    if (!context.admit()) {
      context.stats.note({ time: Date.now(), endpoint, peer: `${socket.remoteAddress}:${socket.remotePort}`, kind: 'refused', what: `connection limit (${context.limits.maxConnections}) reached and every connection is an association: closed at once` });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const acceptedAt = wallClock();
    if (!acceptor) return void gate(socket, acceptedAt, null);
    acceptor.accept(socket, {
      acceptedAt,
      sink: hub.sink,
      nextConnection: () => hub.nextConnection(),
      secure: (tlsSocket, facts) => {
        sockets.add(tlsSocket);
        tlsSocket.once('close', () => sockets.delete(tlsSocket));
        gate(tlsSocket, acceptedAt, facts);
      },
      note: (kind, what) => context.stats.note({ time: Date.now(), endpoint, peer: `${socket.remoteAddress}:${socket.remotePort}`, kind, what }),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // EMFILE and the like: the server goes on accepting
  const address = server.address() as net.AddressInfo;
  endpoint = `${endpoint} ${host}:${address.port}`;
  return {
    host,
    port: address.port,
    guard: context,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export { dimse };
