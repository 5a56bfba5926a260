/**
 * The diagnosis worker: the live model mirrored from the stream's texts and
 * the rules run over it when the page asks (live-mirror.ts), so that the
 * page's main thread, which draws each live arrow, never stops for them
 * (20–30 ms at 20,000 messages, every 250 ms while traffic flows).
 */
import { LiveMirror, type DiagnosisRequest } from './live-mirror.ts';

const mirror = new LiveMirror();
self.onmessage = (event: MessageEvent<DiagnosisRequest>) => {
  const reply = mirror.handle(event.data);
  if (reply) self.postMessage(reply);
};
