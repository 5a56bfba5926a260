/** What a one-instance C-MOVE says about the route to its destination (server/doctor/move-diagnosis.ts). */
import { describe, expect, it } from 'vitest';
import { diagnoseMove, type MoveFacts } from '../../../server/doctor/move-diagnosis.ts';

const store = { host: '127.0.0.1', port: 11113 };
const base: MoveFacts = {
  destination: 'DOCSTORE',
  store,
  result: { ok: true, outcome: 'success', status: 0 },
  counters: { remaining: null, completed: 1, failed: 0, warning: 0 },
  subs: [],
  stores: [],
  instance: '1.2.3',
  waitedMs: 3000,
};
const sub = (id: string) => ({ id, outcome: 'released' as const, reject: null, presentationContexts: [] });

describe('diagnoseMove', () => {
  it('received on the store SCP: works', () => {
    const v = diagnoseMove({ ...base, subs: [sub('a7')], stores: [{ instance: '1.2.3', status: '0x0000', category: 'success', meaning: 'Success' }] });
    expect(v.ok).toBe(true);
    expect(v.detail.split('\n')[0]).toBe("pacscope's store SCP received the instance on sub-association a7");
    expect(v.fix).toBeUndefined();
  });

  it('0xA801: the peer does not know the destination — the AE table fix for Orthanc and dcmqrscp', () => {
    const v = diagnoseMove({ ...base, result: { ok: false, outcome: 'failure', status: 0xa801 }, counters: { remaining: null, completed: 0, failed: 0, warning: 0 } });
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^the peer does not know the move destination DOCSTORE\nfinal 0xA801/);
    expect(v.fix).toContain('"DicomModalities": { "docstore": [ "DOCSTORE", "127.0.0.1", 11113 ] }');
    expect(v.fix).toContain('docstore = (DOCSTORE, 127.0.0.1, 11113)');
  });

  it("Orthanc's 0xC000 with no sub-operation: unknown or unreachable destination", () => {
    const v = diagnoseMove({ ...base, result: { ok: false, outcome: 'failure', status: 0xc000 }, counters: { remaining: null, completed: 0, failed: 0, warning: 0 } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain('Orthanc 1.10 answers 0xC000');
    expect(v.fix).toContain('DicomModalities');
    expect(v.fix).toContain('(127.0.0.1:11113)');
  });

  it('success but no sub-association seen: the peer sends to another address', () => {
    const v = diagnoseMove(base);
    expect(v.ok).toBe(false);
    expect(v.fix).toMatch(/^the peer sends to another address for DOCSTORE: check host\/port in its table \(it must point to 127\.0\.0\.1:11113\)/);
  });

  it('a sub-association the store SCP rejected', () => {
    const v = diagnoseMove({ ...base, subs: [{ ...sub('a9'), outcome: 'rejected', reject: { result: 1, source: 1, reason: 7, text: 'called-AE-title-not-recognized' } }] });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain('sub-association a9 to DOCSTORE was rejected');
  });

  it('a destination that is not pacscope: success means sent, and says where to check', () => {
    const v = diagnoseMove({ ...base, store: null });
    expect(v.ok).toBe(true);
    expect(v.detail).toContain('check on DOCSTORE');
  });

  it('success with nothing sent', () => {
    const v = diagnoseMove({ ...base, counters: { remaining: null, completed: 0, failed: 0, warning: 0 } });
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^nothing was sent/);
  });

  it('no response at all: the association failed', () => {
    const v = diagnoseMove({ ...base, result: { ok: false, outcome: 'error', reason: 'presentation context for 1.2.840.10008.5.1.4.1.2.2.2 not accepted: abstract-syntax-not-supported' } });
    expect(v.ok).toBe(false);
    expect(v.fix).toMatch(/does not accept C-MOVE/);
  });
});
