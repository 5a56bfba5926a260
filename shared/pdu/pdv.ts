/**
 * PDV item header of a P-DATA-TF, PS3.8 §9.3.5.1 (Table 9-23) and the message
 * control header of PS3.8 Annex E.2: shared by the streaming framer and the
 * whole-PDU decoder so that both judge a PDV the same way.
 */
import type { DecodeProblem, PdvHeader } from './types.ts';
import { hexByte } from './bytes.ts';

/** Bytes of a PDV item before its value: item length (4), presentation context ID (1), message control header (1). */
export const PDV_HEADER_LENGTH = 6;

export function makePdvHeader(offset: number, itemLength: number, presentationContextId: number, messageControlHeader: number): PdvHeader {
  return {
    offset,
    itemLength,
    presentationContextId,
    isCommand: (messageControlHeader & 0x01) !== 0,
    isLast: (messageControlHeader & 0x02) !== 0,
    valueLength: itemLength - 2,
  };
}

/** True when the header needs a report: even context ID or reserved message control bits set. */
export function pdvHeaderIsOdd(presentationContextId: number, messageControlHeader: number): boolean {
  return (presentationContextId & 1) === 0 || (messageControlHeader & 0xfc) !== 0;
}

/** The problems of a PDV header that still lets decoding go on (PS3.8 §9.3.2.2, Annex E.2). */
export function pdvHeaderProblems(offset: number, presentationContextId: number, messageControlHeader: number, out: DecodeProblem[]): void {
  if ((presentationContextId & 1) === 0)
    out.push({ offset, reason: `PDV presentation context ID ${presentationContextId} is not odd (PS3.8 §9.3.2.2)` });
  if ((messageControlHeader & 0xfc) !== 0)
    out.push({ offset, reason: `PDV message control header ${hexByte(messageControlHeader)} has reserved bits 2–7 set (PS3.8 Annex E.2)` });
}

/** Why a PDV item length cannot be framed, or null when it fits: at least 2, within the `room` left in the PDU. */
export function pdvLengthProblem(itemLength: number, room: number): string | null {
  if (itemLength < 2) return `PDV item length ${itemLength} is less than 2 (no room for context ID and message control header)`;
  if (itemLength > room) return `PDV item length ${itemLength} overruns the P-DATA-TF (${room} bytes left)`;
  return null;
}
