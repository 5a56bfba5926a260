/**
 * Writes docs/diagnosis.md, the diagnosis catalogue: every rule id of the
 * registry (shared/diagnosis/registry.ts) with what triggers it, an example
 * finding from a real capture where the repository has one, and its fix —
 * generated from the rules and the captures, never written twice.
 *
 *   node --import tsx scripts/diagnosis-catalogue.ts          write the file
 *   node --import tsx scripts/diagnosis-catalogue.ts --check  exit 1 when it is out of date
 *
 * test/unit/diagnosis/catalogue.test.ts fails when the committed file
 * differs from what this renders. The captures (test/fixtures/diagnosis/)
 * were recorded by the interop tests against real peers
 * (test/interop/diagnosis-*.test.ts); a `<file>.options.json` beside one holds
 * what the live UI knows besides the bytes (pacscope's own endpoints, the
 * doctor's associations).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWireSource } from '../server/sources/open-source.ts';
import { summarize } from '../shared/model/summarize.ts';
import { diagnose } from '../shared/diagnosis/diagnose.ts';
import { RULE_CATALOGUE, RULE_FAMILIES } from '../shared/diagnosis/registry.ts';
import { PRODUCTS } from '../shared/diagnosis/products.ts';
import type { DiagnoseOptions, Finding } from '../shared/diagnosis/types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOGUE_PATH = join(ROOT, 'docs', 'diagnosis.md');

/** The real captures, in the order their findings become examples, each with the flow it holds. Data. */
export const EXAMPLES: readonly { file: string; flow: string }[] = [
  { file: 'test/fixtures/diagnosis/dcmqrscp-wrong-called-ae.pcapng', flow: 'DCMTK echoscu calls DCMTK dcmqrscp by a called AE title it does not have' },
  { file: 'test/fixtures/diagnosis/pacs-pixelmed-unknown-caller.pcapng', flow: "PixelMed's VerificationSOPClassSCU calls pacscope's PACS (--ae-policy known) with a calling AE title it does not know" },
  { file: 'test/fixtures/diagnosis/storescp-find.pcapng', flow: 'DCMTK findscu sends a C-FIND to DCMTK storescp' },
  { file: 'test/fixtures/diagnosis/storescp-mr-only-store-ct.pcapng', flow: 'DCMTK storescu sends a CT file to a DCMTK storescp whose profile accepts MR only' },
  { file: 'test/fixtures/diagnosis/dcmqrscp-move-unknown.pcapng', flow: 'DCMTK movescu asks dcmqrscp to move a study to a destination it does not know' },
  { file: 'test/fixtures/diagnosis/dcmqrscp-move-dead.pcapng', flow: "DCMTK movescu asks dcmqrscp to move a study to a destination of its HostTable where nothing listens" },
  { file: 'test/fixtures/diagnosis/dcmqrscp-move-to-mr-only.pcapng', flow: 'DCMTK movescu asks dcmqrscp to move the CT study to a storescp that accepts MR only' },
  { file: 'test/fixtures/diagnosis/dcmqrscp-move-by-patient-id.pcapng', flow: 'DCMTK movescu asks dcmqrscp for a STUDY-level C-MOVE by PatientID only' },
  { file: 'test/fixtures/diagnosis/orthanc-move-unknown.pcapng', flow: 'DCMTK movescu asks Orthanc 1.10 to move a study to a destination not in its DicomModalities' },
  { file: 'test/fixtures/diagnosis/orthanc-find-unknown-caller.pcapng', flow: 'DCMTK findscu queries Orthanc 1.10 ("DicomAlwaysAllowFind": false) from a calling AE it does not know' },
  { file: 'test/fixtures/diagnosis/orthanc-async-move.pcapng', flow: 'DCMTK movescu moves a study from Orthanc 1.10 with "SynchronousCMove": false to DCMTK storescp' },
  { file: 'test/fixtures/diagnosis/orthanc-async-proxy-never-reached.pacscope', flow: "DCMTK movescu moves a study through pacscope's proxy from Orthanc 1.10 (\"SynchronousCMove\": false) to pacscope's store SCP, which Orthanc has at a wrong port" },
  { file: 'test/fixtures/diagnosis/orthanc-get-mr-context-only.pacscope', flow: "pacscope's SCU finds the CT study's instances on Orthanc 1.10, then C-GETs it proposing a storage context (SCP role) for MR only" },
  { file: 'test/fixtures/diagnosis/dcmqrscp-get-mr-context-only.pacscope', flow: "pacscope's SCU C-GETs the CT study from dcmqrscp proposing a storage context (SCP role) for MR only" },
  { file: 'test/fixtures/diagnosis/pacs-movescu-cancel.pcapng', flow: "DCMTK movescu --cancel 1 moves a study from pacscope's PACS (sub-operations slowed down)" },
  { file: 'test/fixtures/diagnosis/pacs-movescu-killed.pcapng', flow: "DCMTK movescu is killed while pacscope's PACS moves a study for it" },
  { file: 'test/fixtures/diagnosis/pacs-scu-side-move.pacscope', flow: "pacscope move --record against pacscope's PACS: a recording made on the SCU's side only" },
  { file: 'test/fixtures/diagnosis/bent-scp-failed-list-in-command.pcapng', flow: 'DCMTK movescu against a PACS that puts the Failed SOP Instance UID List into its C-MOVE-RSP command set (a raw-socket SCP of the tests)' },
  { file: 'test/fixtures/diagnosis/bent-scp-pdv-reserved-bits.pcapng', flow: 'DCMTK echoscu against an SCP that answers in a PDV with reserved flag bits set (a raw-socket SCP of the tests)' },
  { file: 'test/fixtures/diagnosis/doctor-probes-dcmqrscp.pacscope', flow: "pacscope's connectivity doctor probes dcmqrscp with a wrong called AE title, beside a user's clean C-ECHO" },
  { file: 'test/fixtures/diagnosis/wlmscpfs-wrong-station.pcapng', flow: 'DCMTK findscu -W queries DCMTK wlmscpfs as station "CT01", then for every CT item of the day (test/interop/worklist-dcmtk.test.ts)' },
  { file: 'test/fixtures/diagnosis/orthanc-no-worklist-no-mpps.pcapng', flow: "DCMTK findscu -W queries Orthanc 1.10 without its ModalityWorklists plugin; pacscope mpps create reports a procedure step to Orthanc (test/interop/worklist-orthanc.test.ts)" },
  { file: 'test/fixtures/diagnosis/orthanc-worklist-unknown-caller.pcapng', flow: 'DCMTK findscu -W queries Orthanc 1.10 with the ModalityWorklists plugin and "DicomAlwaysAllowFindWorklist" false, from a modality it does not know' },
  { file: 'test/fixtures/diagnosis/pacs-mpps-misconfigured.pcapng', flow: "pacscope mpps against pacscope's PACS: a procedure step left IN PROGRESS, one completed then discontinued, an N-SET of an instance never created (test/interop/worklist-mpps.test.ts)" },
  { file: 'test/fixtures/diagnosis/commitment-orthanc-scp-failures.pcapng', flow: "pacscope commit --port asks Orthanc 1.10 to commit three images, one of which it lacks; Orthanc reports on a new association (test/interop/storage-commitment.test.ts)" },
  { file: 'test/fixtures/diagnosis/commitment-orthanc-scp-no-role.pcapng', flow: 'pacscope commit --port --refuse-scp-role against Orthanc 1.10, which reports anyway' },
  { file: 'test/fixtures/diagnosis/commitment-orthanc-scp-wrong-port.pcapng', flow: "pacscope commit --port against Orthanc 1.10, whose DicomModalities entry for the SCU has a port where nothing listens" },
  { file: 'test/fixtures/diagnosis/commitment-orthanc-scu-unknown-pacs.pcapng', flow: "Orthanc 1.10's REST API asks pacscope's PACS (called ARCHIVE) for storage commitment; the PACS reports as SECONDPACS, which Orthanc does not know" },
  { file: 'test/fixtures/diagnosis/commitment-orthanc-scu-modes.pcapng', flow: "Orthanc 1.10's REST API asks pacscope's PACS for storage commitment in its report modes new, same-else-new and same (Orthanc releases at once: no report)" },
  { file: 'test/fixtures/pcap/dcmtk-refused.pcapng', flow: 'DCMTK echoscu calls a port where nothing listens' },
  { file: 'test/fixtures/pcap/dcmtk-store-mid-dataset.pcapng', flow: 'a capture of a DCMTK storescu → storescp association started in the middle of a data set' },
];

async function findingsOf(file: string): Promise<Finding[]> {
  const path = join(ROOT, file);
  const source = await openWireSource(path);
  const summary = await summarize(source.batches(), { path: file, format: source.format });
  const optionsFile = `${path}.options.json`;
  const options: DiagnoseOptions = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as DiagnoseOptions) : {};
  return diagnose(summary, options);
}

/** Markdown-safe text of a finding (it is plain text with JSON-quoted DICOM strings). */
const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');

export async function renderCatalogue(): Promise<string> {
  const examples = new Map<string, { finding: Finding; file: string; flow: string }>();
  for (const e of EXAMPLES) {
    for (const f of await findingsOf(e.file)) if (!examples.has(f.rule)) examples.set(f.rule, { finding: f, file: e.file, flow: e.flow });
  }
  const out: string[] = [
    '# The diagnosis catalogue',
    '',
    '<!-- Generated by scripts/diagnosis-catalogue.ts from shared/diagnosis/registry.ts and the captures of test/fixtures; do not edit by hand (test/unit/diagnosis/catalogue.test.ts fails when it is out of date). -->',
    '',
    'Every rule the diagnosis runs (`shared/diagnosis/`, `diagnose(summary)`; the',
    'findings of `pacscope summary --json` and of the UI\'s findings panel), in the',
    'order they run: what triggers it, an example finding from a real capture',
    'where the repository holds one (recorded by `test/interop/diagnosis-*.test.ts`',
    'against the real peer named), and its fix.',
    '',
    'A fix starts with one imperative sentence and names the values of the session',
    '(AE titles, hosts, ports, SOP classes) and the setting of the product',
    `identified, and only that one (${Object.values(PRODUCTS).map((p) => p.name).join(', ')}):`,
    'from the Implementation Class UID and Version Name of the A-ASSOCIATE-RQ/AC,',
    'the AE titles and ports, and the behaviour on the wire (`shared/diagnosis/identify.ts`;',
    'the settings in `shared/diagnosis/peer-settings.ts`). When no product is',
    'identified, the generic fix says so. Findings about pacscope\'s own probing',
    '(the connectivity doctor, scenario actors) carry `origin` `doctor` or',
    '`scenario` and are shown apart from the user\'s traffic.',
    '',
    'Regenerate: `node --import tsx scripts/diagnosis-catalogue.ts`.',
    '',
  ];
  const families = [...RULE_FAMILIES.map((f) => ({ name: f.name, rules: f.catalogue.map((r) => r.id) })), { name: 'diagnose', rules: ['diagnosis.internal-error'] }];
  for (const family of families) {
    out.push(`## ${family.name}`, '');
    for (const id of family.rules) {
      const info = RULE_CATALOGUE.find((r) => r.id === id)!;
      out.push(`### \`${id}\``, '', `Usual severity: **${info.severity}**. Triggers: ${md(info.summary)}.`, '');
      const ex = examples.get(id);
      if (!ex) {
        out.push('No example capture in the repository yet: the unit tests (`test/unit/diagnosis/`) build this case by hand, and its fix is made the same way, from the values of the session.', '');
        continue;
      }
      const f = ex.finding;
      out.push(
        `Example — \`${ex.file}\` (${md(ex.flow)}):`,
        '',
        `> **${f.severity}: ${md(f.title)}**${f.origin && f.origin !== 'user' ? ` (origin: ${f.origin})` : ''}`,
        '>',
        `> ${md(f.text)}`,
        '',
        `Fix: ${md(f.fix)}`,
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await renderCatalogue();
  if (process.argv.includes('--check')) {
    const current = existsSync(CATALOGUE_PATH) ? readFileSync(CATALOGUE_PATH, 'utf8') : '';
    if (current !== text) {
      console.error('docs/diagnosis.md is out of date: run node --import tsx scripts/diagnosis-catalogue.ts');
      process.exit(1);
    }
  } else {
    writeFileSync(CATALOGUE_PATH, text);
    console.log(`wrote ${CATALOGUE_PATH}`);
  }
}
