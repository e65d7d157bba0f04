// Opt-in (--only=wgmem): what declaring workgroup memory costs per workgroup on this adapter (WebGPU
// zero-initialises it; on SwiftShader the shader does that itself). CPU µs per workgroup vs bytes, threads.
import { timeGpu } from '../timing.ts';
import type { BenchSection } from '../types.ts';

function kernel(vec4s: number, wg: number, touch: boolean): string {
  return `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
${vec4s ? `var<workgroup> t: array<vec4f, ${vec4s}>;` : ''}
@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  var x = f32(lid);
  ${vec4s && touch ? `t[lid] = vec4f(x); workgroupBarrier(); x += t[(lid + 1u) % ${wg}u].x;` : ''}
  ${vec4s && !touch ? `x += t[lid % ${vec4s}u].x;` : ''}
  out[gid.x] = x;
}`;
}

const section: BenchSection = {
  key: 'wgmem',
  optIn: true,
  async run({ gpu, log, cpuMs }) {
    const groups = 512;
    const res: Record<string, number> = {};
    for (const wg of [16, 64, 256]) {
      const out = gpu.tensor([groups * wg], 'out');
      for (const vec4s of [0, 64, 128, 256, 512, 1024, 2048]) {
        if (vec4s && vec4s < wg) continue;
        for (const touch of vec4s ? [false, true] : [false]) {
          const k = { name: `wgmem_${vec4s}_${wg}_${touch}`, code: kernel(vec4s, wg, touch) };
          const t = await timeGpu(() => gpu.run({ kernel: k, workgroups: [groups], buffers: [out] }), () => gpu.sync(), { targetMs: 500, cpuMs });
          const us = (t.cpuMsPerCall! * 1000) / groups;
          res[`${vec4s * 16}B/${wg}thr${touch ? '/barrier' : ''}`] = us;
          log(`${String(vec4s * 16).padStart(6)} B, ${String(wg).padStart(3)} threads${touch ? ', + barrier' : ''}: ${us.toFixed(1)} µs CPU per workgroup`);
        }
      }
      out.release();
    }
    return res;
  },
};

export default section;
