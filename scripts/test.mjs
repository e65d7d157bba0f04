#!/usr/bin/env node
// `npm test`: the whole suite, in three parts, one after another (each one alone fills two CPU cores):
//   node     vitest on Dawn (the `webgpu` package; SwiftShader without a GPU): every tests/**/*.test.ts
//   browser  the GPU tests (tests/runtime.test.ts, tests/kernels/**) again in headless Chromium's WebGPU
//   e2e      the built app in headless Chromium (tests/e2e/**)
// Each part writes vitest's JSON report to test-results/<part>.json; the counts come from there. The last
// line printed is `N passed, N failed[, N skipped]`; the exit code is non-zero if anything failed.
//
//   npm test                 all three parts
//   npm test -- node e2e     only the named parts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { findChromium } from './chromium.mjs';
import { VITEST_BIN } from './vitest-bin.mjs';

const PARTS = {
  node: { args: [], env: {}, browser: false },
  browser: { args: [], env: { LLM_PLAYGROUND_TEST_BROWSER: '1' }, browser: true },
  e2e: { args: ['--config', 'tests/e2e/vitest.config.ts'], env: {}, browser: true },
};

const asked = process.argv.slice(2);
for (const a of asked) {
  if (!(a in PARTS)) {
    console.error(`unknown part "${a}"; the parts are: ${Object.keys(PARTS).join(', ')}`);
    process.exit(2);
  }
}
const parts = asked.length ? asked : Object.keys(PARTS);

let chromiumProblem = null;
try {
  findChromium();
} catch (e) {
  chromiumProblem = e.message;
}

mkdirSync('test-results', { recursive: true });
const results = [];

for (const name of parts) {
  const part = PARTS[name];
  const res = { name, passed: 0, failed: 0, skipped: 0, seconds: 0, failures: [], note: '' };
  results.push(res);
  console.log(`\n━━━ ${name} ${'━'.repeat(60)}`);
  if (part.browser && chromiumProblem) {
    console.error(chromiumProblem);
    res.failed = 1;
    res.note = 'no Chromium';
    continue;
  }
  const json = `test-results/${name}.json`;
  rmSync(json, { force: true });
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [VITEST_BIN, 'run', ...part.args, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`],
    { stdio: 'inherit', env: { ...process.env, ...part.env } },
  );
  res.seconds = (performance.now() - t0) / 1000;
  let report = null;
  if (existsSync(json)) {
    try {
      report = JSON.parse(readFileSync(json, 'utf8'));
    } catch {
      // counted below as a failed part
    }
  }
  if (!report) {
    res.failed = 1;
    res.note = `vitest exited with ${r.status ?? r.signal} and wrote no report`;
    continue;
  }
  res.passed = report.numPassedTests ?? 0;
  res.failed = report.numFailedTests ?? 0;
  res.skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const file of report.testResults ?? []) {
    const rel = String(file.name).replace(`${process.cwd()}/`, '');
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'failed') res.failures.push(`${rel} > ${t.fullName ?? t.title}`);
    }
    // A file that failed to load (syntax error, failing import) has no test results, only a message.
    if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) {
      res.failed += 1;
      res.failures.push(`${rel} (the file failed: ${String(file.message ?? '').split('\n')[0]})`);
    }
  }
  if (r.status !== 0 && res.failed === 0) {
    // Errors outside any test (unhandled rejections, a crashed worker, no test files): still a failure.
    res.failed = 1;
    res.note = `vitest exited with ${r.status ?? r.signal} (errors outside tests, see above)`;
  }
}

console.log(`\n━━━ summary ${'━'.repeat(57)}`);
for (const r of results) {
  const counts = `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
  console.log(`${r.name.padEnd(8)} ${counts.padEnd(36)} ${r.seconds ? `${r.seconds.toFixed(1)} s` : ''}${r.note ? `  ${r.note}` : ''}`);
  for (const f of r.failures) console.log(`  ✗ ${f}`);
}
const sum = (k) => results.reduce((a, r) => a + r[k], 0);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
