// Test helpers: one Dawn device per test file, seeded random inputs, poisoned outputs, and comparisons
// that report the worst element.
import { Gpu } from '../../src/model/gpu/runtime.ts';
import { nodeGpu } from '../../src/model/gpu/node.ts';

let shared: Promise<Gpu> | undefined;

/** The test file's GPU (Dawn on SwiftShader without a GPU), in debug mode so errors name one kernel. */
export function testGpu(): Promise<Gpu> {
  shared ??= nodeGpu().then((g) => Gpu.create(g, { debug: true }));
  return shared;
}
