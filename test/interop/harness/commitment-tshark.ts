/**
 * Wireshark's account of storage commitment (PS3.4 J.3), independent of
 * pacscope's decoding: per TCP stream, the Action Type ID (0000,1008) and
 * Event Type ID (0000,1002) of the command sets, and the Transaction UID
 * (0008,1195) and Failure Reasons (0008,1197) of the data sets, in order —
 * read from tshark's DICOM tree (`-o dicom.tag_tree:TRUE -T json`), as
 * harness/tshark.ts reads the command elements it compares.
 */
import { runTool } from './process.ts';

export interface CommitmentStream {
  stream: number;
  requestorPort: number;
  acceptorPort: number;
  actionTypes: number[];
  eventTypes: number[];
  transactionUids: string[];
  failureReasons: number[];
}

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: Json): Json[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const str = (v: Json): string | undefined => {
  const x = list(v)[0];
  return typeof x === 'string' ? x : undefined;
};

/** Every element object (one holding dicom.tag) below `v`, in document order. */
function elements(v: Json, out: Obj[] = []): Obj[] {
  if (Array.isArray(v)) for (const x of v) elements(x, out);
  else if (isObj(v)) {
    if ('dicom.tag' in v) out.push(v);
    for (const x of Object.values(v)) elements(x, out);
  }
  return out;
}

/** tshark's JSON packets of `file` (DICOM decoded on `dicomPorts`, the tag tree on), as harness/tshark.ts runs it: one run for both readings. */
export async function tsharkPackets(file: string, dicomPorts: readonly number[]): Promise<Json[]> {
  const args = ['-r', file, '-n'];
  for (const p of dicomPorts) args.push('-d', `tcp.port==${p},dicom`);
  args.push('-o', 'dicom.tag_tree:TRUE', '-T', 'json', '--no-duplicate-keys');
  const res = await runTool('tshark', args, { timeoutMs: 60_000 });
  const start = res.output.indexOf('[');
  if (res.code !== 0 || start < 0) throw new Error(`${res.command} failed (${res.code}):\n${res.output.slice(0, 2000)}`);
  return JSON.parse(res.output.slice(start)) as Json[];
}

export function commitmentFromPackets(packets: readonly Json[], dicomPorts: readonly number[]): CommitmentStream[] {
  const streams = new Map<number, CommitmentStream>();
  for (const packet of packets) {
    const layers = isObj(packet) && isObj(packet._source) && isObj(packet._source.layers) ? packet._source.layers : null;
    const tcp = layers ? list(layers.tcp)[0] : null;
    if (!layers || !isObj(tcp)) continue;
    const id = Number(str(tcp['tcp.stream']));
    const src = Number(str(tcp['tcp.srcport']));
    const dst = Number(str(tcp['tcp.dstport']));
    let s = streams.get(id);
    if (!s) {
      const serverIsDst = dicomPorts.includes(dst);
      s = { stream: id, requestorPort: serverIsDst ? src : dst, acceptorPort: serverIsDst ? dst : src, actionTypes: [], eventTypes: [], transactionUids: [], failureReasons: [] };
      streams.set(id, s);
    }
    for (const el of elements(layers.dicom)) {
      const tag = parseInt(str(el['dicom.tag']) ?? '', 16);
      const n = Number(str(el['dicom.tag.value.16u']));
      if (tag === 0x00001008) s.actionTypes.push(n);
      else if (tag === 0x00001002) s.eventTypes.push(n);
      else if (tag === 0x00081197) s.failureReasons.push(n);
      else if (tag === 0x00081195) s.transactionUids.push((str(el['dicom.tag.value.str']) ?? '').replace(/\s*\(.*\)\s*$/, '').replace(/[\0 ]+$/, ''));
    }
  }
  return [...streams.values()].sort((a, b) => a.stream - b.stream);
}
