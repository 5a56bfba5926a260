/**
 * The association inspector's pure side (web/src/lib/inspector/association-detail.ts
 * and association-tables.ts): what a selection points at, which PDUs carry
 * the event, the titles, the codes with their meanings, the tables' rows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import {
  abortRows,
  abortSender,
  associationTarget,
  connectionRows,
  eventPdus,
  moveDestinationOf,
  pduEvent,
  rejectRows,
  targetPdus,
  targetTitle,
  timeRows,
} from '../../../web/src/lib/inspector/association-detail.ts';
import { contextRows, roleRows, rolesText, sideRows, userIdentityRows } from '../../../web/src/lib/inspector/association-tables.ts';
import { aborted, closed, refused, rejected, released, UID, unanswered } from './association-capture.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const fixture = (name: string): Summary => migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));

describe('associationTarget', () => {
  it('takes a lifecycle selection as it is', async () => {
    const s = await released();
    expect(associationTarget(s, { kind: 'lifecycle', index: 0, event: 'release' })).toEqual({ index: 0, event: 'release', pdu: null });
    expect(associationTarget(s, { kind: 'lifecycle', index: 5, event: 'release' })).toBeNull();
  });

  it('takes a PDU selection of an association PDU, with its event', async () => {
    const s = await released();
    expect(s.pdus.map((p) => p.type)).toEqual(['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC', 'A-RELEASE-RQ', 'A-RELEASE-RP']);
    expect(associationTarget(s, { kind: 'pdu', index: 1 })).toEqual({ index: 0, event: 'associate', pdu: 1 });
    expect(associationTarget(s, { kind: 'pdu', index: 3 })).toEqual({ index: 0, event: 'release', pdu: 3 });
    const rj = fixture('reject');
    expect(associationTarget(rj, { kind: 'pdu', index: 1 })).toEqual({ index: 0, event: 'reject', pdu: 1 });
  });

  it('leaves messages, P-DATA-TF and nothing to the message inspector', () => {
    const move = fixture('move');
    const pdata = move.pdus.findIndex((p) => p.type === 'P-DATA-TF');
    expect(associationTarget(move, { kind: 'pdu', index: pdata })).toBeNull();
    expect(associationTarget(move, { kind: 'message', index: 0 })).toBeNull();
    expect(associationTarget(move, null)).toBeNull();
  });

  it('maps every association PDU type to its event', () => {
    expect(['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC', 'A-ASSOCIATE-RJ', 'A-RELEASE-RQ', 'A-RELEASE-RP', 'A-ABORT', 'P-DATA-TF'].map(pduEvent)).toEqual([
      'associate', 'associate', 'reject', 'release', 'release', 'abort', null,
    ]);
  });
});

describe('the PDUs of an event', () => {
  it('picks the association\'s PDUs of the event\'s types, in order', () => {
    const move = fixture('move');
    const a2 = move.associations[1].id;
    const rel = eventPdus(move.pdus, a2, 'release');
    expect(rel.map((i) => [move.pdus[i].association, move.pdus[i].type])).toEqual([[a2, 'A-RELEASE-RQ'], [a2, 'A-RELEASE-RP']]);
    expect(eventPdus(move.pdus, a2, 'associate').map((i) => move.pdus[i].type)).toEqual(['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC']);
    expect(eventPdus(move.pdus, a2, 'refused')).toEqual([]);
  });

  it('the clicked PDU alone for a PDU selection', async () => {
    const s = await released();
    expect(targetPdus(s, { index: 0, event: 'associate', pdu: 1 })).toEqual({ indices: [1], loading: false });
    expect(targetPdus(s, { index: 0, event: 'associate', pdu: null })).toEqual({ indices: [0, 1], loading: false });
  });

  it('"loading" while the live view has no PDUs yet; none for the TCP events', async () => {
    const s = await aborted('acceptor', 2, 2);
    expect(targetPdus(s, { index: 0, event: 'abort', pdu: null })).toEqual({ indices: [2], loading: false });
    const live = { ...s, pdus: [] };
    expect(targetPdus(live, { index: 0, event: 'abort', pdu: null })).toEqual({ indices: [], loading: true });
    expect(targetPdus(live, { index: 0, event: 'closed', pdu: null })).toEqual({ indices: [], loading: false });
    expect(targetPdus(await refused(), { index: 0, event: 'refused', pdu: null })).toEqual({ indices: [], loading: false });
    // PDUs loaded, but none of that type: not loading.
    expect(targetPdus(s, { index: 0, event: 'release', pdu: null })).toEqual({ indices: [], loading: false });
  });
});

describe('titles and codes', () => {
  it('"A-ASSOCIATE-RJ — association a1 SCU → WRONGAE"', () => {
    const s = fixture('reject');
    expect(targetTitle(s, { index: 0, event: 'reject', pdu: null })).toBe('A-ASSOCIATE-RJ — association a1 SCU → WRONGAE');
    expect(targetTitle(s, { index: 0, event: 'associate', pdu: 0 })).toBe('A-ASSOCIATE-RQ — association a1 SCU → WRONGAE');
    expect(targetTitle(s, { index: 0, event: 'associate', pdu: null })).toBe('A-ASSOCIATE-RQ — association a1 SCU → WRONGAE');
  });

  it('names the ends by address when no A-ASSOCIATE-RQ was seen', async () => {
    const s = await refused();
    expect(targetTitle(s, { index: 0, event: 'refused', pdu: null })).toBe('TCP connection refused — association a1 10.0.0.1:40001 → 10.0.0.3:11112');
    const c = await closed('reset');
    expect(targetTitle(c, { index: 0, event: 'closed', pdu: null })).toBe('TCP reset — association a1 WORKSTATION → PACS');
    expect(targetTitle(c, { index: 0, event: 'associate', pdu: null })).toBe('A-ASSOCIATE-RQ / A-ASSOCIATE-AC — association a1 WORKSTATION → PACS');
  });

  it('A-ASSOCIATE-RJ result, source, reason with their meanings (PS3.8 Table 9-21)', async () => {
    const reject = fixture('reject').associations[0].reject!;
    expect(rejectRows(reject)).toEqual([
      { field: 'Result', testid: 'reject-result', code: 1, meaning: 'rejected-permanent' },
      { field: 'Source', testid: 'reject-source', code: 1, meaning: 'DICOM UL service-user' },
      { field: 'Reason/Diag.', testid: 'reject-reason', code: 7, meaning: 'called-AE-title-not-recognized' },
    ]);
    const transient = (await rejected(2, 3, 1)).associations[0].reject!;
    expect(rejectRows(transient).map((r) => `${r.code} ${r.meaning}`)).toEqual(['2 rejected-transient', '3 DICOM UL service-provider (Presentation related function)', '1 temporary-congestion']);
  });

  it('A-ABORT source and reason with their meanings, and who sent it (PS3.8 Table 9-26)', async () => {
    const provider = (await aborted('acceptor', 2, 2)).associations[0];
    expect(abortRows(provider.abort!)).toEqual([
      { field: 'Source', testid: 'abort-source', code: 2, meaning: 'DICOM UL service-provider (initiated abort)' },
      { field: 'Reason/Diag.', testid: 'abort-reason', code: 2, meaning: 'unexpected-PDU' },
    ]);
    expect(abortSender(provider)).toBe('the acceptor PACS (10.0.0.2:104), its DICOM upper layer');
    const user = (await aborted('requestor', 0, 0)).associations[0];
    expect(abortRows(user.abort!).map((r) => r.meaning)).toEqual(['DICOM UL service-user (initiated abort)', 'not significant']);
    expect(abortSender(user)).toBe('the requestor WORKSTATION (10.0.0.1:40000)');
  });
});

describe('times and the connection', () => {
  it('start, end and duration', async () => {
    const a = (await released()).associations[0];
    expect(timeRows(a)).toEqual([
      { field: 'start', value: '0.0 ms from the start of the source' },
      // The association ends when its release is done and one side closed (connection-decoder.ts).
      { field: 'end', value: '25.0 ms from the start of the source' },
      { field: 'duration', value: '25.0 ms' },
    ]);
    expect(timeRows((await unanswered()).associations[0])[1]).toEqual({ field: 'end', value: 'still open' });
  });

  it('what the capture knows of a refused or reset connection', async () => {
    expect(connectionRows((await refused()).associations[0])).toEqual([
      { field: 'requestor', value: '10.0.0.1:40001' },
      { field: 'acceptor', value: '10.0.0.3:11112' },
      { field: 'outcome', value: 'refused' },
      { field: 'how it ended', value: 'connection refused (RST)' },
    ]);
    expect(connectionRows((await closed('reset')).associations[0])[3]).toEqual({ field: 'how it ended', value: 'connection reset by acceptor' });
  });

  it('the move destination of a sub-association from its C-MOVE-RQ', () => {
    const move = fixture('move');
    const rq = move.messages.findIndex((m) => m.commandField === CommandField.CMoveRq);
    expect(move.messages[rq].moveDestination).toBe('STORESCP');
    const sub = { ...move.associations[1], parent: { association: 'a1', messageId: 1 }, parentRequest: rq };
    expect(moveDestinationOf(move, sub)).toBe('STORESCP');
    expect(moveDestinationOf(move, { ...move.associations[1], cause: null })).toBeNull();
    expect(moveDestinationOf(move, { ...move.associations[0], cause: null })).toBeNull();
  });
});

describe('the A-ASSOCIATE tables', () => {
  it('every presentation context: proposed, result with its meaning (PS3.8 Table 9-18), accepted, role', async () => {
    const rows = contextRows((await released()).associations[0]);
    expect(rows.map((r) => [r.id, r.abstractSyntax?.name, r.proposed.map((t) => t.name), r.result, r.resultMeaning, r.accepted?.name ?? null, r.role])).toEqual([
      [1, 'Verification SOP Class', ['Implicit VR Little Endian'], 0, 'acceptance', 'Implicit VR Little Endian', null],
      [3, 'Study Root Query/Retrieve Information Model - FIND', ['Explicit VR Little Endian', 'Implicit VR Little Endian'], 0, 'acceptance', 'Explicit VR Little Endian', null],
      [5, 'Study Root Query/Retrieve Information Model - MOVE', ['Explicit VR Little Endian', 'Implicit VR Little Endian'], 0, 'acceptance', 'Explicit VR Little Endian', null],
      [7, 'CT Image Storage', ['Explicit VR Little Endian'], 3, 'abstract-syntax-not-supported (provider rejection)', null, 'proposed SCP; accepted SCP'],
    ]);
  });

  it('says why a context has no result', async () => {
    expect(contextRows((await rejected(1, 1, 7)).associations[0])[0]).toMatchObject({ result: null, resultMeaning: 'not answered: the association was rejected', role: null });
    expect(contextRows((await unanswered()).associations[0])[3]).toMatchObject({ result: null, resultMeaning: 'not answered yet', role: 'proposed SCP; not answered' });
  });

  it('role selection, proposed and accepted (PS3.7 Annex D.3.3.4)', async () => {
    expect(roleRows((await released()).associations[0])).toEqual([{ sopClass: { uid: UID.ct, name: 'CT Image Storage' }, proposed: 'SCP', accepted: 'SCP' }]);
    expect(roleRows((await unanswered()).associations[0])[0].accepted).toBe('not answered (default roles)');
    expect([rolesText({ scu: true, scp: true }), rolesText({ scu: true, scp: false }), rolesText({ scu: false, scp: false })]).toEqual(['SCU and SCP', 'SCU', 'neither']);
  });

  it('each side\'s user information', async () => {
    expect(sideRows((await released()).associations[0], true)).toEqual([
      { field: 'Maximum Length Received', requestor: '16384 bytes', acceptor: '32768 bytes' },
      { field: 'Implementation Class UID', requestor: '1.2.276.0.7230010.3.0.3.6.7', acceptor: '1.2.826.0.1.3680043.2.1545.1' },
      { field: 'Implementation Version Name', requestor: 'OFFIS_DCMTK_367', acceptor: 'PACSCOPE' },
      { field: 'Asynchronous Operations Window', requestor: '1 invoked, 1 performed', acceptor: 'not negotiated (1 invoked, 1 performed)' },
    ]);
    expect(sideRows((await rejected(1, 1, 7)).associations[0], false).map((r) => r.acceptor)).toEqual(Array(4).fill('no A-ASSOCIATE-AC'));
  });

  it('user identity: type, username, positive response, accepted (PS3.7 Annex D.3.3.7), never the passcode', async () => {
    const rows = userIdentityRows((await released()).associations[0], true);
    expect(rows).toEqual([
      { field: 'User-Identity-Type', value: '2 username and passcode' },
      { field: 'username', value: 'alice' },
      { field: 'Positive-response-requested', value: 'yes' },
      { field: 'accepted', value: 'yes: User Identity server response in the A-ASSOCIATE-AC' },
    ]);
    expect(JSON.stringify(rows)).not.toContain('secret');
    expect(userIdentityRows((await rejected(1, 1, 7)).associations[0], false).at(-1)?.value).toBe('no A-ASSOCIATE-AC');
    expect(userIdentityRows(fixture('reject').associations[0], false)).toEqual([]);
  });
});
