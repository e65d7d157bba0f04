// fill: out[i] = value for every element. The value arrives as its 32-bit pattern so one kernel fills
// f32, u32 and i32 tensors alike. One thread per element on a 2-D grid of 256-thread workgroups.
struct Params {
  n: u32,
  bits: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i < p.n) {
    out[i] = p.bits;
  }
}
