/** The guard's limits (server/endpoints/guard/limits.ts): defaults like DCMTK's, the config file's "limits", flags over it. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, LIMITS, parseLimit, parseLimitsObject } from '../../../server/endpoints/guard/limits.ts';
import { resolveServeSettings } from '../../../server/endpoints/pacs/settings.ts';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('guard limits', () => {
  it('defaults follow DCMTK where it has the setting', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ acseTimeout: 30, maxPduReceive: 16384, minPeerMaxPdu: 4096 });
    expect(new Set(LIMITS.map((l) => l.flag)).size).toBe(LIMITS.length);
  });

  it('checks each value against its range and kind', () => {
    const spec = (key: string) => LIMITS.find((l) => l.key === key)!;
    expect(parseLimit(spec('acseTimeout'), '2.5', 'flags')).toBe(2.5);
    expect(() => parseLimit(spec('maxConnections'), '0', 'flags')).toThrow(/max-connections must be a number of count from 1/);
    expect(() => parseLimit(spec('maxPduReceive'), '16384.5', 'flags')).toThrow(/whole number/);
    expect(() => parseLimitsObject({ acseTimeout: 'soon' }, 'config')).toThrow(/acse-timeout/);
    expect(() => parseLimitsObject({ artim: 3 }, 'config')).toThrow(/unknown limit "artim"/);
  });

  it('pacscope serve: defaults, then the config file, then flags', () => {
    dir = mkdtempSync(join(tmpdir(), 'pacscope-limits-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ limits: { acseTimeout: 10, maxConnections: 4096 } }));
    const { limits } = resolveServeSettings({ config, data: dir, limits: { maxConnections: 100 } }, {});
    expect(limits).toMatchObject({ acseTimeout: 10, maxConnections: 100, dimseTimeout: 60 });
  });
});
