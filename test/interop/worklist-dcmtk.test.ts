/**
 * Modality Worklist with real DCMTK peers (PS3.4 K.4): `wlmscpfs` serving
 * the synthetic worklist as dump2dcm files (AE WLMSCP: today CT1 ADAMS and
 * NÚÑEZ, MR1 BECK; tomorrow CT1 CLARK), queried by `findscu -W` and by
 * `pacscope find -W`; `findscu -W` against pacscope's built-in PACS; and
 * `findscu -W` against `storescp`, which serves no worklist. Each flow runs
 * under dumpcap; `pacscope summary --json` of the capture decodes the
 * queries (the Scheduled Procedure Step Sequence as a list of items) and
 * the matches, tshark agrees on every command and status, pacscope's own
 * recording (--record) and its live model decode the same traffic the same
 * way, and the diagnosis finds the misconfigurations by cause with the real
 * values — and nothing on the healthy flows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedFlow, describeFindings, only, problems } from './diagnosis-lab.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts } from './harness/net.ts';
import { StoreScp } from './harness/peers.ts';
import type { RunningProcess } from './harness/process.ts';
import { REPO_ROOT, pacscopeSummary } from './harness/pacscope-cli.ts';
import { startLab, type PacsLab } from './pacs-lab.ts';
import { WLM_AE, decodedView, expectTsharkAgrees, startWlmscpfs } from './worklist-lab.ts';
import { daValue } from '../../server/endpoints/pacs/worklist-items.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { MODALITY_WORKLIST_FIND } from '../../shared/dicom/worklist-mpps.ts';
import type { Summary } from '../../shared/model/summary-types.ts';

const BIN = join(REPO_ROOT, 'bin', 'pacscope.js');
const SPS = 'ScheduledProcedureStepSequence[0]';
const TODAY = daValue(new Date());

let dir = '';
let wlmPort = 0;
let storePort = 0;
let wlm: RunningProcess | null = null;
let store: StoreScp | null = null;
let lab: PacsLab | null = null;

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-worklist-dcmtk-'));
  [wlmPort, storePort] = await freePorts(2);
  [wlm, store, lab] = await Promise.all([startWlmscpfs(dir, wlmPort), StoreScp.start({ port: storePort, aeTitle: 'STORESCP', outDir: join(dir, 'store') }), startLab({ dir: join(dir, 'pacs') })]);
}, 30_000);

afterAll(async () => {
  await Promise.allSettled([wlm?.stop(), store?.stop(), lab?.stop(false)]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

const findscu = (aet: string, aec: string, port: number, keys: string[]): [string, string[]] => ['findscu', ['-W', '-aet', aet, '-aec', aec, ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(port)]];
/** Return keys (after the matching keys: a later -k of the same key would replace its value). */
const RETURN_KEYS = ['PatientName', 'PatientID', 'AccessionNumber', `${SPS}.Modality`, `${SPS}.ScheduledProcedureStepStartTime`, `${SPS}.ScheduledProcedureStepID`];

/** The worklist queries of a summary: per C-FIND-RQ, the patient names of its matches and its final status. */
function queries(s: Summary): { station: unknown; names: unknown[]; final: number | null }[] {
  return s.messages
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => m.commandField === CommandField.CFindRq && m.affectedSopClass === MODALITY_WORKLIST_FIND)
    .map(({ m, i }) => {
      const rsps = s.messages.filter((r) => r.request === i);
      return {
        station: (m.identifier?.ScheduledProcedureStepSequence as Record<string, unknown>[] | undefined)?.[0]?.ScheduledStationAETitle,
        names: rsps.filter((r) => r.status === 0xff00).map((r) => r.identifier?.PatientName),
        final: rsps.find((r) => r.status !== 0xff00)?.status ?? null,
      };
    });
}

describe('Modality Worklist with DCMTK wlmscpfs, findscu -W and the built-in PACS', () => {
  it('findscu -W and pacscope find -W query wlmscpfs: items decoded with their sequence, tshark agrees, the recording decodes the same, no finding', async () => {
    const rec = join(dir, 'pacscope-find.pacscope');
    const keys = [`${SPS}.ScheduledStationAETitle=CT1`, `${SPS}.ScheduledProcedureStepStartDate=${TODAY}`];
    const r = await capturedFlow(join(dir, 'wlm-healthy.pcapng'), [wlmPort], [
      findscu('CT1', WLM_AE, wlmPort, [...keys, ...RETURN_KEYS]),
      [process.execPath, [BIN, 'find', '-W', '--aet', 'PSCT1', '--aec', WLM_AE, '--record', rec, ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(wlmPort)]],
    ]);
    expect(r.tools.map((t) => t.code), r.tools.map((t) => t.output.slice(-600)).join('\n')).toEqual([0, 0]);
    expect(r.tools[1].output).toMatch(/^find: success 0x0000 .*; 2 worklist item\(s\)$/m);
    expect(r.tools[1].output).toContain(`ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1`);
    expect(r.summary.errors).toEqual([]);
    // wlmscpfs answers in the order of its directory listing.
    expect(queries(r.summary).map((q) => ({ ...q, names: [...q.names].sort() }))).toEqual([
      { station: 'CT1', names: ['ADAMS^ANNA', 'NÚÑEZ^JOSÉ'], final: 0 },
      { station: 'CT1', names: ['ADAMS^ANNA', 'NÚÑEZ^JOSÉ'], final: 0 },
    ]);
    const match = r.summary.messages.find((m) => m.status === 0xff00 && m.identifier?.PatientID === 'PSC-1001')!;
    expect(match.identifier?.ScheduledProcedureStepSequence).toEqual([expect.objectContaining({ Modality: 'CT', ScheduledProcedureStepStartDate: TODAY, ScheduledProcedureStepStartTime: '080000', ScheduledProcedureStepID: 'SPS2001' })]);
    expect(problems(r.findings), describeFindings(r.findings)).toEqual([]);
    expect(await expectTsharkAgrees(r.file, [wlmPort], r.summary)).toBe(2);
    expect(decodedView(await pacscopeSummary(rec), ['PSCT1'])).toEqual(decodedView(r.summary, ['PSCT1']));
  });

  it('a station configured as CT01: no item; the diagnosis names the key, "CT01", and "CT1" the items are scheduled for, with findscu and wlmscpfs fixes', async () => {
    const r = await capturedFlow(join(dir, 'wlm-wrong-station.pcapng'), [wlmPort], [
      findscu('CT01', WLM_AE, wlmPort, [`${SPS}.ScheduledStationAETitle=CT01`, `${SPS}.ScheduledProcedureStepStartDate=${TODAY}`, ...RETURN_KEYS]),
      findscu('CT01', WLM_AE, wlmPort, [`${SPS}.ScheduledStationAETitle`, `${SPS}.Modality=CT`, `${SPS}.ScheduledProcedureStepStartDate=${TODAY}`, 'PatientName']),
    ]);
    expect(queries(r.summary).map((q) => [q.names.length, q.final])).toEqual([[0, 0], [2, 0]]);
    const f = only(r.findings, 'worklist.no-match');
    expect(f.severity).toBe('warning');
    expect(f.title).toBe('The worklist query of "CT01" found nothing: ScheduledStationAETitle "CT01" left out 2 item(s) scheduled for "CT1"');
    expect(f.fix).toContain('DCMTK tools: findscu -W -k "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1"');
    expect(f.fix).toContain('DCMTK wlmscpfs: ScheduledStationAETitle (0040,0001) "CT01" in the worklist files');
    expect(problems(r.findings)).toHaveLength(1);
    await expectTsharkAgrees(r.file, [wlmPort], r.summary);
  });

  it('findscu -W against the built-in PACS: the capture and the PACS’s live model decode the same, tshark agrees; a day behind is found by its date', async () => {
    const port = lab!.pacs.port;
    const yesterday = daValue(new Date(Date.now() - 86_400_000));
    const r = await capturedFlow(join(dir, 'pacs-findscu.pcapng'), [port], [
      findscu('CT1', 'PACSCOPE', port, [`${SPS}.ScheduledStationAETitle=CT1`, `${SPS}.ScheduledProcedureStepStartDate=${TODAY}`, ...RETURN_KEYS]),
      findscu('CT1', 'PACSCOPE', port, [`${SPS}.ScheduledStationAETitle=CT1`, `${SPS}.ScheduledProcedureStepStartDate=${yesterday}`, ...RETURN_KEYS]),
    ]);
    expect(r.tools.map((t) => t.code)).toEqual([0, 0]);
    expect(queries(r.summary)).toEqual([
      { station: 'CT1', names: ['ADAMS^ANNA', 'NÚÑEZ^JOSÉ'], final: 0 },
      { station: 'CT1', names: [], final: 0 },
    ]);
    const f = only(r.findings, 'worklist.no-match');
    expect(f.title).toBe(`The worklist query of "CT1" found nothing: ScheduledProcedureStepStartDate "${yesterday}" left out 2 item(s) with "${TODAY}"`);
    expect(f.fix).toContain(`DCMTK tools: findscu -W -k "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=${TODAY}"`);
    expect(await expectTsharkAgrees(r.file, [port], r.summary)).toBe(2);
    expect(decodedView(lab!.hub.summary(), ['CT1'])).toEqual(decodedView(r.summary, ['CT1']));
  });

  it('findscu -W against storescp: the worklist context refused, diagnosed with the storescp fix', async () => {
    const r = await capturedFlow(join(dir, 'storescp-worklist.pcapng'), [storePort], [findscu('CT1', 'STORESCP', storePort, [`${SPS}.ScheduledStationAETitle=CT1`])]);
    expect(r.tools[0].code).not.toBe(0);
    const f = only(r.findings, 'worklist.not-supported');
    expect(f.title).toBe(`"STORESCP" at 127.0.0.1:${storePort} serves no Modality Worklist: it refused the Modality Worklist context of "CT1"`);
    expect(f.fix).toContain('DCMTK storescp: nothing: storescp is a storage SCP');
    expect(problems(r.findings)).toHaveLength(1);
    await expectTsharkAgrees(r.file, [storePort], r.summary);
  });
});
