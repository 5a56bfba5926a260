/**
 * Compares two accounts of the same associations field by field and returns
 * readable mismatches ("a1 requestor message 2 (C-MOVE-RSP) status: pacscope
 * 0xFF00 ≠ tshark 0x0000"). Messages and PDUs are compared per sending side
 * in order, which does not depend on how a decoder interleaves the two
 * directions. A field one account does not have (undefined) is skipped.
 */
import { MESSAGE_FIELDS, type AssociationFacts, type MessageFacts } from './facts.ts';
import type { TsharkStream } from './tshark.ts';
import type { DcmtkAssociation, DcmtkMessage } from './dcmtk-log.ts';

type Side = 'requestor' | 'acceptor';
const SIDES: readonly Side[] = ['requestor', 'acceptor'];

export interface Account<T> {
  name: string;
  facts: T;
}

function show(v: unknown): string {
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

export function compareMessages(
  where: string,
  left: Account<readonly DcmtkMessage[]>,
  right: Account<readonly DcmtkMessage[]>,
  out: string[],
): void {
  for (const side of SIDES) {
    const l = left.facts.filter((m) => m.side === side);
    const r = right.facts.filter((m) => m.side === side);
    if (l.length !== r.length) {
      out.push(
        `${where}: ${side} sent ${l.length} messages per ${left.name} [${l.map((m) => m.command).join(' ')}], ` +
          `${r.length} per ${right.name} [${r.map((m) => m.command).join(' ')}]`,
      );
    }
    for (let i = 0; i < Math.min(l.length, r.length); i++) {
      for (const key of MESSAGE_FIELDS) {
        const a = (l[i] as Partial<MessageFacts>)[key];
        const b = (r[i] as Partial<MessageFacts>)[key];
        if (a === undefined || b === undefined || a === b) continue;
        out.push(`${where}: ${side} message ${i + 1} (${l[i].command}) ${key}: ${left.name} ${show(a)} ≠ ${right.name} ${show(b)}`);
      }
    }
  }
}

export function compareAssociations(where: string, left: Account<AssociationFacts>, right: Account<AssociationFacts>, out: string[]): void {
  const l = left.facts;
  const r = right.facts;
  const scalar = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${where}: ${what}: ${left.name} ${show(a)} ≠ ${right.name} ${show(b)}`);
  };
  scalar('calling AE', l.callingAe, r.callingAe);
  scalar('called AE', l.calledAe, r.calledAe);
  for (const side of SIDES) {
    scalar(
      `PDUs sent by the ${side}`,
      l.pdus.filter((p) => p.side === side).map((p) => p.type),
      r.pdus.filter((p) => p.side === side).map((p) => p.type),
    );
  }
  scalar('reject', l.reject, r.reject);
  scalar('abort', l.abort, r.abort);
  compareMessages(where, { name: left.name, facts: l.messages }, { name: right.name, facts: r.messages }, out);
}

export interface CrossCheck {
  /** Differences between the accounts: each one is a bug in pacscope, tshark or the harness. */
  mismatches: string[];
  /** Differences on streams where tshark flagged retransmissions or odd segments: reported, not failed on. */
  uncertain: string[];
  /** What could not be compared, and why. */
  notCompared: string[];
  /** Associations compared (as "requestorPort→acceptorPort"). */
  compared: string[];
}

/** tshark flags that mean its DICOM decoding itself is broken (not merely TCP trouble it usually survives). */
const DICOM_TROUBLE = /_ws\.malformed|dicom\./;

/**
 * pacscope's associations against tshark's streams. A stream where tshark
 * flagged a malformed DICOM PDU is not compared (notCompared); a stream with
 * only TCP trouble (retransmissions, out-of-order segments) is compared, but
 * its differences go to `uncertain`, since tshark is known to misdecode such
 * loopback captures (docs/architecture.md, "Tests against real peers").
 */
export function crossCheckTshark(pacscope: readonly AssociationFacts[], tshark: readonly TsharkStream[]): CrossCheck {
  const res: CrossCheck = { mismatches: [], uncertain: [], notCompared: [], compared: [] };
  const key = (f: { requestorPort: number; acceptorPort: number }) => `${f.requestorPort}→${f.acceptorPort}`;
  for (const stream of tshark) {
    const where = `association ${key(stream)}`;
    const mine = pacscope.find((p) => key(p) === key(stream));
    if (!mine) {
      res.mismatches.push(`${where}: tshark decoded it (${stream.pdus.length} PDUs), pacscope has no such association`);
      continue;
    }
    const trouble = `${stream.trouble.slice(0, 5).join(', ')}${stream.trouble.length > 5 ? ', …' : ''}`;
    if (stream.trouble.some((t) => DICOM_TROUBLE.test(t))) {
      res.notCompared.push(`${where}: tshark flagged its DICOM decoding: ${trouble}`);
      continue;
    }
    if (!stream.sawSyn) res.notCompared.push(`${where}: capture lacks the SYN (started late?)`);
    const found: string[] = [];
    compareAssociations(where, { name: 'pacscope', facts: mine }, { name: 'tshark', facts: stream }, found);
    if (stream.trouble.length > 0) {
      res.uncertain.push(...found.map((m) => `${m} (tshark saw ${trouble})`));
      if (found.length === 0) res.compared.push(`${key(stream)} (despite ${trouble})`);
    } else {
      res.mismatches.push(...found);
      res.compared.push(key(stream));
    }
  }
  for (const p of pacscope) {
    if (p.pdus.length > 0 && !tshark.some((s) => key(s) === key(p))) {
      res.mismatches.push(`association ${key(p)}: pacscope decoded ${p.pdus.length} PDUs, tshark saw no DICOM on it`);
    }
  }
  return res;
}

/** One association as seen by a DCMTK tool (its -d log) against another account of it. */
export function crossCheckDcmtk(where: string, other: Account<AssociationFacts>, dcmtk: DcmtkAssociation): string[] {
  const out: string[] = [];
  compareMessages(where, { name: other.name, facts: other.facts.messages }, { name: 'DCMTK', facts: dcmtk.messages }, out);
  const rj = other.facts.reject;
  const d = dcmtk.reject;
  if ((rj === null) !== (d === null) || (rj && d && (rj.result !== d.result || rj.source !== d.source || rj.reason !== d.reason))) {
    out.push(`${where}: reject: ${other.name} ${show(rj)} ≠ DCMTK ${show(d && { result: d.result, source: d.source, reason: d.reason })} (${d?.text ?? 'no reject logged'})`);
  }
  if (dcmtk.abort !== (other.facts.abort !== null)) out.push(`${where}: abort: ${other.name} ${show(other.facts.abort)}, DCMTK logged abort=${dcmtk.abort}`);
  return out;
}
