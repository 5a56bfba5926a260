/**
 * Modality Worklist and MPPS against Orthanc 1.10 (Debian's package ships
 * the ModalityWorklists sample plugin, /usr/share/orthanc/plugins/
 * libModalityWorklists.so, reading *.wl files from its "Worklists" →
 * "Database" folder): the synthetic worklist written by dump2dcm, queried
 * by `findscu -W` and `pacscope find -W`; Orthanc without the plugin (the
 * worklist context refused); Orthanc with the plugin but not open to
 * unknown modalities ("DicomAlwaysAllowFindWorklist" false: it aborts
 * after the query); and `pacscope mpps` against Orthanc, which has no MPPS
 * SCP. Each flow under dumpcap, read back by `pacscope summary --json`,
 * tshark agreeing, the diagnosis by cause with Orthanc's own settings.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedFlow, describeFindings, only, problems } from './diagnosis-lab.ts';
import { requireRealPeers } from './harness/lab.ts';
import { OrthancServer } from './harness/orthanc.ts';
import { REPO_ROOT } from './harness/pacscope-cli.ts';
import { writeWorklistFiles } from './harness/worklist-files.ts';
import { expectTsharkAgrees } from './worklist-lab.ts';
import { daValue, worklistItems } from '../../server/endpoints/pacs/worklist-items.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const BIN = join(REPO_ROOT, 'bin', 'pacscope.js');
const SPS = 'ScheduledProcedureStepSequence[0]';
const TODAY = daValue(new Date());
const PLUGIN = '/usr/share/orthanc/plugins/libModalityWorklists.so';

let dir = '';
let open: OrthancServer | null = null;
let closed: OrthancServer | null = null;
let plain: OrthancServer | null = null;

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-worklist-orthanc-'));
  const database = await writeWorklistFiles(join(dir, 'worklists'), 'db', worklistItems());
  await mkdir(join(dir, 'servers'), { recursive: true });
  const worklists = (always: boolean) => ({ Plugins: [PLUGIN], Worklists: { Enable: true, Database: database }, DicomAlwaysAllowFindWorklist: always });
  [open, closed, plain] = await Promise.all([
    OrthancServer.start({ parentDir: join(dir, 'servers'), extra: worklists(true) }),
    OrthancServer.start({ parentDir: join(dir, 'servers'), extra: worklists(false) }),
    OrthancServer.start({ parentDir: join(dir, 'servers') }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([open?.stop(), closed?.stop(), plain?.stop()]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

const findscu = (o: OrthancServer, keys: string[]): [string, string[]] => ['findscu', ['-W', '-aet', 'CT1', '-aec', o.aeTitle, ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(o.dicomPort)]];
const station = [`${SPS}.ScheduledStationAETitle=CT1`, `${SPS}.ScheduledProcedureStepStartDate=${TODAY}`, 'PatientName', `${SPS}.Modality`];

describe("Modality Worklist and MPPS with Orthanc 1.10's ModalityWorklists plugin", () => {
  it('findscu -W and pacscope find -W: the items of CT1 today, tshark agrees, no finding', async () => {
    const o = open!;
    const r = await capturedFlow(join(dir, 'orthanc-worklist.pcapng'), [o.dicomPort], [
      findscu(o, station),
      [process.execPath, [BIN, 'find', '-W', '--aet', 'CT1', '--aec', o.aeTitle, ...station.slice(0, 2).flatMap((k) => ['-k', k]), '127.0.0.1', String(o.dicomPort)]],
    ]);
    expect(r.tools.map((t) => t.code), r.tools.map((t) => t.output.slice(-600)).join('\n')).toEqual([0, 0]);
    const names = r.summary.messages.filter((m) => m.commandField === CommandField.CFindRsp && m.status === 0xff00).map((m) => m.identifier?.PatientName);
    expect(names.sort()).toEqual(['ADAMS^ANNA', 'ADAMS^ANNA', 'NÚÑEZ^JOSÉ', 'NÚÑEZ^JOSÉ']);
    expect(problems(r.findings), describeFindings(r.findings)).toEqual([]);
    expect(await expectTsharkAgrees(r.file, [o.dicomPort], r.summary)).toBe(2);
  });

  it('Orthanc without the plugin refuses the worklist context; pacscope mpps finds no MPPS SCP: both diagnosed with Orthanc’s settings', async () => {
    const r = await capturedFlow(join(dir, 'orthanc-no-worklist.pcapng'), [plain!.dicomPort, open!.dicomPort], [
      findscu(plain!, station),
      [process.execPath, [BIN, 'mpps', 'create', '--aet', 'CT1', '--aec', open!.aeTitle, '127.0.0.1', String(open!.dicomPort)]],
    ]);
    expect(r.tools.map((t) => t.code)).toEqual([expect.any(Number), 6]);
    expect(r.tools[0].code).not.toBe(0);
    expect(r.tools[1].output).toContain('presentation context for 1.2.840.10008.3.1.2.3.3 not accepted: abstract-syntax-not-supported');
    const wl = only(r.findings, 'worklist.not-supported');
    expect(wl.fix).toContain(`Orthanc: "Plugins": ["${PLUGIN}"] and "Worklists": {"Enable": true`);
    const mpps = only(r.findings, 'mpps.not-supported');
    expect(mpps.fix).toContain('Orthanc: nothing: Orthanc 1.10 has no MPPS SCP');
    expect(problems(r.findings).map((f) => f.rule).sort(), describeFindings(r.findings)).toEqual(['mpps.not-supported', 'worklist.not-supported']);
    await expectTsharkAgrees(r.file, [plain!.dicomPort, open!.dicomPort], r.summary);
  });

  it('the plugin closed to unknown modalities: Orthanc aborts after the worklist query', async () => {
    const r = await capturedFlow(join(dir, 'orthanc-worklist-unknown-caller.pcapng'), [closed!.dicomPort], [findscu(closed!, station)]);
    expect(r.summary.associations[0]).toMatchObject({ outcome: 'aborted', abort: { by: 'acceptor' } });
    const f = only(r.findings, 'worklist.caller-refused');
    expect(f.title).toBe('"ORTHANC" aborted the worklist query of "CT1" without answering it');
    expect(f.fix).toContain('Orthanc: "DicomAlwaysAllowFindWorklist": true in orthanc.json, or "AllowFindWorklist": true in the DicomModalities entry of "CT1"');
    expect(problems(r.findings).map((x) => x.rule), describeFindings(r.findings)).toEqual(['worklist.caller-refused']);
    await expectTsharkAgrees(r.file, [closed!.dicomPort], r.summary);
  });
});
