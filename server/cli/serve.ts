/**
 * `pacscope serve` (what `npm start` runs). For now: the HTTP server that the
 * UI, the live WebSocket stream and the operations API will hang off (issues
 * 3 and 4), with a status endpoint and an offline decoder endpoint. Binds
 * 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from './args.ts';
import { VERSION } from '../version.ts';
import { parseHostPort } from './host-port.ts';

const DEFAULT_HTTP = '127.0.0.1:8104';

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['http'] });
  const { host, port } = parseHostPort(args.values.get('http')?.at(-1) ?? DEFAULT_HTTP);
  if (!isLoopback(host)) {
    // Issue 4 adds the access token that makes a non-loopback bind safe; until then refuse it.
    throw new Error(`refusing to listen on ${host}: only loopback addresses are supported for now`);
  }
  const started = new Date().toISOString();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/api/status') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ product: 'pacscope', version: VERSION, started, endpoints: [] }));
      return;
    }
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`pacscope ${VERSION}\nThe browser UI arrives with a later release. Meanwhile: pacscope summary FILE decodes a recording or a pcap.\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`pacscope ${VERSION} serving on http://${host}:${actualPort}/  (status: /api/status)\n`);
  process.stdout.write('DICOM endpoints: none yet (the built-in PACS and store SCP come with the endpoints release)\n');
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
