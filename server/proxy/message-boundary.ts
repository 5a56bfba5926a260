/**
 * Where one direction of a DICOM connection is between two DIMSE messages,
 * found cheaply as bytes pass, so that a rotated recording can move a
 * connection to the next file at a clean point: the previous file then ends
 * with whole messages, and the next begins with a whole PDU (no "stream
 * ended inside a PDU" there, no half data set here).
 *
 * Only the framing is read: PDU headers (PS3.8 §9.3.1), PDV item headers and
 * the message control header (PS3.8 §9.3.5.1, Annex E.2), and of a command
 * set just Command Data Set Type (0000,0800) (PS3.7 §9.3, Implicit VR Little
 * Endian always, §6.3.1) to know whether a data set follows. Anything that
 * does not frame makes the tracker give up (`lost`): that direction is then
 * never "between messages" and the recorder falls back to a cut anywhere.
 */

const PDATA_TF = 0x04;
const NO_DATA_SET = 0x0101;
/** Command sets are small; a bigger one is not read (the message is then taken to have a data set). */
const MAX_COMMAND_BYTES = 64 * 1024;
/** Longer PDUs are taken as garbage (a max PDU length of 0, "unlimited", is rare: the tracker then just gives up). */
const MAX_PDU_LENGTH = 0x7fffffff;

export class MessageBoundaryTracker {
  /** The stream does not frame as DICOM: no boundary is ever reported again. */
  lost = false;
  /** Whole PDUs seen. */
  pdus = 0;
  private inPdu = false;
  private readonly header = new Uint8Array(6);
  private headerLen = 0;
  /** Bytes left in the current PDU's body (0 and headerLen 0: at a PDU boundary). */
  private pduLeft = 0;
  private pdata = false;
  // Inside a P-DATA-TF: the PDV header being read, then the PDV value.
  private readonly pdv = new Uint8Array(6);
  private pdvLen = 0;
  private valueLeft = 0;
  private valueIsCommand = false;
  private valueIsLast = false;
  // The command set of the message in progress, and whether a data set is still to come.
  private command: Uint8Array[] = [];
  private commandBytes = 0;
  private inCommand = false;
  private expectDataSet = false;
  private inDataSet = false;

  /** True when the stream is at a PDU boundary with no message in progress. */
  get betweenMessages(): boolean {
    return !this.lost && this.headerLen === 0 && this.pduLeft === 0 && !this.inCommand && !this.expectDataSet && !this.inDataSet;
  }

  /**
   * Consumes `bytes`; returns the offsets within them (ascending, each in
   * 1..length) after which the stream is between messages.
   */
  push(bytes: Uint8Array): number[] {
    const out: number[] = [];
    let p = 0;
    const n = bytes.length;
    while (p < n && !this.lost) {
      if (this.pduLeft === 0) {
        // A PDU header.
        const k = Math.min(6 - this.headerLen, n - p);
        this.header.set(bytes.subarray(p, p + k), this.headerLen);
        this.headerLen += k;
        p += k;
        if (this.headerLen < 6) break;
        this.headerLen = 0;
        const type = this.header[0];
        const length = ((this.header[2] << 24) >>> 0) + (this.header[3] << 16) + (this.header[4] << 8) + this.header[5];
        if (type < 1 || type > 7 || this.header[1] !== 0 || length > MAX_PDU_LENGTH) {
          this.lost = true;
          break;
        }
        this.pduLeft = length;
        this.inPdu = true;
        this.pdata = type === PDATA_TF;
        this.pdvLen = 0;
        this.valueLeft = 0;
      } else if (!this.pdata) {
        const k = Math.min(this.pduLeft, n - p);
        this.pduLeft -= k;
        p += k;
      } else if (this.valueLeft > 0) {
        const k = Math.min(this.valueLeft, this.pduLeft, n - p);
        if (this.valueIsCommand && this.commandBytes + k <= MAX_COMMAND_BYTES) this.command.push(bytes.slice(p, p + k));
        if (this.valueIsCommand) this.commandBytes += k;
        this.valueLeft -= k;
        this.pduLeft -= k;
        p += k;
        if (this.valueLeft === 0) this.endOfPdv();
      } else {
        // A PDV item header.
        const k = Math.min(6 - this.pdvLen, this.pduLeft, n - p);
        this.pdv.set(bytes.subarray(p, p + k), this.pdvLen);
        this.pdvLen += k;
        this.pduLeft -= k;
        p += k;
        if (this.pdvLen < 6) {
          if (this.pduLeft === 0) this.lost = true; // a PDV header cut by the PDU's end
          continue;
        }
        this.pdvLen = 0;
        const itemLength = ((this.pdv[0] << 24) >>> 0) + (this.pdv[1] << 16) + (this.pdv[2] << 8) + this.pdv[3];
        if (itemLength < 2 || itemLength - 2 > this.pduLeft) {
          this.lost = true;
          break;
        }
        this.valueIsCommand = (this.pdv[5] & 0x01) !== 0;
        this.valueIsLast = (this.pdv[5] & 0x02) !== 0;
        if (this.valueIsCommand) {
          if (!this.inCommand) this.command = [];
          if (!this.inCommand) this.commandBytes = 0;
          this.inCommand = true;
        } else {
          this.inDataSet = true;
        }
        this.valueLeft = itemLength - 2;
        if (this.valueLeft === 0) this.endOfPdv();
      }
      if (this.inPdu && this.pduLeft === 0 && this.pdvLen === 0 && this.valueLeft === 0) {
        this.inPdu = false;
        this.pdus += 1;
      }
      if (this.betweenMessages) out.push(p);
    }
    return out;
  }

  private endOfPdv(): void {
    if (!this.valueIsLast) return;
    if (this.valueIsCommand) {
      this.inCommand = false;
      this.expectDataSet = this.commandDataSetType() !== NO_DATA_SET;
      this.command = [];
    } else {
      this.inDataSet = false;
      this.expectDataSet = false;
    }
  }

  /** Command Data Set Type (0000,0800) of the command set read, or -1 when it is not there or not read. */
  private commandDataSetType(): number {
    if (this.commandBytes > MAX_COMMAND_BYTES) return -1;
    const b = new Uint8Array(this.commandBytes);
    let o = 0;
    for (const c of this.command) {
      b.set(c, o);
      o += c.length;
    }
    // Implicit VR LE elements: tag group (2), element (2), length (4), value.
    for (let p = 0; p + 8 <= b.length; ) {
      const group = b[p] | (b[p + 1] << 8);
      const element = b[p + 2] | (b[p + 3] << 8);
      const length = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
      if (group === 0x0000 && element === 0x0800) return length >= 2 && p + 10 <= b.length ? b[p + 8] | (b[p + 9] << 8) : -1;
      if (group !== 0x0000 || p + 8 + length > b.length) return -1;
      p += 8 + length;
    }
    return -1;
  }
}
