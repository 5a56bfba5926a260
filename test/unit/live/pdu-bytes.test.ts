/**
 * The bytes behind the PDUs (issue 4 §3): the hub's bounded byte log, the
 * PDU → bytes mapping (mirror connections dropped), 410 once dropped, and
 * GET /api/pdus/:index/bytes over a real C-ECHO.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ByteLog } from '../../../server/capture/byte-log.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { cEcho } from '../../../server/endpoints/scu/echo.ts';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { startLiveFixture, type LiveFixture } from './live-fixture.ts';

const bytes = (...v: number[]) => Uint8Array.from(v);
/** A-RELEASE-RQ: type 05, reserved, length 4, 4 reserved bytes. */
const releaseRq = () => bytes(0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0);

describe('ByteLog', () => {
  it('reads ranges across chunks, truncates to the cap, says null for bytes never seen', () => {
    const log = new ByteLog(1000);
    log.data(1, 'requestor', bytes(1, 2, 3));
    log.data(1, 'requestor', bytes(4, 5));
    log.data(1, 'acceptor', bytes(9));
    expect(log.read(1, 'requestor', 1, 4, 100)).toEqual({ bytes: bytes(2, 3, 4, 5), truncated: false });
    expect(log.read(1, 'requestor', 0, 5, 2)).toEqual({ bytes: bytes(1, 2), truncated: true });
    expect(log.read(1, 'acceptor', 0, 1, 100)).toEqual({ bytes: bytes(9), truncated: false });
    expect(log.read(1, 'requestor', 3, 5, 100)).toBeNull();
    expect(log.read(2, 'requestor', 0, 1, 100)).toBeNull();
    expect(log.size).toBe(6);
  });

  it('a capture gap moves the offsets on; reading across it is gone', () => {
    const log = new ByteLog(1000);
    log.data(1, 'requestor', bytes(1, 2));
    log.gap(1, 'requestor', 3);
    log.data(1, 'requestor', bytes(6, 7));
    expect(log.read(1, 'requestor', 5, 2, 100)).toEqual({ bytes: bytes(6, 7), truncated: false });
    expect(log.read(1, 'requestor', 1, 3, 100)).toBe('gone');
  });

  it('over the budget, the oldest connection goes first', () => {
    const log = new ByteLog(10);
    log.data(1, 'requestor', new Uint8Array(4));
    log.data(1, 'acceptor', new Uint8Array(4));
    log.data(2, 'requestor', new Uint8Array(4));
    expect(log.size).toBeLessThanOrEqual(10);
    expect(log.read(1, 'requestor', 0, 4, 100)).toBe('gone');
    expect(log.read(1, 'acceptor', 0, 4, 100)).not.toBe('gone');
    expect(log.read(2, 'requestor', 0, 4, 100)).toMatchObject({ truncated: false });
    log.data(2, 'requestor', new Uint8Array(6));
    expect(log.read(1, 'acceptor', 0, 4, 100)).toBe('gone');
    expect(log.read(2, 'requestor', 0, 10, 100)).toMatchObject({ truncated: false });
  });
});

describe('CaptureHub.pduBytes', () => {
  const open = (conn: number, port: number): WireEvent => ({
    kind: 'open',
    conn,
    time: 0,
    requestor: { host: '127.0.0.1', port },
    acceptor: { host: '127.0.0.1', port: 104 },
  });

  it('maps a summary PDU to its bytes, skips mirrors, answers 410 once the bytes are dropped', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'pdu bytes' }, byteBudget: 25 });
    hub.sink(open(1, 5000));
    hub.sink(open(2, 5000)); // the other end of the same TCP connection: a mirror
    hub.sink({ kind: 'data', conn: 2, time: 1, from: 'requestor', bytes: releaseRq() });
    hub.sink({ kind: 'data', conn: 1, time: 1, from: 'requestor', bytes: releaseRq() });
    const pdus = hub.summary().pdus;
    expect(pdus).toHaveLength(1);
    const first = hub.pduBytes(0);
    expect(first).toEqual({ ok: true, index: 0, offset: 0, length: 10, truncated: false, bytes: releaseRq() });
    expect(hub.pduBytes(0, 4)).toMatchObject({ ok: true, truncated: true, bytes: bytes(0x05, 0, 0, 0) });
    expect(hub.pduBytes(7)).toMatchObject({ ok: false, status: 404 });

    // A second and third connection push the first one's bytes out of the 25-byte budget.
    hub.sink(open(3, 5001));
    hub.sink({ kind: 'data', conn: 3, time: 2, from: 'requestor', bytes: releaseRq() });
    hub.sink(open(4, 5002));
    hub.sink({ kind: 'data', conn: 4, time: 3, from: 'requestor', bytes: releaseRq() });
    expect(hub.summary().pdus).toHaveLength(3);
    const gone = hub.pduBytes(0);
    expect(gone).toMatchObject({ ok: false, status: 410 });
    expect(!gone.ok && gone.reason).toMatch(/dropped/);
    expect(hub.pduBytes(2)).toMatchObject({ ok: true, bytes: releaseRq() });
    await hub.close();
  });
});

describe('GET /api/pdus/:index/bytes', () => {
  let f: LiveFixture | null = null;
  afterEach(async () => {
    await f?.stop();
    f = null;
  });

  it('serves every PDU of a C-ECHO as hex; P-DATA-TF starts with 04; the message maps to its PDU', async () => {
    f = await startLiveFixture();
    const result = await cEcho({ host: '127.0.0.1', port: f.pacs.port, callingAeTitle: 'BYTES', calledAeTitle: f.pacs.ae }, f.hub);
    expect(result.outcome).toBe('success');
    const deadline = Date.now() + 5000;
    while (!f.hub.summary().pdus.some((p) => p.type === 'A-RELEASE-RP') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const { pdus, messages } = f.hub.summary();
    expect(pdus.map((p) => p.type)).toEqual(['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC', 'P-DATA-TF', 'P-DATA-TF', 'A-RELEASE-RQ', 'A-RELEASE-RP']);

    for (let i = 0; i < pdus.length; i++) {
      const res = await fetch(`${f.base}/api/pdus/${i}/bytes`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { index: number; offset: number; length: number; truncated: boolean; hex: string };
      expect(body).toMatchObject({ index: i, offset: pdus[i].offset, length: pdus[i].length, truncated: false });
      expect(body.hex).toHaveLength(pdus[i].length * 2);
      // The PDU type byte, then the length field (bytes 2..5) = length − 6.
      expect(parseInt(body.hex.slice(0, 2), 16)).toBe([1, 2, 4, 4, 5, 6][i]);
      expect(parseInt(body.hex.slice(4, 12), 16)).toBe(pdus[i].length - 6);
    }
    // The C-ECHO-RQ's first command PDV sits inside the first P-DATA-TF.
    const detail = f.hub.messageDetail(0)!;
    const carrier = pdus.findIndex((p) => p.association === messages[0].association && p.from === messages[0].side && p.offset <= detail.offset && detail.offset < p.offset + p.length);
    expect(carrier).toBe(2);

    expect((await fetch(`${f.base}/api/pdus/99/bytes`)).status).toBe(404);
    expect((await fetch(`${f.base}/api/pdus/x/bytes`)).status).toBe(404);
  });
});
