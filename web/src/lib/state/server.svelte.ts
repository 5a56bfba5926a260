/**
 * What the server behind the page is (GET /api/status): `pacscope serve`
 * with its live session, or `pacscope open FILE` with recorded sessions only,
 * and what it offers. The UI shows only what applies (no live tab, no
 * operations or PACS panel for a file).
 */
import type { StatusInfo } from '../../../../shared/events/live-api.ts';

class Server {
  status = $state.raw<StatusInfo | null>(null);

  /** `pacscope open`: nothing live runs here. */
  get open(): boolean {
    return this.status?.mode === 'open';
  }
}

export const server = new Server();
