/**
 * Variable items of A-ASSOCIATE-RQ/AC, PS3.8 §9.3.2.1–§9.3.3.2: the item
 * walk shared by every level (type, reserved, 16-bit length, value), and the
 * application context and presentation context items.
 */
import type { DecodeProblem, PresentationContextAc, PresentationContextRq, UnknownItem } from './types.ts';
import { ItemType } from './types.ts';
import { hex, hexByte, u16, uidText } from './bytes.ts';
import { presentationContextResultText } from './meanings.ts';

/** One item found by {@link readItems}: indexes into the decoded bytes. */
export interface RawItem {
  itemType: number;
  /** Stream offset of the item header. */
  offset: number;
  /** Index of the first value byte. */
  start: number;
  /** Index after the last value byte (clamped to the parent when the item overruns it). */
  end: number;
  /** The declared length ran past the parent: the value is cut at the parent's end. */
  truncated: boolean;
}

/**
 * Walks the items in b[start, end) (PS3.8 §9.3.2: 1-byte type, 1 reserved byte,
 * 2-byte length). An item overrunning its parent is reported and kept cut at
 * the parent's end; stray bytes too short for an item header are reported.
 * `base` is the stream offset of b[0].
 */
export function readItems(b: Uint8Array, start: number, end: number, base: number, parent: string, problems: DecodeProblem[]): RawItem[] {
  const out: RawItem[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 4) {
      problems.push({ offset: base + p, reason: `${end - p} stray byte(s) at the end of the ${parent}, too short for an item header` });
      break;
    }
    const itemType = b[p];
    const length = u16(b, p + 2);
    const valueStart = p + 4;
    let valueEnd = valueStart + length;
    let truncated = false;
    if (valueEnd > end) {
      problems.push({
        offset: base + p,
        reason: `item ${hexByte(itemType)} length ${length} overruns the ${parent} (${end - valueStart} bytes left)`,
      });
      valueEnd = end;
      truncated = true;
    }
    out.push({ itemType, offset: base + p, start: valueStart, end: valueEnd, truncated });
    p = valueEnd;
  }
  return out;
}

export function unknownItem(b: Uint8Array, item: RawItem): UnknownItem {
  return { itemType: item.itemType, offset: item.offset, value: hex(b, item.start, item.end) };
}

/** Presentation context item of an A-ASSOCIATE-RQ, PS3.8 §9.3.2.2 (Table 9-13) with its sub-items (§9.3.2.2.1–2). */
export function decodePresentationContextRq(b: Uint8Array, item: RawItem, base: number, problems: DecodeProblem[]): PresentationContextRq | null {
  if (item.end - item.start < 4) {
    problems.push({ offset: item.offset, reason: `presentation context item too short: ${item.end - item.start} bytes, at least 4 needed` });
    return null;
  }
  const id = b[item.start];
  checkContextId(id, item.offset, problems);
  let abstractSyntax: string | null = null;
  const transferSyntaxes: string[] = [];
  for (const sub of readItems(b, item.start + 4, item.end, base, `presentation context ${id}`, problems)) {
    if (sub.itemType === ItemType.AbstractSyntax) {
      if (abstractSyntax !== null) problems.push({ offset: sub.offset, reason: `presentation context ${id} has more than one abstract syntax sub-item: the first is kept` });
      else abstractSyntax = uidText(b, sub.start, sub.end);
    } else if (sub.itemType === ItemType.TransferSyntax) {
      transferSyntaxes.push(uidText(b, sub.start, sub.end));
    } else {
      problems.push({ offset: sub.offset, reason: `unexpected sub-item ${hexByte(sub.itemType)} in presentation context ${id}: ignored` });
    }
  }
  if (abstractSyntax === null) problems.push({ offset: item.offset, reason: `presentation context ${id} has no abstract syntax sub-item` });
  if (transferSyntaxes.length === 0) problems.push({ offset: item.offset, reason: `presentation context ${id} proposes no transfer syntax` });
  return { id, offset: item.offset, abstractSyntax, transferSyntaxes };
}

/** Presentation context item of an A-ASSOCIATE-AC, PS3.8 §9.3.3.2 (Table 9-18). */
export function decodePresentationContextAc(b: Uint8Array, item: RawItem, base: number, problems: DecodeProblem[]): PresentationContextAc | null {
  if (item.end - item.start < 4) {
    problems.push({ offset: item.offset, reason: `presentation context item too short: ${item.end - item.start} bytes, at least 4 needed` });
    return null;
  }
  const id = b[item.start];
  checkContextId(id, item.offset, problems);
  const result = b[item.start + 2];
  let transferSyntax: string | null = null;
  for (const sub of readItems(b, item.start + 4, item.end, base, `presentation context ${id}`, problems)) {
    if (sub.itemType === ItemType.TransferSyntax) {
      if (transferSyntax !== null) problems.push({ offset: sub.offset, reason: `presentation context ${id} answers with more than one transfer syntax: the first is kept` });
      else transferSyntax = uidText(b, sub.start, sub.end);
    } else {
      problems.push({ offset: sub.offset, reason: `unexpected sub-item ${hexByte(sub.itemType)} in presentation context ${id}: ignored` });
    }
  }
  if (result === 0 && transferSyntax === null) problems.push({ offset: item.offset, reason: `presentation context ${id} is accepted without a transfer syntax` });
  if (result > 4) problems.push({ offset: item.offset, reason: `presentation context ${id} has unknown result ${result}` });
  return { id, offset: item.offset, result, resultText: presentationContextResultText(result), transferSyntax };
}

/** Presentation context IDs are odd integers 1–255, PS3.8 §9.3.2.2. */
function checkContextId(id: number, offset: number, problems: DecodeProblem[]): void {
  if (id % 2 === 0) problems.push({ offset, reason: `presentation context ID ${id} is not odd (PS3.8 §9.3.2.2)` });
}
