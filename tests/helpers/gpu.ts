// Test helpers: one GPU device per test file, seeded random inputs, poisoned outputs, and comparisons
// that report the worst element.
import { Gpu } from '../../src/model/gpu/runtime.ts';

let shared: Promise<Gpu> | undefined;

/** True inside the browser suite (`npm run test:browser`, headless Chromium), false under Node. */
export const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

async function gpuObject(): Promise<GPU> {
  if (inBrowser) {
    if (!navigator.gpu) {
      throw new Error(
        `navigator.gpu is undefined in this browser (secure context: ${globalThis.isSecureContext}); ` +
          'run Chromium with --enable-unsafe-webgpu on a page served from 127.0.0.1.',
      );
    }
    return navigator.gpu;
  }
  // Dynamic so the browser bundle never loads Dawn or node:fs.
  const { nodeGpu } = await import('../../src/model/gpu/node.ts');
  return nodeGpu();
}

/**
 * The test file's GPU in debug mode so errors name one kernel: Dawn on SwiftShader (or the real GPU) under
 * Node, the browser's own WebGPU in the browser suite.
 */
export function testGpu(): Promise<Gpu> {
  shared ??= gpuObject().then((g) => Gpu.create(g, { debug: true }));
  return shared;
}

let batched: Promise<Gpu> | undefined;

/** A GPU without per-dispatch error scopes, for tests that train for many steps (errors still surface at sync). */
export function batchedTestGpu(): Promise<Gpu> {
  batched ??= gpuObject().then((g) => Gpu.create(g));
  return batched;
}
