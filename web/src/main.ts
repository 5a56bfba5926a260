/**
 * The page's first script, kept small: it opens the live stream, then loads
 * the UI (mount-app.ts, a chunk of its own that index.html preloads, see
 * vite.config.ts). Opened from the mounted UI, the WebSocket waited for the
 * whole bundle to be parsed and run and for every component to mount —
 * 0.3–0.4 s on the UI bench's machine — before the snapshot could start on
 * its way (issue 13). The UI's chunk runs once the socket is open (at most
 * 150 ms later): Chromium sends the handshake once the page's main thread is
 * free, which running the chunk would hold up (early-socket.ts).
 */
import './app.css';
import { openEarlySocket } from './lib/transport/early-socket.ts';

// A page opened on a session of the server's folder (?session=NAME) shows that one instead, not the live stream.
const live = new URLSearchParams(location.search).get('session') ? Promise.resolve() : openEarlySocket(150);
live.then(() => import('./mount-app.ts')).catch((e: unknown) => {
  document.getElementById('app')?.replaceChildren(`pacscope: the UI did not load (${e instanceof Error ? e.message : String(e)}); reload the page.`);
  throw e;
});
