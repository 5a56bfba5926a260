/**
 * Real DICOM traffic between DCMTK tools (echoscu, findscu, movescu, getscu,
 * storescu → dcmqrscp; dcmqrscp → storescp), captured with dumpcap, decoded
 * by `pacscope summary --json`, and checked three ways: against what the flow
 * must look like, against Wireshark's dissector (tshark), and against DCMTK's
 * own `-d` logs. See test/interop/README.md.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../shared/model/summary-types.ts';
import { STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import {
  expectCalledAeReject,
  expectEcho,
  expectFind,
  expectGet,
  expectMove,
  expectMoveUnknownDestination,
  expectStore,
} from './harness/expectations.ts';
import { defineFlowChecks, REPORT } from './harness/flow-check.ts';
import { InteropLab, QR_AE, SCU_AE, STORE_AE, type FlowResult } from './harness/lab.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf, statusMeaningOf } from '../../shared/dimse/message-words.ts';

const lab = new InteropLab();
let storeFlow: FlowResult | null = null;

const ct = (): FixtureInstance[] => lab.instances.filter((x) => x.modality === 'CT');
const mr = (): FixtureInstance[] => lab.instances.filter((x) => x.modality === 'MR');
const studyKey = (uid: string) => ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${uid}`];

function mainOf(s: Summary, qrPort: number) {
  const a = s.associations.find((x) => x.acceptor.port === qrPort);
  expect(a, 'association to dcmqrscp').toBeDefined();
  return a!;
}

beforeAll(async () => {
  await lab.start();
  // Loading dcmqrscp's storage area is itself flow 5 (storescu), captured.
  storeFlow = await lab.flow('store', 'storescu', [...lab.client(), ...lab.peer, ...lab.instances.map((x) => x.file)]);
  if (storeFlow.tool.code !== 0) throw new Error(`storescu failed:\n${storeFlow.tool.output.slice(-3000)}`);
}, 120_000);

afterAll(async () => {
  await lab.stop();
  if (REPORT.length > 0) {
    console.info(`[interop] cross-check report:\n${REPORT.map((r) => `  ${r.flow} — ${r.kind}: ${r.text}`).join('\n')}`);
  }
});

describe('interop with DCMTK, checked against tshark', () => {
  defineFlowChecks(lab, {
    name: 'C-ECHO',
    run: () => lab.flow('echo', 'echoscu', [...lab.client(), ...lab.peer]),
    clientSucceeds: true,
    expectFacts: expectEcho,
    expectSummary: (s, ctx) => {
      const a = mainOf(s, ctx.qrPort);
      expect(a.outcome).toBe('released');
      expect([a.requestor.ae, a.acceptor.ae]).toEqual([SCU_AE, QR_AE]);
      expect(a.maxPdu).toEqual({ requestor: 16384, acceptor: 16384 });
      expect(a.presentationContexts.map((p) => [p.abstractSyntax, p.result, p.transferSyntax])).toEqual([
        ['1.2.840.10008.1.1', 0, '1.2.840.10008.1.2'],
      ]);
      expect(a.implementation.acceptor.versionName).toBe('OFFIS_DCMTK_367');
    },
  });

  defineFlowChecks(lab, {
    name: 'C-FIND study root',
    run: () =>
      lab.flow('find', 'findscu', [
        ...lab.client(),
        '-S',
        '-k', 'QueryRetrieveLevel=STUDY',
        '-k', 'SpecificCharacterSet=ISO_IR 100',
        '-k', 'PatientID=PSC*',
        '-k', 'StudyDate=20240101-20241231',
        '-k', 'PatientName',
        '-k', 'StudyInstanceUID',
        '-k', 'AccessionNumber',
        ...lab.peer,
      ]),
    clientSucceeds: true,
    expectFacts: (all, ctx) => expectFind(all, ctx, STUDIES.length),
    expectSummary: (s, ctx) => {
      const a = mainOf(s, ctx.qrPort);
      const msgs = s.messages.filter((m) => m.association === a.id);
      const rq = msgs.find((m) => m.commandField === CommandField.CFindRq)!;
      expect(rq.affectedSopClass).toBe('1.2.840.10008.5.1.4.1.2.2.1');
      expect(rq.identifier).toMatchObject({ QueryRetrieveLevel: 'STUDY', PatientID: 'PSC*', StudyDate: '20240101-20241231' });
      const found = msgs.filter((m) => m.commandField === CommandField.CFindRsp && m.status === 0xff00).map((m) => m.identifier ?? {});
      expect(found.map((x) => x.StudyInstanceUID).sort()).toEqual(STUDIES.map((x) => x.studyInstanceUid).sort());
      expect(found.map((x) => x.AccessionNumber).sort()).toEqual(STUDIES.map((x) => x.accessionNumber).sort());
      // The Latin-1 name must come out decoded with ISO_IR 100 (pacscope may give PN as a string or as {Alphabetic}).
      const names = found.map((x) => JSON.stringify(x.PatientName));
      expect(names.some((n) => n.includes('MÜLLER^JÜRGEN')), names.join(' ')).toBe(true);
      expect(names.some((n) => n.includes('DOE^JOHN')), names.join(' ')).toBe(true);
      const final = msgs.at(-1)!;
      expect([commandOf(final), final.status, final.statusCategory, final.identifier]).toEqual(['C-FIND-RSP', 0x0000, 'success', null]);
    },
  });

  defineFlowChecks(lab, {
    name: 'C-MOVE to STORESCP',
    run: () => lab.flow('move', 'movescu', [...lab.client(), '-S', '-aem', STORE_AE, ...studyKey(STUDIES[0].studyInstanceUid), ...lab.peer]),
    clientSucceeds: true,
    expectFacts: (all, ctx) => expectMove(all, ctx, ct()),
    expectSummary: (s, ctx) => {
      const a = mainOf(s, ctx.qrPort);
      const sub = s.associations.find((x) => x.acceptor.port === ctx.storePort)!;
      expect([a.outcome, sub.outcome]).toEqual(['released', 'released']);
      expect([sub.requestor.ae, sub.acceptor.ae]).toEqual([QR_AE, STORE_AE]);
      const msgs = s.messages.filter((m) => m.association === a.id);
      const rq = msgs.find((m) => m.commandField === CommandField.CMoveRq)!;
      const final = msgs.filter((m) => m.commandField === CommandField.CMoveRsp).at(-1)!;
      expect(rq.identifier).toEqual({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDIES[0].studyInstanceUid });
      // The sub-association lives inside the C-MOVE (dcmqrscp is synchronous): opened after the request,
      // released (A-RELEASE-RP; its TCP close may come later) before the final response.
      expect(sub.start).toBeGreaterThanOrEqual(rq.time);
      const subReleased = s.pdus.find((p) => p.association === sub.id && p.type === 'A-RELEASE-RP');
      expect(subReleased).toBeDefined();
      expect(subReleased!.time).toBeLessThanOrEqual(final.time);
      expect(sub.end).not.toBeNull();
      const stores = s.messages.filter((m) => m.association === sub.id && m.commandField === CommandField.CStoreRq);
      expect(stores.every((m) => m.affectedSopClass === '1.2.840.10008.5.1.4.1.1.2')).toBe(true);
      expect(stores.map((m) => m.identifier?.PatientID)).toEqual(ct().map(() => STUDIES[0].patientId));
      expect(stores.every((m) => m.identifier !== null && !('PixelData' in m.identifier))).toBe(true);
      // The correlator links the sub-association to the C-MOVE by the Move Originator fields of its C-STOREs.
      expect(stores.every((m) => m.moveOriginator?.ae === SCU_AE && m.moveOriginator.messageId === rq.messageId)).toBe(true);
      expect(sub.cause).toEqual({ relation: 'c-move', association: a.id, message: s.messages.indexOf(rq), evidence: 'move-originator' });
      expect(a.cause).toBeNull();
      expect(msgs.filter((m) => m.commandField === CommandField.CMoveRsp).every((m) => m.request === s.messages.indexOf(rq))).toBe(true);
    },
  });

  defineFlowChecks(lab, {
    name: 'C-MOVE to an unknown destination',
    run: () => lab.flow('move-unknown', 'movescu', [...lab.client(), '-S', '-aem', 'NOWHERE', ...studyKey(STUDIES[0].studyInstanceUid), ...lab.peer]),
    clientSucceeds: false,
    expectFacts: (all, ctx) => expectMoveUnknownDestination(all, ctx, 'NOWHERE'),
    expectSummary: (s, ctx) => {
      const a = mainOf(s, ctx.qrPort);
      const rsp = s.messages.find((m) => m.association === a.id && m.commandField === CommandField.CMoveRsp)!;
      expect(rsp.statusCategory).toBe('failure');
      expect(statusMeaningOf(rsp) ?? '').toMatch(/destination unknown/i);
    },
  });

  defineFlowChecks(lab, {
    name: 'C-GET',
    run: async () => {
      const out = join(lab.dir, 'getscu-out');
      await mkdir(out, { recursive: true });
      return lab.flow('get', 'getscu', [...lab.client(), '-S', '-od', out, ...studyKey(STUDIES[1].studyInstanceUid), ...lab.peer]);
    },
    clientSucceeds: true,
    expectFacts: (all, ctx) => expectGet(all, ctx, mr()),
    expectSummary: (s, ctx) => {
      const a = mainOf(s, ctx.qrPort);
      const mrRole = a.roles.find((r) => r.sopClassUid === '1.2.840.10008.5.1.4.1.1.4');
      expect(mrRole?.proposed).toEqual({ scu: false, scp: true });
      expect(mrRole?.accepted?.scp).toBe(true);
      const stores = s.messages.filter((m) => m.association === a.id && m.commandField === CommandField.CStoreRq);
      expect(stores.every((m) => m.side === 'acceptor' && m.from === QR_AE && m.to === SCU_AE)).toBe(true);
      // C-GET sub-operations: each C-STORE-RQ and its C-STORE-RSP are caused by the C-GET-RQ (PS3.7 §9.1.3).
      const getRq = s.messages.findIndex((m) => m.association === a.id && m.commandField === CommandField.CGetRq);
      expect(stores.length).toBe(mr().length);
      expect(stores.map((m) => m.cause)).toEqual(stores.map(() => ({ relation: 'c-get', message: getRq })));
      const storeRsps = s.messages.filter((m) => m.association === a.id && m.commandField === CommandField.CStoreRsp);
      expect(storeRsps.map((m) => [m.cause, commandOf(s.messages[m.request ?? -1])])).toEqual(storeRsps.map(() => [{ relation: 'c-get', message: getRq }, 'C-STORE-RQ']));
      expect(s.messages.filter((m) => m.association === a.id && m.commandField === CommandField.CGetRsp).every((m) => m.request === getRq)).toBe(true);
      expect(s.associations.every((x) => x.cause === null)).toBe(true);
    },
  });

  defineFlowChecks(lab, {
    name: 'C-STORE (storescu loading dcmqrscp)',
    run: async () => storeFlow!,
    clientSucceeds: true,
    expectFacts: (all, ctx) => expectStore(all, ctx, lab.instances),
    expectSummary: (s, ctx) => {
      const a = mainOf(s, ctx.qrPort);
      const rq = s.messages.filter((m) => m.association === a.id && m.commandField === CommandField.CStoreRq);
      const mrNames = rq.filter((m) => m.affectedSopClass === '1.2.840.10008.5.1.4.1.1.4').map((m) => JSON.stringify(m.identifier?.PatientName));
      expect(mrNames.length).toBe(mr().length);
      expect(mrNames.every((n) => n.includes('MÜLLER^JÜRGEN')), mrNames.join(' ')).toBe(true);
    },
  });

  defineFlowChecks(lab, {
    name: 'A-ASSOCIATE-RJ (wrong called AE)',
    run: () => lab.flow('reject', 'echoscu', [...lab.client('WRONGAE'), ...lab.peer]),
    clientSucceeds: false,
    expectFacts: (all, ctx) => expectCalledAeReject(all, ctx, 'WRONGAE'),
    expectSummary: (s, ctx) => {
      const a = mainOf(s, ctx.qrPort);
      expect(a.outcome).toBe('rejected');
      expect(a.reject?.text ?? '').toMatch(/called/i);
    },
  });

  it('keeps the whole capture: no dumpcap drops', () => {
    expect(storeFlow?.capture.dropped).toBe(0);
  });
});
