// LayerNorm over the last dimension (C) of an [N, C] matrix, eps from the params (1e-5 in GPT-2).
//
// Two variants of the row kernels, chosen in layernorm.ts: with the `subgroups` feature, `forward_sg` and
// `backward_dx_sg` (below the subgroup marker) give each row to one subgroup and reduce with subgroupAdd:
// no workgroup barriers at all. Without it, `forward` and `backward_dx` give each row to a workgroup and
// reduce with trees in workgroup memory:
//
// forward:        one workgroup per row (2-D grid), WG threads stride over the channels; two tree
//                 reductions in workgroup memory (the mean, then Σ(x − mean)², which is more accurate
//                 than E[x²] − mean²). Writes out, mean[row], rstd[row] = 1/√(var + eps).
// backward_dx:    one workgroup per row; one paired reduction gives mean(dnorm) and mean(dnorm·norm)
//                 (dnorm = dout·w, norm = (x − mean)·rstd), then dx = rstd·(dnorm − mean(dnorm) −
//                 norm·mean(dnorm·norm)), written or (accumulate != 0) added into dx.
// backward_dwdb_partial: dw = Σ_rows dout·norm and db = Σ_rows dout, in two deterministic stages: each
//                 64-thread workgroup owns 64 channels × a chunk of ROWS rows and writes their partial
//                 sums (partial[chunk, c] for dw, partial[chunks + chunk, c] for db)…
// backward_dwdb_final: …then one thread per element of [dw; db] adds up the chunks in order and writes
//                 or accumulates.
// (The dw/db pair has no barriers and is shared by both variants.)

override WG: u32 = 256;
const ROWS: u32 = 32u;

var<workgroup> red: array<vec2f, WG>;

// Tree sum of one vec2 per thread; every thread gets the total. Call from uniform control flow.
fn workgroup_sum(lid: u32, value: vec2f) -> vec2f {
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

// ---- forward -------------------------------------------------------------------------------------------

struct FwdParams {
  N: u32,
  C: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> fp: FwdParams;
@group(0) @binding(1) var<storage, read> f_x: array<f32>;
@group(0) @binding(2) var<storage, read> f_w: array<f32>;
@group(0) @binding(3) var<storage, read> f_b: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> f_mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> f_rstd: array<f32>;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= fp.N) {
    return;
  }
  let C = fp.C;
  let base = row * C;
  var s = 0.0;
  for (var c = lid; c < C; c += WG) {
    s += f_x[base + c];
  }
  let mean = workgroup_sum(lid, vec2f(s, 0.0)).x / f32(C);
  var s2 = 0.0;
  for (var c = lid; c < C; c += WG) {
    let d = f_x[base + c] - mean;
    s2 += d * d;
  }
  let variance = workgroup_sum(lid, vec2f(s2, 0.0)).x / f32(C);
  let rstd = 1.0 / sqrt(variance + fp.eps);
  for (var c = lid; c < C; c += WG) {
    f_out[base + c] = (f_x[base + c] - mean) * rstd * f_w[c] + f_b[c];
  }
  if (lid == 0u) {
    f_mean[row] = mean;
    f_rstd[row] = rstd;
  }
}

// ---- backward: dx --------------------------------------------------------------------------------------

struct DxParams {
  N: u32,
  C: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> dp: DxParams;
@group(0) @binding(1) var<storage, read> d_dout: array<f32>;
@group(0) @binding(2) var<storage, read> d_x: array<f32>;
@group(0) @binding(3) var<storage, read> d_w: array<f32>;
@group(0) @binding(4) var<storage, read> d_mean: array<f32>;
@group(0) @binding(5) var<storage, read> d_rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_dx: array<f32>;

@compute @workgroup_size(WG)
fn backward_dx(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= dp.N) {
    return;
  }
  let C = dp.C;
  let base = row * C;
  let mean = d_mean[row];
  let rstd = d_rstd[row];
  var s = vec2f(0.0);
  for (var c = lid; c < C; c += WG) {
    let norm = (d_x[base + c] - mean) * rstd;
    let dnorm = d_dout[base + c] * d_w[c];
    s += vec2f(dnorm, dnorm * norm);
  }
  let means = workgroup_sum(lid, s) / f32(C);
  for (var c = lid; c < C; c += WG) {
    let norm = (d_x[base + c] - mean) * rstd;
    let dnorm = d_dout[base + c] * d_w[c];
    let g = rstd * (dnorm - means.x - norm * means.y);
    if (dp.accumulate != 0u) {
      d_dx[base + c] += g;
    } else {
      d_dx[base + c] = g;
    }
  }
}

// ---- backward: dw, db ----------------------------------------------------------------------------------

struct PartialParams {
  N: u32,
  C: u32,
  chunks: u32, // ceil(N / ROWS)
}

@group(0) @binding(0) var<uniform> pp: PartialParams;
@group(0) @binding(1) var<storage, read> p_dout: array<f32>;
@group(0) @binding(2) var<storage, read> p_x: array<f32>;
@group(0) @binding(3) var<storage, read> p_mean: array<f32>;
@group(0) @binding(4) var<storage, read> p_rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> p_partial: array<f32>;

@compute @workgroup_size(64)
fn backward_dwdb_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x * 64u + lid;
  let chunk = wid.y;
  if (c >= pp.C) {
    return;
  }
  let r0 = chunk * ROWS;
  let r1 = min(r0 + ROWS, pp.N);
  var dw = 0.0;
  var db = 0.0;
  for (var r = r0; r < r1; r++) {
    let i = r * pp.C + c;
    let d = p_dout[i];
    dw += d * (p_x[i] - p_mean[r]) * p_rstd[r];
    db += d;
  }
  p_partial[chunk * pp.C + c] = dw;
  p_partial[(pp.chunks + chunk) * pp.C + c] = db;
}

struct FinalParams {
  C: u32,
  chunks: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> qp: FinalParams;
@group(0) @binding(1) var<storage, read> q_partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> q_dw: array<f32>;
@group(0) @binding(3) var<storage, read_write> q_db: array<f32>;

@compute @workgroup_size(64)
fn backward_dwdb_final(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x; // [0, C) → dw, [C, 2C) → db
  if (i >= 2u * qp.C) {
    return;
  }
  let which = i / qp.C;
  let c = i - which * qp.C;
  var acc = 0.0;
  for (var k = 0u; k < qp.chunks; k++) {
    acc += q_partial[(which * qp.chunks + k) * qp.C + c];
  }
  if (which == 0u) {
    if (qp.accumulate != 0u) {
      q_dw[c] += acc;
    } else {
      q_dw[c] = acc;
    }
  } else {
    if (qp.accumulate != 0u) {
      q_db[c] += acc;
    } else {
      q_db[c] = acc;
    }
  }
}

// ==== subgroup entry points: compiled only with `enable subgroups;` (see kernelVariants in reduce.ts) ====
//
// One row per subgroup, no workgroup barriers and no atomics. Workgroup g owns rows [g·RPW, (g+1)·RPW);
// row k of that block belongs to invocation k·(WG/RPW), and each subgroup works through the rows its own
// invocations own, lowest first (next_row). Every invocation is in exactly one subgroup, so every row is
// done exactly once whatever the subgroup size (4 to 128, and it may differ between pipelines) and however
// subgroups map onto local_invocation_index (WGSL promises nothing there); RPW = WG / (expected subgroup
// size) gives each subgroup about one row. A row's result depends only on the subgroup's width, never on
// which subgroup computed it: deterministic. Within a row, lane k of the subgroup's `lanes` active
// invocations handles channels k, k + lanes, …, and subgroupAdd combines the lanes.

override RPW: u32 = 16;

const NO_ROW: u32 = 0xffffffffu;

// The row (index in the workgroup's block) this invocation owns, or NO_ROW.
fn owned_row(lid: u32) -> u32 {
  let stride = WG / RPW;
  return select(NO_ROW, lid / stride, lid % stride == 0u && lid / stride < RPW);
}

// The subgroup's next row: the lowest row still owned by one of its invocations (NO_ROW when none is
// left), the same in all its lanes; the owner gives it up.
fn next_row(mine: ptr<function, u32>) -> u32 {
  let k = subgroupMin(*mine);
  if (*mine == k) {
    *mine = NO_ROW;
  }
  return k;
}

@compute @workgroup_size(WG)
fn forward_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = subgroupExclusiveAdd(1u);
  let lanes = subgroupAdd(1u);
  let first = (wid.y * nwg.x + wid.x) * RPW;
  let C = fp.C;
  var mine = owned_row(lid);
  loop {
    let k = next_row(&mine);
    let row = first + k;
    if (k == NO_ROW || row >= fp.N) {
      break;
    }
    let base = row * C;
    var s = 0.0;
    for (var c = lane; c < C; c += lanes) {
      s += f_x[base + c];
    }
    let mean = subgroupAdd(s) / f32(C);
    var s2 = 0.0;
    for (var c = lane; c < C; c += lanes) {
      let d = f_x[base + c] - mean;
      s2 += d * d;
    }
    let rstd = 1.0 / sqrt(subgroupAdd(s2) / f32(C) + fp.eps);
    for (var c = lane; c < C; c += lanes) {
      f_out[base + c] = (f_x[base + c] - mean) * rstd * f_w[c] + f_b[c];
    }
    if (lane == 0u) {
      f_mean[row] = mean;
      f_rstd[row] = rstd;
    }
  }
}

@compute @workgroup_size(WG)
fn backward_dx_sg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = subgroupExclusiveAdd(1u);
  let lanes = subgroupAdd(1u);
  let first = (wid.y * nwg.x + wid.x) * RPW;
  let C = dp.C;
  var mine = owned_row(lid);
  loop {
    let k = next_row(&mine);
    let row = first + k;
    if (k == NO_ROW || row >= dp.N) {
      break;
    }
    let base = row * C;
    let mean = d_mean[row];
    let rstd = d_rstd[row];
    var s = vec2f(0.0);
    for (var c = lane; c < C; c += lanes) {
      let norm = (d_x[base + c] - mean) * rstd;
      let dnorm = d_dout[base + c] * d_w[c];
      s += vec2f(dnorm, dnorm * norm);
    }
    let means = subgroupAdd(s) / f32(C);
    for (var c = lane; c < C; c += lanes) {
      let norm = (d_x[base + c] - mean) * rstd;
      let dnorm = d_dout[base + c] * d_w[c];
      let g = rstd * (dnorm - means.x - norm * means.y);
      if (dp.accumulate != 0u) {
        d_dx[base + c] += g;
      } else {
        d_dx[base + c] = g;
      }
    }
  }
}
