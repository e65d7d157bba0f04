// One AdamW step (Loshchilov & Hutter), element-wise and in place on param, m, v:
//   g = grad · gradScale                        (gradScale: a clip factor, 1/micro-batches, …)
//   m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²
//   param −= lr · ( (m / bc1) / (√(v / bc2) + eps) + wd · param ),   bc = 1 − β^step (host-computed)
// `step` takes gradScale from the params; `step_scaled` multiplies it by scale[0] from a storage buffer,
// so a clip factor computed on the device (reduce.wgsl finish_clip) is applied with no host round-trip.
// One thread per element on a 2-D grid of 256-thread workgroups.

struct Params {
  n: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32, // 1 − β1 and 1 − β2 rounded once from float64 (1 − f32(0.999) is off by 1e-5)
  one_minus_beta2: f32,
  eps: f32,
  wd: f32,
  bc1: f32,
  bc2: f32,
  grad_scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read> scale: array<f32>;

fn update(i: u32, s: f32) {
  let g = grad[i] * s;
  let mi = p.beta1 * m[i] + p.one_minus_beta1 * g;
  let vi = p.beta2 * v[i] + p.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let w = param[i];
  param[i] = w - p.lr * ((mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps) + p.wd * w);
}

@compute @workgroup_size(256)
fn step(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i < p.n) {
    update(i, p.grad_scale);
  }
}

@compute @workgroup_size(256)
fn step_scaled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i < p.n) {
    update(i, p.grad_scale * scale[0]);
  }
}
