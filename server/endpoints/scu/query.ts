/**
 * The identifier of a C-FIND, C-MOVE or C-GET request (PS3.4 C.4.1.1.3,
 * C.4.2.1.4, C.4.3.1.3): the keys plus Query/Retrieve Level (0008,0052),
 * on the SOP class of the chosen information model (PS3.4 C.6).
 */
import dimse from '../../dimse/library.ts';
import type { association as assocNs, requests as rq } from '../../dimse/library.ts';
import { checkQuery, type OperationResult, type QueryTarget } from './options.ts';
import { QUERY_RETRIEVE_SOP_CLASSES } from './sop-classes.ts';

type Request = InstanceType<typeof rq.Request>;
type Association = InstanceType<typeof assocNs.Association>;

export type QueryService = 'find' | 'move' | 'get';

/** Puts the model's SOP class and the identifier on `request`; returns an error result for an impossible query. */
export function prepareQuery(request: Request, q: QueryTarget, service: QueryService): OperationResult | null {
  const problem = checkQuery(q);
  if (problem) return { ok: false, outcome: 'error', reason: problem };
  const model = QUERY_RETRIEVE_SOP_CLASSES[q.model];
  if (!model) return { ok: false, outcome: 'error', reason: `unknown information model "${String(q.model)}" (patient or study)` };
  const keys: Record<string, unknown> = { ...q.keys, QueryRetrieveLevel: q.level };
  const charsetProblem = declareUtf8(keys);
  if (charsetProblem) return { ok: false, outcome: 'error', reason: charsetProblem };
  request.setAffectedSopClassUid(model[service]);
  request.setDataset(new dimse.Dataset(keys));
  return null;
}

/**
 * dcmjs writes every string as UTF-8, so an identifier with non-ASCII values must say
 * Specific Character Set (0008,0005) "ISO_IR 192" (PS3.3 C.12.1.1.2): added when absent,
 * an error when another character set was asked for.
 */
function declareUtf8(keys: Record<string, unknown>): string | null {
  const nonAscii = Object.values(keys).some((v) => typeof v === 'string' && /[^\x00-\x7f]/.test(v));
  if (!nonAscii) return null;
  const declared = typeof keys.SpecificCharacterSet === 'string' ? keys.SpecificCharacterSet.trim() : '';
  if (declared === '') {
    keys.SpecificCharacterSet = 'ISO_IR 192';
    return null;
  }
  return declared === 'ISO_IR 192' ? null : `non-ASCII keys are sent in UTF-8: use SpecificCharacterSet=ISO_IR 192 (or leave it out), not "${declared}"`;
}

/**
 * Our identifier is encoded when sent: encode it in the accepted transfer syntax
 * straight away instead of letting the library transcode it.
 */
export function encodeInAcceptedSyntax(association: Association, request: Request): void {
  const pc = association.getAcceptedPresentationContextFromRequest(request);
  const ts = pc?.getAcceptedTransferSyntaxUid();
  const ds = request.getDataset();
  if (ts && ds) ds.setTransferSyntaxUid(ts);
}
