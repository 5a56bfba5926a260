/**
 * How a data set is encoded under a transfer syntax, PS3.5 §10 and Annex A.
 * Only the encoding of the data set itself matters here: every encapsulated
 * (compressed pixel data) syntax encodes its data set in Explicit VR Little
 * Endian (PS3.5 A.4), so a UID not in this table is treated as such.
 */

export interface DataSetEncoding {
  explicitVr: boolean;
  littleEndian: boolean;
  /** The whole data set is deflated (PS3.5 A.5). */
  deflated: boolean;
}

export const TransferSyntaxUid = Object.freeze({
  ImplicitVrLittleEndian: '1.2.840.10008.1.2',
  ExplicitVrLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVrLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVrBigEndian: '1.2.840.10008.1.2.2',
} as const);

const enc = (explicitVr: boolean, littleEndian: boolean, deflated = false): DataSetEncoding =>
  Object.freeze({ explicitVr, littleEndian, deflated });

export const IMPLICIT_VR_LE = enc(false, true);
export const EXPLICIT_VR_LE = enc(true, true);
export const EXPLICIT_VR_BE = enc(true, false);

const NATIVE_ENCODINGS: ReadonlyMap<string, DataSetEncoding> = new Map([
  [TransferSyntaxUid.ImplicitVrLittleEndian, IMPLICIT_VR_LE],
  [TransferSyntaxUid.ExplicitVrLittleEndian, EXPLICIT_VR_LE],
  [TransferSyntaxUid.DeflatedExplicitVrLittleEndian, enc(true, true, true)],
  [TransferSyntaxUid.ExplicitVrBigEndian, EXPLICIT_VR_BE],
]);

/** Data set encoding of a transfer syntax UID; encapsulated and unknown UIDs give Explicit VR Little Endian. */
export function dataSetEncoding(transferSyntaxUid: string): DataSetEncoding {
  return NATIVE_ENCODINGS.get(transferSyntaxUid.replace(/\0+$/, '').trim()) ?? EXPLICIT_VR_LE;
}

/** The transfer syntax dcmjs must be told to read a data set of this encoding. */
export function nativeSyntaxOf(encoding: DataSetEncoding): string {
  if (!encoding.explicitVr) return TransferSyntaxUid.ImplicitVrLittleEndian;
  return encoding.littleEndian ? TransferSyntaxUid.ExplicitVrLittleEndian : TransferSyntaxUid.ExplicitVrBigEndian;
}
