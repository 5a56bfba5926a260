/**
 * Command Field (0000,0100) values, PS3.7 Annex E (Table E.1-1) and the
 * message definitions of PS3.7 §9.3 (C-services) and §10.3 (N-services).
 * Bit 15 (0x8000) distinguishes a response from its request.
 */

/** Command Field codes, named after the standard's message names. */
export const CommandField = Object.freeze({
  CStoreRq: 0x0001,
  CStoreRsp: 0x8001,
  CGetRq: 0x0010,
  CGetRsp: 0x8010,
  CFindRq: 0x0020,
  CFindRsp: 0x8020,
  CMoveRq: 0x0021,
  CMoveRsp: 0x8021,
  CEchoRq: 0x0030,
  CEchoRsp: 0x8030,
  NEventReportRq: 0x0100,
  NEventReportRsp: 0x8100,
  NGetRq: 0x0110,
  NGetRsp: 0x8110,
  NSetRq: 0x0120,
  NSetRsp: 0x8120,
  NActionRq: 0x0130,
  NActionRsp: 0x8130,
  NCreateRq: 0x0140,
  NCreateRsp: 0x8140,
  NDeleteRq: 0x0150,
  NDeleteRsp: 0x8150,
  CCancelRq: 0x0fff,
} as const);
export type CommandFieldCode = (typeof CommandField)[keyof typeof CommandField];

/** Command Data Set Type (0000,0800) value meaning "no data set", PS3.7 Annex E. */
export const NO_DATA_SET = 0x0101;

/** Code → message name as written in PS3.7 ("C-MOVE-RQ"). */
const COMMAND_NAMES: ReadonlyMap<number, string> = new Map([
  [CommandField.CStoreRq, 'C-STORE-RQ'],
  [CommandField.CStoreRsp, 'C-STORE-RSP'],
  [CommandField.CGetRq, 'C-GET-RQ'],
  [CommandField.CGetRsp, 'C-GET-RSP'],
  [CommandField.CFindRq, 'C-FIND-RQ'],
  [CommandField.CFindRsp, 'C-FIND-RSP'],
  [CommandField.CMoveRq, 'C-MOVE-RQ'],
  [CommandField.CMoveRsp, 'C-MOVE-RSP'],
  [CommandField.CEchoRq, 'C-ECHO-RQ'],
  [CommandField.CEchoRsp, 'C-ECHO-RSP'],
  [CommandField.NEventReportRq, 'N-EVENT-REPORT-RQ'],
  [CommandField.NEventReportRsp, 'N-EVENT-REPORT-RSP'],
  [CommandField.NGetRq, 'N-GET-RQ'],
  [CommandField.NGetRsp, 'N-GET-RSP'],
  [CommandField.NSetRq, 'N-SET-RQ'],
  [CommandField.NSetRsp, 'N-SET-RSP'],
  [CommandField.NActionRq, 'N-ACTION-RQ'],
  [CommandField.NActionRsp, 'N-ACTION-RSP'],
  [CommandField.NCreateRq, 'N-CREATE-RQ'],
  [CommandField.NCreateRsp, 'N-CREATE-RSP'],
  [CommandField.NDeleteRq, 'N-DELETE-RQ'],
  [CommandField.NDeleteRsp, 'N-DELETE-RSP'],
  [CommandField.CCancelRq, 'C-CANCEL-RQ'],
]);

function hex4(n: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(4, '0');
}

/** "C-MOVE-RQ" for 0x0021, "UNKNOWN-0x1234" for a code not in PS3.7 Annex E. */
export function commandName(code: number): string {
  return COMMAND_NAMES.get(code) ?? `UNKNOWN-${hex4(code)}`;
}

/** True for a response (bit 15 set), PS3.7 Annex E. C-CANCEL-RQ (0x0FFF) is a request. */
export function isResponseField(code: number): boolean {
  return (code & 0x8000) !== 0;
}

/** The DIMSE service of a message name: "C-MOVE-RSP" → "C-MOVE", "C-CANCEL-RQ" → "C-CANCEL". */
export function serviceOf(command: string): string {
  return command.replace(/-(RQ|RSP)$/, '');
}

const COMMAND_FIELDS: ReadonlyMap<string, number> = new Map([...COMMAND_NAMES].map(([code, name]) => [name, code]));

/** 0x0021 for "C-MOVE-RQ"; null for a name that is not a message of PS3.7 Annex E (summaries of version 1 carried names). */
export function commandFieldOf(name: string): number | null {
  return COMMAND_FIELDS.get(name) ?? null;
}

/** The DIMSE service of a Command Field: 0x8021 → "C-MOVE", 0x0FFF → "C-CANCEL" (what the filters and status tables group by). */
export function serviceOfField(code: number): string {
  return serviceOf(commandName(code));
}
