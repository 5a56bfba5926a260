/**
 * The built-in PACS's settings for its panel (docs/live-api.md):
 *
 *   GET /api/pacs   {ae, host, port, moveMode, aePolicy, destinations: {AE: "host:port"}}
 *   PUT /api/pacs   any of {moveMode, aePolicy, destinations} (destinations: the whole table) → the new settings
 *
 * Everything is checked before anything changes; changes apply to the next
 * association or C-MOVE.
 */
import type { RunningPacs } from '../endpoints/pacs/pacs.ts';
import { parseAePolicy, parseDestination, parseMoveMode, type Destination } from '../endpoints/pacs/config.ts';
import { HttpError, stringField } from './http-json.ts';
import type { PacsSettings } from '../../shared/events/live-api.ts';

/** `GET /api/pacs` (shared/events/live-api.ts). */
export type PacsSettingsView = PacsSettings;

export function pacsSettings(pacs: RunningPacs): PacsSettingsView {
  return {
    ae: pacs.ae,
    host: pacs.host,
    port: pacs.port,
    moveMode: pacs.moveMode,
    aePolicy: pacs.aePolicy,
    destinations: Object.fromEntries([...pacs.destinations].map(([ae, d]) => [ae, `${d.host}:${d.port}`])),
  };
}

const KEYS = ['moveMode', 'aePolicy', 'destinations'];

/** Applies a PUT body; HttpError 400 (and nothing changed) for bad input. */
export function updatePacs(pacs: RunningPacs, body: Record<string, unknown>): PacsSettingsView {
  for (const k of Object.keys(body)) if (!KEYS.includes(k)) throw new HttpError(400, `unknown setting "${k}" (known: ${KEYS.join(', ')})`);
  const checked = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
  };
  const modeText = stringField(body, 'moveMode');
  const mode = modeText === undefined ? undefined : checked(() => parseMoveMode(modeText));
  const policyText = stringField(body, 'aePolicy');
  const policy = policyText === undefined ? undefined : checked(() => parseAePolicy(policyText));
  let table: [string, Destination][] | undefined;
  if (body.destinations !== undefined) {
    const d = body.destinations;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new HttpError(400, '"destinations" must be an object {AE: "host:port"}');
    table = Object.entries(d as Record<string, unknown>).map(([ae, hp]) => {
      if (typeof hp !== 'string') throw new HttpError(400, `destination ${ae}: expected "host:port"`);
      return checked(() => parseDestination(`${ae}=${hp}`));
    });
    const seen = new Set<string>();
    for (const [ae] of table) {
      if (seen.has(ae)) throw new HttpError(400, `destination ${ae} appears twice`);
      seen.add(ae);
    }
  }
  if (mode !== undefined) pacs.setMoveMode(mode);
  if (policy !== undefined) pacs.setAePolicy(policy);
  if (table !== undefined) {
    pacs.destinations.clear();
    for (const [ae, dest] of table) pacs.destinations.set(ae, dest);
  }
  return pacsSettings(pacs);
}
