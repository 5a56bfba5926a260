/**
 * The built-in PACS against real DCMTK peers: C-ECHO, C-FIND (PS3.4 C.2.2.2
 * matching, Patient Root and Study Root, STUDY/SERIES/IMAGE/PATIENT levels,
 * C-CANCEL), C-GET, C-STORE from storescu kept across a restart, and the
 * AE-title policy (A-ASSOCIATE-RJ 1/1/7 and 1/1/3). What happened is read
 * from the capture hub, i.e. from the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from './harness/process.ts';
import { generateFixtures } from '../fixtures/dicom/generate.ts';
import { startLab, until, type PacsLab } from './pacs-lab.ts';
import { instanceUid, seriesUid, studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import type { SummaryAssociation, SummaryMessage } from '../../shared/model/summary-types.ts';
import { CT_IMAGE_STORAGE } from '../../server/endpoints/pacs/synthetic-studies.ts';
import type { CGetResponse } from '../../server/dimse/library.ts';
import dimse from '../../server/dimse/library.ts';
import { sendTapped } from '../../server/endpoints/dimse-tap.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';

let lab: PacsLab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.stop();
});

const peer = () => ['127.0.0.1', String(lab.pacs.port)];

/** Runs a DCMTK tool against the PACS and returns the PACS side's view of the association it made. */
async function run(tool: string, args: string[], files: string[] = []): Promise<{ output: string; code: number | null; assoc: SummaryAssociation; messages: SummaryMessage[] }> {
  const before = new Set(lab.hub.summary().associations.map((a) => a.id));
  const r = await runTool(tool, [...args, ...peer(), ...files], { timeoutMs: 20_000 });
  let assoc: SummaryAssociation | undefined;
  await until(() => {
    assoc = lab.hub.summary().associations.find((a) => !before.has(a.id) && a.acceptor.port === lab.pacs.port && a.outcome !== 'open');
    return assoc !== undefined;
  });
  return { output: r.output, code: r.code, assoc: assoc!, messages: lab.hub.summary().messages.filter((m) => m.association === assoc!.id) };
}

const pending = (ms: SummaryMessage[]) => ms.filter((m) => commandOf(m).endsWith('-RSP') && m.status === 0xff00);
const finalOf = (ms: SummaryMessage[]) => ms.filter((m) => commandOf(m).endsWith('-RSP') && m.status !== 0xff00).at(-1);

describe('built-in PACS with DCMTK', () => {
  it('answers C-ECHO', async () => {
    const r = await run('echoscu', ['-aec', 'PACSCOPE']);
    expect(r.code).toBe(0);
    expect(r.assoc.outcome).toBe('released');
    expect(r.messages.map((m) => `${commandOf(m)} ${statusCodeOf(m) ?? ''}`.trim())).toEqual(['C-ECHO-RQ', 'C-ECHO-RSP 0x0000']);
  });

  it('C-FIND Study Root, STUDY level: wildcard, date range, UID list, return keys', async () => {
    const wildcard = await run('findscu', ['-S', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=A*', '-k', 'StudyInstanceUID', '-k', 'AccessionNumber', '-k', 'ModalitiesInStudy']);
    expect(pending(wildcard.messages).map((m) => m.identifier?.StudyInstanceUID)).toEqual([studyUid(1)]);
    expect(pending(wildcard.messages)[0].identifier).toMatchObject({ AccessionNumber: 'PSCA1001', ModalitiesInStudy: 'CT', QueryRetrieveLevel: 'STUDY' });
    expect(finalOf(wildcard.messages)?.status).toBe(0x0000);
    expect(wildcard.messages[1].affectedSopClass).toBe('1.2.840.10008.5.1.4.1.2.2.1');

    const range = await run('findscu', ['-S', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyDate=20240101-20241231', '-k', 'StudyInstanceUID']);
    expect(pending(range.messages).map((m) => m.identifier?.StudyInstanceUID).sort()).toEqual([studyUid(1), studyUid(2)]);

    const list = await run('findscu', ['-S', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(1)}\\${studyUid(3)}`]);
    expect(pending(list.messages).map((m) => m.identifier?.StudyInstanceUID).sort()).toEqual([studyUid(1), studyUid(3)]);
  });

  it('C-FIND Study Root SERIES and IMAGE levels', async () => {
    const series = await run('findscu', ['-S', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${studyUid(2)}`, '-k', 'SeriesInstanceUID', '-k', 'Modality', '-k', 'NumberOfSeriesRelatedInstances']);
    expect(pending(series.messages).map((m) => [m.identifier?.SeriesInstanceUID, m.identifier?.Modality])).toEqual([
      [seriesUid(2, 1), 'MR'],
      [seriesUid(2, 2), 'MR'],
    ]);
    const images = await run('findscu', ['-S', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${studyUid(1)}`, '-k', `SeriesInstanceUID=${seriesUid(1, 1)}`, '-k', 'SOPInstanceUID', '-k', 'InstanceNumber']);
    expect(pending(images.messages).map((m) => m.identifier?.SOPInstanceUID)).toEqual([1, 2, 3].map((i) => instanceUid(1, 1, i)));
  });

  it('C-FIND Patient Root, PATIENT level, a non-ASCII name with its character set; Study Root has no PATIENT level (0xA900)', async () => {
    const r = await run('findscu', ['-P', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName=N*', '-k', 'PatientID', '-k', 'NumberOfPatientRelatedStudies']);
    const [match] = pending(r.messages);
    expect(pending(r.messages)).toHaveLength(1);
    expect(match.affectedSopClass).toBe('1.2.840.10008.5.1.4.1.2.1.1');
    expect(match.identifier).toMatchObject({ PatientID: 'PSC-1003', SpecificCharacterSet: 'ISO_IR 192', NumberOfPatientRelatedStudies: 1 });
    expect(JSON.stringify(match.identifier?.PatientName)).toContain('NÚÑEZ^JOSÉ');
    const wrong = await run('findscu', ['-S', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientID']);
    expect(finalOf(wrong.messages)?.status).toBe(0xa900);
  });

  it('C-CANCEL of a running C-FIND gives 0xFE00', async () => {
    lab.pacs.setSubOperationDelay(200);
    try {
      const r = await run('findscu', ['-S', '-aec', 'PACSCOPE', '--cancel', '1', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${studyUid(1)}`, '-k', 'SOPInstanceUID']);
      expect(r.messages.map((m) => commandOf(m))).toContain('C-CANCEL-RQ');
      expect(pending(r.messages).length).toBeLessThan(4);
      expect(finalOf(r.messages)?.status).toBe(0xfe00);
    } finally {
      lab.pacs.setSubOperationDelay(0);
    }
  });

  it('C-GET sends the C-STOREs on the same association, including the Implicit VR series', async () => {
    const out = await mkdtemp(join(lab.dir, 'get-'));
    const r = await run('getscu', ['-S', '-aec', 'PACSCOPE', '-od', out, '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${studyUid(2)}`, '-k', `SeriesInstanceUID=${seriesUid(2, 2)}`]);
    expect(r.code).toBe(0);
    const stores = r.messages.filter((m) => m.commandField === CommandField.CStoreRq);
    expect(stores.map((m) => [m.side, m.affectedSopInstance])).toEqual([
      ['acceptor', instanceUid(2, 2, 1)],
      ['acceptor', instanceUid(2, 2, 2)],
    ]);
    expect(finalOf(r.messages)).toMatchObject({ commandField: 0x8010, status: 0x0000, completed: 2, failed: 0, remaining: null });
    expect((await readdir(out)).length).toBe(2);
  });

  it('C-GET without the SCP role for the storage SOP class: sub-operations failed, nothing sent, 0xA702', async () => {
    const { Client, requests, association, constants } = dimse;
    const client = new Client();
    const request = requests.CGetRequest.createStudyGetRequest(studyUid(3));
    request.setAddStorageSopClassesToAssociation(false);
    // CT Image Storage proposed, but without an SCP/SCU Role Selection item: the SCU cannot take C-STOREs.
    client.addAdditionalPresentationContext(new association.PresentationContext(0, CT_IMAGE_STORAGE, constants.TransferSyntax.ExplicitVRLittleEndian));
    let final: CGetResponse | null = null;
    request.on('response', (rsp: CGetResponse) => (final = rsp));
    client.addRequest(request);
    const closed = new Promise((resolve) => client.on('closed', resolve));
    sendTapped(client, lab.hub, { host: '127.0.0.1', port: lab.pacs.port, callingAeTitle: 'GETNOROLE', calledAeTitle: 'PACSCOPE' });
    await closed;
    expect(final).not.toBeNull();
    const rsp = final! as CGetResponse;
    expect([rsp.getStatus(), rsp.getCompleted(), rsp.getFailures()]).toEqual([0xa702, 0, 2]);
    const assoc = lab.hub.summary().associations.filter((a) => a.requestor.ae === 'GETNOROLE').at(-1)!;
    const messages = lab.hub.summary().messages.filter((m) => m.association === assoc.id);
    expect(messages.filter((m) => m.commandField === CommandField.CStoreRq)).toEqual([]);
    expect(messages.at(-1)?.identifier?.FailedSOPInstanceUIDList).toEqual([instanceUid(3, 1, 1), instanceUid(3, 1, 2)]);
  });

  it('C-GET of the 256 KiB image to getscu (max PDU 16384) spans many P-DATA-TF PDUs', async () => {
    const out = await mkdtemp(join(lab.dir, 'get-big-'));
    const r = await run('getscu', ['-S', '-aec', 'PACSCOPE', '-od', out, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${studyUid(1)}`, '-k', `SOPInstanceUID=${instanceUid(1, 2, 1)}`]);
    expect(finalOf(r.messages)).toMatchObject({ status: 0x0000, completed: 1 });
    const pdus = lab.hub.summary().pdus.filter((p) => p.association === r.assoc.id && p.type === 'P-DATA-TF' && p.from === 'acceptor');
    expect(pdus.length).toBeGreaterThan(16);
    expect(Math.max(...pdus.map((p) => p.length))).toBeLessThanOrEqual(16384 + 6);
  });

  it('stores what storescu sends, finds it, and keeps it across a restart', async () => {
    const files = await generateFixtures(join(lab.dir, 'fixtures'));
    const mr = files.filter((f) => f.modality === 'MR');
    const r = await run('storescu', ['-aec', 'PACSCOPE'], mr.map((f) => f.file));
    expect(r.code).toBe(0);
    expect(r.messages.filter((m) => m.commandField === CommandField.CStoreRsp).map((m) => m.status)).toEqual([0x0000, 0x0000]);
    const count = lab.pacs.instanceCount();

    const { dataDir } = lab.pacs;
    await lab.pacs.close();
    const again = await startLab({ dir: lab.dir, pacs: { dataDir } });
    await lab.store.close();
    await lab.hub.close();
    lab = again;
    expect(lab.pacs.instanceCount()).toBe(count);
    const find = await run('findscu', ['-P', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=PATIENT', '-k', `PatientID=${mr[0].patientId}`, '-k', 'PatientName']);
    const [match] = pending(find.messages);
    expect(JSON.stringify(match?.identifier?.PatientName)).toContain('MÜLLER^JÜRGEN');
  });

  it('AE-title policy: wrong called AE → 1/1/7, unknown calling AE → 1/1/3, a known one is accepted', async () => {
    try {
      lab.pacs.setAePolicy('called');
      const called = await run('echoscu', ['-aec', 'NOTPACS']);
      expect(called.assoc.reject).toMatchObject({ result: 1, source: 1, reason: 7 });
      expect(called.output).toMatch(/Called AE Title Not Recognized/i);
      lab.pacs.setAePolicy('known');
      lab.pacs.setKnownCallers(['ECHOSCU']);
      const calling = await run('echoscu', ['-aec', 'PACSCOPE', '-aet', 'STRANGER']);
      expect(calling.assoc.reject).toMatchObject({ result: 1, source: 1, reason: 3 });
      const known = await run('echoscu', ['-aec', 'PACSCOPE']);
      expect(known.assoc.outcome).toBe('released');
    } finally {
      lab.pacs.setAePolicy('any');
    }
  });
});
