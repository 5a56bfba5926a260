/**
 * The socket dcmjs-dimse is given instead of the TCP socket: the library
 * reads only what the gate hands it (`deliver`, whole checked PDUs) and its
 * writes go to the gate, which passes on what the state machine allows
 * (association-gate.ts). It implements the part of net.Socket the library
 * uses (docs/architecture.md, "Known traps": `on('data'|'close'|…)`,
 * `write`, `setTimeout`; `end`/`destroy` from our own code); the library's
 * own timers stay idle because the gate owns ARTIM and the idle timer.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';

export interface LibrarySide {
  /** Bytes the library writes. */
  fromLibrary(bytes: Uint8Array): void;
  /** The library (or our SCP code) ends or destroys its socket. */
  libraryClosed(): void;
}

export class LibrarySocket extends EventEmitter {
  private closed = false;

  constructor(
    private readonly side: LibrarySide,
    private readonly real: net.Socket,
  ) {
    super();
  }

  get remoteAddress(): string | undefined {
    return this.real.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.real.remotePort;
  }

  get localAddress(): string | undefined {
    return this.real.localAddress;
  }

  get localPort(): number | undefined {
    return this.real.localPort;
  }

  get destroyed(): boolean {
    return this.closed;
  }

  /** The library's own socket timeout would abort on its own: the gate's timers decide instead. */
  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const callback = typeof encoding === 'function' ? encoding : cb;
    if (!this.closed) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk instanceof Uint8Array ? chunk : null;
      if (bytes && bytes.length > 0) this.side.fromLibrary(bytes);
    }
    if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
    return true;
  }

  end(chunk?: unknown): this {
    if (chunk instanceof Uint8Array || typeof chunk === 'string') this.write(chunk);
    this.side.libraryClosed();
    return this;
  }

  destroy(): this {
    this.side.libraryClosed();
    return this;
  }

  /** Hands the library a whole PDU. */
  deliver(bytes: Uint8Array): void {
    if (this.closed) return;
    this.emit('data', Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** The connection is gone: the library's 'close' handler stops its timers (once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', false);
  }
}

