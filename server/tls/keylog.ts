/**
 * The TLS key log (NSS key log format: "CLIENT_RANDOM …", TLS 1.3's
 * "CLIENT_TRAFFIC_SECRET_0 …"), as browsers write it to $SSLKEYLOGFILE:
 * with it Wireshark decrypts a capture of the wire itself
 * (`tshark -o tls.keylog_file:FILE`). Node hands every secret to a 'keylog'
 * listener; they are appended to the file, one stream per file per process.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { EventEmitter } from 'node:events';

const streams = new Map<string, WriteStream>();

function streamOf(path: string): WriteStream {
  let s = streams.get(path);
  if (!s) {
    s = createWriteStream(path, { flags: 'a', mode: 0o600 });
    // A key log that cannot be written must not end a DICOM connection: it is said once.
    s.on('error', (e) => process.stderr.write(`pacscope: cannot write the TLS key log ${path}: ${e.message}\n`));
    streams.set(path, s);
  }
  return s;
}

/** Appends the secrets of every TLS session of `emitter` (a tls.Server or a TLSSocket) to `path`. */
export function logKeys(emitter: EventEmitter, path: string | null): void {
  if (!path) return;
  emitter.on('keylog', (line: Buffer) => streamOf(path).write(line));
}

/** Flushes and closes the key log files (end of a command). */
export async function closeKeyLogs(): Promise<void> {
  const all = [...streams.values()];
  streams.clear();
  await Promise.all(all.map((s) => new Promise<void>((resolve) => s.end(resolve))));
}
