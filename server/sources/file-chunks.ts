/** Streaming a file in chunks (never whole), as plain Uint8Array views (a Buffer's slice() does not copy, which shared code must not meet). */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

export async function* fileChunks(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  for await (const chunk of stream as AsyncIterable<Buffer>) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The first `n` bytes of a file (fewer if it is shorter). Throws a one-line Error when the file cannot be read. */
export async function fileStart(path: string, n: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new Error(describeOpenError(path, e as NodeJS.ErrnoException));
  }
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await handle.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new Error(`${path}: is a directory, not a file`);
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  } finally {
    await handle.close();
  }
}

function describeOpenError(path: string, e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return `${path}: no such file`;
    case 'EACCES':
    case 'EPERM':
      return `${path}: permission denied`;
    case 'EISDIR':
      return `${path}: is a directory, not a file`;
    default:
      return `${path}: cannot open (${e.message})`;
  }
}
