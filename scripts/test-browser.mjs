#!/usr/bin/env node
// The GPU test suite (tests/runtime.test.ts, tests/kernels/**) in headless Chromium on the browser's own
// WebGPU, through Vitest's browser mode (vite.config.ts, LLM_PLAYGROUND_TEST_BROWSER=1). Extra arguments go
// to vitest, e.g. `npm run test:browser -- tests/kernels/matmul.test.ts`.
import { spawnSync } from 'node:child_process';
import { findChromium } from './chromium.mjs';
import { VITEST_BIN } from './vitest-bin.mjs';

try {
  findChromium();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}

const r = spawnSync(process.execPath, [VITEST_BIN, 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, LLM_PLAYGROUND_TEST_BROWSER: '1' },
});
process.exit(r.status ?? 1);
