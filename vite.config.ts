import { defineConfig } from 'vitest/config';
import type { ViteUserConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One config for the app (vite), the Node test suite (vitest on Dawn) and, with
// LLM_PLAYGROUND_TEST_BROWSER=1 (`npm run test:browser`), the same GPU tests in headless Chromium on the
// browser's own WebGPU (SwiftShader without a GPU).
const BROWSER_TESTS = process.env.LLM_PLAYGROUND_TEST_BROWSER === '1';

/** Test files that run in the browser too: the ones that only need a GPU (no node:* imports). */
const GPU_TESTS = ['tests/runtime.test.ts', 'tests/kernels/**/*.test.ts', 'tests/store/**/*.test.ts'];

async function browserTest(): Promise<NonNullable<ViteUserConfig['test']>> {
  // Imported only here so `vite build` / the Node suite never need a browser or the provider.
  const { playwright } = await import('@vitest/browser-playwright');
  const { chromiumLaunchOptions } = await import('./scripts/chromium.mjs');
  return {
    include: GPU_TESTS,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    browser: {
      enabled: true,
      headless: true,
      // System Chromium (never a downloaded one), WebGPU on; pages are served from 127.0.0.1, a secure
      // context, so navigator.gpu exists.
      provider: playwright({ launchOptions: chromiumLaunchOptions() }),
      instances: [{ browser: 'chromium' }],
      api: { host: '127.0.0.1', strictPort: false },
      screenshotFailures: false,
    },
  };
}

export default defineConfig(async () => ({
  plugins: [svelte()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  worker: { format: 'es' as const },
  build: { target: 'es2022' },
  // tests/helpers read process.env.TEST_SEED; in the browser there is no `process`, so the value is inlined.
  define: BROWSER_TESTS ? { 'process.env.TEST_SEED': JSON.stringify(process.env.TEST_SEED ?? '') } : {},
  test: BROWSER_TESTS
    ? await browserTest()
    : {
        include: ['tests/**/*.test.ts'],
        exclude: ['tests/e2e/**', 'node_modules/**'],
        testTimeout: 120_000,
        hookTimeout: 120_000,
        // One GPU device per worker; two cores in CI, so at most two files at once.
        maxWorkers: 2,
      },
}));
