/**
 * Is a TCP stream that the capture caught mid-stream DICOM? Without the
 * A-ASSOCIATE-RQ, the bytes themselves must prove it: a PDU header (PS3.8
 * §9.3.1) that the framer's strict rules trust (header-trust.ts: a P-DATA-TF
 * whose first PDV item fits, with an odd presentation context ID and a
 * message control header ≤ 3, §9.3.5 and Annex E.2; an A-RELEASE-RQ/RP or
 * A-ABORT of length 4 with their fixed fields, §9.3.6–§9.3.8; an
 * A-ASSOCIATE-AC/RJ, §9.3.3–§9.3.4), confirmed by a second trusted header
 * exactly where the first PDU ends. An A-ASSOCIATE-RQ is never a candidate
 * here: it opens a stream (dicom-detect.ts), it does not occur inside one.
 *
 * The stream may begin inside a PDU (a large data set), so candidates are
 * looked for in the first MID_STREAM_SCAN_WINDOW bytes, not only at offset 0.
 * The probe works on the chunks as they arrive and keeps at most a header's
 * worth of bytes between them; following a candidate costs three numbers.
 * When the direction ends (FIN, capture gap, end of capture), a candidate
 * whose PDU ends exactly at the last byte counts as confirmed (an idle
 * association caught just before its A-RELEASE-RQ/RP).
 */
import { u32 } from '../../pdu/bytes.ts';
import { PDU_HEADER_LENGTH } from '../../pdu/decode.ts';
import { DEFAULT_MAX_BUFFERED_PDU } from '../../pdu/framer.ts';
import { judgeHeader, TRUSTED } from '../../pdu/header-trust.ts';
import { CommandField } from '../../dimse/command-fields.ts';

/** Candidate headers are looked for in this many first bytes of a direction (four DCMTK-sized PDUs). */
export const MID_STREAM_SCAN_WINDOW = 64 * 1024;
/** A candidate whose PDU would end beyond this stream offset is not followed: the bytes held meanwhile would exceed the connection's bound. */
export const MID_STREAM_CONFIRM_LIMIT = 1024 * 1024;
/** Candidates followed at once; more are ignored until one is resolved. */
const MAX_CANDIDATES = 8;

/** 'dicom': a confirmed PDU; 'not': the window holds none; 'ended': the direction ended before either. */
export type MidStreamVerdict = 'scanning' | 'dicom' | 'not' | 'ended';

/** One direction of a connection caught mid-stream. */
export class MidStreamProbe {
  verdict: MidStreamVerdict = 'scanning';
  /** Stream offset and PDU type of the confirmed PDU (verdict 'dicom'). */
  foundAt = -1;
  foundType = 0;
  /** Stream offset of the next byte pushed. */
  private pos = 0;
  /** Next stream offset to judge as a candidate. */
  private scanFrom = 0;
  /** The last few bytes, when a judgement needs more of them. */
  private carry: Uint8Array | null = null;
  private carryAt = 0;
  private starts: number[] = [];
  private ends: number[] = [];
  private types: number[] = [];

  push(chunk: Uint8Array): void {
    if (this.verdict !== 'scanning' || chunk.length === 0) return;
    let b = chunk;
    let base = this.pos;
    if (this.carry !== null) {
      b = new Uint8Array(this.carry.length + chunk.length);
      b.set(this.carry);
      b.set(chunk, this.carry.length);
      base = this.carryAt;
      this.carry = null;
    }
    this.pos += chunk.length;
    const n = b.length;
    let keepFrom = n;

    // Look for candidates within the window.
    const limit = Math.min(n, MID_STREAM_SCAN_WINDOW - base);
    let p = Math.max(this.scanFrom - base, 0);
    for (; p < limit; p++) {
      const type = b[p];
      if (type < 2 || type > 7 || (p + 1 < n && b[p + 1] !== 0)) continue;
      const verdict = judgeHeader(b, p, n - p, true, DEFAULT_MAX_BUFFERED_PDU);
      if (verdict < 0) continue;
      if (verdict > 0) {
        keepFrom = p; // judge it again with the next chunk
        break;
      }
      const end = base + p + PDU_HEADER_LENGTH + u32(b, p + 2);
      if (end <= MID_STREAM_CONFIRM_LIMIT && this.starts.length < MAX_CANDIDATES) {
        this.starts.push(base + p);
        this.ends.push(end);
        this.types.push(type);
      }
    }
    this.scanFrom = Math.max(this.scanFrom, base + p);

    // Is there a trusted header where a candidate's PDU ends?
    for (let i = 0; i < this.ends.length; ) {
      const q = this.ends[i] - base;
      if (q >= n) {
        i++;
        continue;
      }
      const verdict = b[q] === 1 ? -1 : judgeHeader(b, q, n - q, true, DEFAULT_MAX_BUFFERED_PDU);
      if (verdict === TRUSTED) {
        this.confirm(i);
        return;
      }
      if (verdict > 0) {
        keepFrom = Math.min(keepFrom, q);
        i++;
        continue;
      }
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
      this.types.splice(i, 1);
    }

    if (keepFrom < n) {
      this.carry = b.slice(keepFrom);
      this.carryAt = base + keepFrom;
    } else if (this.scanFrom >= MID_STREAM_SCAN_WINDOW && this.starts.length === 0) {
      this.verdict = 'not';
    }
  }

  /** The direction ended (FIN, gap or end of capture): a PDU that ends exactly here is confirmed. */
  end(): void {
    if (this.verdict !== 'scanning') return;
    const i = this.ends.indexOf(this.pos);
    if (i >= 0) {
      this.confirm(i);
      return;
    }
    this.verdict = 'ended';
    this.release();
  }

  private confirm(i: number): void {
    this.verdict = 'dicom';
    this.foundAt = this.starts[i];
    this.foundType = this.types[i];
    this.release();
  }

  private release(): void {
    this.carry = null;
    this.starts = [];
    this.ends = [];
    this.types = [];
  }
}

/** Bytes of a P-DATA-TF that commandSide() reads: the PDU and PDV headers and the start of a command set. */
export const COMMAND_SNIFF_BYTES = 256;

/** Requests only an association requestor sends in practice (PS3.4 Annex C: the Q/R and verification SCU); their responses come from the acceptor. */
const REQUESTOR_COMMANDS: ReadonlySet<number> = new Set([
  CommandField.CEchoRq,
  CommandField.CFindRq,
  CommandField.CGetRq,
  CommandField.CMoveRq,
  CommandField.CCancelRq,
]);

/**
 * Which side sent this P-DATA-TF (`pdu` starts at its header), judged from
 * the command set of a command fragment (message control header bit 0, PS3.8
 * Annex E.2), implicit VR little endian (PS3.7 §6.3.1): a C-ECHO/C-FIND/
 * C-GET/C-MOVE/C-CANCEL request comes from the requestor, their responses
 * from the acceptor; a C-STORE-RQ with a Move Originator (0000,1030/1031) is
 * a C-MOVE sub-operation, sent by the requestor of its sub-association (PS3.7
 * §9.1.1.1). Other commands prove nothing (under C-GET the acceptor sends
 * C-STORE-RQ; storage commitment's N-EVENT-REPORT-RQ may come from either
 * side): null.
 */
export function commandSide(pdu: Uint8Array): 'requestor' | 'acceptor' | null {
  if (pdu.length < 12 || pdu[0] !== 4 || (pdu[11] & 1) === 0) return null;
  const end = Math.min(pdu.length, 12 + u32(pdu, 6) - 2);
  const le16 = (o: number) => pdu[o] | (pdu[o + 1] << 8);
  let field = -1;
  for (let o = 12; o + 8 <= end; ) {
    const element = le16(o + 2);
    if (le16(o) !== 0x0000 || element > 0x1031) break;
    const length = (le16(o + 4) | (le16(o + 6) << 16)) >>> 0;
    if (element === 0x0100) {
      if (length !== 2 || o + 10 > end) return null;
      field = le16(o + 8);
      if (field !== CommandField.CStoreRq) break;
    } else if ((element === 0x1030 || element === 0x1031) && field === CommandField.CStoreRq) {
      return 'requestor';
    }
    o += 8 + length;
  }
  if (REQUESTOR_COMMANDS.has(field)) return 'requestor';
  if ((field & 0x8000) !== 0 && REQUESTOR_COMMANDS.has(field & 0x7fff)) return 'acceptor';
  return null;
}
