/**
 * The live session's diagnosis, run in a worker (diagnosis.worker.ts): the
 * session hands over the text of every live message it applied (`stream`),
 * the findings panel asks for the findings (`run`) at most every 250 ms.
 *
 * The worker starts at the first `run`, not with the page: the first render
 * of a long session has the page's whole attention; the texts that came
 * before wait here (from the last snapshot on: a snapshot replaces all that
 * came before it). Where no worker can run, or it fails, `available` turns
 * false and the panel runs the rules on the main thread as before.
 */
import type { Finding, ListeningEndpoint, ProbeRun } from '../../../../shared/diagnosis/index.ts';
import type { DiagnosisReply, DiagnosisRequest } from './live-mirror.ts';

export type StreamKind = 'snapshot' | 'delta' | 'pdus';

export class LiveDiagnosis {
  available = $state(typeof Worker === 'function');
  #worker: Worker | null = null;
  #queue: string[] = [];
  #next = 1;
  #waiting = new Map<number, { resolve: (findings: Finding[]) => void; reject: (e: Error) => void }>();

  /** The text of a live message the page applied, in the order applied. */
  stream(kind: StreamKind, text: string): void {
    if (!this.available) return;
    if (this.#worker) return this.#post({ type: 'stream', text });
    if (kind === 'snapshot') this.#queue = [];
    this.#queue.push(text);
  }

  /** The findings of the live session as of the texts handed over so far. */
  run(probes: readonly ProbeRun[], listening: readonly ListeningEndpoint[]): Promise<Finding[]> {
    const worker = this.#start();
    if (!worker) return Promise.reject(new Error('no diagnosis worker'));
    const id = this.#next++;
    // Plain copies: the narration's runs are reactive proxies, which a worker cannot be sent.
    const request: DiagnosisRequest = {
      type: 'diagnose',
      id,
      probes: probes.map((p) => ({ kind: p.kind, label: p.label, associations: [...p.associations] })),
      listening: listening.map(({ ae, host, port }) => ({ ae, host, port })),
    };
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#post(request);
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
      for (const text of this.#queue) this.#post({ type: 'stream', text });
      this.#queue = [];
      return worker;
    } catch (e) {
      this.#fail(e as Error);
      return null;
    }
  }

  #post(request: DiagnosisRequest): void {
    this.#worker?.postMessage(request);
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
