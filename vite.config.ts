import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The UI's chunk (web/src/mount-app.ts, imported dynamically by main.ts so
 * that the live stream opens before it runs) is fetched as early as the
 * entry: a modulepreload link in index.html, as vite writes for static
 * imports only.
 */
function preloadUi(): Plugin {
  return {
    name: 'pacscope-preload-ui',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/web/src/mount-app.ts'));
        if (!chunk) throw new Error('pacscope-preload-ui: no chunk for web/src/mount-app.ts in the bundle');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${chunk.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

// One config for the browser UI (web/, built into web/dist and served by
// `pacscope serve`) and for vitest, whose tests live in test/: unit (byte
// fixtures), fuzz, interop (real DCMTK, Orthanc, tshark), e2e (Chromium).
export default defineConfig({
  root: `${here}web`,
  plugins: [svelte(), preloadUi()],
  // One stylesheet, linked from index.html: the components' styles too, though their code is in the UI's chunk.
  // The UI is one chunk on purpose (mount-app.ts, preloaded beside the entry, whose 5 kB open the live stream
  // first); it is served by pacscope itself, mostly over loopback: ~515 kB minified, 170 kB gzipped. Vite's
  // 500 kB warning is advice for sites fetched over networks, and printed by every first `npm start`.
  build: { outDir: `${here}web/dist`, emptyOutDir: true, target: 'es2022', cssCodeSplit: false, chunkSizeWarningLimit: 1024 },
  // The diagnosis worker (web/src/lib/diagnosis/diagnosis.worker.ts) is a module worker, as the page's own scripts.
  worker: { format: 'es' },
  test: {
    dir: here,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
