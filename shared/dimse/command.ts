/**
 * Command set decoding, PS3.7 §6.3.1 and Annex E: a command set is always
 * encoded in Implicit VR Little Endian, group 0000 only. A small parser of our
 * own: it never throws, and every problem becomes a record with an offset.
 *
 * Tolerant of what real peers send wrong, as far as the bytes allow: an
 * element outside group 0000 (a PACS that puts its Failed SOP Instance UID
 * List into a failure response's command set) is decoded with the data
 * dictionary and kept, an odd value length, wrong padding, elements out of
 * order or a Command Group Length that does not add up are noted and passed.
 * Each becomes a `nonConformance` of the message — the sender's, with the
 * section it breaks — not a decode error; only what stops the decoding (a
 * length past the end, no Command Field) is a problem of the bytes.
 */
import { COMMAND_DICTIONARY, CommandTag } from './command-dictionary.ts';
import { NO_DATA_SET, commandName, isResponseField } from './command-fields.ts';
import { statusInfo } from './status.ts';
import { tagString } from './element-walker.ts';
import { dictionaryEntry } from './dataset.ts';
import type { DimseMessage, ElementSummary, NonConformance } from './types.ts';

/** A problem found in a command set; `offset` is relative to the command set's first byte. */
export interface CommandProblem {
  offset: number;
  reason: string;
  /** The section it breaks, when it is the sender's non-conformance. */
  section?: string;
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

/** Display value of an element by its VR (PS3.5 §6.2); `multi`: split a backslash-separated value (data elements, VM 1-n). */
function displayValue(vr: string, value: Uint8Array, view: DataView, multi = false): unknown {
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
    case 'IS':
    case 'DS':
    case 'DA':
    case 'TM':
    case 'DT':
    case 'PN':
    case 'ST':
    case 'UT':
    case 'AS': {
      // UI is padded with NUL; the others with spaces. Leading and trailing spaces of AE are not significant.
      const text = latin1.decode(value).replace(/[\0 ]+$/, '');
      if (multi && vr !== 'LT' && vr !== 'ST' && vr !== 'UT' && text.includes('\\')) return text.split('\\').map((x) => x.replace(/^ +| +$/g, ''));
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
    commandSetDataElements: null,
    nonConformance: [],
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
  const foreign: Record<string, unknown> = {};
  let foreignCount = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let groupLengthEnd: number | null = null;
  /** (group << 16 | element) of the previous element: tags must ascend (PS3.5 §7.1). */
  let lastTag = -1;
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
    const tagNumber = ((group << 16) | element) >>> 0;
    const tag = formatTag(group, element);
    if (length > bytes.length - pos - 8) {
      const why = length === 0xffffffff ? 'undefined length' : `length ${length}`;
      problems.push({ offset: pos, reason: `element ${tag} ${why} overruns the command set (${bytes.length - pos - 8} bytes left)` });
      stopped = true;
      break;
    }
    const entry = group === 0x0000 ? null : dictionaryEntry(tagNumber);
    const info = group === 0x0000 ? COMMAND_DICTIONARY.get(element) : undefined;
    // (gggg,0000) is a group length, UL, in every group (PS3.5 §7.2), whether the dictionary lists it or not.
    const groupLength = group !== 0x0000 && element === 0x0000;
    const vr = info?.vr ?? (groupLength ? 'UL' : (entry?.vr?.split('|')[0] ?? 'UN'));
    const keyword = info?.keyword ?? (groupLength ? 'GroupLength' : (entry?.keyword ?? ''));
    if (group !== 0x0000) {
      problems.push({ offset: pos, reason: `element ${tag}${keyword ? ` ${keyword}` : ''} is not in group 0000: a command set holds only command elements (the sender put data set elements there)`, section: 'PS3.7 §6.3.1' });
    }
    if (length % 2 !== 0) problems.push({ offset: pos, reason: `element ${tag} has odd value length ${length}`, section: 'PS3.5 §7.1.1' });
    if (tagNumber <= lastTag) problems.push({ offset: pos, reason: `element ${tag} out of order (elements must ascend)`, section: 'PS3.5 §7.1' });
    lastTag = tagNumber;
    const valueBytes = bytes.subarray(pos + 8, pos + 8 + length);
    const valueView = new DataView(bytes.buffer, bytes.byteOffset + pos + 8, length);
    const pad = paddingProblem(vr, valueBytes);
    if (pad) problems.push({ offset: pos, reason: `element ${tag} ${pad}`, section: 'PS3.5 §6.2' });
    const value = displayValue(vr, valueBytes, valueView, group !== 0x0000);
    elements.push({ tag, keyword, vr, value, offset: pos, length });
    if (group === 0x0000) values.set(element, value);
    else if (foreignCount++ < 64) foreign[groupLength ? `${tag} GroupLength` : keyword || tag] = value;
    if (group === 0x0000 && element === CommandTag.CommandGroupLength && typeof value === 'number') groupLengthEnd = pos + 8 + length + value;
    pos += 8 + length;
  }
  if (groupLengthEnd !== null && !stopped) {
    // PS3.7 E.1: the length counts the bytes after (0000,0000) up to the end of group 0000 — elements of other groups are not part of it.
    const groupEnd = elements.filter((e) => e.tag.startsWith('(0000,')).reduce((end, e) => Math.max(end, e.offset + 8 + e.length), 0);
    if (groupLengthEnd !== groupEnd) {
      problems.push({ offset: 0, reason: `Command Group Length (0000,0000) says group 0000 ends at byte ${groupLengthEnd}, it ends at ${groupEnd}`, section: 'PS3.7 §E.1' });
    }
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
    problems.push({ offset: 0, reason: 'command set has no Command Data Set Type (0000,0800): assumed no data set', section: 'PS3.7 §E.1' });
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
  if (foreignCount > 0) m.commandSetDataElements = foreign;
  // The sender's deviations travel with the message (shown in the inspector, diagnosed as its non-conformance); the rest stay problems of the bytes.
  const tolerated: NonConformance[] = [];
  const rest: CommandProblem[] = [];
  for (const p of problems) {
    if (p.section) tolerated.push({ offset: p.offset, reason: p.reason, section: p.section });
    else rest.push(p);
  }
  m.nonConformance = tolerated;
  return { message: m, problems: rest };
}

const SPACE_PADDED: ReadonlySet<string> = new Set(['AE', 'CS', 'SH', 'LO', 'LT', 'IS', 'DS', 'DA', 'TM', 'DT', 'PN', 'ST', 'UT', 'AS']);

/** Wrong padding of an even-length value (PS3.5 §6.2: UI with a NUL, the other strings with a space), or null. */
function paddingProblem(vr: string, value: Uint8Array): string | null {
  const n = value.length;
  if (n === 0 || n % 2 !== 0) return null;
  const last = value[n - 1];
  if (vr === 'UI' && last === 0x20) return 'UI value padded with a space instead of NUL';
  if (SPACE_PADDED.has(vr) && last === 0x00) return `${vr} value padded with NUL instead of a space`;
  return null;
}
