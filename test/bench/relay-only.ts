/**
 * The proxy benchmark's reference hop: pacscope's relay (relay.ts, reading
 * into reused slabs) with a capture that takes nothing, in a process of its
 * own like `pacscope proxy`. Measured beside the real proxy, it splits the
 * cost of the proxied path into the extra hop itself (this) and what the
 * capture adds to it (decoding, recording).
 *
 *   node --import tsx test/bench/relay-only.ts UPSTREAM_PORT    (prints "listening PORT")
 */
import net from 'node:net';
import type { Lease } from '../../server/proxy/read-slabs.ts';
import { RelayConnection, type ProxyCapture } from '../../server/proxy/relay.ts';

const upstreamPort = Number(process.argv[2]);
if (!Number.isInteger(upstreamPort) || upstreamPort <= 0) {
  process.stderr.write('usage: relay-only.ts UPSTREAM_PORT\n');
  process.exit(2);
}

let connections = 0;
const nothing: ProxyCapture = {
  nextConnection: () => ++connections,
  sink: () => undefined,
  lend: (_event, lease: Lease) => lease.release(),
};

const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
  new RelayConnection(client, { upstream: { host: '127.0.0.1', port: upstreamPort }, connectTimeoutMs: 10_000, capture: nothing, now: Date.now });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
