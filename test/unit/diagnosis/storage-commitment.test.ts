/**
 * The storage commitment rules (shared/diagnosis/storage-commitment.ts) on
 * decoded sessions (wire events → decoder → summary → diagnose): healthy
 * flows give no error or warning; each failure is found once, by cause,
 * with the AE titles, hosts and ports of the wire in its fix, and the
 * generic rules (association-reject, connection.refused, the status
 * fallback) do not say it again.
 */
import { describe, expect, it } from 'vitest';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { SummaryBuilder } from '../../../shared/model/summary-builder.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import type { DiagnoseOptions, Finding } from '../../../shared/diagnosis/types.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { encodeAAssociateAc, encodeAAssociateRq } from '../../../shared/pdu/encode.ts';
import { el, encodeDataSet, IMPLICIT_LE } from '../dimse/encode.ts';
import { COMMIT, DimseScript, msg, type Assoc, type Message } from '../model/dimse-script.ts';

function diagnosed(s: DimseScript, options: DiagnoseOptions = {}): { summary: Summary; findings: Finding[] } {
  const decoder = new SessionDecoder();
  const builder = new SummaryBuilder({ path: 'test', format: 'test' }, null);
  for (const ev of s.events) for (const d of decoder.push(ev)) builder.apply(d);
  for (const d of decoder.finish()) builder.apply(d);
  const summary = builder.result();
  return { summary, findings: diagnose(summary, options) };
}

const serious = (fs: Finding[]) => fs.filter((f) => f.severity !== 'info').map((f) => f.rule);

const rsp = (respondsTo: number, commandField: number, status = 0): Message => ({
  sopClass: COMMIT,
  command: [[0x0002, 'UI', COMMIT], [0x0100, 'US', [commandField]], [0x0120, 'US', [respondsTo]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [status]]],
});

const failureReport = (id: number, uid: string, reason: number, committed: boolean): Message => ({
  sopClass: COMMIT,
  command: [[0x0002, 'UI', COMMIT], [0x0100, 'US', [0x0100]], [0x0110, 'US', [id]], [0x0800, 'US', [0]], [0x1000, 'UI', '1.2.840.10008.1.20.1.1'], [0x1002, 'US', [2]]],
  dataSet: encodeDataSet(
    [
      el(0x00081195, 'UI', uid),
      el(0x00081198, 'SQ', [[el(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'), el(0x00081155, 'UI', '1.2.3.9'), el(0x00081197, 'US', [reason])]]),
      ...(committed ? [el(0x00081199, 'SQ', [[el(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'), el(0x00081155, 'UI', '1.2.3.8')]])] : []),
    ],
    IMPLICIT_LE,
  ),
});

const UID = '1.2.3.4.5';

/** The modality WS asks PACS on a1; `release`: right after the N-ACTION-RSP. */
function request(s: DimseScript, status = 0, release = true): Assoc {
  const a = s.associate('WS', 'PACS', 104);
  s.send(a, 'requestor', msg.commitRq(1, UID));
  s.send(a, 'acceptor', rsp(1, CommandField.NActionRsp, status));
  if (release) s.release(a);
  return a;
}

/** The report association PACS → WS at `port` with a role selection item (null: none answered). */
let conns = 1000;
function reverse(s: DimseScript, port: number, accepted: { scu: boolean; scp: boolean } | null, contextResult = 0): Assoc {
  const conn = ++conns;
  const ts = '1.2.840.10008.1.2';
  s.events.push({ kind: 'open', conn, time: s.now++, requestor: { host: '127.0.0.1', port: 40000 + conn }, acceptor: { host: '127.0.0.1', port } });
  s.events.push({ kind: 'data', conn, time: s.now++, from: 'requestor', bytes: encodeAAssociateRq({ callingAeTitle: 'PACS', calledAeTitle: 'WS', presentationContexts: [{ id: 9, abstractSyntax: COMMIT, transferSyntaxes: [ts] }], userInformation: { maxLength: 16384, roleSelections: [{ sopClassUid: COMMIT, scuRole: false, scpRole: true }] } }) });
  s.events.push({ kind: 'data', conn, time: s.now++, from: 'acceptor', bytes: encodeAAssociateAc({ callingAeTitle: 'PACS', calledAeTitle: 'WS', presentationContexts: [{ id: 9, result: contextResult, transferSyntax: ts }], userInformation: { maxLength: 16384, roleSelections: accepted ? [{ sopClassUid: COMMIT, scuRole: accepted.scu, scpRole: accepted.scp }] : [] } }) });
  return { conn };
}

function release(s: DimseScript, a: Assoc): void {
  s.release(a);
}

describe('storage commitment diagnosis', () => {
  it('healthy: a report on the same association, and one on a new association with the SCP role, give no error or warning', () => {
    const same = new DimseScript();
    const a = request(same, 0, false);
    same.send(a, 'acceptor', msg.commitReport(1, UID));
    same.send(a, 'requestor', rsp(1, CommandField.NEventReportRsp));
    same.release(a);
    expect(diagnosed(same).findings).toEqual([]);

    const fresh = new DimseScript();
    request(fresh);
    fresh.wait(100);
    const back = reverse(fresh, 4104, { scu: false, scp: true });
    fresh.send(back, 'requestor', msg.commitReport(1, UID));
    fresh.send(back, 'acceptor', rsp(1, CommandField.NEventReportRsp));
    release(fresh, back);
    const { summary, findings } = diagnosed(fresh);
    expect(summary.associations[1].cause?.evidence).toBe('transaction-uid');
    expect(findings).toEqual([]);
  });

  it('report association refused: the SCP\'s AE table entry for the SCU, with the port where the SCU listens', () => {
    const s = new DimseScript();
    request(s);
    s.wait(100);
    s.refuse(4105);
    const { findings } = diagnosed(s, { listening: [{ ae: 'WS', host: '127.0.0.1', port: 4104 }] });
    expect(serious(findings)).toEqual(['commitment.report-refused']);
    const f = findings.find((x) => x.rule === 'commitment.report-refused')!;
    expect(f.text).toContain('127.0.0.1:4105');
    expect(f.fix).toContain('"WS"');
    expect(f.fix).toContain('127.0.0.1:4104');
    expect(f.evidence.associations).toEqual(['a1', 'a2']);
  });

  it('report association rejected: 1/1/7 (the SCU does not answer to that title) and 1/1/3 (it does not know the SCP), no association.rejected.* beside', () => {
    for (const [reason, words, fix] of [
      [7, 'does not answer to "WS"', 'answer to "WS"'],
      [3, 'does not know the calling AE title "PACS"', '"PACS"'],
    ] as const) {
      const s = new DimseScript();
      request(s);
      s.wait(50);
      s.reject('PACS', 'WS', 4104, [1, 1, reason]);
      const { findings } = diagnosed(s);
      expect(serious(findings), `reason ${reason}`).toEqual(['commitment.report-rejected']);
      const f = findings[0];
      expect(f.title).toContain(`(1/1/${reason})`);
      expect(f.text).toContain(words);
      expect(f.fix).toContain(fix);
      expect(f.evidence.pdus?.length).toBe(2);
    }
  });

  it('the SCU refused the SCP role: error when nothing was sent, warning when the SCP sent the report anyway; a refused Push Model context too', () => {
    const s = new DimseScript();
    request(s);
    const back = reverse(s, 4104, { scu: false, scp: false });
    release(s, back);
    const { findings } = diagnosed(s);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['commitment.report-role-not-accepted', 'error']]);
    expect(findings[0].text).toContain('SCP role 0');

    const lenient = new DimseScript();
    request(lenient);
    const b2 = reverse(lenient, 4104, null);
    lenient.send(b2, 'requestor', msg.commitReport(1, UID));
    lenient.send(b2, 'acceptor', rsp(1, CommandField.NEventReportRsp));
    release(lenient, b2);
    expect(diagnosed(lenient).findings.map((f) => [f.rule, f.severity])).toEqual([['commitment.report-role-not-accepted', 'warning']]);

    const noContext = new DimseScript();
    request(noContext);
    release(noContext, reverse(noContext, 4104, null, 3));
    const nf = diagnosed(noContext).findings;
    expect(serious(nf)).toEqual(['commitment.report-role-not-accepted']);
    expect(nf[0].title).toContain('refused the Storage Commitment Push Model');
  });

  it('no report: a warning once the window passed (or when the SCU gave up waiting on its association), info when the capture ends early; nothing live within the window', () => {
    const early = new DimseScript();
    request(early);
    const e = diagnosed(early).findings;
    expect(e.map((f) => [f.rule, f.severity])).toEqual([['commitment.report-missing', 'info']]);
    expect(e[0].fix).toContain('"WS"');

    const waited = new DimseScript();
    const a = request(waited, 0, false);
    waited.wait(5000);
    waited.release(a);
    const w = diagnosed(waited).findings;
    expect(w.map((f) => [f.rule, f.severity])).toEqual([['commitment.report-missing', 'warning']]);
    expect(w[0].text).toContain('kept a1 open');

    const live = new DimseScript();
    request(live);
    const { summary } = diagnosed(live);
    expect(diagnose(summary, { now: 2, complete: false }).map((f) => f.rule)).toEqual([]);
    expect(diagnose(summary, { now: 40, complete: false }).map((f) => [f.rule, f.severity])).toEqual([['commitment.report-missing', 'warning']]);
  });

  it('Event Type 2: the failures with their reasons and what to do; error when nothing was committed', () => {
    for (const [committed, severity] of [[true, 'warning'], [false, 'error']] as const) {
      const s = new DimseScript();
      const a = request(s, 0, false);
      s.send(a, 'acceptor', failureReport(1, UID, 0x0112, committed));
      s.send(a, 'requestor', rsp(1, CommandField.NEventReportRsp));
      s.release(a);
      const { findings } = diagnosed(s);
      expect(findings.map((f) => [f.rule, f.severity])).toEqual([['commitment.failures', severity]]);
      expect(findings[0].text).toContain('0x0112 no such object instance');
      expect(findings[0].fix).toContain('C-STORE');
    }
  });

  it('N-ACTION refused: the status meaning and its fix, once (no dimse.failure-status beside)', () => {
    const s = new DimseScript();
    request(s, 0x0124);
    const { findings } = diagnosed(s);
    expect(serious(findings)).toEqual(['commitment.request-refused']);
    expect(findings[0].text).toContain('does not allow "WS"');
  });
});
