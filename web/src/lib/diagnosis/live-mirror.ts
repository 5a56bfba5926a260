/**
 * The live model rebuilt from the stream's own texts, for the diagnosis
 * worker (docs/architecture.md, "The layers": Browser): the live client hands over the
 * text of every snapshot, delta and PDU list it applied, in order, and this
 * applies them as the page does (apply-delta.ts). Pure: the worker entry
 * (diagnosis.worker.ts) is a thin wrapper, and unit tests drive it directly.
 *
 * Texts, not objects: the page has them already, and posting a string to a
 * worker is a copy, where posting a 20,000-message Summary object serialises
 * every message on the page's main thread (45–110 ms measured in Node).
 */
import type { LiveDelta, LiveServerMessage } from '../../../../shared/events/live-messages.ts';
import { unpackSnapshot } from '../../../../shared/events/live-snapshot.ts';
import type { Summary } from '../../../../shared/model/summary-types.ts';
import { diagnose, liveNow, type Finding, type ListeningEndpoint, type ProbeRun } from '../../../../shared/diagnosis/index.ts';
import { applyDeltas, emptySummary } from '../state/apply-delta.ts';

/**
 * What the page posts to the worker: the texts of the live messages it applied since its last post (snapshot, delta
 * or PDU list, in order) and, unless `diagnose` is false, a request to run the rules over the model as of them, with
 * the page's probes and listening endpoints.
 */
export interface DiagnosisRequest {
  id: number;
  texts: string[];
  diagnose: boolean;
  probes: ProbeRun[];
  listening: ListeningEndpoint[];
}

/** What the worker answers to a 'diagnose'. */
export interface DiagnosisReply {
  id: number;
  findings: Finding[];
  /** Messages of the model diagnosed (how far it had come). */
  messages: number;
}

export class LiveMirror {
  #summary: Summary = emptySummary();
  /** Deltas taken but not applied yet: applied once, in a batch, when the rules run or a PDU list comes. */
  #deltas: LiveDelta[] = [];

  receive(text: string): void {
    let message: LiveServerMessage;
    try {
      message = JSON.parse(text) as LiveServerMessage;
    } catch {
      return; // the page dropped it too
    }
    if (message.type === 'snapshot') {
      this.#summary = unpackSnapshot(message.summary);
      this.#deltas = [];
    } else if (message.type === 'delta') {
      this.#deltas.push(message.delta);
    } else if (message.type === 'pdus') {
      // As the page does: the deltas before it first, then its list replaces the PDUs.
      this.summary();
      this.#summary = { ...this.#summary, pdus: message.pdus };
    }
  }

  /** The model as of the texts received. */
  summary(): Summary {
    if (this.#deltas.length) {
      this.#summary = applyDeltas(this.#summary, this.#deltas);
      this.#deltas = [];
    }
    return this.#summary;
  }

  /** The findings of the live session now (its clock: the wall clock since the session's start). */
  diagnose(probes: readonly ProbeRun[], listening: readonly ListeningEndpoint[], nowMs = Date.now()): Finding[] {
    const summary = this.summary();
    return diagnose(summary, { now: liveNow(summary, nowMs), probes, listening });
  }

  handle(request: DiagnosisRequest): DiagnosisReply | null {
    for (const text of request.texts) this.receive(text);
    if (!request.diagnose) return null;
    return { id: request.id, findings: this.diagnose(request.probes, request.listening), messages: this.summary().messages.length };
  }
}
