/**
 * Opening a file from the user's disk (the "open…" picker or a drop on the
 * page): a summary JSON (`pacscope summary FILE --json`, of any version:
 * migrated) is shown;
 * a recording, pcap or pcapng is sent to the server's sessions folder and
 * opened from there, decoded by the same pipeline as live traffic, so the
 * inspector has full details and bytes and the file stays listed.
 */
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { migrateSummary } from '../../../../shared/model/summary-migrations.ts';
import { api } from '../transport/api.ts';
import type { Session } from './session.svelte.ts';

export async function openLocalFile(session: Session, file: File): Promise<void> {
  if (/\.json$/i.test(file.name) || file.type === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch (e) {
      throw new Error(`${file.name} is not JSON: ${(e as Error).message}`);
    }
    let summary: Summary;
    try {
      // A summary of any earlier version reads as the current one.
      summary = migrateSummary(json);
    } catch (e) {
      throw new Error(`${file.name}: ${(e as Error).message} (pacscope summary FILE --json writes one)`);
    }
    session.load(summary);
    return;
  }
  const saved = await api.saveSession(file);
  await session.open(saved.name);
}
