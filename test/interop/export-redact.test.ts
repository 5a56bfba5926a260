/**
 * `pacscope export` on a real capture: DCMTK storescu, findscu and movescu
 * against dcmqrscp (which forwards the moved instances to storescp), captured
 * with dumpcap in one pcapng. The instances carry the fixtures' names (the MR
 * patient MÜLLER^JÜRGEN in ISO_IR 100) plus one made here with an
 * institution, physicians, an address, free text, a private group and a
 * sequence. Checked:
 *
 * - `export --pcapng`: tshark decodes the export into the same DIMSE sequence
 *   (commands, message IDs, statuses, counters) as pacscope's summary of the
 *   capture, and as tshark's own decoding of the capture;
 * - `export --redact` to a recording and a pcapng: no original personal value
 *   (names in Latin-1 and UTF-8 bytes, IDs, birth date, accession numbers,
 *   institution, physicians, free text, original UIDs) is left in either
 *   file's bytes; `pacscope summary` of the redacted recording has every
 *   association, message and link with no error; tshark decodes the redacted
 *   pcapng into the same DIMSE sequence;
 * - `--redact-network`: AE titles and addresses gone, links still found;
 * - bad input: one-line errors.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../shared/model/summary-types.ts';
import { STUDIES, MR_IMAGE_STORAGE } from '../fixtures/dicom/generate.ts';
import { Capture } from './harness/capture.ts';
import { crossCheckTshark } from './harness/compare.ts';
import { MESSAGE_FIELDS, type AssociationFacts } from './harness/facts.ts';
import { InteropLab, QR_AE, SCU_AE, STORE_AE } from './harness/lab.ts';
import { associationFacts, pacscopeSummary, REPO_ROOT } from './harness/pacscope-cli.ts';
import { runTool, type ToolResult } from './harness/process.ts';
import { tsharkStreams, type TsharkStream } from './harness/tshark.ts';
import { exportCommand } from '../../server/cli/export.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
const lab = new InteropLab();
const MR = STUDIES[1];
const EXTRA_UID = `${MR.studyInstanceUid}.2.1`;
const SALT = 'interop-salt';

/** A Latin-1 dump (dump2dcm) of an MR instance with what the fixtures lack: institution, physicians, free text, address, private data, a sequence. */
const EXTRA_DUMP = [
  '(0002,0010) UI [1.2.840.10008.1.2.1]',
  '(0008,0005) CS [ISO_IR 100]',
  `(0008,0016) UI [${MR_IMAGE_STORAGE}]`,
  `(0008,0018) UI [${EXTRA_UID}]`,
  `(0008,0020) DA [${MR.studyDate}]`,
  `(0008,0050) SH [${MR.accessionNumber}]`,
  '(0008,0060) CS [MR]',
  '(0008,0080) LO [Klinikum Sankt Jürgen]',
  '(0008,0090) PN [REFERRING^DOCTOR]',
  '(0008,1030) LO [Knie von Herrn Müller]',
  '(0008,1050) PN [PERFORMER^PAULA]',
  '(0008,1110) SQ (Sequence with undefined length #=1)',
  '(fffe,e000) na (Item with undefined length #=2)',
  '(0008,1150) UI [1.2.840.10008.3.1.2.3.1]',
  `(0008,1155) UI [${MR.studyInstanceUid}.77]`,
  '(fffe,e00d) na (ItemDelimitationItem)',
  '(fffe,e0dd) na (SequenceDelimitationItem)',
  `(0010,0010) PN [${MR.patientName}]`,
  `(0010,0020) LO [${MR.patientId}]`,
  '(0010,0030) DA [19700101]',
  '(0010,1040) LO [Hauptstraße 1, Jürgenstadt]',
  '(0010,4000) LT [Patient Müller asked for a copy]',
  '(0019,0010) LO [ACME 1.0]',
  `(0019,1001) LO [private ${MR.patientId} Müller]`,
  `(0020,000d) UI [${MR.studyInstanceUid}]`,
  `(0020,000e) UI [${MR.studyInstanceUid}.2]`,
  '(0020,0013) IS [1]',
  '(0028,0002) US 1',
  '(0028,0004) CS [MONOCHROME2]',
  '(0028,0010) US 2',
  '(0028,0011) US 2',
  '(0028,0100) US 16',
  '(0028,0101) US 12',
  '(0028,0102) US 11',
  '(0028,0103) US 0',
  '(7fe0,0010) OW 0001\\0002\\0003\\0004',
].join('\n');

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8 = (s: string) => Buffer.from(s, 'utf8');

let capture = '';
const out = (name: string) => join(lab.dir, name);

async function pacscope(...args: string[]): Promise<ToolResult> {
  return runTool(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, timeoutMs: 60_000, encoding: 'utf8' });
}

async function exportOk(...args: string[]): Promise<void> {
  const r = await pacscope('export', capture, ...args);
  expect(r.code, r.output).toBe(0);
  // A whole capture of well-formed traffic: nothing to report, nothing left out.
  expect(r.output).not.toMatch(/pacscope export:/);
}

function memo<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= f());
}

/** The DIMSE sequence as compared: per association (by ports) and side, every command field but the mapped UIDs. */
function dimse(facts: readonly AssociationFacts[], keep: readonly string[] = MESSAGE_FIELDS.filter((f) => f !== 'affectedSopInstance')): string[] {
  return facts.flatMap((a) => a.messages.map((m) => `${a.requestorPort}→${a.acceptorPort} ${keep.map((k) => JSON.stringify(m[k as keyof typeof m])).join(' ')}`));
}
const factsOf = (s: Summary) => s.associations.map((a) => associationFacts(s, a));
const tsharkOf = (file: string): Promise<TsharkStream[]> => tsharkStreams(file, { dicomPorts: [lab.qrPort, lab.storePort] });

beforeAll(async () => {
  await lab.start();
  const dump = join(lab.dir, 'extra.dump');
  await writeFile(dump, latin1(EXTRA_DUMP));
  const extra = join(lab.dir, 'extra.dcm');
  const made = await runTool('dump2dcm', ['-q', '+te', dump, extra]);
  if (made.code !== 0) throw new Error(`dump2dcm failed:\n${made.output}`);
  capture = join(lab.dir, 'flows.pcapng');
  const cap = await Capture.start(capture, [lab.qrPort, lab.storePort]);
  try {
    const steps: [string, string[]][] = [
      ['storescu', [...lab.client(), ...lab.peer, ...lab.instances.map((x) => x.file), extra]],
      // prettier-ignore
      ['findscu', [...lab.client(), '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'SpecificCharacterSet=ISO_IR 100', '-k', 'PatientID=PSC*', '-k', 'PatientName', '-k', 'PatientBirthDate', '-k', 'StudyDate', '-k', 'StudyInstanceUID', '-k', 'AccessionNumber', '-k', 'ReferringPhysicianName', ...lab.peer]],
      ['movescu', [...lab.client(), '-S', '-aem', STORE_AE, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${MR.studyInstanceUid}`, ...lab.peer]],
    ];
    for (const [tool, args] of steps) {
      const r = await runTool(tool, args, { cwd: lab.dir, timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`${tool} failed:\n${r.output.slice(-3000)}`);
    }
  } finally {
    await cap.stop();
  }
  await exportOk('--pcapng', out('plain.pcapng'));
  await exportOk('--redact', '--salt', SALT, '--recording', out('redacted.pacscope'), '--pcapng', out('redacted.pcapng'));
  await exportOk('--redact-network', '--salt', SALT, '--recording', out('network.pacscope'));
}, 120_000);

afterAll(async () => {
  await lab.stop();
});

const original = memo(() => pacscopeSummary(capture));
const redacted = memo(() => pacscopeSummary(out('redacted.pacscope')));

describe('pacscope export of a real DCMTK capture', () => {
  it('--pcapng: tshark decodes the same DIMSE sequence as pacscope and as tshark on the capture', async () => {
    const s = await original();
    expect(s.errors).toEqual([]);
    expect(s.messages.filter((m) => m.commandField === CommandField.CStoreRq)).toHaveLength(lab.instances.length + 1 + 3); // stored, then moved (the MR study)
    const exported = await tsharkOf(out('plain.pcapng'));
    const check = crossCheckTshark(factsOf(s), exported);
    expect(check.mismatches).toEqual([]);
    expect(check.notCompared).toEqual([]);
    expect(check.compared).toHaveLength(s.associations.length);
    expect(dimse(exported, MESSAGE_FIELDS)).toEqual(dimse(await tsharkOf(capture), MESSAGE_FIELDS));
  });

  it('--redact: no original personal value is left in the recording or the pcapng', async () => {
    // Each value with the byte forms it may take: a name in Latin-1 (as sent) and in UTF-8 (as a decoder would re-encode it).
    const values: Buffer[][] = [];
    const text = (...v: string[]) => values.push(v.flatMap((x) => [latin1(x), utf8(x)]));
    for (const st of STUDIES) text(st.patientId, st.accessionNumber, st.studyInstanceUid, st.patientName);
    for (const x of lab.instances) text(x.sopInstanceUid, x.seriesInstanceUid);
    text(EXTRA_UID, `${MR.studyInstanceUid}.77`, '19700101', 'REFERRING^DOCTOR', 'PERFORMER^PAULA', 'ACME', '20240115', '20240220');
    for (const v of ['MÜLLER', 'JÜRGEN', 'Müller', 'Klinikum Sankt Jürgen', 'Hauptstraße', 'Jürgenstadt', 'asked for a copy']) text(v);
    const originalBytes = await readFile(capture);
    // The check can see them: each value crossed the wire in one of its forms.
    expect(values.filter((forms) => !forms.some((f) => originalBytes.includes(f))).map(String)).toEqual([]);
    for (const file of ['redacted.pacscope', 'redacted.pcapng']) {
      const bytes = await readFile(out(file));
      const found = values.flat().filter((v) => bytes.includes(v)).map(String);
      expect(found, file).toEqual([]);
    }
  });

  it('--redact: the summary of the recording has every association, message and link, and no error', async () => {
    const [o, r] = [await original(), await redacted()];
    expect(r.errors).toEqual([]);
    const shape = (s: Summary) => s.associations.map((a) => [a.id, a.requestor.ae, a.acceptor.ae, a.requestor.port, a.acceptor.port, a.outcome, a.cause]);
    expect(shape(r)).toEqual(shape(o));
    expect(r.associations.some((a) => a.cause?.relation === 'c-move' && a.cause.evidence === 'move-originator')).toBe(true);
    expect(dimse(factsOf(r))).toEqual(dimse(factsOf(o)));
    expect(r.messages.map((m) => [m.request, m.cause])).toEqual(o.messages.map((m) => [m.request, m.cause]));
    // The same instance has the same new UID in the command, the data set and the other association.
    const stores = r.messages.filter((m) => m.commandField === CommandField.CStoreRq);
    for (const m of stores) expect(m.identifier?.SOPInstanceUID).toBe(m.affectedSopInstance);
    const found = r.messages.filter((m) => m.commandField === CommandField.CFindRsp && m.identifier).map((m) => m.identifier!);
    const moved = stores.filter((m) => m.association !== stores[0].association);
    expect(moved.every((m) => found.some((f) => f.StudyInstanceUID === m.identifier?.StudyInstanceUID && f.PatientName === m.identifier?.PatientName && f.PatientID === m.identifier?.PatientID))).toBe(true);
    const meta = JSON.parse((await pacscope('summary', out('redacted.pacscope'), '--json')).output).source;
    expect(meta.format).toBe('recording');
  });

  it('--redact: tshark decodes the redacted pcapng into the same DIMSE sequence', async () => {
    const [r, streams] = [await redacted(), await tsharkOf(out('redacted.pcapng'))];
    const check = crossCheckTshark(factsOf(r), streams);
    expect(check.mismatches).toEqual([]);
    expect(check.notCompared).toEqual([]);
    expect(dimse(streams)).toEqual(dimse(await tsharkOf(capture)));
    // pacscope reads its own pcapng export back as the recording.
    expect(dimse(factsOf(await pacscopeSummary(out('redacted.pcapng'))))).toEqual(dimse(factsOf(r)));
  });

  it('--redact-network: AE titles and addresses replaced, links still found', async () => {
    const [o, n] = [await original(), await pacscopeSummary(out('network.pacscope'))];
    expect(n.errors).toEqual([]);
    expect(n.associations.map((a) => a.cause === null)).toEqual(o.associations.map((a) => a.cause === null));
    const bytes = await readFile(out('network.pacscope'));
    for (const v of [SCU_AE, QR_AE, STORE_AE, '127.0.0.1', `"port":${lab.qrPort}`]) expect(bytes.includes(v), v).toBe(false);
    const keep = ['command', 'side', 'messageId', 'respondsTo', 'status', 'remaining', 'completed', 'failed', 'warning'];
    const bySide = (s: Summary) => factsOf(s).flatMap((a) => a.messages.map((m) => keep.map((k) => JSON.stringify(m[k as keyof typeof m])).join(' ')));
    expect(bySide(n)).toEqual(bySide(o));
  });

  it('refuses bad input with a one-line message', async () => {
    const r = await pacscope('export', join(lab.dir, 'missing.pcapng'), '--pcapng', out('x.pcapng'));
    expect([r.code, r.output.trim()]).toEqual([1, `pacscope export: ${join(lab.dir, 'missing.pcapng')}: no such file`]);
    // The other refusals in-process (the same messages main.ts prints): starting node for each costs seconds.
    const cases: [string[], RegExp][] = [
      [[join(lab.dir, 'extra.dump'), '--pcapng', out('x.pcapng')], /not a pacscope recording, pcap or pcapng/],
      [[capture, '--pcapng', out('plain.pcapng')], /plain\.pcapng: exists \(use --overwrite to replace it\)$/],
      [[capture], /^nothing to write/],
      [[capture, '--recording', out('y.pacscope'), '--salt', 'x'], /only apply with --redact/],
      [[capture, '--redact', '--date-shift', 'ten', '--recording', out('y.pacscope')], /not a whole number of days/],
      [[capture, '--recording', capture, '--overwrite'], /is the input file/],
    ];
    for (const [args, message] of cases) await expect(exportCommand(args)).rejects.toThrow(message);
  });
});
