/**
 * Round trip (issue 6 acceptance): the same flows seen two ways — captured
 * live by pacscope (its SCU and store SCP through the capture hub, recorded)
 * and captured on the wire by dumpcap — decode to the same session: every
 * association (AEs, ports, outcome, contexts), every PDU (type, length,
 * direction) and every DIMSE message (command, ids, statuses, counters,
 * identifiers). Flows: C-FIND and C-MOVE (with Orthanc's sub-association to
 * pacscope's store SCP) against a real Orthanc 1.10, a C-STORE and a wrong
 * called AE rejected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureHub } from '../../server/capture/hub.ts';
import dimse from '../../server/dimse/library.ts';
import { cEcho } from '../../server/endpoints/scu/echo.ts';
import { cFind } from '../../server/endpoints/scu/find.ts';
import { cMove } from '../../server/endpoints/scu/move.ts';
import { cStore } from '../../server/endpoints/scu/store.ts';
import { startStoreScp } from '../../server/endpoints/store-scp.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { Capture } from './harness/capture.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts } from './harness/net.ts';
import { OrthancServer, requireOrthanc } from './harness/orthanc.ts';
import { pacscopeSummary } from './harness/pacscope-cli.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const SCU_AE = 'ROUNDTRIP';
const STORE_AE = 'RTSTORE';

let dir = '';
let orthanc: OrthancServer;
let strict: OrthancServer;
let storePort = 0;
let instances: FixtureInstance[] = [];

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  dimse.log.setLevel('silent');
  dir = await mkdtemp(join(tmpdir(), 'pacscope-roundtrip-'));
  instances = await generateFixtures(join(dir, 'fixtures'));
  [storePort] = await freePorts(1);
  [orthanc, strict] = await Promise.all([
    OrthancServer.start({ synchronousCMove: true, modalities: { rt: [STORE_AE, '127.0.0.1', storePort] } }),
    OrthancServer.start({ checkCalledAet: true }),
  ]);
  await orthanc.upload(instances.filter((x) => x.modality === 'MR').map((x) => x.file));
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([orthanc, strict].map((o) => o?.stop()));
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

/** What both captures must agree on: everything but the clock. */
function normalized(s: Summary) {
  return {
    associations: s.associations.map((a) => ({
      requestor: a.requestor,
      acceptor: a.acceptor,
      outcome: a.outcome,
      midStream: a.midStream,
      reject: a.reject,
      abort: a.abort,
      presentationContexts: a.presentationContexts,
      roles: a.roles,
      maxPdu: a.maxPdu,
      implementation: a.implementation,
      cause: a.cause,
    })),
    // Each association's PDUs in their order; across associations, two PDUs of the same instant (two A-RELEASE-RQs)
    // may come in either order from the taps and the kernel, so they are compared association by association (stable sort).
    pdus: s.pdus.map(({ time: _time, ...p }) => p).sort((a, b) => a.association.localeCompare(b.association)),
    messages: s.messages.map(({ time: _time, ...m }) => m),
    errors: s.errors.map((e) => e.reason),
  };
}

describe('a flow captured live by pacscope and by dumpcap decodes to the same session', () => {
  it('C-ECHO, C-FIND, C-MOVE with its sub-association, C-STORE, and a reject', async () => {
    const recording = join(dir, 'live.pacscope');
    const pcap = join(dir, 'wire.pcapng');
    const capture = await Capture.start(pcap, [orthanc.dicomPort, strict.dicomPort, storePort]);
    const hub = await CaptureHub.open({ recordPath: recording, source: { kind: 'test', description: 'roundtrip.test.ts' } });
    const store = await startStoreScp({ ae: STORE_AE, host: '127.0.0.1', port: storePort, outputDir: join(dir, 'received') }, hub);
    const target = { host: '127.0.0.1', port: orthanc.dicomPort, callingAeTitle: SCU_AE, calledAeTitle: orthanc.aeTitle, timeoutMs: 15_000 };
    try {
      expect((await cEcho(target, hub)).outcome).toBe('success');
      const mr = STUDIES.find((s) => s.modality === 'MR')!;
      expect((await cFind({ ...target, model: 'study', level: 'STUDY', keys: { StudyInstanceUID: '', PatientName: '', PatientID: '' } }, hub)).outcome).toBe('success');
      const moved = await cMove({ ...target, model: 'study', level: 'STUDY', keys: { StudyInstanceUID: mr.studyInstanceUid }, destination: STORE_AE }, hub);
      expect(moved.outcome, moved.reason).toBe('success');
      expect((await cStore({ ...target, paths: [instances.find((x) => x.modality === 'CT')!.file] }, hub)).outcome).toBe('success');
      expect((await cEcho({ ...target, port: strict.dicomPort, calledAeTitle: 'NOT-ORTHANC' }, hub)).outcome).toBe('rejected');
      // Orthanc may release the sub-association a moment after its final response.
      const end = Date.now() + 10_000;
      while (hub.summary().associations.some((a) => a.outcome === 'open') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await store.close();
      await hub.close();
      await capture.stop();
    }
    const live = await pacscopeSummary(recording);
    const wire = await pacscopeSummary(pcap);
    expect(live.source.format).toBe('recording');
    expect(wire.source.format).toBe('pcapng');
    expect(live.associations.map((a) => [a.requestor.ae, a.acceptor.ae, a.outcome])).toEqual([
      [SCU_AE, orthanc.aeTitle, 'released'],
      [SCU_AE, orthanc.aeTitle, 'released'],
      [SCU_AE, orthanc.aeTitle, 'released'],
      [orthanc.aeTitle, STORE_AE, 'released'],
      [SCU_AE, orthanc.aeTitle, 'released'],
      [SCU_AE, 'NOT-ORTHANC', 'rejected'],
    ]);
    expect(live.messages.filter((m) => m.commandField === CommandField.CStoreRq).length).toBeGreaterThan(0);
    expect(live.associations[3].cause).toMatchObject({ relation: 'c-move', association: live.associations[2].id });
    expect(normalized(wire)).toEqual(normalized(live));
  }, 90_000);
});
