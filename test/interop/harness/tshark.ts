/**
 * Wireshark's DICOM dissector as an independent decoder: runs tshark on a
 * capture (`-d tcp.port==P,dicom` for every DICOM server port, command and
 * data set elements as a tree with `-o dicom.tag_tree:TRUE`, JSON output with
 * repeated keys merged into arrays) and turns its tree into AssociationFacts,
 * one per TCP stream.
 *
 * docs/architecture.md: tshark misdecodes some PDUs on very fast loopback captures with
 * retransmissions. Each stream therefore carries `trouble`: the TCP analysis
 * and DICOM expert flags tshark raised on it. A comparison should only use a
 * stream without trouble.
 */
import { runTool } from './process.ts';
import { commandName, hex16, pduTypeName } from './dimse-names.ts';
import { emptyMessage, trimValue, type AssociationFacts, type MessageFacts } from './facts.ts';

export interface TsharkStream extends AssociationFacts {
  stream: number;
  /** The SYN of the connection is in the capture (it started before the traffic). */
  sawSyn: boolean;
  /** Why tshark's decoding of this stream is not to be trusted (empty: confident). */
  trouble: string[];
}

type Json = unknown;
type Obj = Record<string, Json>;

const TROUBLE_KEYS: readonly string[] = [
  'tcp.analysis.retransmission',
  'tcp.analysis.fast_retransmission',
  'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order',
  'tcp.analysis.lost_segment',
  'tcp.analysis.ack_lost_segment',
  'tcp.analysis.reused_ports',
  '_ws.malformed',
  'dicom.pdv.len.invalid',
  'dicom.pdu_length.invalid',
  'dicom.data.tag.missing',
  'dicom.pdv.flags.invalid',
  'dicom.pdv.ctx.invalid',
  'dicom.assoc.item.len.invalid',
];

function isObj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** With --no-duplicate-keys a repeated key holds an array: treat both alike. */
function list(v: Json): Json[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function firstString(v: Json): string | undefined {
  const x = list(v)[0];
  return typeof x === 'string' ? x : undefined;
}

function num(v: Json): number | null {
  const s = firstString(v);
  if (s === undefined) return null;
  const n = s.startsWith('0x') ? parseInt(s, 16) : Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Every value stored under `key` anywhere below `v`. */
function findAll(v: Json, key: string, out: Json[] = []): Json[] {
  if (Array.isArray(v)) {
    for (const x of v) findAll(x, key, out);
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === key) out.push(...list(x));
      else findAll(x, key, out);
    }
  }
  return out;
}

function hasKey(v: Json, key: string): boolean {
  if (Array.isArray(v)) return v.some((x) => hasKey(x, key));
  if (!isObj(v)) return false;
  return Object.entries(v).some(([k, x]) => k === key || hasKey(x, key));
}

/** The PDV subtrees of one PDU: objects holding dicom.pdv.ctx. */
function pdvsOf(pdu: Obj): Obj[] {
  const out: Obj[] = [];
  for (const [k, v] of Object.entries(pdu)) {
    if (!k.startsWith('PDV')) continue;
    for (const x of list(v)) if (isObj(x) && 'dicom.pdv.ctx' in x) out.push(x);
  }
  return out;
}

/** Element tag (as number) → value, for the elements directly under a PDV. */
function elementsOf(pdv: Obj): Map<number, string> {
  const out = new Map<number, string>();
  for (const v of Object.values(pdv)) {
    for (const el of list(v)) {
      if (!isObj(el) || !('dicom.tag' in el)) continue;
      const tag = num(el['dicom.tag']);
      if (tag === null) continue;
      const value =
        firstString(el['dicom.tag.value.16u']) ??
        firstString(el['dicom.tag.value.32u']) ??
        firstString(el['dicom.tag.value.16s']) ??
        firstString(el['dicom.tag.value.32s']) ??
        firstString(el['dicom.tag.value.str']) ??
        '';
      out.set(tag, value);
    }
  }
  return out;
}

function commandFacts(el: Map<number, string>, side: 'requestor' | 'acceptor'): MessageFacts | null {
  const field = el.get(0x0000_0100);
  if (field === undefined) return null;
  const n = (tag: number): number | null => {
    const s = el.get(tag);
    if (s === undefined || s === '') return null;
    const v = Number(s);
    return Number.isFinite(v) ? v : null;
  };
  // tshark appends the UID name to UI values: "1.2.840… (CT Image Storage)".
  const uid = (tag: number): string | null => trimValue(el.get(tag)?.replace(/\s*\(.*\)\s*$/, '') ?? null);
  const msg = emptyMessage(commandName(Number(field)), side);
  msg.messageId = n(0x0000_0110);
  msg.respondsTo = n(0x0000_0120);
  const status = n(0x0000_0900);
  msg.status = status === null ? null : hex16(status);
  msg.remaining = n(0x0000_1020);
  msg.completed = n(0x0000_1021);
  msg.failed = n(0x0000_1022);
  msg.warning = n(0x0000_1023);
  msg.moveDestination = trimValue(el.get(0x0000_0600) ?? null);
  msg.moveOriginatorAe = trimValue(el.get(0x0000_1030) ?? null);
  msg.moveOriginatorId = n(0x0000_1031);
  msg.affectedSopInstance = uid(0x0000_1000);
  return msg;
}

export interface TsharkOptions {
  /** The DICOM server ports (decode-as targets; the acceptor side when no SYN was captured). */
  dicomPorts: readonly number[];
}

/** Runs tshark on `file` and returns one entry per TCP stream that carried DICOM, in stream order. */
export async function tsharkStreams(file: string, opts: TsharkOptions): Promise<TsharkStream[]> {
  const args = ['-r', file, '-n'];
  for (const p of opts.dicomPorts) args.push('-d', `tcp.port==${p},dicom`);
  args.push('-o', 'dicom.tag_tree:TRUE', '-T', 'json', '--no-duplicate-keys');
  const res = await runTool('tshark', args, { timeoutMs: 60_000 });
  const start = res.output.indexOf('[');
  if (res.code !== 0 || start < 0) throw new Error(`${res.command} failed (${res.code}):\n${res.output.slice(0, 2000)}`);
  const packets = JSON.parse(res.output.slice(start)) as Json[];
  return streamsFromPackets(packets, opts.dicomPorts);
}

export function streamsFromPackets(packets: readonly Json[], dicomPorts: readonly number[]): TsharkStream[] {
  const streams = new Map<number, TsharkStream>();
  for (const packet of packets) {
    const layers = isObj(packet) && isObj(packet._source) && isObj(packet._source.layers) ? packet._source.layers : null;
    if (!layers) continue;
    const tcp = list(layers.tcp)[0];
    if (!isObj(tcp)) continue;
    const id = num(tcp['tcp.stream']);
    const src = num(tcp['tcp.srcport']);
    const dst = num(tcp['tcp.dstport']);
    if (id === null || src === null || dst === null) continue;
    const flags = isObj(tcp['tcp.flags_tree']) ? tcp['tcp.flags_tree'] : {};
    const syn = firstString(flags['tcp.flags.syn']) === '1' && firstString(flags['tcp.flags.ack']) === '0';
    let s = streams.get(id);
    if (!s) {
      const serverIsDst = syn || dicomPorts.includes(dst);
      s = {
        stream: id,
        requestorPort: serverIsDst ? src : dst,
        acceptorPort: serverIsDst ? dst : src,
        callingAe: null,
        calledAe: null,
        pdus: [],
        messages: [],
        reject: null,
        abort: null,
        sawSyn: false,
        trouble: [],
      };
      streams.set(id, s);
    }
    if (syn) s.sawSyn = true;
    const frame = num(isObj(layers.frame) ? layers.frame['frame.number'] : undefined);
    for (const key of TROUBLE_KEYS) {
      if (hasKey(layers, key)) s.trouble.push(`frame ${frame}: ${key}`);
    }
    const side: 'requestor' | 'acceptor' = src === s.requestorPort ? 'requestor' : 'acceptor';
    for (const pdu of list(layers.dicom)) {
      if (!isObj(pdu)) continue;
      const type = num(pdu['dicom.pdu.type']);
      if (type === null) continue;
      s.pdus.push({ type: pduTypeName(type), side });
      if (type === 0x01) {
        s.calledAe = trimValue(firstString(findAll(pdu, 'dicom.assoc.ae.called')[0]));
        s.callingAe = trimValue(firstString(findAll(pdu, 'dicom.assoc.ae.calling')[0]));
      } else if (type === 0x03) {
        s.reject = {
          result: num(findAll(pdu, 'dicom.assoc.reject.result')[0]) ?? -1,
          source: num(findAll(pdu, 'dicom.assoc.reject.source')[0]) ?? -1,
          reason: num(findAll(pdu, 'dicom.assoc.reject.reason')[0]) ?? -1,
        };
      } else if (type === 0x07) {
        s.abort = {
          source: num(findAll(pdu, 'dicom.assoc.abort.source')[0]) ?? -1,
          reason: num(findAll(pdu, 'dicom.assoc.abort.reason')[0]) ?? -1,
        };
      } else if (type === 0x04) {
        for (const pdv of pdvsOf(pdu)) {
          const flagsValue = num(pdv['dicom.pdv.flags']) ?? 0;
          if ((flagsValue & 0x01) === 0 || (flagsValue & 0x02) === 0) continue; // data set, or not the last fragment
          const msg = commandFacts(elementsOf(pdv), side);
          if (msg) s.messages.push(msg);
        }
      }
    }
  }
  return [...streams.values()].filter((s) => s.pdus.length > 0).sort((a, b) => a.stream - b.stream);
}
