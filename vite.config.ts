import { defineConfig } from 'vitest/config';

// One config for the web build (the UI lands in web/ in a later issue) and
// for vitest. Tests live in test/: unit (byte fixtures), fuzz, interop (real
// DCMTK peers and tshark).
export default defineConfig({
  root: '.',
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
