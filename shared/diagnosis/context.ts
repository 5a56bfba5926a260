/**
 * What every rule needs, indexed once per `diagnose()` call so that no rule
 * scans the messages more than once: messages and PDUs per association, each
 * response's request, each request's responses, the C-MOVE/C-GET runs with
 * their sub-operations, and "now". Built in O(n) (plus O(r log m) to place
 * refused connections among m C-MOVEs), which keeps the diagnosis cheap
 * enough to run on every live update of a 20,000-message session.
 *
 * Links come from the model only (docs/architecture.md §8): a response's
 * `request`, a message's `cause` (a C-GET's C-STOREs) and an association's
 * `cause` (a C-MOVE's sub-association or its refused attempt), found once by
 * the linkers of shared/model/linkers/; summaries of older versions are
 * migrated when read (shared/model/summary-migrations.ts).
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../model/summary-types.ts';
import type { DiagnoseOptions, Finding, FindingOrigin } from './types.ts';
import { ProductIndex } from './identify.ts';
import type { ProductId } from './products.ts';
import { CommandField, isResponseField } from '../dimse/command-fields.ts';

/** Default wait for something expected (a response, a sub-association), in seconds. */
export const DEFAULT_WINDOW_SECONDS = 30;

/** A C-MOVE or C-GET request and what followed it. */
export interface RetrieveRun {
  service: 'C-MOVE' | 'C-GET';
  /** Index of the request in `summary.messages`. */
  rq: number;
  association: SummaryAssociation;
  /** Responses in wire order (pending, then the final one). */
  responses: number[];
  /** The first non-pending response, or null. */
  final: number | null;
  /** C-MOVE: sub-associations linked to it (`parent`). */
  subs: SummaryAssociation[];
  /** C-MOVE: refused TCP connections made while it ran (the destination did not listen). */
  refused: SummaryAssociation[];
  /** C-STORE-RQ and C-STORE-RSP of its sub-operations (C-MOVE: on `subs`; C-GET: on its own association). */
  stores: number[];
}

const PENDING = 'pending';

export const isRequest = (m: SummaryMessage): boolean => !isResponseField(m.commandField);
export const isResponse = (m: SummaryMessage): boolean => isResponseField(m.commandField);

export class DiagnosisContext {
  readonly now: number;
  readonly window: number;
  readonly complete: boolean;
  /** Time of the last event of the summary. */
  readonly lastTime: number;
  readonly associations = new Map<string, SummaryAssociation>();
  readonly messagesOf = new Map<string, number[]>();
  /** Association → PDU type → indices (A-ASSOCIATE-AC, A-ABORT, …); built on first use (clean sessions rarely need it). */
  private pdusByType: Map<string, Map<string, number[]>> | null = null;
  /** Response index → request index (-1: not seen). */
  readonly requestOf: Int32Array;
  /** Request index → its first non-pending response (-1: none). */
  private readonly finalIndex: Int32Array;
  /** Request index → first and last response, response → next response of the same request (-1: none): a list without an array per request. */
  private readonly firstResponse: Int32Array;
  private readonly lastResponse: Int32Array;
  private readonly nextResponse: Int32Array;
  /** Per message: 1 request (C-CANCEL-RQ excepted), 2 response, 0 other. */
  readonly kind: Uint8Array;
  readonly retrieves: RetrieveRun[] = [];
  readonly retrieveByRq = new Map<number, RetrieveRun>();
  /** Sub-association or refused connection id → the C-MOVE it served. */
  readonly moveOf = new Map<string, RetrieveRun>();
  /** Called AE titles of accepted associations per acceptor "host:port": what that SCP answers to. */
  readonly acceptedCalledAes = new Map<string, Set<string>>();
  /** How many associations each AE title requested (calling) and was asked for (called): whose traffic this capture holds. */
  readonly callingAes = new Map<string, number>();
  readonly calledAes = new Map<string, number>();
  /** Messages and associations already explained by an error or warning finding (for the fallback rules). */
  readonly claimedMessages = new Set<number>();
  readonly claimedAssociations = new Set<string>();
  private productIndex: ProductIndex | null = null;
  /** Association id → the probe run it belongs to (DiagnoseOptions.probes), sub-associations included. */
  private readonly probeOf = new Map<string, FindingOrigin>();

  constructor(
    readonly summary: Summary,
    private readonly options: DiagnoseOptions = {},
  ) {
    this.lastTime = lastEventTime(summary);
    this.now = options.now ?? this.lastTime;
    this.window = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    this.complete = options.complete ?? options.now === undefined;
    for (const a of summary.associations) {
      this.associations.set(a.id, a);
      if (a.requestor.ae !== null) this.callingAes.set(a.requestor.ae, (this.callingAes.get(a.requestor.ae) ?? 0) + 1);
      if (a.acceptor.ae !== null) this.calledAes.set(a.acceptor.ae, (this.calledAes.get(a.acceptor.ae) ?? 0) + 1);
      if (a.outcome !== 'rejected' && a.outcome !== 'refused' && a.acceptor.ae !== null && !a.midStream) {
        const key = `${a.acceptor.host}:${a.acceptor.port}`;
        let set = this.acceptedCalledAes.get(key);
        if (!set) this.acceptedCalledAes.set(key, (set = new Set()));
        set.add(a.acceptor.ae);
      }
    }
    const n = summary.messages.length;
    this.requestOf = new Int32Array(n).fill(-1);
    this.finalIndex = new Int32Array(n).fill(-1);
    this.firstResponse = new Int32Array(n).fill(-1);
    this.lastResponse = new Int32Array(n).fill(-1);
    this.nextResponse = new Int32Array(n).fill(-1);
    this.kind = new Uint8Array(n);
    this.linkResponses();
    this.collectRetrieves();
    for (const run of options.probes ?? []) for (const id of run.associations) this.probeOf.set(id, run.kind);
    if (this.probeOf.size) {
      // A probe's C-MOVE causes sub-associations: they are the probe's too (PS3.4 C.4.2).
      for (const a of summary.associations) {
        const move = this.moveOf.get(a.id);
        const parent = move?.association.id ?? a.cause?.association;
        const kind = parent === undefined ? undefined : this.probeOf.get(parent);
        if (kind && !this.probeOf.has(a.id)) this.probeOf.set(a.id, kind);
      }
    }
  }

  /** Which product each peer is (identify.ts), built on first use. */
  get products(): ProductIndex {
    return (this.productIndex ??= new ProductIndex(this.summary, this.options.listening));
  }

  /** The product of one side of an association (null: not identified). */
  productOf(a: SummaryAssociation, side: 'requestor' | 'acceptor'): ProductId | null {
    return this.products.productOf(a, side);
  }

  /** Whose traffic `f` is about: a probe's when every association of its evidence is one (DiagnoseOptions.probes). */
  originOf(f: Finding): FindingOrigin {
    if (this.probeOf.size === 0 || f.evidence.associations.length === 0) return 'user';
    let kind: FindingOrigin | null = null;
    for (const id of f.evidence.associations) {
      const k = this.probeOf.get(id);
      if (!k) return 'user';
      kind ??= k;
    }
    return kind ?? 'user';
  }

  /**
   * Whether this capture sees the outgoing associations of `scpAe` (besides
   * `except`) or any association to `destination`: if it does, a missing
   * sub-association is a fact; if not, the capture was made elsewhere (e.g.
   * on the SCU side only) and the absence proves nothing.
   */
  seesTrafficOf(scpAe: string | null, destination: string | null, except: SummaryAssociation): boolean {
    const own = (ae: string | null, counts: Map<string, number>, self: string | null) => (ae === null ? 0 : (counts.get(ae) ?? 0) - (self === ae ? 1 : 0));
    return own(scpAe, this.callingAes, except.requestor.ae) > 0 || own(destination, this.calledAes, except.acceptor.ae) > 0;
  }

  message(i: number): SummaryMessage {
    return this.summary.messages[i];
  }

  /** The responses to request `rq`, in order. */
  responsesOf(rq: number): number[] {
    const out: number[] = [];
    for (let r = this.firstResponse[rq] ?? -1; r >= 0; r = this.nextResponse[r]) out.push(r);
    return out;
  }

  /** The first non-pending response to request `rq`, or null. */
  finalOf(rq: number): number | null {
    const f = this.finalIndex[rq];
    return f === undefined || f < 0 ? null : f;
  }

  /** Indices of the PDUs of `association` (a copy). */
  pdusOf(association: string): number[] {
    const types = this.pduIndex().get(association);
    return types ? [...types.values()].flat().sort((a, b) => a - b) : [];
  }

  /** Indices of the PDUs of `association` of this type ("A-ABORT"), a copy. */
  pdusOfType(association: string, type: string): number[] {
    return this.pduIndex().get(association)?.get(type)?.slice() ?? [];
  }

  private pduIndex(): Map<string, Map<string, number[]>> {
    if (this.pdusByType) return this.pdusByType;
    const index = new Map<string, Map<string, number[]>>();
    const { pdus } = this.summary;
    for (let i = 0; i < pdus.length; i++) {
      let types = index.get(pdus[i].association);
      if (!types) index.set(pdus[i].association, (types = new Map()));
      push(types, pdus[i].type, i);
    }
    return (this.pdusByType = index);
  }

  /** Records the evidence of an error/warning finding, so fallback rules do not report the same thing again. */
  claim(f: Finding): void {
    if (f.severity === 'info') return;
    for (const m of f.evidence.messages) this.claimedMessages.add(m);
    for (const a of f.evidence.associations) this.claimedAssociations.add(a);
  }

  /** Response → request: the model's `request` link (shared/model/responses.ts); each request's responses in order. */
  private linkResponses(): void {
    const { messages } = this.summary;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      push(this.messagesOf, m.association, i);
      if (m.commandField === CommandField.CCancelRq) continue;
      if (!isResponseField(m.commandField)) {
        this.kind[i] = 1;
        continue;
      }
      this.kind[i] = 2;
      const rq = m.request ?? -1;
      if (rq < 0 || rq >= i) continue;
      this.requestOf[i] = rq;
      if (this.firstResponse[rq] < 0) this.firstResponse[rq] = i;
      else this.nextResponse[this.lastResponse[rq]] = i;
      this.lastResponse[rq] = i;
      if (this.finalIndex[rq] < 0 && m.statusCategory !== PENDING) this.finalIndex[rq] = i;
    }
  }

  private collectRetrieves(): void {
    const { messages, associations } = this.summary;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m.commandField !== CommandField.CMoveRq && m.commandField !== CommandField.CGetRq) continue;
      const a = this.associations.get(m.association);
      if (!a) continue;
      const run: RetrieveRun = { service: m.commandField === CommandField.CMoveRq ? 'C-MOVE' : 'C-GET', rq: i, association: a, responses: this.responsesOf(i), final: this.finalOf(i), subs: [], refused: [], stores: [] };
      this.retrieves.push(run);
      this.retrieveByRq.set(i, run);
    }
    if (this.retrieves.length === 0) return;
    for (const a of associations) {
      const run = a.cause?.relation === 'c-move' ? this.retrieveByRq.get(a.cause.message) : undefined;
      if (!run || run.service !== 'C-MOVE' || a.id === run.association.id) continue;
      // A refused connection the correlator linked (by timing) is the move SCP's failed attempt, not a sub-association.
      if (a.outcome === 'refused') {
        run.refused.push(a);
        this.moveOf.set(a.id, run);
        continue;
      }
      run.subs.push(a);
      this.moveOf.set(a.id, run);
      for (const i of this.messagesOf.get(a.id) ?? []) if (messages[i].commandField === CommandField.CStoreRq || messages[i].commandField === CommandField.CStoreRsp) run.stores.push(i);
    }
    this.collectGetStores();
    // A refused connection tried while a C-MOVE ran is linked to it by timing alone; a C-MOVE whose
    // sub-association worked and that succeeded needed no other connection: the refusal is someone else's.
    for (const run of this.retrieves) {
      const fin = run.final === null ? null : messages[run.final];
      if (!run.refused.length || !run.subs.length || fin?.statusCategory !== 'success' || fin.failed) continue;
      for (const a of run.refused) this.moveOf.delete(a.id);
      run.refused = [];
    }
  }

  /**
   * C-GET sub-operations are C-STOREs sent by the acceptor on the C-GET's own
   * association (PS3.4 C.4.3): the model's `cause` of relation `c-get`
   * (shared/model/linkers/c-get.ts), which their C-STORE-RSPs share.
   */
  private collectGetStores(): void {
    const { messages } = this.summary;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m.cause?.relation !== 'c-get' || (m.commandField !== CommandField.CStoreRq && m.commandField !== CommandField.CStoreRsp)) continue;
      const run = this.retrieveByRq.get(m.cause.message);
      if (run?.service === 'C-GET') run.stores.push(i);
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The latest time of any association boundary, PDU, message or error. */
export function lastEventTime(summary: Summary): number {
  let t = 0;
  for (const a of summary.associations) t = Math.max(t, a.end ?? a.start);
  const lastPdu = summary.pdus[summary.pdus.length - 1];
  const lastMessage = summary.messages[summary.messages.length - 1];
  if (lastPdu) t = Math.max(t, lastPdu.time);
  if (lastMessage) t = Math.max(t, lastMessage.time);
  for (const e of summary.errors) t = Math.max(t, e.time);
  return t;
}
