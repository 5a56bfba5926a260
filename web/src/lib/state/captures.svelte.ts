/**
 * The live captures of the server (GET /api/captures), polled once a second
 * while the page shows a server that offers them: the capture panel lists and
 * drives them, the header says that one runs. Polling rather than the live
 * stream: dumpcap's own counter changes only about twice a second anyway.
 */
import { api, type CaptureInfo } from '../transport/api.ts';

const POLL_MS = 1000;

class Captures {
  list = $state.raw<CaptureInfo[] | null>(null);
  error = $state<string | null>(null);
  private timer: ReturnType<typeof setInterval> | null = null;

  /** The ones running now. */
  get running(): CaptureInfo[] {
    return (this.list ?? []).filter((c) => c.state === 'capturing' || c.state === 'starting');
  }

  async refresh(): Promise<void> {
    try {
      this.list = await api.captures();
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Starts polling (once; the server offers captures). */
  watch(): void {
    if (this.timer !== null) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }
}

export const captures = new Captures();
