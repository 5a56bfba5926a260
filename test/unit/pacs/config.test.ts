/** Settings of the PACS and store SCP: flags, config file, defaults; the AE-title policy. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAeAddress, parseDestination, parseSettings } from '../../../server/endpoints/pacs/config.ts';
import { defaultDataDir, resolveServeSettings } from '../../../server/endpoints/pacs/settings.ts';
import { checkAssociation } from '../../../server/endpoints/pacs/policy.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('config', () => {
  it('parses AET@HOST:PORT and AET=HOST:PORT, with clear errors', () => {
    expect(parseAeAddress('PACS@127.0.0.1:104')).toEqual({ ae: 'PACS', host: '127.0.0.1', port: 104 });
    expect(parseDestination('VIEWER=127.0.0.1:4242')).toEqual(['VIEWER', { host: '127.0.0.1', port: 4242 }]);
    expect(() => parseAeAddress('127.0.0.1:104')).toThrow(/AET@HOST:PORT/);
    expect(() => parseAeAddress('A_VERY_LONG_AE_TITLE@127.0.0.1:104')).toThrow(/1–16 characters/);
    expect(() => parseDestination('X=host')).toThrow(/HOST:PORT/);
  });

  it('rejects unknown or mistyped config keys', () => {
    expect(() => parseSettings({ moveMod: 'sync' }, 'f')).toThrow(/unknown setting "moveMod"/);
    expect(() => parseSettings({ destinations: { A: 104 } }, 'f')).toThrow(/HOST:PORT/);
    expect(() => parseSettings([], 'f')).toThrow(/JSON object/);
  });

  it('defaults < config file < flags; the store SCP is a destination by default', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-cfg-'));
    const file = join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ moveMode: 'async', aePolicy: 'known', knownCallers: ['FINDSCU'], destinations: { ORTHANC: '127.0.0.1:4242' }, data: dir }));
    const s = resolveServeSettings({ config: file, moveMode: 'sync', dest: ['VIEWER=127.0.0.1:5000'] }, {});
    expect(s.pacs).toMatchObject({ ae: 'PACSCOPE', port: 11112, moveMode: 'sync', aePolicy: 'known', knownCallers: ['FINDSCU'], dataDir: join(dir, 'pacs') });
    expect([...s.pacs.destinations.keys()]).toEqual(['STORESCP', 'ORTHANC', 'VIEWER']);
    expect(s.store).toMatchObject({ ae: 'STORESCP', port: 11113, outputDir: join(dir, 'store-scp') });
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' })).toBe('/x/pacscope');
    expect(() => resolveServeSettings({ config: join(dir, 'missing.json') }, {})).toThrow(/cannot read config file/);
  });
});

describe('AE-title policy (PS3.8 Table 9-21)', () => {
  it('any accepts all; called checks the called AE (1/1/7); known also the calling AE (1/1/3)', () => {
    expect(checkAssociation('any', 'PACS', 'X', 'Y', [])).toBeNull();
    expect(checkAssociation('called', 'PACS', 'X', 'Y', [])).toEqual({ result: 1, source: 1, reason: 7 });
    expect(checkAssociation('called', 'PACS', 'PACS ', 'Y', [])).toBeNull();
    expect(checkAssociation('known', 'PACS', 'PACS', 'Y', ['Z'])).toEqual({ result: 1, source: 1, reason: 3 });
    expect(checkAssociation('known', 'PACS', 'PACS', 'Z', ['Z'])).toBeNull();
  });
});
