/**
 * The doctor API (docs/live-api.md): the connectivity doctor
 * (server/doctor/) on any peer, run with the process's capture hub, so its
 * associations show in the live stream; the store SCP of `pacscope serve` is
 * the default move destination (its sub-associations are in the same hub).
 *
 *   POST /api/doctor       {host, port, calledAeTitle, callingAeTitle, destination?} → 201 {id}
 *   GET  /api/doctor/:id   {id, state: 'running'|'done', steps, report?, associations}
 *   GET  /api/doctor       the runs of this server, oldest first: the findings panel
 *                          shows what their associations (pacscope's own probes) caused apart
 */
import type { CaptureHub } from '../capture/hub.ts';
import { runDoctor, targetProblem } from '../doctor/run-doctor.ts';
import type { DoctorTarget, StoreEndpoint } from '../doctor/types.ts';
import type { DoctorState } from '../../shared/events/live-api.ts';
import { HttpError, stringField } from './http-json.ts';
import { RunRegistry } from './run-registry.ts';
import { probeAssociations } from '../doctor/probe-associations.ts';

/** Finished runs kept for their reports (the oldest are forgotten first). */
const KEEP = 50;

export class DoctorRuns {
  private readonly runs = new RunRegistry<DoctorState>('doctor', KEEP);
  /** Every run of this server, for GET /api/doctor (a reloaded page still knows which associations were probes). */
  private readonly listed: DoctorState[] = [];

  constructor(
    private readonly hub: CaptureHub,
    /** The store SCP of this process (the default destination), or null. */
    private readonly storeScp: () => StoreEndpoint | null,
  ) {}

  /** Checks the body and starts the doctor; HttpError 400 for bad input. */
  start(body: Record<string, unknown>): DoctorState {
    const target = parseDoctorTarget(body);
    const view: DoctorState = { id: this.runs.newId(), state: 'running', steps: [], associations: [] };
    this.listed.push(view);
    if (this.listed.length > 200) this.listed.shift();
    const abort = new AbortController();
    const run = runDoctor(target, this.hub, { storeScp: this.storeScp(), signal: abort.signal, onStep: (s) => {
      view.steps.push(s);
      view.associations = probeAssociations(view.steps);
    } }).then(
      (report) => {
        view.report = report;
        view.steps = report.steps;
        view.associations = probeAssociations(report.steps);
      },
      (e: unknown) => {
        // runDoctor checks its input first (done above): anything else is a bug, shown as a failed step.
        view.steps.push({ id: 'connect', title: 'Doctor', ok: false, detail: e instanceof Error ? e.message : String(e), associations: [] });
      },
    );
    return this.runs.add(view, abort, run);
  }

  get(id: string): DoctorState | null {
    return this.runs.get(id);
  }

  /** The runs of this server, oldest first. */
  list(): DoctorState[] {
    return this.listed;
  }

  /** Resolves once the run has ended (tests). */
  settled(id: string): Promise<DoctorState | null> {
    return this.runs.settled(id);
  }

  /** Cancels what still runs and waits for it. */
  close(): Promise<void> {
    return this.runs.close();
  }
}

/** The body of POST /api/doctor as a target; HttpError 400 with a one-line reason otherwise. */
export function parseDoctorTarget(body: Record<string, unknown>): DoctorTarget {
  const port = body.port;
  if (typeof port !== 'number') throw new HttpError(400, `"port" must be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
  const destination = stringField(body, 'destination');
  const target: DoctorTarget = {
    host: stringField(body, 'host', true).trim(),
    port,
    calledAeTitle: stringField(body, 'calledAeTitle', true).trim(),
    callingAeTitle: stringField(body, 'callingAeTitle', true).trim(),
    ...(destination !== undefined && destination.trim() !== '' ? { destination: destination.trim() } : {}),
  };
  const problem = targetProblem(target);
  if (problem) throw new HttpError(400, problem);
  return target;
}
