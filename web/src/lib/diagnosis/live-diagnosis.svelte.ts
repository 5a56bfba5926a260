/**
 * The live session's diagnosis, run in a worker (diagnosis.worker.ts): the
 * session hands over the text of every live message it applied (`stream`),
 * the findings panel asks for the findings (`run`) at most every 250 ms.
 *
 * The texts wait here and go with the next `run`, one post every 250 ms
 * at most: a post of its own for each delta cost the main thread 0.2–8 ms
 * (measured in Chromium on 2 CPUs, with the worker busy on the other).
 * The worker starts at the first `run`, not with the page: the first render
 * of a long session has the page's whole attention. A snapshot replaces all
 * that came before it, here too. Where no worker can run, or it fails,
 * `available` turns false and the panel runs the rules on the main thread.
 */
import type { Finding, ListeningEndpoint, ProbeRun } from '../../../../shared/diagnosis/index.ts';
import type { AcceptedKind } from '../transport/live-client.ts';
import type { DiagnosisReply, DiagnosisRequest } from './live-mirror.ts';

/** Texts that go to the worker without a request when no `run` came to take them (a replay shown for a while). */
const UNASKED_POST = 5000;

export class LiveDiagnosis {
  available = $state(typeof Worker === 'function');
  #worker: Worker | null = null;
  #queue: string[] = [];
  #next = 1;
  #waiting = new Map<number, { resolve: (findings: Finding[]) => void; reject: (e: Error) => void }>();

  /** The text of a live message the page applied, in the order applied. */
  stream(kind: AcceptedKind, text: string): void {
    if (!this.available) return;
    if (kind === 'snapshot') this.#queue = [];
    this.#queue.push(text);
    // Nobody asking (no findings panel): the texts go on their own now and then rather than pile up.
    if (this.#queue.length >= UNASKED_POST && this.#start()) this.#post(false, [], []);
  }

  /** The findings of the live session as of the texts handed over so far. */
  run(probes: readonly ProbeRun[], listening: readonly ListeningEndpoint[]): Promise<Finding[]> {
    if (!this.#start()) return Promise.reject(new Error('no diagnosis worker'));
    return new Promise((resolve, reject) => {
      this.#waiting.set(this.#post(true, probes, listening), { resolve, reject });
    });
  }

  #start(): Worker | null {
    if (this.#worker || !this.available) return this.#worker;
    try {
      const worker = new Worker(new URL('./diagnosis.worker.ts', import.meta.url), { type: 'module', name: 'pacscope diagnosis' });
      worker.onmessage = (event: MessageEvent<DiagnosisReply>) => {
        const waiting = this.#waiting.get(event.data.id);
        this.#waiting.delete(event.data.id);
        waiting?.resolve(event.data.findings);
      };
      worker.onerror = (event) => this.#fail(new Error(`diagnosis worker: ${event.message || 'failed to load'}`));
      this.#worker = worker;
      return worker;
    } catch (e) {
      this.#fail(e as Error);
      return null;
    }
  }

  /** Posts the texts waiting, with a request to diagnose or not; its id. */
  #post(diagnose: boolean, probes: readonly ProbeRun[], listening: readonly ListeningEndpoint[]): number {
    const id = this.#next++;
    // Plain copies: the narration's runs are reactive proxies, which a worker cannot be sent.
    const request: DiagnosisRequest = {
      id,
      texts: this.#queue,
      diagnose,
      probes: probes.map((p) => ({ kind: p.kind, label: p.label, associations: [...p.associations] })),
      listening: listening.map(({ ae, host, port }) => ({ ae, host, port })),
    };
    this.#queue = [];
    this.#worker?.postMessage(request);
    return id;
  }

  #fail(error: Error): void {
    this.available = false;
    this.#worker?.terminate();
    this.#worker = null;
    this.#queue = [];
    for (const { reject } of this.#waiting.values()) reject(error);
    this.#waiting.clear();
  }
}
