import { describe, it, expect } from 'vitest';
import { formatStatus, statusInfo } from '../../../shared/dimse/status.ts';

describe('statusInfo', () => {
  it('gives the general statuses of PS3.7 Annex C', () => {
    expect(statusInfo(0x0000)).toEqual({ meaning: 'Success', category: 'success' });
    expect(statusInfo(0xfe00)).toEqual({ meaning: 'Cancel', category: 'cancel' });
    expect(statusInfo(0x0122, 'C-STORE-RSP')).toEqual({ meaning: 'Refused: SOP class not supported', category: 'failure' });
    expect(statusInfo(0x0124, 'N-SET-RSP')).toEqual({ meaning: 'Refused: not authorized', category: 'failure' });
    expect(statusInfo(0x0107).category).toBe('warning');
    expect(statusInfo(0x0116).category).toBe('warning');
    expect(statusInfo(0x0001).category).toBe('warning');
    expect(statusInfo(0x0211, 'N-ACTION-RSP').meaning).toBe('Failure: unrecognized operation');
  });

  it('gives the service-specific statuses of PS3.4', () => {
    // C-STORE (B.2.3)
    expect(statusInfo(0xb000, 'C-STORE-RSP')).toEqual({ meaning: 'Warning: coercion of data elements', category: 'warning' });
    expect(statusInfo(0xb007, 'C-STORE')).toEqual({ meaning: 'Warning: data set does not match SOP class', category: 'warning' });
    expect(statusInfo(0xb006, 'C-STORE-RSP').meaning).toBe('Warning: elements discarded');
    // C-FIND (C.4.1.1.4)
    expect(statusInfo(0xff01, 'C-FIND-RSP').category).toBe('pending');
    expect(statusInfo(0xa700, 'C-FIND-RSP')).toEqual({ meaning: 'Refused: out of resources', category: 'failure' });
    expect(statusInfo(0xfe00, 'C-FIND-RSP').meaning).toMatch(/cancel request/);
    // C-MOVE (C.4.2.1.5)
    expect(statusInfo(0xa801, 'C-MOVE-RSP')).toEqual({ meaning: 'Refused: move destination unknown', category: 'failure' });
    expect(statusInfo(0xa701, 'C-MOVE-RSP').meaning).toMatch(/unable to calculate number of matches/);
    expect(statusInfo(0xa702, 'C-MOVE-RSP').meaning).toMatch(/unable to perform sub-operations/);
    expect(statusInfo(0xb000, 'C-MOVE-RSP')).toEqual({ meaning: 'Warning: sub-operations complete, one or more failures or warnings', category: 'warning' });
    expect(statusInfo(0xff00, 'C-MOVE-RSP').meaning).toBe('Pending: sub-operations are continuing');
    // C-GET (C.4.3.1.4)
    expect(statusInfo(0xa702, 'C-GET-RSP').category).toBe('failure');
    expect(statusInfo(0xfe00, 'C-GET-RSP').meaning).toMatch(/cancel indication/);
  });

  it('depends on the service for the same code', () => {
    expect(statusInfo(0xb000, 'C-STORE-RSP').meaning).not.toBe(statusInfo(0xb000, 'C-MOVE-RSP').meaning);
    // 0xA801 is only defined for C-MOVE: for C-FIND it is a generic service-specific failure
    expect(statusInfo(0xa801, 'C-FIND-RSP')).toEqual({ meaning: 'Failure (service-specific)', category: 'failure' });
    // without a service, a code only one service defines keeps that meaning
    expect(statusInfo(0xa801).meaning).toBe('Refused: move destination unknown');
    // ... and an ambiguous one falls back to the range
    expect(statusInfo(0xb000)).toEqual({ meaning: 'Warning (service-specific)', category: 'warning' });
  });

  it('falls back on ranges for codes not in the tables', () => {
    expect(statusInfo(0xa7ff, 'C-STORE-RSP')).toEqual({ meaning: 'Refused: out of resources', category: 'failure' });
    expect(statusInfo(0xa710)).toEqual({ meaning: 'Refused: out of resources', category: 'failure' });
    expect(statusInfo(0xa9c0, 'C-STORE-RSP')).toEqual({ meaning: 'Error: data set does not match SOP class', category: 'failure' });
    expect(statusInfo(0xa9c0, 'C-FIND-RSP').meaning).toBe('Failed: identifier does not match SOP class');
    expect(statusInfo(0xc000, 'C-STORE-RSP')).toEqual({ meaning: 'Error: cannot understand', category: 'failure' });
    expect(statusInfo(0xc123, 'C-MOVE-RSP')).toEqual({ meaning: 'Failed: unable to process', category: 'failure' });
    expect(statusInfo(0xcfff).category).toBe('failure');
    expect(statusInfo(0xb0ff, 'C-STORE-RSP').category).toBe('warning');
    expect(statusInfo(0xa812, 'C-MOVE-RSP').meaning).toBe('Refused: move destination unknown');
    expect(statusInfo(0x0150, 'N-GET-RSP').category).toBe('failure');
    expect(statusInfo(0xff00).category).toBe('pending');
    expect(statusInfo(0xff01).category).toBe('pending');
  });

  it('says unknown for codes outside every range', () => {
    expect(statusInfo(0x1234)).toEqual({ meaning: 'Unknown status 0x1234', category: 'unknown' });
    expect(statusInfo(0xd000, 'C-STORE-RSP').category).toBe('unknown');
    expect(formatStatus(0xa801)).toBe('0xA801');
  });
});
