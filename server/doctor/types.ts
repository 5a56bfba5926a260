/**
 * The connectivity doctor's inputs and the state its steps share. The report
 * shapes are part of the live API (GET /api/doctor/:id), so they are declared
 * once in shared/events/live-api.ts (docs/architecture.md §7).
 */
import type { CaptureHub } from '../capture/hub.ts';
import type { ScuTarget } from '../endpoints/scu/options.ts';
import type { DoctorStep } from '../../shared/events/live-api.ts';
import type { StoreEndpoint } from './hub-evidence.ts';

export type { DoctorContextProbe, DoctorReport, DoctorRequest, DoctorStep, DoctorStepId } from '../../shared/events/live-api.ts';
export type { StoreEndpoint } from './hub-evidence.ts';

/** The peer to examine. */
export interface DoctorTarget {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
  /** Move destination AE title; default: the store SCP's AE (options.storeScp). */
  destination?: string;
}

export interface DoctorOptions {
  /** pacscope's own store SCP, tapped into the same hub: the default move destination, whose sub-associations the hub sees. */
  storeScp?: StoreEndpoint | null;
  /** Each step once it is finished, in order. */
  onStep?: (step: DoctorStep) => void;
  /** Stops after the running step (its C-FIND/C-MOVE/C-GET gets a C-CANCEL). */
  signal?: AbortSignal;
  /** Connect, association and idle timeout of each association, ms (default 10 000). */
  timeoutMs?: number;
  /** How long to wait for the store SCP's sub-association after the final C-MOVE response, ms (default 3000). */
  subAssociationWaitMs?: number;
  /** Where the C-GET writes its instance (default: a temp dir, removed afterwards). */
  getDir?: string;
}

export const DEFAULT_DOCTOR_TIMEOUT_MS = 10_000;
export const DEFAULT_SUB_ASSOCIATION_WAIT_MS = 3000;

/** What the steps share while the doctor runs. */
export interface DoctorContext {
  hub: CaptureHub;
  target: DoctorTarget;
  options: DoctorOptions;
  /** The AE titles in use: the given ones, or the variant the peer accepted. */
  calledAeTitle: string;
  callingAeTitle: string;
  signal?: AbortSignal;
}

/** The SCU target of the AE titles in use (or of a variant). */
export function scuTarget(ctx: DoctorContext, ae?: { calledAeTitle: string; callingAeTitle: string }): ScuTarget {
  return {
    host: ctx.target.host,
    port: ctx.target.port,
    calledAeTitle: ae?.calledAeTitle ?? ctx.calledAeTitle,
    callingAeTitle: ae?.callingAeTitle ?? ctx.callingAeTitle,
    timeoutMs: ctx.options.timeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS,
  };
}

/** A step in the shape of the report. */
export function step(id: DoctorStep['id'], title: string, ok: boolean | null, detail: string, associations: string[], more: Partial<DoctorStep> = {}): DoctorStep {
  return { id, title, ok, detail, associations, ...more };
}
