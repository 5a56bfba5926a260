/**
 * A finding made again and again is listed once (shared/view/finding-repeats.ts):
 * the same association rejected three times by the same SCP gives one group
 * with three occurrences, every occurrence's evidence, and the newest one as
 * `latest`; a different rejection stays a finding of its own.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { groupRepeats } from '../../../shared/view/finding-repeats.ts';
import { Session } from '../diagnosis/session.ts';

describe('groupRepeats', () => {
  it('lists the same rejection three times over as one finding with three occurrences, and another rejection apart', () => {
    const s = new Session();
    s.open({ calling: 'VIEWER', called: 'WRONGAE', reject: [1, 1, 7] });
    s.open({ calling: 'VIEWER', called: 'WRONGAE', reject: [1, 1, 7] });
    s.open({ calling: 'OTHER', called: 'PACS', reject: [1, 1, 3] });
    s.open({ calling: 'VIEWER', called: 'WRONGAE', reject: [1, 1, 7] });
    const findings = diagnose(s.summary);
    expect(findings).toHaveLength(4);
    const groups = groupRepeats(findings);
    expect(groups.map((g) => [g.finding.rule, g.count])).toEqual([
      ['association.rejected.called-ae', 3],
      ['association.rejected.calling-ae', 1],
    ]);
    const [called, calling] = groups;
    expect(called.finding.title).toBe(findings[0].title);
    expect(called.latest.title).toMatch(/^Association a4 rejected by "WRONGAE"/);
    expect(called.finding.evidence.associations).toEqual(['a1', 'a2', 'a4']);
    expect(called.finding.evidence.pdus).toHaveLength(6);
    expect(called.occurrences.map((f) => f.evidence.associations[0])).toEqual(['a1', 'a2', 'a4']);
    expect(called.latest.evidence.associations).toEqual(['a4']);
    // A finding made once is the finding itself.
    expect(calling.finding).toBe(findings.find((f) => f.rule === 'association.rejected.calling-ae'));
    // The findings themselves are not changed.
    expect(findings[0].evidence.associations).toEqual(['a1']);
  });

  it('takes the same rejection by an SCP on a new port as a repeat, and one on another host as another finding', () => {
    const s = new Session();
    s.open({ calling: 'VIEWER', called: 'WRONGAE', reject: [1, 1, 7], acceptor: { host: '127.0.0.1', port: 46631 } });
    s.open({ calling: 'VIEWER', called: 'WRONGAE', reject: [1, 1, 7], acceptor: { host: '127.0.0.1', port: 42097 } });
    s.open({ calling: 'VIEWER', called: 'WRONGAE', reject: [1, 1, 7], acceptor: { host: '10.0.0.9', port: 42097 } });
    const findings = diagnose(s.summary);
    expect(findings.map((f) => f.title.replace(/^Association a\d /, ''))).toEqual([
      'rejected by "WRONGAE" at 127.0.0.1:46631: called AE title not recognised (1/1/7)',
      'rejected by "WRONGAE" at 127.0.0.1:42097: called AE title not recognised (1/1/7)',
      'rejected by "WRONGAE" at 10.0.0.9:42097: called AE title not recognised (1/1/7)',
    ]);
    expect(groupRepeats(findings).map((g) => [g.count, g.latest.evidence.associations])).toEqual([
      [2, ['a2']],
      [1, ['a3']],
    ]);
  });

  it('gives nothing for nothing', () => {
    expect(groupRepeats([])).toEqual([]);
  });
});
