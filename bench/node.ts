// The matmul benchmark under Dawn in Node (no tfjs there): `npx tsx --import ./scripts/wgsl-loader.mjs
// bench/node.ts [--shapes=1024,qkv] [--tiles=8x8x16]`. Quicker to start than the browser page, so it is
// handy while tuning; the numbers of record come from `npm run bench` (Chromium).
import { Gpu } from '../src/model/gpu/runtime.ts';
import { nodeGpu } from '../src/model/gpu/node.ts';
import section from './sections/matmul.ts';
import type { BenchOptions } from './types.ts';

const options: BenchOptions = { tfjs: 'no' };
for (const arg of process.argv.slice(2)) {
  const m = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
  if (!m) throw new Error(`unknown argument ${arg}`);
  options[m[1]] = m[2] ?? true;
}
const gpu = await Gpu.create(await nodeGpu());
console.error(`adapter: ${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture} (Dawn in Node)`);
const rows = await section.run({
  gpu,
  options,
  log: (l) => console.error(l),
  tfjs: () => Promise.reject(new Error('no tfjs under Node')),
  cpuMs: async () => null,
  results: {},
});
for (const line of section.report!(rows)) console.error(line);
gpu.destroy();
process.exit(0);
