/**
 * Node's `onread` option (a socket reads into buffers of ours and calls us
 * with the count, instead of allocating a Buffer per read and emitting
 * 'data') for a socket that a `net.Server` accepted: Node 20 takes the
 * option in `net.connect` and `new net.Socket` only. An accepted socket is
 * given the same three fields that its constructor sets from the option,
 * and its handle the first buffer, before it ever reads: the same state as
 * a socket created with the option.
 *
 * Those fields are Node's internals (symbols of net.Socket); when this
 * Node does not have them, nothing is changed and `false` says so: the
 * caller reads with 'data' events as before (test/unit/proxy/read-slabs.test.ts
 * asserts that this Node takes the fast way).
 */
import type net from 'node:net';

export interface OnRead {
  /** Where the next read goes (called before each read). */
  buffer: () => Buffer;
  /** `n` bytes were read into the last buffer; `false` stops reading until `resume()`. */
  callback: (n: number, buf: Buffer) => boolean;
}

interface StreamHandle {
  reading?: boolean;
  useUserBuffer?: (buf: Uint8Array) => void;
}

function symbolNamed(o: object, name: string): symbol | undefined {
  return Object.getOwnPropertySymbols(o).find((s) => s.description === name);
}

/** Makes the accepted, not yet reading `socket` read as `onread` says; false when this Node cannot. */
export function readIntoOwnBuffers(socket: net.Socket, onread: OnRead): boolean {
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  const kBuffer = symbolNamed(socket, 'kBuffer');
  const kBufferGen = symbolNamed(socket, 'kBufferGen');
  const kBufferCb = symbolNamed(socket, 'kBufferCb');
  if (!handle || typeof handle.useUserBuffer !== 'function' || handle.reading || !kBuffer || !kBufferGen || !kBufferCb) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  if (fields[kBuffer] || fields[kBufferGen] || fields[kBufferCb]) return false;
  const first = onread.buffer();
  fields[kBuffer] = first;
  fields[kBufferGen] = onread.buffer;
  fields[kBufferCb] = onread.callback;
  handle.useUserBuffer(first);
  return true;
}
