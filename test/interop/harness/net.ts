/**
 * Loopback ports for the interop servers: ask the OS for a free one, and wait
 * until a server listens (read from /proc/net/tcp, so waiting sends no traffic
 * that a capture or a DICOM server would see).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/** A port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no port from the OS'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

/** Distinct free ports (each asked from the OS; duplicates are asked again). */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

/** True when some socket listens on `port` (any local address, IPv4 or IPv6). */
export async function isListening(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] = local "ADDR:PORT", cols[3] = state; 0A = LISTEN.
      if (cols.length > 3 && cols[3] === '0A' && cols[1].endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}

export async function waitListening(port: number, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isListening(port))) {
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
