// Tuning experiments (opt-in): `npm run bench -- --only=explore --variants=A/B/… --sizes=MxNxK,…
// [--repeat=3] [--trans=NN|NT|TN|TT]`. Variants, timed round-robin by CPU time of the GPU process and
// checked against the first variant's output (see bench/NOTES.md for what they showed):
//   p<WGX>x<WGY>x<BK>[x<maxWorkgroups>]         the production kernel with these tiles (any transpose)
//   t<WGX>x<WGY>x<TM>x<TN>x<BK>x<U>[x<groups>]  generated tiled kernel, NN, exact multiples only
//   s<TM>x<TN>x<NT>x<BK>[g][m]                   generated "strip" kernel (B read with constant indices)
//   d<TM>x<TN>x<NT>x<U>[m]                       generated kernel without workgroup memory
import { matmul, setMatmulTiles } from '../../src/model/kernels/matmul.ts';
import { timeGpu, gflops } from '../timing.ts';
import type { BenchSection } from '../types.ts';

interface Variant {
  /** rows per thread, cols per thread (multiple of 4), threads per workgroup, k per staged tile */
  TM: number;
  TN: number;
  NT: number;
  BK: number;
  /** A staged through workgroup memory (true) or read straight from global memory (false). */
  stageA: boolean;
  fma: boolean;
}

// Strip kernel, NN only, sizes multiple of the tile (exploration).
function stripKernel(v: Variant): string {
  const { TM, TN, NT, BK, stageA } = v;
  const TN4 = TN / 4;
  const L: string[] = [];
  L.push(`struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
var<workgroup> Bs: array<vec4f, ${BK * TN4}>;
${stageA ? `var<workgroup> As: array<f32, ${BK * NT * TM}>;` : ''}
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let m0 = wg.y * ${NT * TM}u;
  let n0 = wg.x * ${TN}u;`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN4; j++) L.push(`  var c${i}_${j} = vec4f(0.0);`);
  for (let i = 0; i < TM; i++) L.push(`  let row${i} = (m0 + t + ${i * NT}u) * p.K;`);
  L.push(`  for (var k0 = 0u; k0 < p.K; k0 += ${BK}u) {`);
  // B tile: BK*TN4 vec4 slots
  L.push(`    for (var s = t; s < ${BK * TN4}u; s += ${NT}u) {
      let kk = s / ${TN4}u; let g = s % ${TN4}u;
      Bs[s] = b4[((k0 + kk) * p.N + n0) / 4u + g];
    }`);
  if (stageA) {
    // A tile [BK][NT*TM]: slot s -> kk = s % BK (fast), r = s / BK
    L.push(`    for (var s = t; s < ${BK * NT * TM}u; s += ${NT}u) {
      let kk = s % ${BK}u; let r = s / ${BK}u;
      As[kk * ${NT * TM}u + r] = a[(m0 + r) * p.K + k0 + kk];
    }`);
  }
  L.push(`    workgroupBarrier();`);
  for (let kk = 0; kk < BK; kk++) {
    for (let i = 0; i < TM; i++) {
      if (stageA) L.push(`    let a${kk}_${i} = As[${kk * NT * TM}u + t + ${i * NT}u];`);
      else L.push(`    let a${kk}_${i} = a[row${i} + k0 + ${kk}u];`);
    }
    for (let j = 0; j < TN4; j++) {
      L.push(`    let b${kk}_${j} = Bs[${kk * TN4 + j}u];`);
      for (let i = 0; i < TM; i++)
        L.push(v.fma ? `    c${i}_${j} = fma(vec4f(a${kk}_${i}), b${kk}_${j}, c${i}_${j});` : `    c${i}_${j} += a${kk}_${i} * b${kk}_${j};`);
    }
  }
  L.push(`    workgroupBarrier();
  }`);
  for (let i = 0; i < TM; i++)
    for (let j = 0; j < TN4; j++) {
      L.push(`  { let o = (m0 + t + ${i * NT}u) * p.N + n0 + ${j * 4}u;
    out[o] = c${i}_${j}.x; out[o + 1u] = c${i}_${j}.y; out[o + 2u] = c${i}_${j}.z; out[o + 3u] = c${i}_${j}.w; }`);
    }
  L.push('}');
  return L.join('\n');
}

// Direct kernel: no workgroup memory, no barriers; thread (x, y) owns rows y*TM.., cols x*TN.. and
// reads A and B from global memory; the k loop is unrolled U times.
function directKernel(v: Variant): string {
  const { TM, TN, NT, BK: U } = v;
  const TN4 = TN / 4;
  const L: string[] = [];
  L.push(`struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${NT})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.x * ${TN}u;
  let m0 = gid.y * ${TM}u;
  let N4 = p.N / 4u;`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN4; j++) L.push(`  var c${i}_${j} = vec4f(0.0);`);
  L.push(`  for (var k = 0u; k < p.K; k += ${U}u) {`);
  for (let u = 0; u < U; u++) {
    for (let i = 0; i < TM; i++) L.push(`    let a${u}_${i} = a[(m0 + ${i}u) * p.K + k + ${u}u];`);
    for (let j = 0; j < TN4; j++) {
      L.push(`    let b${u}_${j} = b4[(k + ${u}u) * N4 + gid.x * ${TN4}u + ${j}u];`);
      for (let i = 0; i < TM; i++)
        L.push(v.fma ? `    c${i}_${j} = fma(vec4f(a${u}_${i}), b${u}_${j}, c${i}_${j});` : `    c${i}_${j} += a${u}_${i} * b${u}_${j};`);
    }
  }
  L.push(`  }`);
  for (let i = 0; i < TM; i++)
    for (let j = 0; j < TN4; j++) {
      L.push(`  { let o = (m0 + ${i}u) * p.N + n0 + ${j * 4}u;
    out[o] = c${i}_${j}.x; out[o + 1u] = c${i}_${j}.y; out[o + 2u] = c${i}_${j}.z; out[o + 3u] = c${i}_${j}.w; }`);
    }
  L.push('}');
  return L.join('\n');
}

// Tiled kernel like the production one (NN, exact multiples only): WGX×WGY threads, TM×TN per thread,
// A tile [BK][BM/4] and B tile [BK][BN/4] of vec4 in workgroup memory; thread rows ty*4 + i*WGY*4 (vec4
// groups strided by WGY), cols likewise; k loop unrolled U times inside each tile.
function tiledKernel(v: { WGX: number; WGY: number; TM: number; TN: number; BK: number; U: number; P?: number }): string {
  const { WGX, WGY, TM, TN, BK, U, P } = v;
  const TM4 = TM / 4;
  const TN4 = TN / 4;
  const BM4 = WGY * TM4;
  const BN4 = WGX * TN4;
  const NT = WGX * WGY;
  const L: string[] = [];
  L.push(`struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
var<workgroup> As: array<vec4f, ${BK * BM4}>;
var<workgroup> Bs: array<vec4f, ${BK * BN4}>;
@compute @workgroup_size(${WGX}, ${WGY})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let tx = lid.x; let ty = lid.y; let tid = ty * ${WGX}u + tx;
  let N4 = p.N / 4u;
  let tilesN = p.N / ${BN4 * 4}u;
  let tiles = tilesN * (p.M / ${BM4 * 4}u);
  for (var tile = wg.x; tile < tiles; tile += nw.x) {
  let m0 = (tile / tilesN) * ${BM4 * 4}u;
  let n0 = (tile % tilesN) * ${BN4 * 4}u;`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN4; j++) L.push(`  var c${i}_${j} = vec4f(0.0);`);
  L.push(`  for (var k0 = 0u; k0 < p.K; k0 += ${BK}u) {`);
  // staging, unrolled: slot s = tid + r*NT
  for (let r = 0; r < (BK * BM4) / NT; r++) {
    L.push(`    { let s = tid + ${r * NT}u; let kk = s % ${BK}u; let g = s / ${BK}u;
      let i = (m0 + 4u * g) * p.K + k0 + kk;
      As[kk * ${BM4}u + g] = vec4f(a[i], a[i + p.K], a[i + 2u * p.K], a[i + 3u * p.K]); }`);
  }
  for (let r = 0; r < (BK * BN4) / NT; r++) {
    L.push(`    { let s = tid + ${r * NT}u; let g = s % ${BN4}u; let kk = s / ${BN4}u;
      Bs[s] = b4[(k0 + kk) * N4 + n0 / 4u + g]; }`);
  }
  L.push(`    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk += ${U}u) {`);
  for (let u = 0; u < U; u++) {
    for (let i = 0; i < TM4; i++) L.push(`      let a${u}_${i} = As[(kk + ${u}u) * ${BM4}u + ty + ${i * WGY}u];`);
    for (let j = 0; j < TN4; j++) L.push(`      let b${u}_${j} = Bs[(kk + ${u}u) * ${BN4}u + tx + ${j * WGX}u];`);
    for (let i = 0; i < TM; i++)
      for (let j = 0; j < TN4; j++) L.push(`      c${i}_${j} = fma(vec4f(a${u}_${i >> 2}[${i & 3}]), b${u}_${j}, c${i}_${j});`);
  }
  L.push(`    }
    workgroupBarrier();
  }`);
  for (let i = 0; i < TM; i++)
    for (let j = 0; j < TN4; j++) {
      L.push(`  { let o = (m0 + (ty + ${(i >> 2) * WGY}u) * 4u + ${i & 3}u) * p.N + n0 + (tx + ${j * WGX}u) * 4u;
    out[o] = c${i}_${j}.x; out[o + 1u] = c${i}_${j}.y; out[o + 2u] = c${i}_${j}.z; out[o + 3u] = c${i}_${j}.w; }`);
    }
  L.push('  }\n}');
  void P;
  return L.join('\n');
}

function parse(s: string): Variant & { kind: 'strip' | 'direct' } {
  const d = /^d(\d+)x(\d+)x(\d+)x(\d+)(m?)$/.exec(s);
  if (d) return { kind: 'direct', TM: +d[1], TN: +d[2], NT: +d[3], BK: +d[4], stageA: false, fma: !d[5] };
  // e.g. "s2x16x64x16" = strip TM=2 TN=16 NT=64 BK=16, suffix "g" = A from global, "m" = mul+add
  const m = /^s(\d+)x(\d+)x(\d+)x(\d+)([gm]*)$/.exec(s);
  if (!m) throw new Error(`bad variant ${s}`);
  return { kind: 'strip', TM: +m[1], TN: +m[2], NT: +m[3], BK: +m[4], stageA: !m[5].includes('g'), fma: !m[5].includes('m') };
}

const section: BenchSection = {
  key: 'explore',
  optIn: true,
  async run({ gpu, options, log, cpuMs }) {
    // entries: "p8x8x16" = production kernel with tiles WGXxWGYxBK (transposes via --trans=NT etc.),
    // "s…"/"d…" = generated variants (NN only)
    const entries = String(options.variants ?? 'p8x8x16').split('/');
    const sizes = String(options.sizes ?? '512x512x512,768x384x128').split(',').map((s) => s.split('x').map(Number));
    const rounds = Number(options.repeat ?? 2);
    const tr = String(options.trans ?? 'NN');
    const transA = tr[0] === 'T';
    const transB = tr[1] === 'T';
    const res: unknown[] = [];
    for (const [M, N, K] of sizes) {
      const flop = 2 * M * N * K;
      const A = Float32Array.from({ length: M * K }, () => Math.random() * 2 - 1);
      const B = Float32Array.from({ length: K * N }, () => Math.random() * 2 - 1);
      const a = gpu.tensor(transA ? [K, M] : [M, K], 'a', A);
      const b = gpu.tensor(transB ? [N, K] : [K, N], 'b', B);
      const out = gpu.tensor([M, N], 'out');
      let want: Float32Array | null = null;
      const best = new Map<string, number[]>();
      for (let round = 0; round < rounds; round++) {
        for (const name of entries) {
          let run: () => void;
          if (name.startsWith('p')) {
            const [WGX, WGY, BK, P] = name.slice(1).split('x').map(Number);
            run = () => {
              setMatmulTiles(gpu, { WGX, WGY, BK, ...(P !== undefined ? { maxWorkgroups: P } : {}) });
              matmul(gpu, out, a, b, { transA, transB });
            };
          } else if (name.startsWith('t')) {
            // t<WGX>x<WGY>x<TM>x<TN>x<BK>x<U>
            const [WGX, WGY, TM, TN, BK, U, P = 0] = name.slice(1).split('x').map(Number);
            const BM = WGY * TM;
            const BN = WGX * TN;
            if (tr !== 'NN' || M % BM || N % BN || K % BK) continue;
            const kernel = { name: `explore_${name}`, code: tiledKernel({ WGX, WGY, TM, TN, BK, U }) };
            const nt = (N / BN) * (M / BM);
            run = () => gpu.run({ kernel, workgroups: [P ? Math.min(P, nt) : nt], params: [M, N, K], buffers: [a, b, out] });
          } else {
            const v = parse(name);
            const code = v.kind === 'strip' ? stripKernel(v) : directKernel(v);
            const grid: [number, number] = v.kind === 'strip' ? [N / v.TN, M / (v.NT * v.TM)] : [N / v.TN / v.NT, M / v.TM];
            if (tr !== 'NN' || M % (v.NT * v.TM) || N % v.TN || K % v.BK || !grid.every(Number.isInteger)) continue;
            const kernel = { name: `explore_${name}`, code };
            run = () => gpu.run({ kernel, workgroups: grid, params: [M, N, K], buffers: [a, b, out] });
          }
          let t;
          try {
            t = await timeGpu(run, () => gpu.sync(), { targetMs: Number(options.targetMs ?? 800), cpuMs });
          } catch (e) {
            log(`  ${name}: ${(e as Error).message}`);
            continue;
          }
          const got = (await out.read()) as Float32Array;
          want ??= got.slice();
          let err = 0;
          for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
          const cpu = gflops(flop, t.cpuMsPerCall!);
          const list = best.get(name) ?? [];
          list.push(cpu);
          best.set(name, list);
          if (round === rounds - 1) {
            const r = { size: `${M}x${N}x${K}`, trans: tr, name, cpu_gflops: list, wall_gflops: gflops(flop, t.msPerCall), err };
            res.push(r);
            log(`${M}x${N}x${K} ${tr} ${name.padEnd(14)} GF/cpu-s best ${Math.max(...list).toFixed(3)} (all ${list.map((x) => x.toFixed(2)).join(' ')}), last wall ${r.wall_gflops.toFixed(3)} GF/s, err ${err.toExponential(1)}`);
          }
        }
      }
      for (const t of [a, b, out]) t.release();
    }
    return res;
  },
};

export default section;
