/**
 * Issue 16, point 1: dcmjs-dimse is reached through one adapter
 * (server/dimse/). No other file of server/ or shared/ imports it, and the
 * files that use it (server/endpoints, server/doctor) reach its internals
 * only through the adapter's typed functions: no `as unknown as` there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ADAPTER = 'server/dimse/';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(path);
    return /\.(ts|js|mjs|cjs|svelte)$/.test(e.name) ? [path] : [];
  });
}

/** `import … from 'dcmjs-dimse'`, `export … from`, `import('dcmjs-dimse')`, `require('dcmjs-dimse')`, a side-effect import; subpaths too. */
const IMPORTS_DCMJS_DIMSE = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]dcmjs-dimse(?:\/[^'"]*)?['"]/;

describe('dcmjs-dimse adapter boundary', () => {
  const files = [...sources('server'), ...sources('shared')];

  it('only server/dimse/ imports dcmjs-dimse', () => {
    const importers = files.filter((f) => IMPORTS_DCMJS_DIMSE.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(importers.filter((f) => !f.startsWith(ADAPTER))).toEqual([]);
    // The check is not vacuous: the adapter's entry does import it.
    expect(importers).toContain(`${ADAPTER}library.ts`);
  });

  it('the files that use dcmjs-dimse reach its internals only through the adapter (no `as unknown as` casts)', () => {
    const users = files.filter((f) => f.startsWith('server/endpoints/') || f.startsWith('server/doctor/'));
    expect(users.length).toBeGreaterThan(10);
    const casts = users.filter((f) => /\bas unknown as\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(casts).toEqual([]);
  });
});
