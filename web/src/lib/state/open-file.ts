/**
 * Opening a file from the user's disk (the "open…" picker or a drop on the
 * page): a summary JSON (`pacscope summary FILE --json`) is shown as it is;
 * a recording, pcap or pcapng is sent to the server's sessions folder and
 * opened from there, decoded by the same pipeline as live traffic, so the
 * inspector has full details and bytes and the file stays listed.
 */
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { api } from '../transport/api.ts';
import type { Session } from './session.svelte.ts';

export async function openLocalFile(session: Session, file: File): Promise<void> {
  if (/\.json$/i.test(file.name) || file.type === 'application/json') {
    let summary: Summary;
    try {
      summary = JSON.parse(await file.text()) as Summary;
    } catch (e) {
      throw new Error(`${file.name} is not JSON: ${(e as Error).message}`);
    }
    if (!summary || !Array.isArray(summary.associations) || !Array.isArray(summary.messages)) throw new Error(`${file.name} is not a pacscope summary (pacscope summary FILE --json)`);
    session.load(summary);
    return;
  }
  const saved = await api.saveSession(file);
  await session.open(saved.name);
}
