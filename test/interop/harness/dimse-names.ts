/**
 * The harness's own names for PDU types (PS3.8 §9.3) and DIMSE command fields
 * (PS3.7 Annex E), kept apart from pacscope's tables so the cross-check stays
 * independent of the code it checks.
 */

export const PDU_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x01: 'A-ASSOCIATE-RQ',
  0x02: 'A-ASSOCIATE-AC',
  0x03: 'A-ASSOCIATE-RJ',
  0x04: 'P-DATA-TF',
  0x05: 'A-RELEASE-RQ',
  0x06: 'A-RELEASE-RP',
  0x07: 'A-ABORT',
};

export const COMMAND_NAMES: Readonly<Record<number, string>> = {
  0x0001: 'C-STORE-RQ',
  0x8001: 'C-STORE-RSP',
  0x0010: 'C-GET-RQ',
  0x8010: 'C-GET-RSP',
  0x0020: 'C-FIND-RQ',
  0x8020: 'C-FIND-RSP',
  0x0021: 'C-MOVE-RQ',
  0x8021: 'C-MOVE-RSP',
  0x0030: 'C-ECHO-RQ',
  0x8030: 'C-ECHO-RSP',
  0x0fff: 'C-CANCEL-RQ',
  0x0100: 'N-EVENT-REPORT-RQ',
  0x8100: 'N-EVENT-REPORT-RSP',
  0x0110: 'N-GET-RQ',
  0x8110: 'N-GET-RSP',
  0x0120: 'N-SET-RQ',
  0x8120: 'N-SET-RSP',
  0x0130: 'N-ACTION-RQ',
  0x8130: 'N-ACTION-RSP',
  0x0140: 'N-CREATE-RQ',
  0x8140: 'N-CREATE-RSP',
  0x0150: 'N-DELETE-RQ',
  0x8150: 'N-DELETE-RSP',
};

export function pduTypeName(type: number): string {
  return PDU_TYPE_NAMES[type] ?? `PDU-0x${type.toString(16).padStart(2, '0')}`;
}

export function commandName(field: number): string {
  return COMMAND_NAMES[field] ?? `UNKNOWN-0x${field.toString(16).padStart(4, '0')}`;
}

/** "0xFF00" style, as pacscope's summary prints statuses. */
export function hex16(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}
