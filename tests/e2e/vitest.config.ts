// End-to-end tests: build the app, serve it with `vite preview` on 127.0.0.1 (a secure context, so WebGPU
// is on), and drive it with playwright-core in the system's headless Chromium. Run by `npm test`, or alone
// with `npx vitest run --config tests/e2e/vitest.config.ts`. E2E_URL=http://127.0.0.1:5173/ tests a server
// that is already running (e.g. `npm start`) instead of building.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    globalSetup: ['tests/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One browser, tests one after another: Chromium with SwiftShader is heavy on two cores.
    fileParallelism: false,
  },
});
