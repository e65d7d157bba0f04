// The path of vitest's CLI script, for running it with `node` from the test scripts.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const VITEST_BIN = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
