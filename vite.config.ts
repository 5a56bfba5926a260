import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = fileURLToPath(new URL('.', import.meta.url));

// One config for the browser UI (web/, built into web/dist and served by
// `pacscope serve`) and for vitest, whose tests live in test/: unit (byte
// fixtures), fuzz, interop (real DCMTK, Orthanc, tshark), e2e (Chromium).
export default defineConfig({
  root: `${here}web`,
  plugins: [svelte()],
  build: { outDir: `${here}web/dist`, emptyOutDir: true, target: 'es2022' },
  test: {
    dir: here,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
