/**
 * A DIMSE message's command and status in words, made at the edges (the
 * model carries the numbers, docs/architecture.md §8): "C-MOVE-RSP",
 * "0xFF00", "Pending: sub-operations are continuing". Pure.
 */
import { commandName } from './command-fields.ts';
import { formatStatus } from './status-format.ts';
import { statusInfo } from './status.ts';

/** What the words are made from: any message of the model or of the decoder. */
export interface CommandAndStatus {
  commandField: number;
  status: number | null;
}

/** "C-MOVE-RQ" (PS3.7 Annex E). */
export function commandOf(m: { commandField: number }): string {
  return commandName(m.commandField);
}

/** "0xFF00", or null for a request. */
export function statusCodeOf(m: { status: number | null }): string | null {
  return m.status === null ? null : formatStatus(m.status);
}

/** What the status means for this message's service (PS3.4 tables, PS3.7 Annex C), or null for a request. */
export function statusMeaningOf(m: CommandAndStatus): string | null {
  return m.status === null ? null : statusInfo(m.status, commandName(m.commandField)).meaning;
}
