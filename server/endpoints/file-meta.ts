/**
 * The head of a DICOM Part 10 file (PS3.10 §7.1): the 128-byte preamble
 * (zeros), the prefix "DICM" and the File Meta Information group 0002 in
 * Explicit VR Little Endian (PS3.10 §7.1, PS3.5 §7.1.2), with its group
 * length (0002,0000) first. A received data set is written after it
 * unchanged, in the transfer syntax named in (0002,0010).
 *
 *   const head = encodeFileMetaInformation({ sopClassUid, sopInstanceUid, transferSyntaxUid,
 *     implementationClassUid, implementationVersionName });
 */

export interface FileMetaInformation {
  /** (0002,0002) Media Storage SOP Class UID: the C-STORE's Affected SOP Class UID. */
  sopClassUid: string;
  /** (0002,0003) Media Storage SOP Instance UID: the C-STORE's Affected SOP Instance UID. */
  sopInstanceUid: string;
  /** (0002,0010) the transfer syntax the data set is encoded in (the accepted one of its presentation context). */
  transferSyntaxUid: string;
  /** (0002,0012) who wrote the file. */
  implementationClassUid: string;
  /** (0002,0013) optional, at most 16 characters (SH). */
  implementationVersionName?: string;
}

/** A UID as PS3.5 §9.1 allows it: digits and dots, at most 64 characters. */
export function isValidUid(uid: string): boolean {
  return /^[0-9]+(\.[0-9]+)*$/.test(uid) && uid.length <= 64;
}

const PREAMBLE_AND_PREFIX = 128 + 4;

/** One element with a 16-bit length (PS3.5 §7.1.2, Table 7.1-2), value padded to even length with `pad`. */
function shortElement(element: number, vr: 'UI' | 'SH' | 'UL', value: Uint8Array, pad: number): Uint8Array {
  const length = value.length + (value.length % 2);
  const out = new Uint8Array(8 + length).fill(pad, 8 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x0002, true);
  view.setUint16(2, element, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  view.setUint16(6, length, true);
  out.set(value, 8);
  return out;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function uidElement(element: number, uid: string, name: string): Uint8Array {
  if (!isValidUid(uid)) throw new Error(`invalid ${name} "${uid.slice(0, 80)}"`);
  return shortElement(element, 'UI', ascii(uid), 0x00);
}

/** (0002,0001) File Meta Information Version: OB, 32-bit length (PS3.5 Table 7.1-1), value 00H 01H. */
function versionElement(): Uint8Array {
  return Uint8Array.of(0x02, 0x00, 0x01, 0x00, 0x4f, 0x42, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01);
}

/** Preamble, "DICM" and group 0002 as bytes; the data set follows it as it is. Throws on a malformed UID. */
export function encodeFileMetaInformation(meta: FileMetaInformation): Uint8Array {
  const version = meta.implementationVersionName ?? '';
  if (version.length > 16 || /[^\x20-\x7e]/.test(version)) throw new Error(`invalid Implementation Version Name "${version}"`);
  const elements = [
    versionElement(),
    uidElement(0x0002, meta.sopClassUid, 'SOP Class UID'),
    uidElement(0x0003, meta.sopInstanceUid, 'SOP Instance UID'),
    uidElement(0x0010, meta.transferSyntaxUid, 'Transfer Syntax UID'),
    uidElement(0x0012, meta.implementationClassUid, 'Implementation Class UID'),
  ];
  if (version) elements.push(shortElement(0x0013, 'SH', ascii(version), 0x20));
  const groupBytes = elements.reduce((n, e) => n + e.length, 0);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, groupBytes, true);
  const parts = [shortElement(0x0000, 'UL', groupLength, 0x00), ...elements];
  const out = new Uint8Array(PREAMBLE_AND_PREFIX + 12 + groupBytes);
  out.set(ascii('DICM'), 128);
  let at = PREAMBLE_AND_PREFIX;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
