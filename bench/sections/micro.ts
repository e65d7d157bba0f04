// Micro-benchmarks of single WGSL operations on the current adapter (opt-in: --only=micro): what a
// workgroup-memory gather, a constant-index load, a storage-buffer gather, an FMA and a barrier cost, in
// CPU ns per subgroup-op on SwiftShader (GPU-process CPU time / (invocations/4 · ops)).
import { timeGpu } from '../timing.ts';
import type { BenchSection } from '../types.ts';

const WG = 64;
const GROUPS = 256;
const ITERS = 1024;

function kernel(body: string, per: string, loop = 'for (var i = 0u; i < n; i++) {'): string {
  const vs = [...per.matchAll(/var (v\d+)/g)].map((m) => `${m[1]}.x + ${m[1]}.w`);
  const post = ['acc0 + acc1 + acc2 + acc3', ...vs].join(' + ');
  return `struct Params { n: u32, s: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> wg: array<f32, 256>;
var<workgroup> wg4: array<vec4f, 64>;
var<workgroup> wa: array<atomic<u32>, 256>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  var acc0 = 0.0; var acc1 = 0.0; var acc2 = 0.0; var acc3 = 0.0;
  ${per}
  let n = p.n;
  ${loop}
${body}
  }
  out[gid.x] = ${post} + src[lid] + wg[lid] + wg4[lid].x + bitcast<f32>(atomicLoad(&wa[lid]));
}`;
}

// Each case: [name, ops per iteration, WGSL body]
const vars8 = Array.from({ length: 8 }, (_, j) => `var v${j} = vec4f(0.0);`).join(' ');
const rep = (n: number, f: (j: number) => string) => Array.from({ length: n }, (_, j) => f(j)).join('\n');
// Each case: [name, ops per iteration, WGSL body, declarations]
const CASES: [string, number, string, string, string?][] = [
  ['empty loop', 1, '    acc0 += 1.0;', ''],
  ['empty loop x4 iters', 4, '    acc0 += 1.0;', '', 'for (var i = 0u; i < n * 4u; i++) {'],
  ['empty loop x16 iters', 16, '    acc0 += 1.0;', '', 'for (var i = 0u; i < n * 16u; i++) {'],
  ['no workgroup memory, x16 iters', 16, '    acc0 += 1.0;', '', 'for (var i = 0u; i < n * 16u; i++) {'],
  ['vec4 fma x32 (8 chains)', 32, rep(32, (j) => `    v${j % 8} = fma(v${j % 8}, vec4f(1.0001), vec4f(0.5));`), vars8],
  ['scalar fma x32 (4 chains)', 32, rep(32, (j) => `    acc${j % 4} = fma(acc${j % 4}, 1.0001, 0.5);`), ''],
  ['wg gather x32', 32, rep(32, (j) => `    acc${j % 4} += wg[(i * 64u + lid + ${j * 129}u) & 255u];`), ''],
  ['wg const x32', 32, rep(32, (j) => `    acc${j % 4} += wg[${(j * 37) % 256}u];`), ''],
  ['wg4 const x8 (=32 comps)', 32, rep(8, (j) => `    v${j} += wg4[${(j * 7) % 64}u];`), vars8],
  ['wg4 gather x8 (=32 comps)', 32, rep(8, (j) => `    v${j} += wg4[(i * 64u + lid + ${j * 33}u) & 63u];`), vars8],
  ['storage gather x32', 32, rep(32, (j) => `    acc${j % 4} += src[(i * 64u + gid.x + ${j * 129}u) & 65535u];`), ''],
  ['wg atomic equal x32', 32, rep(32, (j) => `    acc${j % 4} += bitcast<f32>(atomicLoad(&wa[(i * 16u + (lid / 4u) * 4u + ${j * 37}u) & 255u]));`), ''],
  ['wg atomic sequential x32', 32, rep(32, (j) => `    acc${j % 4} += bitcast<f32>(atomicLoad(&wa[(i * 16u + lid + ${j * 37}u) & 255u]));`), ''],
  ['wg atomic divergent x32', 32, rep(32, (j) => `    acc${j % 4} += bitcast<f32>(atomicLoad(&wa[(i * 16u + lid * 5u + ${j * 37}u) & 255u]));`), ''],
  ['wg plain sequential x32', 32, rep(32, (j) => `    acc${j % 4} += wg[(i * 16u + lid + ${j * 37}u) & 255u];`), ''],
  ['barrier x1', 1, '    workgroupBarrier(); acc0 += 1.0;', ''],
];

const section: BenchSection = {
  key: 'micro',
  optIn: true,
  async run({ gpu, log, cpuMs }) {
    const src = gpu.tensor([65536], 'src', new Float32Array(65536).fill(0.001));
    const out = gpu.tensor([WG * GROUPS], 'out');
    const res: Record<string, number> = {};
    for (const [name, ops, body, per, loop] of CASES) {
      let code = kernel(body, per, loop);
      if (name.startsWith('no workgroup')) code = code.replace(/var<workgroup>.*\n/g, '').replace(' + wg[lid] + wg4[lid].x + bitcast<f32>(atomicLoad(&wa[lid]))', '');
      const k = { name: `micro_${name}`, code };
      const t = await timeGpu(() => gpu.run({ kernel: k, workgroups: [GROUPS], params: [ITERS, 0], buffers: [src, out] }), () => gpu.sync(), { targetMs: 600, cpuMs });
      const subgroupOps = ((WG * GROUPS) / 4) * ITERS * ops;
      const ns = (t.cpuMsPerCall! * 1e6) / subgroupOps;
      res[name] = ns;
      log(`${name.padEnd(26)} ${ns.toFixed(2)} ns per subgroup-op (cpu), wall ${((t.msPerCall * 1e6) / subgroupOps).toFixed(2)}`);
    }
    src.release();
    out.release();
    return res;
  },
};

export default section;
