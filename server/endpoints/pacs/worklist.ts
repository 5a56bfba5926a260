/**
 * The built-in PACS as Modality Worklist SCP (PS3.4 K.4.1.3, C-FIND on the
 * Modality Worklist Information Model – FIND, 1.2.840.10008.5.1.4.31): one
 * pending response (0xFF00) per matching scheduled procedure step of the
 * synthetic worklist (worklist-items.ts, scheduled relative to the day of
 * the query), each with the requested keys, then 0x0000; 0xFE00 after a
 * C-CANCEL; 0xA900 without an identifier (PS3.4 K.4.1.2.3, Table K.4-2).
 */
import dimse from '../../dimse/library.ts';
import type { CFindRequest, CFindResponse, Dataset as DatasetType } from '../../dimse/library.ts';
import type { OperationContext } from './operation.ts';
import { STATUS, sleep } from './operation.ts';
import { worklistItems } from './worklist-items.ts';
import { findWorklistMatches, vrOf, worklistResponse } from './worklist-matching.ts';
import { findResponse } from './find-response.ts';

const { Dataset } = dimse;

const NUMERIC = new Set(['US', 'UL', 'SS', 'SL', 'FL', 'FD']);

/** One value as dcmjs writes it, by its VR: PN as person names, numbers for binary VRs, "\"-separated values as lists. */
function datasetValue(keyword: string, value: string): unknown {
  const vr = vrOf(keyword);
  const list = value === '' ? [] : value.split('\\');
  if (vr === 'PN') return list.map((v) => ({ Alphabetic: v }));
  if (NUMERIC.has(vr)) return list.map(Number);
  return list.length === 0 ? '' : list.length === 1 ? list[0] : list;
}

/** A response identifier (text values, sequences as lists of items) as a data set; ISO_IR 192 when a value needs it (dcmjs writes UTF-8). */
export function worklistDataset(values: Record<string, string | Record<string, string>[]>, transferSyntaxUid: string): DatasetType {
  let nonAscii = false;
  const convert = (attrs: Record<string, string | Record<string, string>[]>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [keyword, v] of Object.entries(attrs)) {
      if (typeof v === 'string') {
        if (/[^\x00-\x7f]/.test(v)) nonAscii = true;
        out[keyword] = datasetValue(keyword, v);
      } else out[keyword] = v.map((item) => convert(item));
    }
    return out;
  };
  const elements = convert(values);
  if (nonAscii) elements.SpecificCharacterSet = 'ISO_IR 192';
  return new Dataset(elements, transferSyntaxUid) as DatasetType;
}

export async function runWorklistFind(op: OperationContext<CFindRequest>, final: (rsp: CFindResponse) => void): Promise<void> {
  const { request } = op;
  const dataset = request.getDataset();
  if (!dataset) return final(findResponse(request, STATUS.IdentifierDoesNotMatchSopClass, 'no identifier'));
  const query = dataset.getElements() as Record<string, unknown>;
  const matches = findWorklistMatches(worklistItems(), query);
  for (const match of matches) {
    if (op.cancelled()) return final(findResponse(request, STATUS.Cancel));
    const rsp = findResponse(request, STATUS.Pending);
    rsp.setDataset(worklistDataset(worklistResponse(match, query), op.transferSyntaxUid));
    op.scp.sendResponse(request, rsp);
    if (op.runtime.config.subOperationDelayMs > 0) await sleep(op.runtime.config.subOperationDelayMs);
  }
  final(findResponse(request, op.cancelled() ? STATUS.Cancel : STATUS.Success));
}
