/**
 * Labels of the lifecycle arrows (shared/view/diagram/lifecycle-labels.ts),
 * on associations as the real decoder summarises them (association-capture.ts)
 * and on the recorded fixtures of the web tests.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary, SummaryAssociation } from '../../../shared/model/summary-types.ts';
import { associationAccepted, lifecycleClass, lifecycleLabel, lifecycleTooltip, plainWords } from '../../../shared/view/diagram/lifecycle-labels.ts';
import type { LifecycleEvent } from '../../../shared/view/diagram/layout-types.ts';
import { aborted, closed, refused, rejected, released, unanswered } from './association-capture.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const fixture = (name: string): Summary => migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));
const first = async (s: Promise<Summary>): Promise<SummaryAssociation> => (await s).associations[0];

describe('lifecycleLabel: A-ASSOCIATE', () => {
  it('an accepted association counts its accepted contexts (PS3.8 Table 9-18 result 0)', async () => {
    const a = await first(released());
    expect(associationAccepted(a)).toBe(true);
    expect(lifecycleLabel(a, 'associate')).toBe('A-ASSOCIATE accepted · 3 of 4 contexts');
    expect(lifecycleTooltip(a, 'associate')).toBe(
      'A-ASSOCIATE-RQ WORKSTATION (10.0.0.1:40000) → PACS (10.0.0.2:104), 4 presentation contexts proposed; A-ASSOCIATE-AC: 3 of 4 contexts accepted (PS3.8 Table 9-18); maximum PDU length 16384 / 32768.',
    );
  });

  it('a rejected or unanswered request names calling → called', async () => {
    const rj = await first(rejected(1, 1, 7));
    expect(associationAccepted(rj)).toBe(false);
    expect(lifecycleLabel(rj, 'associate')).toBe('A-ASSOCIATE-RQ WORKSTATION → PACS');
    expect(lifecycleTooltip(rj, 'associate')).toMatch(/answered with A-ASSOCIATE-RJ\.$/);
    const open = await first(unanswered());
    expect(lifecycleLabel(open, 'associate')).toBe('A-ASSOCIATE-RQ WORKSTATION → PACS');
    expect(lifecycleTooltip(open, 'associate')).toMatch(/not answered yet\.$/);
  });

  it('one accepted context of one, and an association seen mid-stream', () => {
    const echo = fixture('move-unknown').associations[0];
    expect(lifecycleLabel(echo, 'associate')).toMatch(/^A-ASSOCIATE accepted · \d of \d contexts?$/);
    const mid = { ...echo, midStream: true };
    expect(lifecycleLabel(mid, 'associate')).toBe('A-ASSOCIATE not seen (capture started later)');
  });
});

describe('lifecycleLabel: A-ASSOCIATE-RJ (PS3.8 Table 9-21)', () => {
  it('quotes the called AE the requestor sent for reason 7', async () => {
    const a = fixture('reject').associations[0];
    expect(lifecycleLabel(a, 'reject')).toBe("rejected: called AE 'WRONGAE' not recognized (1/1/7)");
    expect(lifecycleLabel(await first(rejected(1, 1, 7)), 'reject')).toBe("rejected: called AE 'PACS' not recognized (1/1/7)");
  });

  it('quotes the calling AE for reason 3', async () => {
    expect(lifecycleLabel(await first(rejected(1, 1, 3)), 'reject')).toBe("rejected: calling AE 'WORKSTATION' not recognized (1/1/3)");
  });

  it('says other reasons in words, transient ones as such', async () => {
    expect(lifecycleLabel(await first(rejected(1, 1, 1)), 'reject')).toBe('rejected: no reason given (1/1/1)');
    expect(lifecycleLabel(await first(rejected(1, 1, 2)), 'reject')).toBe('rejected: application context name not supported (1/1/2)');
    expect(lifecycleLabel(await first(rejected(1, 2, 1)), 'reject')).toBe('rejected: no reason given (1/2/1)');
    expect(lifecycleLabel(await first(rejected(1, 2, 2)), 'reject')).toBe('rejected: protocol version not supported (1/2/2)');
    expect(lifecycleLabel(await first(rejected(2, 3, 1)), 'reject')).toBe('rejected (transient): temporary congestion (2/3/1)');
    expect(lifecycleLabel(await first(rejected(2, 3, 2)), 'reject')).toBe('rejected (transient): local limit exceeded (2/3/2)');
  });

  it('reserved and unknown codes stay numbers', async () => {
    expect(lifecycleLabel(await first(rejected(1, 1, 4)), 'reject')).toBe('rejected: reserved reason 4 (1/1/4)');
    expect(lifecycleLabel(await first(rejected(3, 1, 7)), 'reject')).toBe("rejected (result 3): called AE 'PACS' not recognized (3/1/7)");
  });

  it('the tooltip gives every code with its meaning', async () => {
    const a = await first(rejected(2, 3, 2));
    expect(lifecycleTooltip(a, 'reject')).toBe(
      'rejected (transient): local limit exceeded (2/3/2). A-ASSOCIATE-RJ from PACS (10.0.0.2:104) to WORKSTATION: result 2 rejected-transient, ' +
        'source 3 DICOM UL service-provider (Presentation related function), reason 2 local-limit-exceeded (PS3.8 Table 9-21).',
    );
  });
});

describe('lifecycleLabel: A-RELEASE, A-ABORT (PS3.8 Table 9-26)', () => {
  it('A-RELEASE', async () => {
    const a = await first(released());
    expect(lifecycleLabel(a, 'release')).toBe('A-RELEASE');
    expect(lifecycleTooltip(a, 'release')).toMatch(/released in order \(PS3\.8 §7\.2\)/);
  });

  it('names the side of a service-user abort', async () => {
    expect(lifecycleLabel(await first(aborted('requestor', 0, 0)), 'abort')).toBe('A-ABORT by SCU (requestor)');
    expect(lifecycleLabel(await first(aborted('acceptor', 0, 0)), 'abort')).toBe('A-ABORT by SCP (acceptor)');
  });

  it('gives the reason of a service-provider abort unless it is reason-not-specified', async () => {
    expect(lifecycleLabel(await first(aborted('acceptor', 2, 0)), 'abort')).toBe('A-ABORT by the service provider');
    expect(lifecycleLabel(await first(aborted('acceptor', 2, 2)), 'abort')).toBe('A-ABORT by the service provider: unexpected PDU');
    expect(lifecycleLabel(await first(aborted('requestor', 2, 6)), 'abort')).toBe('A-ABORT by the service provider: invalid PDU parameter value');
    const a = await first(aborted('acceptor', 2, 1));
    expect(lifecycleTooltip(a, 'abort')).toBe(
      'A-ABORT by the service provider: unrecognized PDU. A-ABORT sent by the acceptor PACS: source 2 DICOM UL service-provider (initiated abort), reason 1 unrecognized-PDU (PS3.8 Table 9-26).',
    );
  });
});

describe('lifecycleLabel: the TCP connection', () => {
  it('refused, with the move destination when known', async () => {
    const a = await first(refused());
    expect(lifecycleLabel(a, 'refused')).toBe('TCP connection refused');
    expect(lifecycleLabel(a, 'refused', { moveDestination: 'STORESCP' })).toBe('TCP connection refused (STORESCP)');
    expect(lifecycleLabel(a, 'refused', { moveDestination: null })).toBe('TCP connection refused');
    expect(lifecycleTooltip(a, 'refused', { moveDestination: 'STORESCP' })).toBe(
      '10.0.0.1:40001 tried to connect to 10.0.0.3:11112 (move destination STORESCP) and the TCP connection was refused (connection refused (RST)): nothing listens there, so no A-ASSOCIATE-RQ was sent.',
    );
    expect(lifecycleLabel(fixture('refused').associations[0], 'refused')).toBe('TCP connection refused');
  });

  it('closed without release, or reset', async () => {
    const fin = await first(closed('fin'));
    expect(lifecycleLabel(fin, 'closed')).toBe('TCP closed without A-RELEASE');
    expect(lifecycleTooltip(fin, 'closed')).toMatch(/\(connection closed by requestor without A-RELEASE\)\.$/);
    expect(lifecycleLabel(await first(closed('reset')), 'closed')).toBe('TCP reset');
    expect(lifecycleLabel({ ...fin, closeReason: 'connection error by requestor: EPIPE' }, 'closed')).toBe('TCP connection error');
  });
});

describe('lifecycleClass', () => {
  it('is lifecycle for the normal course and status-failure where the association failed', async () => {
    const a = await first(released());
    const cls = (e: LifecycleEvent) => lifecycleClass(a, e);
    expect(['associate', 'release'].map((e) => cls(e as LifecycleEvent))).toEqual(['lifecycle', 'lifecycle']);
    expect(['reject', 'abort', 'refused', 'closed'].map((e) => cls(e as LifecycleEvent))).toEqual(Array(4).fill('status-failure'));
  });
});

describe('plainWords', () => {
  it('reads a table meaning as words', () => {
    expect(plainWords('called-AE-title-not-recognized')).toBe('called AE title not recognized');
  });
});
