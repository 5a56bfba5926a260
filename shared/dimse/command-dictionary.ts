/**
 * The command elements (group 0000) of PS3.7 Annex E, Table E.1-1, and the
 * retired ones of Table E.2-1 that old implementations still send. Data
 * declared once: keyword and VR per element number.
 */

export interface CommandElementInfo {
  keyword: string;
  vr: string;
  retired: boolean;
}

const e = (keyword: string, vr: string, retired = false): CommandElementInfo => Object.freeze({ keyword, vr, retired });

/** Element number (the low 16 bits of a group 0000 tag) → info. */
export const COMMAND_DICTIONARY: ReadonlyMap<number, CommandElementInfo> = new Map([
  [0x0000, e('CommandGroupLength', 'UL')],
  [0x0001, e('CommandLengthToEnd', 'UL', true)],
  [0x0002, e('AffectedSOPClassUID', 'UI')],
  [0x0003, e('RequestedSOPClassUID', 'UI')],
  [0x0010, e('CommandRecognitionCode', 'SH', true)],
  [0x0100, e('CommandField', 'US')],
  [0x0110, e('MessageID', 'US')],
  [0x0120, e('MessageIDBeingRespondedTo', 'US')],
  [0x0200, e('Initiator', 'AE', true)],
  [0x0300, e('Receiver', 'AE', true)],
  [0x0400, e('FindLocation', 'AE', true)],
  [0x0600, e('MoveDestination', 'AE')],
  [0x0700, e('Priority', 'US')],
  [0x0800, e('CommandDataSetType', 'US')],
  [0x0850, e('NumberOfMatches', 'US', true)],
  [0x0860, e('ResponseSequenceNumber', 'US', true)],
  [0x0900, e('Status', 'US')],
  [0x0901, e('OffendingElement', 'AT')],
  [0x0902, e('ErrorComment', 'LO')],
  [0x0903, e('ErrorID', 'US')],
  [0x1000, e('AffectedSOPInstanceUID', 'UI')],
  [0x1001, e('RequestedSOPInstanceUID', 'UI')],
  [0x1002, e('EventTypeID', 'US')],
  [0x1005, e('AttributeIdentifierList', 'AT')],
  [0x1008, e('ActionTypeID', 'US')],
  [0x1020, e('NumberOfRemainingSuboperations', 'US')],
  [0x1021, e('NumberOfCompletedSuboperations', 'US')],
  [0x1022, e('NumberOfFailedSuboperations', 'US')],
  [0x1023, e('NumberOfWarningSuboperations', 'US')],
  [0x1030, e('MoveOriginatorApplicationEntityTitle', 'AE')],
  [0x1031, e('MoveOriginatorMessageID', 'US')],
  [0x4000, e('DialogReceiver', 'LT', true)],
  [0x4010, e('TerminalType', 'LT', true)],
  [0x5010, e('MessageSetID', 'SH', true)],
  [0x5020, e('EndMessageID', 'SH', true)],
  [0x5110, e('DisplayFormat', 'LT', true)],
  [0x5120, e('PagePositionID', 'LT', true)],
  [0x5130, e('TextFormatID', 'CS', true)],
  [0x5140, e('NormalReverse', 'CS', true)],
  [0x5150, e('AddGrayScale', 'CS', true)],
  [0x5160, e('Borders', 'CS', true)],
  [0x5170, e('Copies', 'IS', true)],
  [0x5180, e('CommandMagnificationType', 'CS', true)],
  [0x5190, e('Erase', 'CS', true)],
  [0x51a0, e('Print', 'CS', true)],
  [0x51b0, e('Overlays', 'US', true)],
]);

/** Command element numbers used by the decoder, PS3.7 Annex E. */
export const CommandTag = Object.freeze({
  CommandGroupLength: 0x0000,
  AffectedSOPClassUID: 0x0002,
  RequestedSOPClassUID: 0x0003,
  CommandField: 0x0100,
  MessageID: 0x0110,
  MessageIDBeingRespondedTo: 0x0120,
  MoveDestination: 0x0600,
  Priority: 0x0700,
  CommandDataSetType: 0x0800,
  Status: 0x0900,
  OffendingElement: 0x0901,
  ErrorComment: 0x0902,
  ErrorID: 0x0903,
  AffectedSOPInstanceUID: 0x1000,
  RequestedSOPInstanceUID: 0x1001,
  EventTypeID: 0x1002,
  ActionTypeID: 0x1008,
  NumberOfRemainingSuboperations: 0x1020,
  NumberOfCompletedSuboperations: 0x1021,
  NumberOfFailedSuboperations: 0x1022,
  NumberOfWarningSuboperations: 0x1023,
  MoveOriginatorApplicationEntityTitle: 0x1030,
  MoveOriginatorMessageID: 0x1031,
} as const);
