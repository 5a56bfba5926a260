/**
 * Identifiers (PS3.4 C.4.1.1.3, C.4.2.1.4) between dcmjs-dimse data sets and
 * the plain keyword → string form the matcher works on.
 */
import dimse from '../../dimse/library.ts';
import type { Dataset as DatasetType } from '../../dimse/library.ts';
import { QR_ATTRIBUTE, isQrLevel, type QrLevel } from './qr-attributes.ts';
import { valueStrings } from './data-store.ts';
import type { QueryKeys } from './matching.ts';

const { Dataset } = dimse;

export interface ParsedIdentifier {
  level: QrLevel;
  keys: QueryKeys;
}

/** The keys of a request identifier (multi-valued keys joined with `\`), or an error text. */
export function parseIdentifier(dataset: DatasetType | undefined): ParsedIdentifier | string {
  if (!dataset) return 'no identifier';
  const elements = dataset.getElements();
  const level = String(elements.QueryRetrieveLevel ?? '').trim();
  if (!isQrLevel(level)) return `Query/Retrieve Level "${level}" is not PATIENT, STUDY, SERIES or IMAGE`;
  const keys: Record<string, string> = {};
  for (const [keyword, value] of Object.entries(elements)) {
    if (keyword.startsWith('_')) continue;
    keys[keyword] = valueStrings(value).join('\\');
  }
  return { level, keys };
}

/** A response identifier data set: PN as PN objects, numbers for binary VRs, ISO_IR 192 when a value needs it. */
export function identifierDataset(values: Record<string, string[]>, transferSyntaxUid: string): DatasetType {
  const elements: Record<string, unknown> = {};
  let nonAscii = false;
  for (const [keyword, list] of Object.entries(values)) {
    const vr = QR_ATTRIBUTE.get(keyword)?.vr;
    if (list.some((v) => /[^\x00-\x7f]/.test(v))) nonAscii = true;
    if (vr === 'PN') elements[keyword] = list.map((v) => ({ Alphabetic: v }));
    else if (vr === 'US' || vr === 'UL' || vr === 'SS' || vr === 'SL') elements[keyword] = list.map(Number);
    else elements[keyword] = list.length === 0 ? '' : list.length === 1 ? list[0] : list;
  }
  // dcmjs encodes every string as UTF-8: say so (PS3.3 C.12.1.1.2).
  if (nonAscii) elements.SpecificCharacterSet = 'ISO_IR 192';
  return new Dataset(elements, transferSyntaxUid) as DatasetType;
}
