// GELU, GPT-2's tanh approximation: gelu(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
// One thread per element on a 2-D grid of 256-thread workgroups.
// tanh is not called: with u = √(2/π)·(x + 0.044715·x³) and e = exp(−2|u|) ∈ (0, 1],
//   0.5·(1 + tanh(u)) = sigmoid(2u) = 1/(1 + e) for u ≥ 0, e/(1 + e) for u < 0,
//   1 − tanh²(u)      = 4e/(1 + e)²,
// which cannot overflow and keeps full relative precision in the negative tail, where 1 + tanh(u) and
// 1 − tanh² cancel catastrophically (and some tanh implementations return NaN for large |u|).

const SCALE: f32 = 0.7978845608028654; // √(2/π)
const CUBIC: f32 = 0.044715;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// (sigmoid(2u), 1 − tanh²(u))
fn gate(u: f32) -> vec2f {
  let e = exp(-2.0 * abs(u));
  let r = 1.0 / (1.0 + e);
  return vec2f(select(e * r, r, u >= 0.0), 4.0 * e * r * r);
}

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= p.n) {
    return;
  }
  let v = x[i];
  out[i] = v * gate(SCALE * (v + CUBIC * v * v * v)).x;
}

// dx = dout · (0.5·(1 + th) + 0.5·x·(1 − th²)·√(2/π)·(1 + 3·0.044715·x²)),  th = tanh(√(2/π)·(x + 0.044715·x³))
@group(0) @binding(1) var<storage, read> b_x: array<f32>;
@group(0) @binding(2) var<storage, read> b_dout: array<f32>;
@group(0) @binding(3) var<storage, read_write> b_dx: array<f32>;

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= p.n) {
    return;
  }
  let v = b_x[i];
  let g = gate(SCALE * (v + CUBIC * v * v * v));
  let du = SCALE * (1.0 + 3.0 * CUBIC * v * v);
  b_dx[i] = b_dout[i] * (g.x + 0.5 * v * g.y * du);
}
