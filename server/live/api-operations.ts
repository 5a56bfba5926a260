/**
 * The operations API (docs/live-api.md): the UI runs C-ECHO, C-FIND, C-MOVE
 * and C-GET — and C-STORE of files uploaded first (uploads.ts) — against the
 * built-in PACS or any peer. Each runs the SCU operation of
 * server/endpoints/scu/ with the process's capture hub, so its associations
 * appear in the live stream like any other traffic.
 *
 *   POST /api/operations              {op, host, port, callingAeTitle, calledAeTitle, model?, level?, keys?, destination?, uploads?} → 201 {id}
 *   GET  /api/operations/:id          {id, op, state, result?, matches?, pending?, counters?, store?}
 *   POST /api/operations/:id/cancel   202 (C-CANCEL through the AbortSignal)
 */
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { CaptureHub } from '../capture/hub.ts';
import { cEcho } from '../endpoints/scu/echo.ts';
import { cFind } from '../endpoints/scu/find.ts';
import { cMove } from '../endpoints/scu/move.ts';
import { cGet } from '../endpoints/scu/get.ts';
import { cStore } from '../endpoints/scu/store.ts';
import type { UploadStore } from './uploads.ts';
import { RunRegistry } from './run-registry.ts';
import { formatStatus, statusInfo } from '../../shared/dimse/status.ts';
import { parseKeys } from '../endpoints/scu/keys.ts';
import { QUERY_LEVELS, type OperationResult, type QueryLevel, type QueryModel, type QueryTarget, type SubOperationCounters } from '../endpoints/scu/options.ts';
import { HttpError, stringField } from './http-json.ts';
import type { OperationKind, OperationState } from '../../shared/events/live-api.ts';

export type { OperationKind, OperationState };

const KINDS: readonly OperationKind[] = ['echo', 'find', 'move', 'get', 'store'];

/** Finished operations kept for their results (the oldest are forgotten first). */
const KEEP = 200;

export class LiveOperations {
  private readonly runs = new RunRegistry<OperationState>('op', KEEP);

  constructor(
    private readonly hub: CaptureHub,
    /** Where C-GET writes its instances. */
    private readonly getDir: string,
    /** Files uploaded for C-STORE operations. */
    private readonly uploads: UploadStore | null = null,
  ) {}

  /** Checks the request and starts the operation; HttpError 400 for bad input. */
  start(body: Record<string, unknown>): OperationState {
    const op = stringField(body, 'op', true) as OperationKind;
    if (!KINDS.includes(op)) throw new HttpError(400, `"op" must be one of ${KINDS.join(', ')}, got "${op}"`);
    const target = parseTarget(body, op);
    const view: OperationState = { id: this.runs.newId(), op, state: 'running', associations: [] };
    // The operation's own association: the first connection to its target from now on (a refused one too). Its
    // sub-associations are linked to it by the correlator; the UI's tab of the run shows both.
    const stopWatching = this.hub.onDerived((event) => {
      if ((event.type === 'connection.open' || event.type === 'connection.refused') && event.acceptor.port === target.port && (event.acceptor.host === target.host || !isIP(target.host))) {
        view.associations.push(event.association);
        stopWatching();
      }
    });
    const abort = new AbortController();
    const signal = abort.signal;
    const onPending = (counters: SubOperationCounters, index: number) => {
      view.pending = index;
      view.counters = counters;
    };
    let run: Promise<OperationResult>;
    if (op === 'echo') run = cEcho(target, this.hub);
    else if (op === 'find') {
      view.matches = [];
      run = cFind(target, this.hub, { signal, onMatch: (m) => view.matches!.push(m) });
    } else if (op === 'move') {
      run = cMove({ ...target, destination: stringField(body, 'destination', true) }, this.hub, { signal, onPending }).then((r) => {
        view.counters = r.counters;
        return r;
      });
    } else if (op === 'store') {
      const ids = uploadIds(body);
      if (!this.uploads) throw new HttpError(400, 'this server takes no uploads');
      const files = this.uploads.take(ids);
      const nameOf = new Map(files.map((f) => [f.path, f.name]));
      const name = (path: string) => nameOf.get(path) ?? path;
      const progress = { total: files.length, sent: 0, failed: [] as { name: string; reason: string }[], skipped: [] as { name: string; reason: string }[] };
      view.store = progress;
      run = cStore({ ...target, paths: files.map((f) => f.path) }, this.hub, {
        onResponse: (file, status) => {
          const category = statusInfo(status, 'C-STORE').category;
          if (category === 'success' || category === 'warning') progress.sent += 1;
          else progress.failed.push({ name: name(file), reason: `${formatStatus(status)} ${statusInfo(status, 'C-STORE').meaning}` });
        },
      })
        .then((r) => {
          progress.sent = r.sent.length;
          progress.failed = r.failed.map((f) => ({ name: name(f.file), reason: f.reason }));
          progress.skipped = r.skipped.map((f) => ({ name: name(f.file), reason: f.reason }));
          return { ...r, reason: r.reason?.replaceAll(/\S+\.dcm/g, (p) => name(p)) };
        })
        .finally(() => this.uploads?.release(ids));
    } else {
      run = cGet({ ...target, outputDir: this.getDir }, this.hub, { signal, onPending }).then((r) => {
        view.counters = r.counters;
        return r;
      });
    }
    void run.catch(() => {}).finally(() => setTimeout(stopWatching, 1_000));
    const settled = run.then(
      (result) => {
        view.result = stripResult(result);
      },
      (e: unknown) => {
        view.result = { ok: false, outcome: 'error', reason: e instanceof Error ? e.message : String(e) };
      },
    );
    return this.runs.add(view, abort, settled);
  }

  get(id: string): OperationState | null {
    return this.runs.get(id);
  }

  /** Asks for a C-CANCEL; false when there is no such operation. */
  cancel(id: string): boolean {
    return this.runs.cancel(id);
  }

  /** Resolves once the operation has ended (tests). */
  settled(id: string): Promise<OperationState | null> {
    return this.runs.settled(id);
  }

  /** Cancels what still runs and waits for it. */
  close(): Promise<void> {
    return this.runs.close();
  }
}

/** Only the fields of OperationResult (a find's result also carries its matches, which the view has). */
function stripResult(r: OperationResult): OperationResult {
  const { ok, outcome, status, statusText, reason, connection } = r;
  return { ok, outcome, status, statusText, reason, connection };
}

function parseTarget(body: Record<string, unknown>, op: OperationKind): QueryTarget {
  const host = stringField(body, 'host', true).trim();
  if (host === '') throw new HttpError(400, '"host" must not be empty');
  const port = body.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new HttpError(400, `"port" must be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
  const callingAeTitle = aeField(body, 'callingAeTitle');
  const calledAeTitle = aeField(body, 'calledAeTitle');
  const model = (stringField(body, 'model') ?? 'study') as QueryModel;
  if (model !== 'study' && model !== 'patient') throw new HttpError(400, `"model" must be patient or study, got "${model}"`);
  const level = (stringField(body, 'level') ?? 'STUDY') as QueryLevel;
  if (!QUERY_LEVELS.includes(level)) throw new HttpError(400, `"level" must be one of ${QUERY_LEVELS.join(', ')}, got "${level}"`);
  if (model === 'study' && level === 'PATIENT' && op !== 'echo') throw new HttpError(400, 'the Study Root model has no PATIENT level: use model "patient"');
  let keys: Record<string, unknown> = {};
  if (body.keys !== undefined && body.keys !== null) {
    if (typeof body.keys !== 'object' || Array.isArray(body.keys)) throw new HttpError(400, '"keys" must be an object {Keyword: "value"}');
    const texts: string[] = [];
    for (const [k, v] of Object.entries(body.keys as Record<string, unknown>)) {
      if (typeof v !== 'string' && typeof v !== 'number') throw new HttpError(400, `key ${k}: the value must be a string`);
      texts.push(`${k}=${v}`);
    }
    try {
      keys = parseKeys(texts);
    } catch (e) {
      throw new HttpError(400, (e as Error).message.replace(/^-k /, 'key '));
    }
    delete keys.QueryRetrieveLevel; // the level field says it
  }
  return { host, port, callingAeTitle, calledAeTitle, model, level, keys };
}

function uploadIds(body: Record<string, unknown>): string[] {
  const ids = body.uploads;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) throw new HttpError(400, '"uploads" must be a non-empty array of upload ids (POST /api/uploads first)');
  return ids as string[];
}

function aeField(body: Record<string, unknown>, key: string): string {
  const ae = stringField(body, key, true).trim();
  if (ae === '' || ae.length > 16 || /[\\\x00-\x1f\x7f]/.test(ae)) throw new HttpError(400, `"${key}" must be an AE title of 1 to 16 characters without backslash, got "${ae}"`);
  return ae;
}

/** The C-GET folder under the data dir. */
export function getDirOf(dataDir: string): string {
  return join(dataDir, 'get');
}
