/**
 * What a failure or warning status usually means in practice and where to
 * look — data, beside the meanings of PS3.7 Annex C and PS3.4 (B.2.3 C-STORE,
 * C.4.1.1.4 C-FIND, C.4.2.1.5 C-MOVE, C.4.3.1.4 C-GET) that status-table.ts
 * gives. Exact codes first, then ranges, as in status.ts.
 */

interface Hint {
  /** Which service it applies to ("*" for any). */
  service: string;
  mask: number;
  value: number;
  hint: string;
}

const h = (service: string, mask: number, value: number, hint: string): Hint => Object.freeze({ service, mask, value, hint });

export const STATUS_HINTS: readonly Hint[] = Object.freeze([
  h('C-STORE', 0xffff, 0x0122, 'the store SCP does not support this SOP class'),
  h('C-STORE', 0xffff, 0x0124, 'the store SCP does not accept instances from this caller'),
  h('C-STORE', 0xffff, 0x0111, 'the store SCP already holds an instance with this SOP Instance UID and refuses duplicates'),
  h('C-STORE', 0xff00, 0xa700, 'the store SCP is out of resources: its disk is full or a quota is reached (Orthanc: "MaximumStorageSize", "MaximumPatientCount")'),
  h('C-STORE', 0xff00, 0xa900, 'the data set does not match the SOP class the C-STORE-RQ names'),
  h('C-STORE', 0xf000, 0xc000, 'the store SCP could not parse or accept the data set; its log names the element'),
  h('C-STORE', 0xf000, 0xb000, 'stored, but the SCP changed or dropped elements (coercion, PS3.4 B.2.3)'),
  h('*', 0xffff, 0x0122, 'the SCP does not support the SOP class (for Query/Retrieve: the information model) of the request'),
  h('*', 0xffff, 0x0124, 'the SCP does not allow this caller to do that'),
  h('*', 0xffff, 0x0110, 'the SCP failed while processing the request; its log says why'),
  h('*', 0xffff, 0x0211, 'the SCP does not know the operation (Command Field) requested'),
  h('*', 0xffff, 0x0213, 'the SCP hit a resource limit (PS3.7 C.5.x)'),
  h('*', 0xffff, 0xa701, 'the SCP could not even count the matches: out of resources, or the query is too broad'),
  h('*', 0xffff, 0xa702, 'the SCP could not perform the sub-operations (for a C-MOVE: usually it could not open the association to the destination, or the destination refused what it proposed)'),
  h('*', 0xff00, 0xa700, 'the SCP is out of resources'),
  h('*', 0xff00, 0xa900, 'the identifier does not match the information model: keys or Query/Retrieve Level not allowed for this SOP class'),
  h('*', 0xf000, 0xc000, 'the SCP could not process the request; its log, or the Error Comment (0000,0902), says why'),
]);

/** A practical hint for a status of a service ("C-STORE"), or null. */
export function statusHint(code: number, service: string): string | null {
  for (const x of STATUS_HINTS) if ((x.service === service || x.service === '*') && (code & x.mask) === x.value) return x.hint;
  return null;
}
