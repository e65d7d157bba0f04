// Softmax + cross-entropy fused, forward and backward in one dispatch, in two variants chosen in
// crossentropy.ts. Per row of the [N, V] logits:
//   1. keep an online (max, Σ exp(l − max)) over the row's logits, each invocation over its strided share;
//   2. merge the pairs → the row's max M and S = Σ exp(l − M);
//   3. losses[row] = M + log S − l[target] (0 when weights[row] = 0; NaN for a target outside [0, V)
//      with a nonzero weight), and dlogits[row, v] = weights[row]·inv_wsum·(exp(l − M)/S − [v = target]),
//      exactly 0 for the whole row when weights[row] = 0 (SFT masks with zero weights).
// `main` / `main_inplace`: one workgroup of WG threads per row (2-D grid), step 2 a tree in workgroup
// memory (1 + log2(WG) + 1 barriers). `main_sg` / `main_inplace_sg` (with the `subgroups` feature, below
// the marker): one subgroup per row, step 2 a subgroupMax and a subgroupAdd, no barriers.
// inv_wsum = 1/Σw comes from the host (0 when Σw = 0). Rows with weight 0 skip reading the logits.
// The *_inplace entry points write dlogits over the logits (one read_write binding), which saves the
// largest activation of a training step when the logits are not needed afterwards.

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

// ==== subgroup entry points: compiled only with `enable subgroups;` (see kernelVariants in reduce.ts) ====
//
// One row per subgroup, no barriers and no atomics: workgroup g owns rows [g·RPW, (g+1)·RPW), row k of the
// block belongs to invocation k·(WG/RPW), and each subgroup works through the rows its own invocations own
// (the same scheme as layernorm.wgsl: correct for any subgroup size and any mapping of subgroups onto
// local_invocation_index; a row's result depends only on the subgroup's width, so it is deterministic).
// Lane k of the subgroup's `lanes` active invocations takes logits k, k + lanes, …; the lane that reads the
// target's logit passes it to the others through a subgroupAdd (the others add 0). In place, every lane
// overwrites exactly the logits it read itself, so no lane can see another's gradient.

override RPW: u32 = 16;

const NO_ROW: u32 = 0xffffffffu;

fn owned_row(lid: u32) -> u32 {
  let stride = WG / RPW;
  return select(NO_ROW, lid / stride, lid % stride == 0u && lid / stride < RPW);
}

fn next_row(mine: ptr<function, u32>) -> u32 {
  let k = subgroupMin(*mine);
  if (*mine == k) {
    *mine = NO_ROW;
  }
  return k;
}

// (M, S, target logit) of a row from each lane's running (max, sum) and its share of the target logit.
fn subgroup_row_stats(ms: vec2f, target_part: f32) -> vec3f {
  let M = subgroupMax(ms.x);
  let S = subgroupAdd(ms.y * exp(ms.x - M));
  return vec3f(M, S, subgroupAdd(target_part));
}

@compute @workgroup_size(WG)
fn main_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = subgroupExclusiveAdd(1u);
  let lanes = subgroupAdd(1u);
  let first = row_of(wid, nwg) * RPW;
  var mine = owned_row(lid);
  loop {
    let k = next_row(&mine);
    let row = first + k;
    if (k == NO_ROW || row >= p.N) {
      break;
    }
    let base = row * p.V;
    let w = weights[row];
    let t = targets[row];
    var ms = vec2f(LOWEST, 0.0);
    var lt = 0.0;
    if (w != 0.0) {
      for (var v = lane; v < p.V; v += lanes) {
        let x = logits[base + v];
        ms = online(ms, x);
        lt += select(0.0, x, v == t);
      }
    }
    let stats = subgroup_row_stats(ms, lt);
    let M = stats.x;
    let inv_s = 1.0 / stats.y;
    if (lane == 0u) {
      var loss = 0.0;
      if (w != 0.0) {
        loss = select(p.invalid, M + log(stats.y) - stats.z, t < p.V);
      }
      losses[row] = loss;
    }
    let scale = w * p.inv_wsum;
    for (var v = lane; v < p.V; v += lanes) {
      var d = 0.0;
      if (w != 0.0) {
        d = scale * (exp(logits[base + v] - M) * inv_s - select(0.0, 1.0, v == t));
      }
      dlogits[base + v] = d;
    }
  }
}

@compute @workgroup_size(WG)
fn main_inplace_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = subgroupExclusiveAdd(1u);
  let lanes = subgroupAdd(1u);
  let first = row_of(wid, nwg) * RPW;
  var mine = owned_row(lid);
  loop {
    let k = next_row(&mine);
    let row = first + k;
    if (k == NO_ROW || row >= p.N) {
      break;
    }
    let base = row * p.V;
    let w = weights[row];
    let t = targets[row];
    var ms = vec2f(LOWEST, 0.0);
    var lt = 0.0;
    if (w != 0.0) {
      for (var v = lane; v < p.V; v += lanes) {
        let x = inplace[base + v];
        ms = online(ms, x);
        lt += select(0.0, x, v == t);
      }
    }
    let stats = subgroup_row_stats(ms, lt);
    let M = stats.x;
    let inv_s = 1.0 / stats.y;
    if (lane == 0u) {
      var loss = 0.0;
      if (w != 0.0) {
        loss = select(p.invalid, M + log(stats.y) - stats.z, t < p.V);
      }
      losses[row] = loss;
    }
    let scale = w * p.inv_wsum;
    for (var v = lane; v < p.V; v += lanes) {
      var d = 0.0;
      if (w != 0.0) {
        d = scale * (exp(inplace[base + v] - M) * inv_s - select(0.0, 1.0, v == t));
      }
      inplace[base + v] = d;
    }
  }
}
