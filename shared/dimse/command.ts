/**
 * Command set decoding, PS3.7 §6.3.1 and Annex E: a command set is always
 * encoded in Implicit VR Little Endian, group 0000 only. A small parser of our
 * own: it never throws, and every problem becomes a record with an offset.
 */
import { COMMAND_DICTIONARY, CommandTag } from './command-dictionary.ts';
import { NO_DATA_SET, commandName, isResponseField } from './command-fields.ts';
import { statusInfo } from './status.ts';
import { tagString } from './element-walker.ts';
import type { DimseMessage, ElementSummary } from './types.ts';

/** A problem found in a command set; `offset` is relative to the command set's first byte. */
export interface CommandProblem {
  offset: number;
  reason: string;
}

export interface CommandDecodeResult {
  /** null when the command set has no usable Command Field. */
  message: DimseMessage | null;
  problems: CommandProblem[];
}

const latin1 = new TextDecoder('latin1');

/** The text of each command element's tag, made once: every command set of a capture names its elements. */
const COMMAND_TAG_TEXT = new Map([...COMMAND_DICTIONARY.keys()].map((element) => [element, tagString(element)]));

/** "(0000,0100)" */
const formatTag = (group: number, element: number): string =>
  (group === 0 ? COMMAND_TAG_TEXT.get(element) : undefined) ?? tagString(((group << 16) | element) >>> 0);

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Display value of a group 0000 element by its VR (PS3.5 §6.2). */
function displayValue(vr: string, value: Uint8Array, view: DataView): unknown {
  const n = value.length;
  switch (vr) {
    case 'US': {
      const out: number[] = [];
      for (let i = 0; i + 2 <= n; i += 2) out.push(view.getUint16(i, true));
      return out.length === 1 ? out[0] : out;
    }
    case 'UL': {
      const out: number[] = [];
      for (let i = 0; i + 4 <= n; i += 4) out.push(view.getUint32(i, true));
      return out.length === 1 ? out[0] : out;
    }
    case 'AT': {
      const out: string[] = [];
      for (let i = 0; i + 4 <= n; i += 4) out.push(formatTag(view.getUint16(i, true), view.getUint16(i + 2, true)));
      return out;
    }
    case 'UI':
    case 'AE':
    case 'SH':
    case 'LO':
    case 'LT':
    case 'CS':
    case 'IS': {
      // UI is padded with NUL; the others with spaces. Leading and trailing spaces of AE are not significant.
      const text = latin1.decode(value).replace(/[\0 ]+$/, '');
      const trimmed = vr === 'LT' ? text : text.replace(/^ +/, '');
      if (vr === 'IS') {
        const num = Number(trimmed);
        return trimmed !== '' && Number.isFinite(num) ? num : trimmed;
      }
      return trimmed;
    }
    default:
      return n <= 64 ? hex(value) : null;
  }
}

function emptyMessage(offset: number, presentationContextId: number, commandField: number): DimseMessage {
  const command = commandName(commandField);
  return {
    offset,
    presentationContextId,
    commandField,
    command,
    isResponse: isResponseField(commandField),
    messageId: null,
    respondsTo: null,
    affectedSopClass: null,
    affectedSopInstance: null,
    requestedSopClass: null,
    requestedSopInstance: null,
    priority: null,
    moveDestination: null,
    moveOriginator: null,
    dataSetType: null,
    hasDataSet: false,
    status: null,
    statusMeaning: null,
    statusCategory: null,
    remaining: null,
    completed: null,
    failed: null,
    warning: null,
    errorComment: null,
    errorId: null,
    offendingElements: null,
    eventTypeId: null,
    actionTypeId: null,
    commandElements: [],
    dataSet: null,
  };
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Decode one whole command set. `offset` is the stream offset of the first
 * PDV of the command (DimseMessage.offset); element offsets are relative to
 * the command set.
 */
export function decodeCommandSet(bytes: Uint8Array, offset: number, presentationContextId: number): CommandDecodeResult {
  const problems: CommandProblem[] = [];
  const elements: ElementSummary[] = [];
  const values = new Map<number, unknown>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let groupLengthEnd: number | null = null;
  let lastElement = -1;
  let stopped = false;
  while (pos < bytes.length) {
    if (bytes.length - pos < 8) {
      problems.push({ offset: pos, reason: `command set ends inside an element header (${bytes.length - pos} bytes left)` });
      stopped = true;
      break;
    }
    const group = view.getUint16(pos, true);
    const element = view.getUint16(pos + 2, true);
    const length = view.getUint32(pos + 4, true);
    const tag = formatTag(group, element);
    if (group !== 0x0000) {
      problems.push({ offset: pos, reason: `element ${tag} is not in group 0000: command sets hold only command elements (PS3.7 §6.3.1)` });
      stopped = true;
      break;
    }
    if (length > bytes.length - pos - 8) {
      const why = length === 0xffffffff ? 'undefined length' : `length ${length}`;
      problems.push({ offset: pos, reason: `element ${tag} ${why} overruns the command set (${bytes.length - pos - 8} bytes left)` });
      stopped = true;
      break;
    }
    if (length % 2 !== 0) problems.push({ offset: pos, reason: `element ${tag} has odd length ${length}` });
    if (element <= lastElement) problems.push({ offset: pos, reason: `element ${tag} out of order (elements must ascend, PS3.5 §7.1)` });
    lastElement = element;
    const info = COMMAND_DICTIONARY.get(element);
    const vr = info?.vr ?? 'UN';
    const valueBytes = bytes.subarray(pos + 8, pos + 8 + length);
    const valueView = new DataView(bytes.buffer, bytes.byteOffset + pos + 8, length);
    const value = displayValue(vr, valueBytes, valueView);
    elements.push({ tag, keyword: info?.keyword ?? '', vr, value, offset: pos, length });
    values.set(element, value);
    if (element === CommandTag.CommandGroupLength && typeof value === 'number') groupLengthEnd = pos + 8 + length + value;
    pos += 8 + length;
  }
  if (groupLengthEnd !== null && groupLengthEnd !== bytes.length && !stopped) {
    problems.push({
      offset: 0,
      reason: `Command Group Length (0000,0000) says the command set ends at byte ${groupLengthEnd}, it has ${bytes.length}`,
    });
  }

  const commandField = num(values.get(CommandTag.CommandField));
  if (commandField === null) {
    problems.push({ offset: 0, reason: 'command set has no Command Field (0000,0100)' });
    return { message: null, problems };
  }
  const m = emptyMessage(offset, presentationContextId, commandField);
  m.commandElements = elements;
  m.messageId = num(values.get(CommandTag.MessageID));
  m.respondsTo = num(values.get(CommandTag.MessageIDBeingRespondedTo));
  m.affectedSopClass = str(values.get(CommandTag.AffectedSOPClassUID));
  m.affectedSopInstance = str(values.get(CommandTag.AffectedSOPInstanceUID));
  m.requestedSopClass = str(values.get(CommandTag.RequestedSOPClassUID));
  m.requestedSopInstance = str(values.get(CommandTag.RequestedSOPInstanceUID));
  m.priority = num(values.get(CommandTag.Priority));
  m.moveDestination = str(values.get(CommandTag.MoveDestination));
  const originatorAe = str(values.get(CommandTag.MoveOriginatorApplicationEntityTitle));
  const originatorId = num(values.get(CommandTag.MoveOriginatorMessageID));
  if (originatorAe !== null || originatorId !== null) m.moveOriginator = { ae: originatorAe, messageId: originatorId };
  m.dataSetType = num(values.get(CommandTag.CommandDataSetType));
  if (m.dataSetType === null) {
    problems.push({ offset: 0, reason: 'command set has no Command Data Set Type (0000,0800): assumed no data set' });
  }
  m.hasDataSet = m.dataSetType !== null && m.dataSetType !== NO_DATA_SET;
  m.status = num(values.get(CommandTag.Status));
  if (m.status !== null) {
    const info = statusInfo(m.status, m.command);
    m.statusMeaning = info.meaning;
    m.statusCategory = info.category;
  }
  m.remaining = num(values.get(CommandTag.NumberOfRemainingSuboperations));
  m.completed = num(values.get(CommandTag.NumberOfCompletedSuboperations));
  m.failed = num(values.get(CommandTag.NumberOfFailedSuboperations));
  m.warning = num(values.get(CommandTag.NumberOfWarningSuboperations));
  m.errorComment = str(values.get(CommandTag.ErrorComment));
  m.errorId = num(values.get(CommandTag.ErrorID));
  const offending = values.get(CommandTag.OffendingElement);
  m.offendingElements = Array.isArray(offending) ? (offending as string[]) : null;
  m.eventTypeId = num(values.get(CommandTag.EventTypeID));
  m.actionTypeId = num(values.get(CommandTag.ActionTypeID));
  return { message: m, problems };
}
