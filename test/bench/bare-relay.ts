/**
 * The proxy benchmark's reference hop: the least a relay written in Node can
 * do (accept, connect, copy bytes both ways with backpressure; no capture,
 * no decoding, no recording), in a process of its own like `pacscope proxy`.
 * Measured beside the real proxy, it shows what the extra hop costs on the
 * machine and what pacscope's capture adds to it.
 *
 *   node test/bench/bare-relay.ts UPSTREAM_PORT    (prints "listening PORT")
 */
import net from 'node:net';

const upstreamPort = Number(process.argv[2]);
if (!Number.isInteger(upstreamPort) || upstreamPort <= 0) {
  process.stderr.write('usage: bare-relay.ts UPSTREAM_PORT\n');
  process.exit(2);
}

function relay(from: net.Socket, to: net.Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => to.end());
  from.on('error', () => to.destroy());
}

const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
  const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true }, () => client.resume());
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  relay(client, upstream);
  relay(upstream, client);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
