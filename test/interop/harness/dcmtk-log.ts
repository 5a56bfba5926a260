/**
 * Reads DCMTK's own account of an exchange from its `-d` (debug) log: the
 * DIMSE dumps between "===== INCOMING|OUTGOING DIMSE MESSAGE =====" and
 * "===== END DIMSE MESSAGE =====", echoscu's one-line request/response notes,
 * and "Association Rejected" / "Association Aborted" lines.
 *
 * Only what DCMTK printed is filled in: a field it did not print is
 * `undefined`, so comparisons skip it (a "none" counter is null: printed as
 * absent).
 */
import { hex16 } from './dimse-names.ts';
import type { MessageFacts } from './facts.ts';

export type DcmtkMessage = Partial<MessageFacts> & Pick<MessageFacts, 'command' | 'side'>;

export interface DcmtkAssociation {
  /** Messages in the order DCMTK logged them. */
  messages: DcmtkMessage[];
  reject: { result: number; source: number; reason: number; text: string } | null;
  abort: boolean;
  released: boolean;
}

const REJECT_RESULTS: [RegExp, number][] = [
  [/permanent/i, 1],
  [/transient/i, 2],
];
const REJECT_SOURCES: [RegExp, number][] = [
  [/service user/i, 1],
  [/acse/i, 2],
  [/presentation/i, 3],
];
/** PS3.8 Table 9-21, reason by source, as DCMTK words them. */
const REJECT_REASONS: [RegExp, number, number][] = [
  [/no reason/i, 1, 1],
  [/app.*context/i, 1, 2],
  [/calling ae/i, 1, 3],
  [/called ae/i, 1, 7],
  [/no reason/i, 2, 1],
  [/protocol version/i, 2, 2],
  [/temporary congestion/i, 3, 1],
  [/local limit/i, 3, 2],
];

function lookup(table: [RegExp, number][], text: string): number {
  return table.find(([re]) => re.test(text))?.[1] ?? -1;
}

/** "Rest of the line" after the fixed-width label of a DIMSE dump line. */
function field(line: string): [string, string] | null {
  const m = /^[A-Z]: (\S.*?)\s+: (.*)$/.exec(line);
  return m ? [m[1], m[2].trim()] : null;
}

function counter(value: string): number | null {
  if (value === 'none') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function parseBlock(lines: string[], incoming: boolean, ownSide: 'requestor' | 'acceptor'): DcmtkMessage | null {
  const f = new Map<string, string>();
  for (const line of lines) {
    const kv = field(line);
    if (kv) f.set(kv[0], kv[1]);
  }
  const type = f.get('Message Type');
  if (!type) return null;
  const other = ownSide === 'requestor' ? 'acceptor' : 'requestor';
  const msg: DcmtkMessage = { command: type.replace(/ /g, '-'), side: incoming ? other : ownSide };
  const id = f.get('Message ID');
  if (id !== undefined) msg.messageId = Number(id);
  const rsp = f.get('Message ID Being Responded To');
  if (rsp !== undefined) msg.respondsTo = Number(rsp);
  const status = f.get('DIMSE Status');
  if (status !== undefined) {
    const m = /^0x([0-9a-f]{4})/i.exec(status);
    msg.status = m ? hex16(parseInt(m[1], 16)) : status;
  }
  const counters: [string, 'remaining' | 'completed' | 'failed' | 'warning'][] = [
    ['Remaining Suboperations', 'remaining'],
    ['Completed Suboperations', 'completed'],
    ['Failed Suboperations', 'failed'],
    ['Warning Suboperations', 'warning'],
  ];
  for (const [label, key] of counters) {
    const v = f.get(label);
    if (v !== undefined) msg[key] = counter(v);
  }
  const dest = f.get('Move Destination');
  if (dest !== undefined) msg.moveDestination = dest;
  const origAe = f.get('Move Originator AE Title');
  if (origAe !== undefined) msg.moveOriginatorAe = origAe;
  const origId = f.get('Move Originator ID');
  if (origId !== undefined) msg.moveOriginatorId = Number(origId);
  const inst = f.get('Affected SOP Instance UID');
  if (inst !== undefined) msg.affectedSopInstance = inst;
  return msg;
}

/**
 * Splits a DCMTK `-d` log into associations. `ownSide` is the side the tool
 * played (requestor for the SCUs, acceptor for storescp).
 */
export function parseDcmtkLog(log: string, ownSide: 'requestor' | 'acceptor'): DcmtkAssociation[] {
  const out: DcmtkAssociation[] = [];
  let cur: DcmtkAssociation | null = null;
  const begin = (): DcmtkAssociation => {
    cur = { messages: [], reject: null, abort: false, released: false };
    out.push(cur);
    return cur;
  };
  const current = (): DcmtkAssociation => cur ?? begin();
  const lines = log.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^I: Requesting Association$/.test(line) || /^I: Association Received\b/.test(line)) {
      begin();
      continue;
    }
    const block = /^[A-Z]: =+ (INCOMING|OUTGOING) DIMSE MESSAGE =+$/.exec(line);
    if (block) {
      const body: string[] = [];
      for (i++; i < lines.length && !/END DIMSE MESSAGE/.test(lines[i]); i++) body.push(lines[i]);
      const msg = parseBlock(body, block[1] === 'INCOMING', ownSide);
      if (msg) current().messages.push(msg);
      continue;
    }
    // echoscu logs no DIMSE dump, only these notes.
    const echoRq = /^I: Sending Echo Request \(MsgID (\d+)\)/.exec(line);
    if (echoRq) {
      current().messages.push({ command: 'C-ECHO-RQ', side: ownSide, messageId: Number(echoRq[1]) });
      continue;
    }
    const echoRsp = /^I: Received Echo Response \((.*)\)/.exec(line);
    if (echoRsp) {
      const msg: DcmtkMessage = { command: 'C-ECHO-RSP', side: ownSide === 'requestor' ? 'acceptor' : 'requestor' };
      if (echoRsp[1] === 'Success') msg.status = '0x0000';
      current().messages.push(msg);
      continue;
    }
    if (/^[A-Z]: Association Rejected:?$/.test(line)) {
      const result = /Result: (.*?), Source: (.*)$/.exec(lines[i + 1] ?? '');
      const reason = /Reason: (.*)$/.exec(lines[i + 2] ?? '');
      const source = result ? lookup(REJECT_SOURCES, result[2]) : -1;
      const reasonText = reason?.[1] ?? '';
      current().reject = {
        result: result ? lookup(REJECT_RESULTS, result[1]) : -1,
        source,
        reason: REJECT_REASONS.find(([re, src]) => src === source && re.test(reasonText))?.[2] ?? -1,
        text: [result?.[0], reason?.[0]].filter(Boolean).join('; '),
      };
      continue;
    }
    if (/Association Aborted|Aborting Association/i.test(line)) current().abort = true;
    if (/^I: (Releasing Association|Association Release)$/.test(line)) current().released = true;
  }
  return out;
}
