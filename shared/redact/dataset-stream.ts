/**
 * The data set of one DIMSE message, redacted as its fragments arrive, in the
 * encoding its presentation context's transfer syntax gives it (PS3.5 §10,
 * Annex A): native encodings stream through the element rewriter; a deflated
 * data set (A.5) is held, inflated, rewritten and deflated again (stored
 * blocks); with no known transfer syntax (a capture that began after the
 * A-ASSOCIATE-AC) the encoding is told from the first element header, as the
 * decoder does (dataset-collector.ts).
 */
import { dataSetEncoding, EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, type DataSetEncoding } from '../dicom/transfer-syntaxes.ts';
import { inflateDataSet } from '../dimse/dataset.ts';
import { DataSetRewriter, type DataSetKind } from './dataset-rewriter.ts';
import { deflateStored } from './deflate-stored.ts';
import type { RedactContext } from './redact-options.ts';

/** A deflated data set is held whole to be inflated; past this size it is replaced by an empty one. */
const MAX_DEFLATED = 64 << 20;

/** The decoder's guess for an unknown transfer syntax, from the first element header (same rule as dataset-collector.ts). */
function sniffEncoding(first: Uint8Array): DataSetEncoding {
  if (first.length < 6 || !/^[A-Z]{2}$/.test(String.fromCharCode(first[4], first[5]))) return IMPLICIT_VR_LE;
  return first[0] === 0 && first[1] !== 0 ? EXPLICIT_VR_BE : EXPLICIT_VR_LE;
}

export class DataSetStream {
  private rewriter: DataSetRewriter | null = null;
  private readonly deflated: boolean;
  private held: Uint8Array[] = [];
  private heldLength = 0;

  constructor(
    transferSyntax: string | null,
    private readonly kind: DataSetKind,
    private readonly ctx: RedactContext,
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly problem: (reason: string) => void,
  ) {
    const encoding = transferSyntax ? dataSetEncoding(transferSyntax) : null;
    this.deflated = encoding?.deflated ?? false;
    if (encoding && !this.deflated) this.rewriter = this.rewriterFor(encoding, sink);
  }

  private rewriterFor(encoding: DataSetEncoding, sink: (bytes: Uint8Array) => void, totalLength?: number, problem = this.problem): DataSetRewriter {
    return new DataSetRewriter({ encoding, kind: this.kind, ctx: this.ctx, sink, problem, totalLength });
  }

  push(bytes: Uint8Array): void {
    if (this.rewriter) {
      this.rewriter.push(bytes);
      return;
    }
    // Deflated, or the encoding not known yet: hold (a deflated data set whole, else the first 6 bytes).
    if (this.heldLength <= MAX_DEFLATED) this.held.push(bytes.slice());
    this.heldLength += bytes.length;
    if (!this.deflated && this.heldLength >= 6) this.startSniffed();
  }

  private joined(): Uint8Array {
    const out = new Uint8Array(this.held.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of this.held) {
      out.set(p, o);
      o += p.length;
    }
    this.held = [];
    return out;
  }

  private startSniffed(): void {
    const first = this.joined();
    this.rewriter = this.rewriterFor(sniffEncoding(first), this.sink);
    this.rewriter.push(first);
  }

  finish(): void {
    if (!this.rewriter && !this.deflated) {
      if (this.heldLength > 0) this.startSniffed();
      else return;
    }
    if (this.rewriter) {
      this.rewriter.finish();
      return;
    }
    this.finishDeflated();
  }

  abandon(): void {
    this.rewriter?.abandon();
    this.held = [];
  }

  private finishDeflated(): void {
    if (this.heldLength > MAX_DEFLATED) {
      this.problem(`deflated data set larger than ${MAX_DEFLATED} bytes: replaced by an empty one`);
      this.sink(deflateStored(new Uint8Array(0)));
      return;
    }
    const inflated = inflateDataSet(this.joined());
    if (!inflated.bytes) {
      this.problem(`${inflated.error ?? 'deflated data set could not be inflated'}: replaced by an empty one`);
      this.sink(deflateStored(new Uint8Array(0)));
      return;
    }
    const parts: Uint8Array[] = [];
    const problems: string[] = [];
    const rewriter = this.rewriterFor(EXPLICIT_VR_LE, (b) => parts.push(b.slice()), inflated.bytes.length, (reason) => problems.push(reason));
    rewriter.push(inflated.bytes);
    rewriter.finish();
    if (problems.length > 0) {
      // A damaged deflate stream inflates into garbage from the damage on, and
      // nothing says where that began (raw deflate, PS3.5 A.5, has no checksum):
      // back-references can copy names seen earlier into a kept value (pixel
      // data) long before the rewriter meets bytes it cannot read. So none of
      // it is trusted.
      for (const reason of problems) this.problem(`deflated data set: ${reason}`);
      this.problem('a deflated data set that does not read cleanly is damaged somewhere before that point: replaced by an empty one');
      this.sink(deflateStored(new Uint8Array(0)));
      return;
    }
    let n = 0;
    for (const p of parts) n += p.length;
    const plain = new Uint8Array(n);
    n = 0;
    for (const p of parts) {
      plain.set(p, n);
      n += p.length;
    }
    this.sink(deflateStored(plain));
  }
}
