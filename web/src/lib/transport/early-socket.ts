/**
 * The live stream's WebSocket, opened by the page's first script (main.ts)
 * before the UI's code is loaded, parsed and mounted (issue 13): the preview
 * of a long window's live end (shared/events/live-preview.ts) and its
 * snapshot are on their way in the meantime instead of after it. Whatever it
 * receives until the live client takes it over (live-client.ts) is kept, in
 * order, and handed over with it.
 *
 * Small on purpose, and without Svelte: it is in the page's first chunk.
 */
import { withToken } from './api.ts';

/** The live stream's address for this page (its token, when the page has one). */
export function liveUrl(): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${withToken('/api/live')}`;
}

/** A socket to the live stream; marked in the page's performance timeline (the UI bench reads it). */
export function openLiveSocket(url: string): WebSocket {
  performance.mark('pacscope:live-socket');
  return new WebSocket(url);
}

export interface EarlySocket {
  socket: WebSocket;
  /** The messages received before the take-over, in order, with when each came (performance.now()). */
  texts: { text: string; at: number }[];
}

let early: (EarlySocket & { url: string }) | null = null;

/**
 * Opens the socket; resolves once it is open (or closed, or after `waitMs`): Chromium sends the handshake once the
 * page's main thread is free, which running the UI's chunk would hold up (0.1–0.2 s on the UI bench).
 */
export function openEarlySocket(waitMs: number): Promise<void> {
  const url = liveUrl();
  const socket = openLiveSocket(url);
  const texts: EarlySocket['texts'] = [];
  socket.onmessage = (event: MessageEvent) => texts.push({ text: String(event.data), at: performance.now() });
  early = { socket, texts, url };
  return new Promise((resolve) => {
    socket.onopen = socket.onclose = () => resolve();
    setTimeout(resolve, waitMs);
  });
}

/** The early socket to `url`, once, unless it is closing or closed already (then the client opens its own). */
export function takeEarlySocket(url: string): EarlySocket | null {
  const taken = early;
  early = null;
  if (!taken) return null;
  if (taken.url !== url || taken.socket.readyState === WebSocket.CLOSING || taken.socket.readyState === WebSocket.CLOSED) {
    taken.socket.close();
    return null;
  }
  taken.socket.onmessage = null;
  return { socket: taken.socket, texts: taken.texts };
}
