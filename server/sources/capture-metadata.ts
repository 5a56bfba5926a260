/**
 * What a recording keeps of a live capture besides its wire events: a
 * metadata update (docs/recording-format.md) under `liveCapture.<id>` when
 * the capture stops — interface, filter, dumpcap's counters and the problems
 * that belonged to no connection (the packets it dropped). Wire events cannot
 * carry those (a drop belongs to no connection), so when a recording is read
 * again (open-source.ts) they come back as the file's problems, and the
 * diagnosis reports them as it did live (capture-health.ts).
 */
import type { CaptureInfo } from '../../shared/events/live-api.ts';

const PREFIX = 'liveCapture.';

export interface RecordedCapture {
  interface: string;
  filter: string;
  started: string;
  stopped: string | null;
  packets: number;
  received: number | null;
  dropped: number | null;
  problems: string[];
}

export function captureMetadata(info: CaptureInfo, problems: readonly string[]): Record<string, RecordedCapture> {
  return {
    [`${PREFIX}${info.id}`]: {
      interface: info.interface,
      filter: info.filter,
      started: info.started,
      stopped: info.stopped,
      packets: info.packets,
      received: info.received,
      dropped: info.dropped,
      problems: [...problems],
    },
  };
}

/** The problems of every live capture a recording's metadata holds (bad input is data: anything malformed is passed over). */
export function recordedCaptureProblems(metadata: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (!key.startsWith(PREFIX) || typeof value !== 'object' || value === null) continue;
    const problems = (value as { problems?: unknown }).problems;
    if (Array.isArray(problems)) for (const p of problems) if (typeof p === 'string') out.push(p);
  }
  return out;
}
