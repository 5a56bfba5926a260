/**
 * Storage commitment (PS3.4 Annex J, Push Model) end to end against real
 * peers, each flow recorded twice — by pacscope's capture hub (its SCU, its
 * commitment listener and its PACS are tapped into it) and by dumpcap — and
 * decoded three ways: the hub live, `pacscope summary FILE --json` of the
 * pcapng (with its findings), and tshark, which must agree on every
 * association's commands and statuses (crossCheckTshark) and on the Action
 * and Event Type IDs, Transaction UIDs and Failure Reasons
 * (harness/commitment-tshark.ts).
 *
 * - Orthanc 1.10 as SCP (pacscope commit → Orthanc): it answers the
 *   N-ACTION, then reports on a new association to the requestor's
 *   DicomModalities entry, proposing the SCP role; an instance it lacks is
 *   reported with 0x0112. It sends the report even when the SCU refused the
 *   SCP role (lenient).
 * - Orthanc 1.10 as SCU (POST /modalities/{id}/storage-commitment) → the
 *   built-in PACS in each report mode: Orthanc releases right after the
 *   N-ACTION-RSP, so `same` never reports, `new` and `same-else-new` report
 *   on a new association, which Orthanc accepts from a known AE.
 * - pacscope's SCU → the built-in PACS in each mode, on one capture.
 * - The misconfigurations, diagnosed by cause with the real values: the
 *   SCP's AE table has a wrong port (refused), the SCU does not know the
 *   SCP's calling AE (1/1/3, both directions).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureHub } from '../../server/capture/hub.ts';
import dimse from '../../server/dimse/library.ts';
import { startPacs, type RunningPacs } from '../../server/endpoints/pacs/pacs.ts';
import type { CommitReportMode } from '../../server/endpoints/pacs/commitment-settings.ts';
import { requestCommitment, type CommitResult, type CommitTarget } from '../../server/endpoints/scu/commit.ts';
import type { Summary, SummaryAssociation } from '../../shared/model/summary-types.ts';
import type { Finding } from '../../shared/diagnosis/types.ts';
import { commitmentFacts } from '../../shared/dimse/storage-commitment.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';
import { generateFixtures, CT_IMAGE_STORAGE, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { instanceUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import { describeFindings, only, problems, summaryWithFindings } from './diagnosis-lab.ts';
import { Capture } from './harness/capture.ts';
import { commitmentFromPackets, tsharkPackets } from './harness/commitment-tshark.ts';
import { crossCheckTshark } from './harness/compare.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts } from './harness/net.ts';
import { OrthancServer, requireOrthanc } from './harness/orthanc.ts';
import { associationFacts } from './harness/pacscope-cli.ts';
import { streamsFromPackets } from './harness/tshark.ts';

const HOST = '127.0.0.1';
let dir = '';
let fixtures: FixtureInstance[] = [];
/** Orthanc as Storage Commitment SCP; and as SCU (strict: it accepts associations from the AEs it knows only). */
let scp: OrthancServer;
let scu: OrthancServer;
let listenPort = 0;
let deadPort = 0;
let pacsPort = 0;
let secondPort = 0;
let held: { sopClass: string; sopInstance: string }[] = [];
const MISSING = { sopClass: CT_IMAGE_STORAGE, sopInstance: '1.2.826.0.1.3680043.9.9999.1' };
/** Two CT images of the built-in PACS's synthetic studies. */
const PACS_HELD = [1, 2].map((n) => ({ sopClass: CT_IMAGE_STORAGE, sopInstance: instanceUid(1, 1, n) }));

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  dimse.log.setLevel('silent');
  dir = await mkdtemp(join(tmpdir(), 'pacscope-commitment-'));
  [fixtures, [listenPort, deadPort, pacsPort, secondPort]] = await Promise.all([generateFixtures(join(dir, 'fixtures')), freePorts(4)]);
  const ct = fixtures.filter((f) => f.modality === 'CT').slice(0, 2);
  held = ct.map((f) => ({ sopClass: CT_IMAGE_STORAGE, sopInstance: f.sopInstanceUid }));
  [scp, scu] = await Promise.all([
    OrthancServer.start({ modalities: { ws: ['WS', HOST, listenPort], wsdead: ['WSDEAD', HOST, deadPort], strict: ['STRICTWS', HOST, listenPort] } }),
    OrthancServer.start({
      alwaysAllowFind: false,
      alwaysAllowMove: false,
      alwaysAllowGet: false,
      extra: { DicomAlwaysAllowStore: false, DicomAlwaysAllowEcho: false },
      modalities: { pacs: ['TEACHPACS', HOST, pacsPort], archive: ['ARCHIVE', HOST, secondPort] },
    }),
  ]);
  await scp.upload(ct.map((f) => f.file));
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([scp?.stop(), scu?.stop()]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

interface Flow {
  live: Summary;
  file: Summary;
  findings: Finding[];
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** "WS→ORTHANC N-ACTION-RQ txn=…" per message: what the hub and the capture must agree on. */
const lines = (s: Summary) => {
  const byId = new Map(s.associations.map((a) => [a.id, a]));
  return s.messages.map((m) => {
    const a = byId.get(m.association)!;
    const [from, to] = m.side === 'requestor' ? [a.requestor.ae, a.acceptor.ae] : [a.acceptor.ae, a.requestor.ae];
    const txn = commitmentFacts(m.identifier).transactionUid;
    return `${from}→${to} ${commandOf(m)}${m.status !== null ? ` ${statusCodeOf(m)}` : ''}${txn ? ` txn=${txn}` : ''}`;
  });
};

const causes = (s: Summary) => s.associations.map((a) => `${a.requestor.ae}→${a.acceptor.ae} ${a.outcome} ${a.cause ? `${a.cause.relation}/${a.cause.evidence}` : '-'}`);

/**
 * Runs `run` with a hub and under dumpcap on `ports`; waits until every
 * association ended; checks that the capture decodes as the hub did, and that
 * tshark agrees on every association and on the commitment facts.
 */
async function flow(name: string, ports: number[], run: (hub: CaptureHub) => Promise<void>): Promise<Flow> {
  const hub = await CaptureHub.open({ recordPath: join(dir, `${name}.pacscope`), source: { kind: 'test', description: `storage commitment ${name}` } });
  const pcap = join(dir, `${name}.pcapng`);
  const cap = await Capture.start(pcap, ports);
  try {
    await run(hub);
    await until('every association to end', () => hub.summary().associations.every((a) => a.outcome !== 'open'));
  } finally {
    await cap.stop(150).catch(() => undefined);
    await hub.close();
  }
  const live = hub.summary();
  const { summary: file, findings } = await summaryWithFindings(pcap);
  expect(file.errors).toEqual([]);
  expect(lines(file)).toEqual(lines(live));
  // A connection another peer failed to open (refused) is on the wire, not on the hub's sockets.
  const seen = (s: Summary) => causes(s).filter((c) => !/ refused /.test(c) || live.associations.some((a) => a.outcome === 'refused'));
  expect(seen(file)).toEqual(seen(live));
  const packets = await tsharkPackets(pcap, ports);
  const tshark = streamsFromPackets(packets, ports);
  const check = crossCheckTshark(file.associations.map((a) => associationFacts(file, a)), tshark);
  expect(check.mismatches).toEqual([]);
  const facts = commitmentFromPackets(packets, ports);
  for (const a of file.associations) {
    const mine = file.messages.filter((m) => m.association === a.id);
    const theirs = facts.find((f) => f.requestorPort === a.requestor.port && f.acceptorPort === a.acceptor.port);
    if (a.outcome === 'refused') continue;
    expect(theirs, `tshark stream of ${a.id}`).toBeDefined();
    expect(theirs!.actionTypes).toEqual(mine.flatMap((m) => (m.actionTypeId === null ? [] : [m.actionTypeId])));
    expect(theirs!.eventTypes).toEqual(mine.flatMap((m) => (m.eventTypeId === null ? [] : [m.eventTypeId])));
    expect(theirs!.transactionUids).toEqual(mine.flatMap((m) => commitmentFacts(m.identifier).transactionUid ?? []));
    expect(theirs!.failureReasons).toEqual(mine.flatMap((m) => commitmentFacts(m.identifier).failed.map((f) => f.failureReason)));
  }
  return { live, file, findings };
}

const commit = (hub: CaptureHub, t: Partial<CommitTarget> & { port: number; callingAeTitle: string; calledAeTitle: string }): Promise<CommitResult> =>
  requestCommitment({ host: HOST, instances: [...held, MISSING], reportTimeoutMs: 3000, timeoutMs: 10_000, ...t }, hub);

const assoc = (s: Summary, calling: string, called: string): SummaryAssociation => s.associations.find((a) => a.requestor.ae === calling && a.acceptor.ae === called)!;

function pacs(hub: CaptureHub, ae: string, port: number, mode: CommitReportMode, orthancAt = scu.dicomPort): Promise<RunningPacs> {
  return startPacs(
    { ae, host: HOST, port, dataDir: join(dir, 'pacs'), destinations: new Map([['ORTHANC', { host: HOST, port: orthancAt }]]), moveMode: 'sync', aePolicy: 'any', knownCallers: [], subOperationDelayMs: 0, commitReportMode: mode, commitReportDelayMs: 50 },
    hub,
  );
}

/** Orthanc's SCU: POST /modalities/{id}/storage-commitment of `instances`; the job's final state (or Pending after `waitMs`). */
async function orthancCommit(modality: string, instances: { sopClass: string; sopInstance: string }[], waitMs = 3000): Promise<{ Status: string; Success?: { SOPInstanceUID: string }[]; Failures?: { SOPInstanceUID: string; FailureReason: number }[] }> {
  const r = await scu.rest<{ Path: string }>('POST', `/modalities/${modality}/storage-commitment`, JSON.stringify({ DicomInstances: instances.map((i) => ({ SOPClassUID: i.sopClass, SOPInstanceUID: i.sopInstance })), Timeout: 5 }));
  const deadline = Date.now() + waitMs;
  for (;;) {
    const st = await scu.rest<{ Status: string }>('GET', r.Path);
    if (st.Status !== 'Pending' || Date.now() > deadline) return st;
    await new Promise((x) => setTimeout(x, 25));
  }
}

describe('storage commitment with Orthanc 1.10 as SCP', () => {
  it('pacscope commit → Orthanc: the report on a new association to our port, Event Type 2 for the instance it lacks', async () => {
    let result: CommitResult | null = null;
    const r = await flow('orthanc-scp', [scp.dicomPort, listenPort], async (hub) => {
      result = await commit(hub, { port: scp.dicomPort, callingAeTitle: 'WS', calledAeTitle: 'ORTHANC', listen: { host: HOST, port: listenPort } });
    });
    expect(result!).toMatchObject({ outcome: 'failure', actionStatus: 0, report: { via: 'listener', eventTypeId: 2, from: 'ORTHANC' } });
    expect(result!.report!.facts.referenced.map((i) => i.sopInstance).sort()).toEqual(held.map((i) => i.sopInstance).sort());
    expect(result!.report!.facts.failed).toEqual([{ sopClass: CT_IMAGE_STORAGE, sopInstance: MISSING.sopInstance, failureReason: 0x0112 }]);
    expect(causes(r.file)).toEqual(['WS→ORTHANC released -', 'ORTHANC→WS released storage-commitment/transaction-uid']);
    expect(assoc(r.file, 'ORTHANC', 'WS').roles).toEqual([{ sopClassUid: '1.2.840.10008.1.20.1', proposed: { scu: false, scp: true }, accepted: { scu: false, scp: true } }]);
    expect(problems(r.findings).map((f) => f.rule), describeFindings(r.findings)).toEqual(['commitment.failures']);
    expect(only(r.findings, 'commitment.failures').text).toContain(`"${MISSING.sopInstance}" (0x0112 no such object instance)`);
  });

  it('Orthanc sends the report even when the SCU refuses the SCP role: a warning (a strict SCP would not)', async () => {
    const r = await flow('orthanc-scp-no-role', [scp.dicomPort, listenPort], async (hub) => {
      const res = await commit(hub, { port: scp.dicomPort, callingAeTitle: 'WS', calledAeTitle: 'ORTHANC', instances: held, listen: { host: HOST, port: listenPort, refuseScpRole: true } });
      expect(res.outcome).toBe('success');
    });
    expect(assoc(r.file, 'ORTHANC', 'WS').roles[0].accepted).toEqual({ scu: false, scp: false });
    const f = only(r.findings, 'commitment.report-role-not-accepted');
    expect(f.severity).toBe('warning');
    expect(f.fix).toBe(`Make the SCU accept the SCP role for the Push Model on its port: pacscope: pacscope commit --port ${listenPort} --listen-aet WS (it accepts the SCP role unless --refuse-scp-role is given).`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it("Orthanc's DicomModalities has a wrong port for the SCU: the report association is refused, diagnosed with that entry", async () => {
    const r = await flow('orthanc-scp-wrong-port', [scp.dicomPort, listenPort, deadPort], async (hub) => {
      const res = await commit(hub, { port: scp.dicomPort, callingAeTitle: 'WSDEAD', calledAeTitle: 'ORTHANC', instances: held, listen: { host: HOST, port: listenPort }, reportTimeoutMs: 1000 });
      expect(res.outcome).toBe('aborted');
    });
    expect(causes(r.file)).toEqual(['WSDEAD→ORTHANC released -', 'null→null refused storage-commitment/time-only']);
    const f = only(r.findings, 'commitment.report-refused');
    expect(f.title).toBe(`Storage commitment report to "WSDEAD" refused: nothing listens at ${HOST}:${deadPort}`);
    expect(f.fix).toContain('Correct the entry "ORTHANC" has for "WSDEAD": Orthanc: an entry ["WSDEAD", host, port] in "DicomModalities"');
    expect(f.fix).toContain(`pacscope commit --port ${deadPort} --listen-aet WSDEAD`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('the SCU accepts reports from known AEs only and Orthanc is not one: 1/1/3, fix the SCU\'s list', async () => {
    const r = await flow('orthanc-scp-unknown-scp', [scp.dicomPort, listenPort], async (hub) => {
      await commit(hub, { port: scp.dicomPort, callingAeTitle: 'STRICTWS', calledAeTitle: 'ORTHANC', instances: held, listen: { host: HOST, port: listenPort, knownCallers: ['TEACHPACS'] }, reportTimeoutMs: 1000 });
    });
    expect(causes(r.file)).toEqual(['STRICTWS→ORTHANC released -', 'ORTHANC→STRICTWS rejected storage-commitment/ae-title-and-time']);
    const f = only(r.findings, 'commitment.report-rejected');
    expect(f.title).toContain('(1/1/3)');
    expect(f.fix).toBe('Register the SCP at the SCU: pacscope: pacscope commit --accept-aet ORTHANC (or leave --accept-aet out to accept any).');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });
});

describe('storage commitment with Orthanc 1.10 as SCU (its REST API) and the built-in PACS as SCP', () => {
  it('each report mode: new and same-else-new report on a new association Orthanc accepts; same never reports (Orthanc releases at once)', async () => {
    const states: Record<string, { Status: string }> = {};
    const r = await flow('orthanc-scu-modes', [pacsPort, scu.dicomPort], async (hub) => {
      for (const mode of ['new', 'same-else-new', 'same'] as const) {
        const p = await pacs(hub, 'TEACHPACS', pacsPort, mode);
        try {
          states[mode] = await orthancCommit('pacs', [PACS_HELD[0], MISSING], mode === 'same' ? 600 : 3000);
        } finally {
          await p.close();
        }
      }
    });
    for (const mode of ['new', 'same-else-new'] as const) {
      expect(states[mode]).toMatchObject({ Status: 'Failure', Success: [{ SOPInstanceUID: PACS_HELD[0].sopInstance }], Failures: [{ SOPInstanceUID: MISSING.sopInstance, FailureReason: 0x0112 }] });
    }
    expect(states.same.Status).toBe('Pending');
    expect(causes(r.file)).toEqual([
      'ORTHANC→TEACHPACS released -',
      'TEACHPACS→ORTHANC released storage-commitment/transaction-uid',
      'ORTHANC→TEACHPACS released -',
      'TEACHPACS→ORTHANC released storage-commitment/transaction-uid',
      'ORTHANC→TEACHPACS released -',
    ]);
    expect(r.findings.map((f) => f.rule), describeFindings(r.findings)).toEqual(['commitment.failures', 'commitment.failures', 'commitment.report-missing']);
    const missing = only(r.findings, 'commitment.report-missing');
    expect(missing.text).toContain('The SCU released a5');
    expect(missing.fix).toContain(`pacscope serve --dest ORTHANC=${HOST}:${scu.dicomPort}`);
  });

  it("the PACS's AE table has a wrong port for Orthanc (it worked before): refused, the fix names the port Orthanc answered on", async () => {
    const r = await flow('orthanc-scu-wrong-port', [pacsPort, scu.dicomPort, deadPort], async (hub) => {
      const p = await pacs(hub, 'TEACHPACS', pacsPort, 'new');
      try {
        expect((await orthancCommit('pacs', PACS_HELD)).Status).toBe('Success');
        p.destinations.set('ORTHANC', { host: HOST, port: deadPort });
        expect((await orthancCommit('pacs', PACS_HELD, 600)).Status).toBe('Pending');
      } finally {
        await p.close();
      }
    });
    expect(causes(r.file).at(-1)).toBe('null→null refused storage-commitment/time-only');
    const f = only(r.findings, 'commitment.report-refused');
    expect(f.fix).toContain(`Correct the entry "TEACHPACS" has for "ORTHANC": pacscope: pacscope serve --dest ORTHANC=${HOST}:${scu.dicomPort}`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('the PACS reports under another AE title than Orthanc knows it by: Orthanc rejects it 1/1/3, the fix names its DicomModalities', async () => {
    const r = await flow('orthanc-scu-unknown-pacs', [secondPort, scu.dicomPort], async (hub) => {
      const p = await pacs(hub, 'SECONDPACS', secondPort, 'new');
      try {
        expect((await orthancCommit('archive', PACS_HELD, 600)).Status).toBe('Pending');
      } finally {
        await p.close();
      }
    });
    expect(causes(r.file)).toEqual(['ORTHANC→ARCHIVE released -', 'SECONDPACS→ORTHANC rejected storage-commitment/ae-title-and-time']);
    const f = only(r.findings, 'commitment.report-rejected');
    expect(f.title).toContain('(1/1/3)');
    expect(f.fix).toBe(`Register the SCP at the SCU: Orthanc: "DicomModalities": {"secondpacs": ["SECONDPACS", "${HOST}", ${secondPort}]} in orthanc.json.`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });
});

describe("pacscope's SCU and the built-in PACS, every report mode on one capture", () => {
  it('same (held open), new (to our port), same-else-new both ways: each report where the mode says, each linked by Transaction UID', async () => {
    const results: CommitResult[] = [];
    const ports = await freePorts(3);
    const r = await flow('pacs-modes', [...ports, listenPort], async (hub) => {
      const same = await pacs(hub, 'SAMEPACS', ports[0], 'same');
      const fresh = await pacs(hub, 'NEWPACS', ports[1], 'new');
      const either = await pacs(hub, 'EITHERPACS', ports[2], 'same-else-new');
      for (const p of [fresh, either]) p.destinations.set('WS', { host: HOST, port: listenPort });
      try {
        results.push(await commit(hub, { port: same.port, callingAeTitle: 'WS', calledAeTitle: 'SAMEPACS', instances: PACS_HELD }));
        results.push(await commit(hub, { port: fresh.port, callingAeTitle: 'WS', calledAeTitle: 'NEWPACS', instances: PACS_HELD, listen: { host: HOST, port: listenPort } }));
        results.push(await commit(hub, { port: either.port, callingAeTitle: 'WS', calledAeTitle: 'EITHERPACS', instances: PACS_HELD }));
        results.push(await commit(hub, { port: either.port, callingAeTitle: 'WS', calledAeTitle: 'EITHERPACS', instances: [...PACS_HELD, MISSING], listen: { host: HOST, port: listenPort } }));
      } finally {
        await Promise.all([same, fresh, either].map((p) => p.close()));
      }
    });
    expect(results.map((x) => [x.outcome, x.report?.via, x.report?.eventTypeId])).toEqual([
      ['success', 'same', 1],
      ['success', 'listener', 1],
      ['success', 'same', 1],
      ['failure', 'listener', 2],
    ]);
    expect(causes(r.file)).toEqual([
      'WS→SAMEPACS released -',
      'WS→NEWPACS released -',
      'NEWPACS→WS released storage-commitment/transaction-uid',
      'WS→EITHERPACS released -',
      'WS→EITHERPACS released -',
      'EITHERPACS→WS released storage-commitment/transaction-uid',
    ]);
    // Each report links to its own N-ACTION (four transactions on one capture).
    const actions = r.file.messages.flatMap((m, i) => (m.commandField === 0x0130 ? [i] : []));
    const reports = r.file.messages.filter((m) => m.commandField === 0x0100);
    expect(reports.map((m) => m.cause?.message)).toEqual(actions);
    expect(reports.map((m) => commitmentFacts(m.identifier).transactionUid)).toEqual(results.map((x) => x.transactionUid));
    expect(problems(r.findings).map((f) => f.rule), describeFindings(r.findings)).toEqual(['commitment.failures']);
  });
});
