/**
 * The live end of a long snapshot, sent before it (issue 13): the last
 * messages of the window, enough to fill the view at any zoom, so that the
 * browser draws where the view stands — at the live end — while the
 * snapshot, megabytes long, is still on its way. The snapshot replaces it
 * whole, as it would replace any model.
 *
 * A preview is a snapshot's summary (live-snapshot.ts) with every
 * association and error, and of the messages only those from `base` on, its
 * indices counted from `base`: a link to a message before it (a response's
 * request, a cause) is left out, null — the preview is drawn only, never
 * inspected, diagnosed or filtered (web/src/App.svelte).
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../model/summary-types.ts';
import { LIVE_PROTOCOL_VERSION, type EndpointInfo, type LiveServerMessage, type LiveWindowInfo } from './live-messages.ts';
import { packSnapshot } from './live-snapshot.ts';

/** Windows of more messages than this get a preview first (below it the snapshot itself is quick: 1,489 messages, 0.4 MB). */
export const PREVIEW_ABOVE = 2000;
/** Messages in a preview: more than the view shows at its smallest zoom (≈ 1,000 px / (28 px × 0.1)). */
export const PREVIEW_MESSAGES = 400;

/** Index `i` of the whole list as the preview counts it, or null when it is before the preview. */
const rebase = (i: number, base: number): number | null => (i >= base ? i - base : null);

function previewMessage(m: SummaryMessage, base: number): SummaryMessage {
  const request = m.request === null ? null : rebase(m.request, base);
  const at = m.cause === null ? null : rebase(m.cause.message, base);
  return { ...m, request, cause: m.cause === null || at === null ? null : { ...m.cause, message: at } };
}

function previewAssociation(a: SummaryAssociation, base: number): SummaryAssociation {
  if (a.cause === null) return a;
  const at = rebase(a.cause.message, base);
  return { ...a, cause: at === null ? null : { ...a.cause, message: at } };
}

/** The preview of a window's summary: its last `count` messages (null when it has no more than `above`). */
export function previewOf(summary: Summary, count = PREVIEW_MESSAGES, above = PREVIEW_ABOVE): { summary: Summary; base: number } | null {
  if (summary.messages.length <= above || summary.messages.length <= count) return null;
  const base = summary.messages.length - count;
  return {
    base,
    summary: {
      ...summary,
      associations: summary.associations.map((a) => previewAssociation(a, base)),
      messages: summary.messages.slice(base).map((m) => previewMessage(m, base)),
      pdus: [],
    },
  };
}

/** The preview message's JSON text, or null when the window needs none. */
export function previewJson(seq: number, summary: Summary, endpoints: EndpointInfo[], window: LiveWindowInfo): string | null {
  const preview = previewOf(summary);
  if (!preview) return null;
  const message: LiveServerMessage = { type: 'preview', version: LIVE_PROTOCOL_VERSION, seq, base: preview.base, summary: packSnapshot(preview.summary), endpoints, window };
  return JSON.stringify(message);
}
