/**
 * Meaning and category of a DIMSE status (0000,0900): PS3.7 Annex C and the
 * service-specific tables of PS3.4 (see status-table.ts), with range
 * fallbacks for codes not in the tables.
 */
import { serviceOf } from './command-fields.ts';
import { formatStatus } from './status-format.ts';
import { GENERAL_RANGES, GENERAL_STATUSES, SERVICE_RANGES, SERVICE_STATUSES } from './status-table.ts';
import type { StatusEntry } from './status-table.ts';
import type { StatusCategory } from './types.ts';

export interface StatusInfo {
  meaning: string;
  category: StatusCategory;
}

export { formatStatus };

/** The one meaning all service tables agree on for a code, when the service is not known. */
function uniqueServiceEntry(code: number): StatusEntry | undefined {
  let found: StatusEntry | undefined;
  for (const table of SERVICE_STATUSES.values()) {
    const entry = table.get(code);
    if (!entry) continue;
    if (found && found.meaning !== entry.meaning) return undefined;
    found = entry;
  }
  return found;
}

/**
 * What a status code means. `command` is a message name ("C-MOVE-RSP") or a
 * service ("C-MOVE"); the meaning of service-specific codes depends on it
 * (0xA801 is "Refused: move destination unknown" for C-MOVE). Order: the
 * service's table, the general table (PS3.7 Annex C), the service's ranges,
 * the general ranges; otherwise category "unknown".
 */
export function statusInfo(code: number, command?: string): StatusInfo {
  const service = command ? serviceOf(command) : undefined;
  const specific = service ? SERVICE_STATUSES.get(service) : undefined;
  const exact = specific?.get(code) ?? (service ? undefined : uniqueServiceEntry(code)) ?? GENERAL_STATUSES.get(code);
  if (exact) return { meaning: exact.meaning, category: exact.category };
  const ranges = (service && SERVICE_RANGES.get(service)) || [];
  for (const range of [...ranges, ...GENERAL_RANGES]) {
    if ((code & range.mask) === range.value) return { meaning: range.entry.meaning, category: range.entry.category };
  }
  return { meaning: `Unknown status ${formatStatus(code)}`, category: 'unknown' };
}
