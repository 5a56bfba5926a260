/**
 * C-MOVE of the built-in PACS with DCMTK movescu and the store SCP as the
 * destination: synchronous (pending responses, final after the last
 * C-STORE-RSP) and asynchronous (as Orthanc 1.10 with SynchronousCMove
 * false: pendings and a final "completed N" before the first C-STORE, even
 * when the destination is down), unknown destination (0xA801),
 * destination not listening and storage context rejected (failed
 * sub-operations, 0xA702 when none succeeded, 0xB000 when some did — PS3.4
 * C.4.2.1.5 and Table C.4-2), moving to movescu itself, and C-CANCEL (0xFE00
 * with the counters so far). The order is read from the hub, i.e. the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from './harness/process.ts';
import { freePort } from './harness/net.ts';
import { StoreScp } from './harness/peers.ts';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startLab, until, type PacsLab } from './pacs-lab.ts';
import { instanceUid, studyUid, CT_IMAGE_STORAGE, MR_IMAGE_STORAGE } from '../../server/endpoints/pacs/synthetic-studies.ts';
import dimse from '../../server/dimse/library.ts';
import { sendTapped } from '../../server/endpoints/dimse-tap.ts';
import type { CMoveResponse } from '../../server/dimse/library.ts';
import type { SummaryMessage } from '../../shared/model/summary-types.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';

let lab: PacsLab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.stop();
});

/** movescu against the PACS; returns the messages of the hub that arrived meanwhile (all associations), in order. */
async function move(args: string[], settle: (ms: SummaryMessage[]) => boolean = (ms) => ms.some(isFinalMove)): Promise<{ output: string; code: number | null; messages: SummaryMessage[] }> {
  const skip = lab.hub.summary().messages.length;
  const r = await runTool('movescu', ['-S', '-aec', 'PACSCOPE', ...args, '127.0.0.1', String(lab.pacs.port)], { timeoutMs: 20_000 });
  let messages: SummaryMessage[] = [];
  await until(() => settle((messages = lab.hub.summary().messages.slice(skip))));
  return { output: r.output, code: r.code, messages };
}

const isFinalMove = (m: SummaryMessage) => m.commandField === CommandField.CMoveRsp && m.status !== 0xff00;
/** The correlator's link of an association of the hub's model. */
const linkOf = (id: string) => {
  const a = lab.hub.summary().associations.find((x) => x.id === id)!;
  return a.cause;
};
const study = (n: number) => ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(n)}`];

describe('C-MOVE of the built-in PACS', () => {
  it('sync: a pending response after each sub-operation, the final one after the last C-STORE-RSP', async () => {
    const r = await move(['-aem', 'STORESCP', ...study(1)]);
    expect(r.code).toBe(0);
    const moves = r.messages.filter((m) => m.commandField === CommandField.CMoveRsp);
    expect(moves.map((m) => [m.status, m.remaining, m.completed, m.failed])).toEqual([
      [0xff00, 3, 1, 0],
      [0xff00, 2, 2, 0],
      [0xff00, 1, 3, 0],
      [0x0000, null, 4, 0],
    ]);
    // Both ends of the sub-association (the PACS's client socket and the store SCP's) are tapped in this
    // process; the hub keeps the connection once.
    const stores = r.messages.filter((m) => m.commandField === CommandField.CStoreRq);
    expect(stores.length).toBe(4);
    expect(stores[0].moveOriginator).toEqual({ ae: 'MOVESCU', messageId: 1 });
    const lastStoreRsp = r.messages.findLastIndex((m) => m.commandField === CommandField.CStoreRsp);
    expect(r.messages.findIndex(isFinalMove)).toBeGreaterThan(lastStoreRsp);
    expect(lab.store.received).toEqual(expect.arrayContaining([instanceUid(1, 2, 1)]));
    // The 512×256 image (256 KiB) spans several P-DATA-TF PDUs of at most the store SCP's maximum length
    // (more than one command PDU and one data set PDU per instance).
    const summary = lab.hub.summary();
    const sub = summary.associations.find((a) => a.requestor.ae === 'PACSCOPE' && a.acceptor.ae === 'STORESCP')!;
    const pdataFromPacs = summary.pdus.filter((p) => p.association === sub.id && p.type === 'P-DATA-TF' && p.from === 'requestor');
    expect(pdataFromPacs.length).toBeGreaterThan(2 * 4);
    expect(Math.max(...pdataFromPacs.map((p) => p.length))).toBeLessThanOrEqual((sub.maxPdu.acceptor ?? 0) + 6);
    // The correlator links the sub-association to the C-MOVE that caused it.
    const rq = r.messages.find((m) => m.commandField === CommandField.CMoveRq)!;
    expect(linkOf(sub.id)).toEqual({ relation: 'c-move', association: rq.association, message: summary.messages.indexOf(rq), evidence: 'move-originator' });
  });

  it('async (as Orthanc with SynchronousCMove false): pendings counting down and the final "completed N" before the first C-STORE-RQ', async () => {
    lab.pacs.setMoveMode('async');
    try {
      // Study 1 has 4 instances; the hub holds the in-process sub-association once.
      const r = await move(['-aem', 'STORESCP', ...study(1)], (ms) => ms.filter((m) => m.commandField === CommandField.CStoreRsp).length === 4);
      expect(r.code).toBe(0);
      expect(r.messages.filter((m) => m.commandField === CommandField.CMoveRsp).map((m) => [m.status, m.remaining, m.completed, m.failed, m.warning])).toEqual([
        [0xff00, 3, 1, 0, 0],
        [0xff00, 2, 2, 0, 0],
        [0xff00, 1, 3, 0, 0],
        [0x0000, null, 4, 0, 0],
      ]);
      expect(r.messages.findIndex(isFinalMove)).toBeLessThan(r.messages.findIndex((m) => m.commandField === CommandField.CStoreRq));
      // The sub-association is requested only after the final response.
      const final = r.messages.find(isFinalMove)!;
      const subAssociation = lab.hub.summary().associations.filter((a) => a.acceptor.port === lab.store.port).at(-1)!;
      expect(subAssociation.start).toBeGreaterThanOrEqual(final.time);
      // Opened after the final response, the sub-association is still linked to its C-MOVE.
      const rq = r.messages.find((m) => m.commandField === CommandField.CMoveRq)!;
      const sub = r.messages.find((m) => m.commandField === CommandField.CStoreRq)!.association;
      expect(linkOf(sub)).toMatchObject({ relation: 'c-move', association: rq.association, evidence: 'move-originator' });
    } finally {
      lab.pacs.setMoveMode('sync');
    }
  });

  it('an unknown destination gets 0xA801 and no sub-association', async () => {
    const r = await move(['-aem', 'NOWHERE', ...study(1)]);
    expect(r.messages.map((m) => `${commandOf(m)} ${statusCodeOf(m) ?? ''}`.trim())).toEqual(['C-MOVE-RQ', 'C-MOVE-RSP 0xA801']);
    expect(r.output).toMatch(/Move Destination unknown|MoveDestinationUnknown/i);
  });

  it('async and a destination that does not listen: still "completed N" (as Orthanc), then the refused connection', async () => {
    lab.pacs.destinations.set('DEADASYNC', { host: '127.0.0.1', port: await freePort() });
    lab.pacs.setMoveMode('async');
    try {
      const refusedBefore = lab.hub.summary().associations.filter((a) => a.outcome === 'refused').length;
      const r = await move(['-aem', 'DEADASYNC', ...study(3)], () => lab.hub.summary().associations.filter((a) => a.outcome === 'refused').length > refusedBefore);
      expect(r.code).toBe(0);
      expect(r.messages.filter((m) => m.commandField === CommandField.CMoveRsp).map((m) => [m.status, m.remaining, m.completed, m.failed, m.warning])).toEqual([
        [0xff00, 1, 1, 0, 0],
        [0x0000, null, 2, 0, 0],
      ]);
      const refused = lab.hub.summary().associations.filter((a) => a.outcome === 'refused').at(-1)!;
      expect(refused.start).toBeGreaterThanOrEqual(r.messages.find(isFinalMove)!.time);
    } finally {
      lab.pacs.setMoveMode('sync');
      lab.pacs.destinations.delete('DEADASYNC');
    }
  });

  it('a destination that does not listen: every sub-operation failed, 0xA702', async () => {
    lab.pacs.destinations.set('DEAD', { host: '127.0.0.1', port: await freePort() });
    const r = await move(['-aem', 'DEAD', ...study(3)]);
    expect(r.messages.filter(isFinalMove).map((m) => [m.status, m.completed, m.failed, m.warning])).toEqual([[0xa702, 0, 2, 0]]);
    expect(lab.hub.summary().associations.some((a) => a.outcome === 'refused')).toBe(true);
  });

  it('a store SCP that rejects the SOP class: failed sub-operations, 0xA702 when none completed, 0xB000 when some did', async () => {
    lab.store.acceptedSopClasses = [MR_IMAGE_STORAGE];
    try {
      const ct = await move(['-aem', 'STORESCP', ...study(3)]);
      expect(ct.messages.filter(isFinalMove).map((m) => [m.status, m.completed, m.failed])).toEqual([[0xa702, 0, 2]]);
      const mixed = await move(['-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `SOPInstanceUID=${instanceUid(1, 1, 1)}\\${instanceUid(2, 1, 1)}`]);
      expect(mixed.messages.filter(isFinalMove).map((m) => [m.status, m.completed, m.failed])).toEqual([[0xb000, 1, 1]]);
      // PS3.4 C.4.2.1.4: the final response names what failed.
      expect(mixed.messages.find(isFinalMove)?.identifier).toMatchObject({ FailedSOPInstanceUIDList: instanceUid(1, 1, 1) });
      const ac = lab.hub.summary().associations.filter((a) => a.acceptor.port === lab.store.port).at(-1);
      // PS3.8 Table 9-18: 3 = abstract syntax not supported.
      expect(ac?.presentationContexts.find((pc) => pc.abstractSyntax === CT_IMAGE_STORAGE)?.result).toBe(3);
    } finally {
      lab.store.acceptedSopClasses = undefined;
    }
  });

  it('a store SCP that accepts only Big Endian: transfer syntaxes rejected (result 4), sub-operations failed', async () => {
    lab.store.acceptedTransferSyntaxes = ['1.2.840.10008.1.2.2'];
    try {
      const r = await move(['-aem', 'STORESCP', ...study(3)]);
      expect(r.messages.filter(isFinalMove).map((m) => [m.status, m.failed])).toEqual([[0xa702, 2]]);
      const ac = lab.hub.summary().associations.filter((a) => a.acceptor.port === lab.store.port).at(-1);
      expect(ac?.presentationContexts.map((pc) => pc.result)).toEqual([4]);
    } finally {
      lab.store.acceptedTransferSyntaxes = undefined;
    }
  });

  it('moves to a third party: DCMTK storescp receives every instance, the PACS\'s sub-association is recorded', async () => {
    const port = await freePort();
    const out = join(lab.dir, 'dcmtk-storescp');
    const storescp = await StoreScp.start({ port, aeTitle: 'DCMTKSCP', outDir: out });
    try {
      lab.pacs.destinations.set('DCMTKSCP', { host: '127.0.0.1', port });
      const r = await move(['-aem', 'DCMTKSCP', ...study(3)]);
      expect(r.code).toBe(0);
      expect(r.messages.filter(isFinalMove).map((m) => [m.status, m.completed, m.failed])).toEqual([[0x0000, 2, 0]]);
      // Only the PACS's end of this sub-association is tapped (storescp is another process): one C-STORE-RQ per instance.
      const stores = r.messages.filter((m) => m.commandField === CommandField.CStoreRq && m.to === 'DCMTKSCP');
      expect(stores.map((m) => m.moveOriginator)).toEqual([{ ae: 'MOVESCU', messageId: 1 }, { ae: 'MOVESCU', messageId: 1 }]);
      const rq = r.messages.find((m) => m.commandField === CommandField.CMoveRq)!;
      expect(linkOf(stores[0].association)).toMatchObject({ relation: 'c-move', association: rq.association });
      // storescp writes each file before it answers its C-STORE-RQ, so they are there once the move is over.
      expect((await readdir(out)).filter((f) => f.endsWith('.dcm')).length).toBe(2);
    } finally {
      lab.pacs.destinations.delete('DCMTKSCP');
      await storescp.stop();
    }
  });

  it('moves to movescu itself (--port) when it is a known destination', async () => {
    const port = await freePort();
    lab.pacs.destinations.set('MOVESCU', { host: '127.0.0.1', port });
    const r = await move(['--port', String(port), '-od', lab.dir, '-aem', 'MOVESCU', ...study(3)]);
    expect(r.code).toBe(0);
    expect(r.messages.filter(isFinalMove).map((m) => [m.status, m.completed])).toEqual([[0x0000, 2]]);
  });

  it('C-CANCEL of a running C-MOVE (slow sub-operations): 0xFE00 with the counters so far', async () => {
    lab.pacs.setSubOperationDelay(250);
    try {
      const { Client, requests } = dimse;
      const client = new Client();
      const request = requests.CMoveRequest.createStudyMoveRequest('STORESCP', studyUid(1));
      const seen: CMoveResponse[] = [];
      request.on('response', (rsp: CMoveResponse) => {
        seen.push(rsp);
        if (seen.length === 1) client.cancel(request);
      });
      client.addRequest(request);
      const closed = new Promise((resolve) => client.on('closed', resolve));
      sendTapped(client, lab.hub, { host: '127.0.0.1', port: lab.pacs.port, callingAeTitle: 'CANCELSCU', calledAeTitle: 'PACSCOPE' });
      await closed;
      const final = seen.at(-1)!;
      expect(final.getStatus()).toBe(0xfe00);
      expect(final.getCompleted()).toBeGreaterThanOrEqual(1);
      expect(final.getRemaining()).toBeGreaterThan(0);
      expect(final.getCompleted() + final.getRemaining() + final.getFailures()).toBe(4);
      // On the wire: the C-CANCEL-RQ points at the C-MOVE-RQ it cancels, the 0xFE00 answers that request.
      const all = lab.hub.summary().messages;
      const cancel = all.findLastIndex((m) => m.commandField === CommandField.CCancelRq && m.from === 'CANCELSCU');
      const rq = all.findLastIndex((m) => m.commandField === CommandField.CMoveRq && m.from === 'CANCELSCU');
      expect(cancel).toBeGreaterThan(rq);
      expect(all[cancel].cause).toEqual({ relation: 'c-cancel', message: rq });
      expect(all.find((m) => m.association === all[rq].association && m.status === 0xfe00)?.request).toBe(rq);
    } finally {
      lab.pacs.setSubOperationDelay(0);
    }
  });

  it('two concurrent C-MOVEs from one AE to one destination: each sub-association is linked to its own C-MOVE by the originator Message ID', async () => {
    lab.pacs.setSubOperationDelay(150);
    try {
      const { Client, requests } = dimse;
      const skip = lab.hub.summary().messages.length;
      // dcmjs-dimse numbers messages per association from 1: a C-ECHO first makes the second C-MOVE #2.
      const run = (study: number, echoFirst: boolean) =>
        new Promise<void>((resolve) => {
          const client = new Client();
          if (echoFirst) client.addRequest(new requests.CEchoRequest());
          client.addRequest(requests.CMoveRequest.createStudyMoveRequest('STORESCP', studyUid(study)));
          client.on('closed', () => resolve());
          sendTapped(client, lab.hub, { host: '127.0.0.1', port: lab.pacs.port, callingAeTitle: 'TWOMOVES', calledAeTitle: 'PACSCOPE' });
        });
      await Promise.all([run(1, false), run(3, true)]);
      const s = lab.hub.summary();
      const mine = s.messages.slice(skip);
      const moves = mine.filter((m) => m.commandField === CommandField.CMoveRq && m.from === 'TWOMOVES');
      expect(moves.map((m) => m.messageId).sort()).toEqual([1, 2]);
      const finals = moves.map((rq) => mine.find((m) => m.association === rq.association && isFinalMove(m))!);
      expect(finals.map((m) => m.status)).toEqual([0x0000, 0x0000]);
      // They did run at the same time: each request came before the other's final response.
      expect(moves[0].time).toBeLessThan(finals[1].time);
      expect(moves[1].time).toBeLessThan(finals[0].time);
      const subs = [...new Set(mine.filter((m) => m.commandField === CommandField.CStoreRq && m.moveOriginator?.ae === 'TWOMOVES').map((m) => m.association))];
      expect(subs.length).toBe(2);
      const parents = subs.map((id) => {
        const originator = mine.find((m) => m.association === id && m.commandField === CommandField.CStoreRq)!.moveOriginator!;
        const rq = moves.find((m) => m.messageId === originator.messageId)!;
        expect(linkOf(id)).toEqual({ relation: 'c-move', association: rq.association, message: s.messages.indexOf(rq), evidence: 'move-originator' });
        return rq.association;
      });
      expect(new Set(parents).size).toBe(2);
    } finally {
      lab.pacs.setSubOperationDelay(0);
    }
  });
});
