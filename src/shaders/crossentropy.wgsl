// Softmax + cross-entropy fused, forward and backward in one dispatch: one workgroup per row of the
// [N, V] logits (2-D grid), WG threads.
//   1. each thread keeps an online (max, Σ exp(l − max)) over its strided share of the row;
//   2. a tree in workgroup memory merges the pairs → the row's max M and S = Σ exp(l − M);
//   3. losses[row] = M + log S − l[target] (0 when weights[row] = 0; NaN for a target outside [0, V)
//      with a nonzero weight), and dlogits[row, v] = weights[row]·inv_wsum·(exp(l − M)/S − [v = target]),
//      exactly 0 for the whole row when weights[row] = 0 (SFT masks with zero weights).
// inv_wsum = 1/Σw comes from the host (0 when Σw = 0). Rows with weight 0 skip reading the logits.
// `main_inplace` is the same with dlogits written over the logits (one read_write binding), which saves
// the largest activation of a training step when the logits are not needed afterwards.

override WG: u32 = 256;

struct Params {
  N: u32,
  V: u32,
  inv_wsum: f32,
  invalid: f32, // NaN
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;
// main_inplace binds the logits read_write here (and nothing at binding 5): overwritten by their gradient
@group(0) @binding(1) var<storage, read_write> inplace: array<f32>;

var<workgroup> red_m: array<f32, WG>;
var<workgroup> red_s: array<f32, WG>;

const LOWEST: f32 = -3.0e38; // start of the running max: exp(LOWEST − x) is 0, never NaN

fn merge(lid: u32, other: u32) {
  let m1 = red_m[lid];
  let m2 = red_m[other];
  let m = max(m1, m2);
  red_s[lid] = red_s[lid] * exp(m1 - m) + red_s[other] * exp(m2 - m);
  red_m[lid] = m;
}

// Folds one logit into a running (max, Σ exp(l − max)).
fn online(ms: vec2f, x: f32) -> vec2f {
  if (x > ms.x) {
    return vec2f(x, ms.y * exp(ms.x - x) + 1.0);
  }
  return vec2f(ms.x, ms.y + exp(x - ms.x));
}

// Merges every thread's running pair into the row's (max M, Σ exp(l − M)), returned to all threads.
// Call from uniform control flow.
fn row_stats(lid: u32, ms: vec2f) -> vec2f {
  red_m[lid] = ms.x;
  red_s[lid] = ms.y;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      merge(lid, lid + k);
    }
    workgroupBarrier();
  }
  let stats = vec2f(red_m[0], red_s[0]);
  workgroupBarrier();
  return stats;
}

fn row_of(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.y * nwg.x + wid.x;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.N) {
    return;
  }
  let base = row * p.V;
  let w = weights[row];
  let t = targets[row];
  var ms = vec2f(LOWEST, 0.0);
  if (w != 0.0) {
    for (var v = lid; v < p.V; v += WG) {
      ms = online(ms, logits[base + v]);
    }
  }
  let stats = row_stats(lid, ms);
  let M = stats.x;
  let inv_s = 1.0 / stats.y;
  if (lid == 0u) {
    var loss = 0.0;
    if (w != 0.0) {
      loss = select(p.invalid, M + log(stats.y) - logits[base + min(t, p.V - 1u)], t < p.V);
    }
    losses[row] = loss;
  }
  let scale = w * p.inv_wsum;
  for (var v = lid; v < p.V; v += WG) {
    var d = 0.0;
    if (w != 0.0) {
      d = scale * (exp(logits[base + v] - M) * inv_s - select(0.0, 1.0, v == t));
    }
    dlogits[base + v] = d;
  }
}

@compute @workgroup_size(WG)
fn main_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.N) {
    return;
  }
  let base = row * p.V;
  let w = weights[row];
  let t = targets[row];
  var ms = vec2f(LOWEST, 0.0);
  if (w != 0.0) {
    for (var v = lid; v < p.V; v += WG) {
      ms = online(ms, inplace[base + v]);
    }
  }
  let stats = row_stats(lid, ms);
  let M = stats.x;
  let inv_s = 1.0 / stats.y;
  if (lid == 0u) {
    var loss = 0.0;
    if (w != 0.0) {
      loss = select(p.invalid, M + log(stats.y) - inplace[base + min(t, p.V - 1u)], t < p.V);
    }
    losses[row] = loss;
  }
  // every thread has read its logits (and thread 0 the target's) before any is overwritten
  workgroupBarrier();
  let scale = w * p.inv_wsum;
  for (var v = lid; v < p.V; v += WG) {
    var d = 0.0;
    if (w != 0.0) {
      d = scale * (exp(inplace[base + v] - M) * inv_s - select(0.0, 1.0, v == t));
    }
    inplace[base + v] = d;
  }
}
