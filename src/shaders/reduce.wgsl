// Deterministic reductions to a scalar (no float atomics), in two stages:
//   *_partial: a 1-D grid of G ≤ 256 workgroups × 256 threads grid-strides over the tensor (thread k of
//              the grid reads elements k, k + 256G, …), reduces its workgroup and writes
//              partials[offset + group]. Several tensors write disjoint slot ranges of one partials
//              buffer, one dispatch each.
//   finish_*:  one workgroup adds up all partial slots (strided, then a workgroup reduction) and writes
//              the result.
// The workgroup reduction is a tree in workgroup memory (1 + 8 + 1 barriers) in the entry points above
// the subgroup marker, and subgroupAdd plus a single barrier in the *_sg ones below it (chosen in
// reduce.ts by the `subgroups` feature). G depends only on the tensor's size, and neither reduction's
// order depends on timing, so the summation order, and the bits, are the same every run.

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

// This thread's share of Σ x² (grid-strided).
fn thread_sumsq(wid: vec3u, nwg: vec3u, lid: u32) -> f32 {
  var s = 0.0;
  for (var i = wid.x * WG + lid; i < pp.n; i += nwg.x * WG) {
    let v = x[i];
    s += v * v;
  }
  return s;
}

// This thread's share of Σ x.
fn thread_sum(wid: vec3u, nwg: vec3u, lid: u32) -> f32 {
  var s = 0.0;
  for (var i = wid.x * WG + lid; i < pp.n; i += nwg.x * WG) {
    s += x[i];
  }
  return s;
}

// Σ x²
@compute @workgroup_size(256)
fn sumsq_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let total = workgroup_sum(lid, thread_sumsq(wid, nwg, lid));
  if (lid == 0u) {
    partials[pp.offset + wid.x] = total;
  }
}

// Σ x
@compute @workgroup_size(256)
fn sum_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let total = workgroup_sum(lid, thread_sum(wid, nwg, lid));
  if (lid == 0u) {
    partials[pp.offset + wid.x] = total;
  }
}

// Σ w·x
@group(0) @binding(1) var<storage, read> wx: array<f32>;
@group(0) @binding(2) var<storage, read> ww: array<f32>;
@group(0) @binding(3) var<storage, read_write> wpartials: array<f32>;

fn thread_wsum(wid: vec3u, nwg: vec3u, lid: u32) -> f32 {
  var s = 0.0;
  for (var i = wid.x * WG + lid; i < pp.n; i += nwg.x * WG) {
    s += ww[i] * wx[i];
  }
  return s;
}

@compute @workgroup_size(256)
fn wsum_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let total = workgroup_sum(lid, thread_wsum(wid, nwg, lid));
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

// This thread's share of Σ partials (strided).
fn thread_partials(lid: u32) -> f32 {
  var s = 0.0;
  for (var i = lid; i < fp.count; i += WG) {
    s += f_partials[i];
  }
  return s;
}

// out[0] = a · Σ partials
fn write_sum(total: f32) {
  f_out[0] = fp.a * total;
}

// The partials hold Σ g²: out[0] = clip scale = min(1, max_norm / (‖g‖ + 1e-6)) (1 when max_norm ≤ 0),
// out[1] = ‖g‖. A NaN/inf gradient gives a NaN/0 scale, as in PyTorch's clip_grad_norm_.
fn write_clip(total: f32) {
  let norm = sqrt(total);
  var scale = 1.0;
  if (fp.a > 0.0) {
    scale = min(1.0, fp.a / (norm + 1e-6));
  }
  f_out[0] = scale;
  f_out[1] = norm;
}

@compute @workgroup_size(256)
fn finish_sum(@builtin(local_invocation_index) lid: u32) {
  let total = workgroup_sum(lid, thread_partials(lid));
  if (lid == 0u) {
    write_sum(total);
  }
}

@compute @workgroup_size(256)
fn finish_clip(@builtin(local_invocation_index) lid: u32) {
  let total = workgroup_sum(lid, thread_partials(lid));
  if (lid == 0u) {
    write_clip(total);
  }
}

// ==== subgroup entry points: compiled only with `enable subgroups;` (see kernelVariants in reduce.ts) ====
//
// No barriers and no atomics: every sum is a set of "rows" each reduced by one subgroup (lane-strided
// loads, then subgroupAdd), with the row-to-subgroup scheme of layernorm.wgsl: workgroup g (WG_SG
// invocations) owns rows [g·RPW, (g+1)·RPW), row k of the block belongs to invocation k·(WG_SG/RPW), and
// each subgroup works through the rows its own invocations own. So every row is done exactly once for any
// subgroup size and layout, and a row's result depends only on the subgroup's width: deterministic.
//   *_partial_sg: row c = the chunk [c·chunk, (c+1)·chunk) of the tensor (chunk ≥ 1024 elements, up to
//                 4096 chunks), written to partials[offset + c];
//   finish_*_sg:  one row, all `count` partial slots, reduced by the subgroup holding invocation 0.
// (A barrier costs far more than the whole reduction on SwiftShader, whose invocations are coroutines, and
// real GPUs get plenty of parallelism from one subgroup per ≥1024-element chunk.)

override WG_SG: u32 = 64;
override RPW: u32 = 16;

const NO_ROW: u32 = 0xffffffffu;

fn owned_row(lid: u32) -> u32 {
  let stride = WG_SG / RPW;
  return select(NO_ROW, lid / stride, lid % stride == 0u && lid / stride < RPW);
}

fn next_row(mine: ptr<function, u32>) -> u32 {
  let k = subgroupMin(*mine);
  if (*mine == k) {
    *mine = NO_ROW;
  }
  return k;
}

struct ChunkParams {
  n: u32,
  offset: u32,
  chunk: u32,  // elements per chunk
  chunks: u32, // ceil(n / chunk)
}

@group(0) @binding(0) var<uniform> cp: ChunkParams;

// The chunk (row) this subgroup does next, the same in all its lanes: (start, end, 1) of its elements, or
// (0, 0, 0) when the subgroup has none left. `c` receives the chunk index.
fn next_chunk(first: u32, mine: ptr<function, u32>, c: ptr<function, u32>) -> vec3u {
  let k = next_row(mine);
  *c = first + k;
  if (k == NO_ROW || *c >= cp.chunks) {
    return vec3u(0u);
  }
  let start = min(*c * cp.chunk, cp.n);
  return vec3u(start, min(start + cp.chunk, cp.n), 1u);
}

// square != 0: Σ x² per chunk, else Σ x
fn chunk_sums(wid: vec3u, nwg: vec3u, lid: u32, square: bool) {
  let lane = subgroupExclusiveAdd(1u);
  let lanes = subgroupAdd(1u);
  let first = (wid.y * nwg.x + wid.x) * RPW;
  var mine = owned_row(lid);
  var c = 0u;
  loop {
    let range = next_chunk(first, &mine, &c);
    if (range.z == 0u) {
      break;
    }
    var s = 0.0;
    for (var i = range.x + lane; i < range.y; i += lanes) {
      let v = x[i];
      s += select(v, v * v, square);
    }
    let total = subgroupAdd(s);
    if (lane == 0u) {
      partials[cp.offset + c] = total;
    }
  }
}

@compute @workgroup_size(WG_SG)
fn sumsq_partial_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  chunk_sums(wid, nwg, lid, true);
}

@compute @workgroup_size(WG_SG)
fn sum_partial_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  chunk_sums(wid, nwg, lid, false);
}

@compute @workgroup_size(WG_SG)
fn wsum_partial_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = subgroupExclusiveAdd(1u);
  let lanes = subgroupAdd(1u);
  let first = (wid.y * nwg.x + wid.x) * RPW;
  var mine = owned_row(lid);
  var c = 0u;
  loop {
    let range = next_chunk(first, &mine, &c);
    if (range.z == 0u) {
      break;
    }
    var s = 0.0;
    for (var i = range.x + lane; i < range.y; i += lanes) {
      s += ww[i] * wx[i];
    }
    let total = subgroupAdd(s);
    if (lane == 0u) {
      wpartials[cp.offset + c] = total;
    }
  }
}

// Σ of all partial slots, in the subgroup that holds invocation 0 (a single row: RPW = 1 rows per workgroup
// would do the same; this needs no constant). Returns true in the one invocation that should write.
fn finish_total(lid: u32, total: ptr<function, f32>) -> bool {
  let lane = subgroupExclusiveAdd(1u);
  let lanes = subgroupAdd(1u);
  var write = false;
  if (subgroupAny(lid == 0u)) {
    var s = 0.0;
    for (var i = lane; i < fp.count; i += lanes) {
      s += f_partials[i];
    }
    *total = subgroupAdd(s);
    write = lane == 0u;
  }
  return write;
}

@compute @workgroup_size(WG_SG)
fn finish_sum_sg(@builtin(local_invocation_index) lid: u32) {
  var total = 0.0;
  if (finish_total(lid, &total)) {
    write_sum(total);
  }
}

@compute @workgroup_size(WG_SG)
fn finish_clip_sg(@builtin(local_invocation_index) lid: u32) {
  var total = 0.0;
  if (finish_total(lid, &total)) {
    write_clip(total);
  }
}
