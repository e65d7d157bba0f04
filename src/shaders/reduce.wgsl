// Deterministic reductions to a scalar (no float atomics), in two stages:
//   *_partial: a 1-D grid of G ≤ 256 workgroups × 256 threads grid-strides over the tensor (thread k of
//              the grid reads elements k, k + 256G, …), reduces its workgroup by a tree in workgroup
//              memory and writes partials[offset + group]. Several tensors write disjoint slot ranges of
//              one partials buffer, one dispatch each.
//   finish_*:  one workgroup adds up all partial slots (strided, then a tree) and writes the result.
// G depends only on the tensor's size, so the summation order, and the bits, are the same every run.

const WG: u32 = 256u;

var<workgroup> red: array<f32, 256>;

fn workgroup_sum(lid: u32, value: f32) -> f32 {
  red[lid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] += red[lid + s];
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

struct PartialParams {
  n: u32,
  offset: u32,
}

@group(0) @binding(0) var<uniform> pp: PartialParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

// Σ x²
@compute @workgroup_size(256)
fn sumsq_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = wid.x * WG + lid; i < pp.n; i += nwg.x * WG) {
    let v = x[i];
    s += v * v;
  }
  let total = workgroup_sum(lid, s);
  if (lid == 0u) {
    partials[pp.offset + wid.x] = total;
  }
}

// Σ x
@compute @workgroup_size(256)
fn sum_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = wid.x * WG + lid; i < pp.n; i += nwg.x * WG) {
    s += x[i];
  }
  let total = workgroup_sum(lid, s);
  if (lid == 0u) {
    partials[pp.offset + wid.x] = total;
  }
}

// Σ w·x
@group(0) @binding(1) var<storage, read> wx: array<f32>;
@group(0) @binding(2) var<storage, read> ww: array<f32>;
@group(0) @binding(3) var<storage, read_write> wpartials: array<f32>;

@compute @workgroup_size(256)
fn wsum_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = wid.x * WG + lid; i < pp.n; i += nwg.x * WG) {
    s += ww[i] * wx[i];
  }
  let total = workgroup_sum(lid, s);
  if (lid == 0u) {
    wpartials[pp.offset + wid.x] = total;
  }
}

// ---- finish --------------------------------------------------------------------------------------------

struct FinishParams {
  count: u32, // partial slots
  a: f32,     // finish_sum: the scale; finish_clip: max_norm (≤ 0: no clipping)
}

@group(0) @binding(0) var<uniform> fp: FinishParams;
@group(0) @binding(1) var<storage, read> f_partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> f_out: array<f32>;

fn total_of_partials(lid: u32) -> f32 {
  var s = 0.0;
  for (var i = lid; i < fp.count; i += WG) {
    s += f_partials[i];
  }
  return workgroup_sum(lid, s);
}

// out[0] = a · Σ partials
@compute @workgroup_size(256)
fn finish_sum(@builtin(local_invocation_index) lid: u32) {
  let total = total_of_partials(lid);
  if (lid == 0u) {
    f_out[0] = fp.a * total;
  }
}

// The partials hold Σ g²: out[0] = clip scale = min(1, max_norm / (‖g‖ + 1e-6)) (1 when max_norm ≤ 0),
// out[1] = ‖g‖. A NaN/inf gradient gives a NaN/0 scale, as in PyTorch's clip_grad_norm_.
@compute @workgroup_size(256)
fn finish_clip(@builtin(local_invocation_index) lid: u32) {
  let total = total_of_partials(lid);
  if (lid == 0u) {
    let norm = sqrt(total);
    var scale = 1.0;
    if (fp.a > 0.0) {
      scale = min(1.0, fp.a / (norm + 1e-6));
    }
    f_out[0] = scale;
    f_out[1] = norm;
  }
}
