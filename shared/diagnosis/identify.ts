/**
 * Which product each peer of a capture is (products.ts), so that a fix names
 * that product's setting and no other (docs/architecture.md §10). An SCP is
 * one listening address (host:port); its evidence is pooled over every
 * association to it:
 *
 * - the Implementation Class UID and Version Name of its A-ASSOCIATE-AC (PS3.7
 *   D.3.3.2–3) give the family (DCMTK, dcmjs-dimse, PixelMed, …);
 * - within the DCMTK family (Orthanc 1.10, dcmqrscp and storescp send the
 *   same UID and name) the behaviour decides, each fact observed on the wire
 *   against the real peers (test/interop): Orthanc answers an unknown move
 *   destination with 0xC000 and no sub-operation, aborts right after a
 *   request from a caller it does not know, may answer a C-MOVE before its
 *   C-STOREs (SynchronousCMove false), adds Specific Character Set to every
 *   C-FIND match, ships with the AE title ORTHANC and port 4242; dcmqrscp
 *   answers 0xA801 and sends a last pending C-MOVE-RSP with Remaining 0;
 *   storescp refuses every Query/Retrieve context;
 * - an address given as pacscope's own (DiagnoseOptions.listening) is pacscope.
 *
 * A tie or no evidence leaves the product unknown: the fix is then the
 * generic one, said as such. Built once per diagnosis, O(n).
 */
import type { Summary, SummaryAssociation, SummaryEndpoint } from '../model/summary-types.ts';
import { familyOf, PRODUCTS, type Family, type ProductId } from './products.ts';
import { CommandField } from '../dimse/command-fields.ts';

const QR_PREFIX = '1.2.840.10008.5.1.4.1.2.';
const STORAGE_PREFIX = '1.2.840.10008.5.1.4.1.1.';
/** CT, MR, CR, Secondary Capture, US: classes every archive accepts (PS3.4 B.5). */
const COMMON_STORAGE: ReadonlySet<string> = new Set(['2', '4', '1', '7', '6.1'].map((x) => `${STORAGE_PREFIX}${x}`));

/** An endpoint pacscope itself runs (its PACS, its store SCP): every association to it is in the capture. */
export interface ListeningEndpoint {
  ae: string;
  host: string;
  port: number;
}

interface ScpEvidence {
  family: Family | null;
  aes: Set<string>;
  scores: Record<'orthanc' | 'dcmqrscp' | 'storescp', number>;
  own: boolean;
}

const key = (e: { host: string; port: number }): string => `${e.host}:${e.port}`;

export class ProductIndex {
  private readonly scps = new Map<string, ScpEvidence>();
  /** AE title → where an SCP answered to it (host:port), first seen. */
  private readonly addresses = new Map<string, { host: string; port: number }>();
  private readonly decided = new Map<string, ProductId | null>();

  constructor(
    private readonly summary: Summary,
    listening: readonly ListeningEndpoint[] = [],
  ) {
    for (const l of listening) {
      const e = this.scp(key(l));
      e.own = true;
      e.aes.add(l.ae);
      if (!this.addresses.has(l.ae)) this.addresses.set(l.ae, { host: l.host, port: l.port });
    }
    for (const a of summary.associations) this.association(a);
    this.behaviour();
  }

  private scp(k: string): ScpEvidence {
    let e = this.scps.get(k);
    if (!e) this.scps.set(k, (e = { family: null, aes: new Set(), scores: { orthanc: 0, dcmqrscp: 0, storescp: 0 }, own: false }));
    return e;
  }

  private association(a: SummaryAssociation): void {
    if (a.outcome === 'refused' || a.midStream) return;
    const e = this.scp(key(a.acceptor));
    const impl = a.implementation.acceptor;
    e.family ??= familyOf(impl.classUid, impl.versionName);
    const answered = a.presentationContexts.some((pc) => pc.result !== null);
    if (a.acceptor.ae !== null && answered && a.outcome !== 'rejected') {
      e.aes.add(a.acceptor.ae);
      if (!this.addresses.has(a.acceptor.ae)) this.addresses.set(a.acceptor.ae, { host: a.acceptor.host, port: a.acceptor.port });
      if (PRODUCTS.orthanc.defaultAes.includes(a.acceptor.ae.trim().toUpperCase())) e.scores.orthanc += 3;
      if (PRODUCTS.storescp.defaultAes.includes(a.acceptor.ae.trim().toUpperCase())) e.scores.storescp += 1;
    }
    if (answered && PRODUCTS.orthanc.defaultPorts.includes(a.acceptor.port)) e.scores.orthanc += 1;
    const qr = a.presentationContexts.filter((pc) => pc.abstractSyntax?.startsWith(QR_PREFIX) && pc.result !== null);
    if (qr.length && qr.every((pc) => pc.result !== 0) && a.presentationContexts.some((pc) => pc.result === 0 && pc.abstractSyntax?.startsWith(STORAGE_PREFIX))) e.scores.storescp += 3;
    if (qr.some((pc) => pc.result === 0)) e.scores.storescp -= 3;
    // Orthanc and dcmqrscp accept every standard storage class; refusing one (abstract syntax not supported) is a storescp with a narrowed profile.
    if (a.presentationContexts.some((pc) => pc.result === 3 && COMMON_STORAGE.has(pc.abstractSyntax ?? ''))) e.scores.storescp += 2;
  }

  /** Behaviour seen in the messages (see the header). */
  private behaviour(): void {
    const { messages } = this.summary;
    const byId = new Map(this.summary.associations.map((a) => [a.id, a]));
    const finalMoveTime = new Map<number, number>();
    const findRqHasCharset = new Map<string, boolean>();
    const answered = new Set<string>();
    const moveResponses = new Map<string, number>();
    const firstStore = new Map<string, number>();
    const requested = new Set<string>();
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m.commandField === CommandField.CStoreRq && !firstStore.has(m.association)) firstStore.set(m.association, m.time);
      if (m.side === 'requestor') requested.add(m.association);
      const a = byId.get(m.association);
      if (!a || m.side !== 'acceptor') {
        if (a && m.commandField === CommandField.CFindRq) findRqHasCharset.set(`${m.association}|${m.messageId}`, !!m.identifier && 'SpecificCharacterSet' in m.identifier);
        continue;
      }
      answered.add(m.association);
      const e = this.scp(key(a.acceptor));
      if (m.commandField === CommandField.CMoveRsp) {
        if (m.status === 0xa801) e.scores.dcmqrscp += 2;
        if (m.statusCategory === 'pending' && m.remaining === 0) e.scores.dcmqrscp += 1;
        const before = moveResponses.get(m.association) ?? 0;
        moveResponses.set(m.association, before + 1);
        if (m.status === 0xc000 && !m.completed && !m.failed && !m.warning && before === 0) e.scores.orthanc += 2;
        if (m.statusCategory !== 'pending' && typeof m.request === 'number') finalMoveTime.set(m.request, m.time);
      }
      if (m.commandField === CommandField.CFindRsp && m.statusCategory === 'pending' && m.identifier && 'SpecificCharacterSet' in m.identifier && findRqHasCharset.get(`${m.association}|${m.respondsTo}`) === false) e.scores.orthanc += 1;
    }
    for (const a of this.summary.associations) {
      // An SCP that aborts an association on which it answered nothing, right after a request (PS3.8 §7.3): Orthanc's way with unknown callers.
      if (a.abort?.by === 'acceptor' && a.abort.source === 0 && !answered.has(a.id) && requested.has(a.id)) this.scp(key(a.acceptor)).scores.orthanc += 2;
      // A sub-association whose first C-STORE comes after its C-MOVE's final response: an asynchronous C-MOVE SCP.
      const move = a.cause?.relation === 'c-move' ? a.cause.message : null;
      if (move !== null && finalMoveTime.has(move)) {
        const stored = firstStore.get(a.id);
        const parent = byId.get(messages[move]?.association ?? '');
        if (stored !== undefined && parent && stored > finalMoveTime.get(move)!) this.scp(key(parent.acceptor)).scores.orthanc += 1;
      }
    }
  }

  /** The product of the SCP listening at `e`, or null when not identified. */
  scpProduct(e: { host: string; port: number }): ProductId | null {
    const k = key(e);
    if (this.decided.has(k)) return this.decided.get(k)!;
    const p = this.decide(this.scps.get(k));
    this.decided.set(k, p);
    return p;
  }

  private decide(e: ScpEvidence | undefined): ProductId | null {
    if (!e) return null;
    if (e.own) return 'pacscope';
    switch (e.family) {
      case 'dcmjs-dimse':
        return 'pacscope';
      case 'pixelmed':
        return 'pixelmed';
      case 'dcmtk': {
        const ranked = (Object.entries(e.scores) as [ProductId, number][]).sort((x, y) => y[1] - x[1]);
        return ranked[0][1] > 0 && ranked[0][1] > ranked[1][1] ? ranked[0][0] : null;
      }
      default:
        return null;
    }
  }

  /** The product of one side of `a`: the SCP at its address, or for a requestor the SCP it speaks for (same AE on the same host) or its toolkit. */
  productOf(a: SummaryAssociation, side: 'requestor' | 'acceptor'): ProductId | null {
    if (side === 'acceptor') return this.scpProduct(a.acceptor);
    const e: SummaryEndpoint = a.requestor;
    const same = e.ae === null ? undefined : this.addresses.get(e.ae);
    if (same && same.host === e.host) {
      const p = this.scpProduct(same);
      if (p) return p;
    }
    const family = familyOf(a.implementation.requestor.classUid, a.implementation.requestor.versionName);
    if (family === 'dcmtk') return e.ae !== null && PRODUCTS.orthanc.defaultAes.includes(e.ae.trim().toUpperCase()) ? 'orthanc' : 'dcmtk';
    if (family === 'dcmjs-dimse') return 'pacscope';
    if (family === 'pixelmed') return 'pixelmed';
    return null;
  }

  /** Where the SCP called `ae` listens, as far as this capture (or pacscope's own endpoints) shows, or null. */
  addressOf(ae: string | null): { host: string; port: number } | null {
    if (ae === null) return null;
    return this.addresses.get(ae) ?? [...this.addresses].find(([k]) => k.trim() === ae.trim())?.[1] ?? null;
  }

  /** The product of the SCP called `ae`, or null. */
  productOfAe(ae: string | null): ProductId | null {
    const at = this.addressOf(ae);
    return at ? this.scpProduct(at) : null;
  }

  /** Whether `e` is one of pacscope's own listening endpoints. */
  isOwn(e: { host: string; port: number }): boolean {
    return this.scps.get(key(e))?.own === true;
  }
}
