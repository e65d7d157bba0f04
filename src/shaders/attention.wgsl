// Causal multi-head self-attention, flash-attention style: the T×T probability matrix is never stored.
//
// qkv [B, T, 3C]: q = columns [0, C), k = [C, 2C), v = [2C, 3C); head h uses columns h*HS … (h+1)*HS of each.
// out [B, T, C]. lse [B, NH, T] = per-row logsumexp of the scaled scores (the forward's "stats").
//
// Every fused kernel runs one workgroup of TILE×TILE threads per (row block, head, batch):
// workgroup_id = (block, h, b), local_invocation_id = (x, y). Rows and columns of a tile past T are
// loaded as zeros and masked, so T needs to be a multiple of nothing. Each thread owns the head-dimension
// slice d = x, x + TILE, x + 2·TILE, … of its row's accumulator (ND = ceil(HS / TILE) registers).
//
//   attn_fwd      block = TILE queries; loops over key tiles 0…diagonal: scores → causal mask → online
//                 softmax (running max m, running sum l) → acc += P·V. Writes out = acc / l and lse = m + log l.
//   attn_bwd_dq   block = TILE queries; Dᵢ = dOᵢ·Oᵢ (written to `dbuf` for attn_bwd_dkv), then over key tiles
//                 Pᵢⱼ = exp(sᵢⱼ − lseᵢ), dSᵢⱼ = Pᵢⱼ(dOᵢ·vⱼ − Dᵢ), dqᵢ += scale·dSᵢⱼ·kⱼ. Writes dq columns.
//   attn_bwd_dkv  block = TILE keys; over query tiles diagonal…T: dvⱼ += Pᵢⱼ·dOᵢ, dkⱼ += scale·dSᵢⱼ·qᵢ.
//                 Writes dk and dv columns. Runs after attn_bwd_dq (needs D). No atomics anywhere.
//
// The unfused baseline (unf_scores → unf_softmax → unf_pv, probabilities [B, NH, T, T] in memory, like
// llm.c) is kept only to benchmark the fused forward against.

struct Params {
  T: u32,
  C: u32,
  NH: u32,
  scale: f32, // 1 / sqrt(HS)
  B: u32,
  gridX: u32, // unf_softmax only: workgroups along x
}

override HS: u32 = 64u;   // head size C / NH
override TILE: u32 = 16u; // rows per block and threads per row (workgroup = TILE × TILE)
override HSP: u32 = HS + 1u; // padded row stride of the shared tiles (different rows → different banks)
override TILE_HSP: u32 = TILE * HSP;
override TILE2: u32 = TILE * TILE;
override ND: u32 = (HS + TILE - 1u) / TILE; // head dims each thread accumulates
const MAXD: u32 = 32u; // ND ≤ MAXD is checked on the host

const NEG: f32 = -1.0e30; // "minus infinity" for masked scores and the initial running max

@group(0) @binding(0) var<uniform> p: Params;

// Bindings per entry point (module-scope variables are only part of the entry points that use them).
@group(0) @binding(1) var<storage, read> qkv: array<f32>;
@group(0) @binding(2) var<storage, read_write> fwd_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> fwd_lse: array<f32>;

@group(0) @binding(2) var<storage, read> dq_out: array<f32>;
@group(0) @binding(3) var<storage, read> dq_dout: array<f32>;
@group(0) @binding(4) var<storage, read> dq_lse: array<f32>;
@group(0) @binding(5) var<storage, read_write> dq_dqkv: array<f32>;
@group(0) @binding(6) var<storage, read_write> dq_dbuf: array<f32>;

@group(0) @binding(2) var<storage, read> dkv_dout: array<f32>;
@group(0) @binding(3) var<storage, read> dkv_lse: array<f32>;
@group(0) @binding(4) var<storage, read> dkv_dbuf: array<f32>;
@group(0) @binding(5) var<storage, read_write> dkv_dqkv: array<f32>;

// Shared tiles: [TILE rows][HSP] each, and two TILE×TILE score/probability tiles.
var<workgroup> tA: array<f32, TILE_HSP>;
var<workgroup> tB: array<f32, TILE_HSP>;
var<workgroup> tC: array<f32, TILE_HSP>;
var<workgroup> tD: array<f32, TILE_HSP>;
var<workgroup> s1: array<f32, TILE2>;
var<workgroup> s2: array<f32, TILE2>;

// Index of element d of head h's slice of `part` (0 = q, 1 = k, 2 = v) of row (b, t) in qkv.
fn qkvIndex(b: u32, t: u32, part: u32, h: u32, d: u32) -> u32 {
  return (b * p.T + t) * 3u * p.C + part * p.C + h * HS + d;
}

// ---------------------------------------------------------------------------------------------------
// Forward. Shared: tA = Q tile (pre-scaled), tB = K tile, tC = V tile, s1 = scores, s2 = probabilities.

@compute @workgroup_size(TILE, TILE)
fn attn_fwd(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(local_invocation_index) li: u32) {
  let T = p.T;
  let h = wg.y;
  let b = wg.z;
  let i0 = wg.x * TILE;
  let x = lid.x;
  let y = lid.y;
  let i = i0 + y; // this thread's query row

  for (var e = li; e < TILE * HS; e += TILE2) {
    let row = e / HS;
    let d = e % HS;
    var v = 0.0;
    if (i0 + row < T) { v = qkv[qkvIndex(b, i0 + row, 0u, h, d)] * p.scale; }
    tA[row * HSP + d] = v;
  }

  var m = NEG;
  var l = 0.0;
  var acc: array<f32, MAXD>;
  for (var k = 0u; k < ND; k++) { acc[k] = 0.0; }

  // Key tiles up to the one holding this block's last (valid) query.
  let nkt = (min(i0 + TILE, T) - 1u) / TILE + 1u;
  for (var kt = 0u; kt < nkt; kt++) {
    let j0 = kt * TILE;
    workgroupBarrier(); // the previous tile's readers are done with tB, tC, s2
    for (var e = li; e < TILE * HS; e += TILE2) {
      let row = e / HS;
      let d = e % HS;
      var kv = 0.0;
      var vv = 0.0;
      if (j0 + row < T) {
        kv = qkv[qkvIndex(b, j0 + row, 1u, h, d)];
        vv = qkv[qkvIndex(b, j0 + row, 2u, h, d)];
      }
      tB[row * HSP + d] = kv;
      tC[row * HSP + d] = vv;
    }
    workgroupBarrier();

    let j = j0 + x;
    var s = 0.0;
    for (var d = 0u; d < HS; d++) { s += tA[y * HSP + d] * tB[x * HSP + d]; }
    let masked = j > i || j >= T;
    if (masked) { s = NEG; }
    s1[y * TILE + x] = s;
    workgroupBarrier();

    // Tile 0 always holds key 0 ≤ i, so after it m is a real score and exp(NEG − m) underflows to 0.
    var mx = m;
    for (var c = 0u; c < TILE; c++) { mx = max(mx, s1[y * TILE + c]); }
    s2[y * TILE + x] = select(exp(s - mx), 0.0, masked);
    let alpha = exp(m - mx);
    m = mx;
    workgroupBarrier();

    l *= alpha;
    for (var k = 0u; k < ND; k++) { acc[k] *= alpha; }
    for (var c = 0u; c < TILE; c++) {
      let pc = s2[y * TILE + c];
      l += pc;
      for (var k = 0u; k < ND; k++) {
        let d = x + k * TILE;
        if (d < HS) { acc[k] += pc * tC[c * HSP + d]; }
      }
    }
  }

  if (i < T) {
    let inv = 1.0 / l;
    for (var k = 0u; k < ND; k++) {
      let d = x + k * TILE;
      if (d < HS) { fwd_out[(b * T + i) * p.C + h * HS + d] = acc[k] * inv; }
    }
    if (x == 0u) { fwd_lse[(b * p.NH + h) * T + i] = m + log(l); }
  }
}

// ---------------------------------------------------------------------------------------------------
// Backward, part 1: dq. Shared: tA = Q tile, tB = dO tile, tC = K tile, tD = V tile, s1 = D partials / dS.

@compute @workgroup_size(TILE, TILE)
fn attn_bwd_dq(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(local_invocation_index) li: u32) {
  let T = p.T;
  let h = wg.y;
  let b = wg.z;
  let i0 = wg.x * TILE;
  let x = lid.x;
  let y = lid.y;
  let i = i0 + y;

  for (var e = li; e < TILE * HS; e += TILE2) {
    let row = e / HS;
    let d = e % HS;
    var qv = 0.0;
    var gv = 0.0;
    if (i0 + row < T) {
      qv = qkv[qkvIndex(b, i0 + row, 0u, h, d)];
      gv = dq_dout[(b * T + i0 + row) * p.C + h * HS + d];
    }
    tA[row * HSP + d] = qv;
    tB[row * HSP + d] = gv;
  }
  workgroupBarrier();

  // D_i = Σ_d dO[i,d]·O[i,d] (= Σ_j P_ij·dP_ij): partial sums per thread, then each thread adds its row.
  var part = 0.0;
  if (i < T) {
    for (var k = 0u; k < ND; k++) {
      let d = x + k * TILE;
      if (d < HS) { part += tB[y * HSP + d] * dq_out[(b * T + i) * p.C + h * HS + d]; }
    }
  }
  s1[y * TILE + x] = part;
  workgroupBarrier();
  var Di = 0.0;
  for (var c = 0u; c < TILE; c++) { Di += s1[y * TILE + c]; }
  var Li = 0.0;
  if (i < T) {
    Li = dq_lse[(b * p.NH + h) * T + i];
    if (x == 0u) { dq_dbuf[(b * p.NH + h) * T + i] = Di; }
  }

  var dq: array<f32, MAXD>;
  for (var k = 0u; k < ND; k++) { dq[k] = 0.0; }

  let nkt = (min(i0 + TILE, T) - 1u) / TILE + 1u;
  for (var kt = 0u; kt < nkt; kt++) {
    let j0 = kt * TILE;
    workgroupBarrier(); // s1 (D partials / previous dS) and tC, tD are free again
    for (var e = li; e < TILE * HS; e += TILE2) {
      let row = e / HS;
      let d = e % HS;
      var kv = 0.0;
      var vv = 0.0;
      if (j0 + row < T) {
        kv = qkv[qkvIndex(b, j0 + row, 1u, h, d)];
        vv = qkv[qkvIndex(b, j0 + row, 2u, h, d)];
      }
      tC[row * HSP + d] = kv;
      tD[row * HSP + d] = vv;
    }
    workgroupBarrier();

    let j = j0 + x;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < HS; d++) {
      s += tA[y * HSP + d] * tC[x * HSP + d];
      dp += tB[y * HSP + d] * tD[x * HSP + d];
    }
    var ds = 0.0;
    if (j <= i && i < T) { ds = exp(s * p.scale - Li) * (dp - Di); }
    s1[y * TILE + x] = ds;
    workgroupBarrier();

    for (var c = 0u; c < TILE; c++) {
      let dsc = s1[y * TILE + c];
      for (var k = 0u; k < ND; k++) {
        let d = x + k * TILE;
        if (d < HS) { dq[k] += dsc * tC[c * HSP + d]; }
      }
    }
  }

  if (i < T) {
    for (var k = 0u; k < ND; k++) {
      let d = x + k * TILE;
      if (d < HS) { dq_dqkv[qkvIndex(b, i, 0u, h, d)] = dq[k] * p.scale; }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Backward, part 2: dk and dv. Thread (x, y) pairs query x of the current query tile with key y of this
// block. Shared: tA = K tile, tB = V tile (fixed), tC = Q tile, tD = dO tile, s1 = dS, s2 = P (as [key][query]).

@compute @workgroup_size(TILE, TILE)
fn attn_bwd_dkv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(local_invocation_index) li: u32) {
  let T = p.T;
  let h = wg.y;
  let b = wg.z;
  let j0 = wg.x * TILE;
  let x = lid.x;
  let y = lid.y;
  let j = j0 + y;

  for (var e = li; e < TILE * HS; e += TILE2) {
    let row = e / HS;
    let d = e % HS;
    var kv = 0.0;
    var vv = 0.0;
    if (j0 + row < T) {
      kv = qkv[qkvIndex(b, j0 + row, 1u, h, d)];
      vv = qkv[qkvIndex(b, j0 + row, 2u, h, d)];
    }
    tA[row * HSP + d] = kv;
    tB[row * HSP + d] = vv;
  }

  var dk: array<f32, MAXD>;
  var dv: array<f32, MAXD>;
  for (var k = 0u; k < ND; k++) { dk[k] = 0.0; dv[k] = 0.0; }

  // Queries i ≥ j0 only: the query tiles from the diagonal one (which starts at j0) to the end.
  for (var i0 = j0; i0 < T; i0 += TILE) {
    workgroupBarrier(); // tC, tD, s1, s2 are free again (and tA, tB are loaded)
    for (var e = li; e < TILE * HS; e += TILE2) {
      let row = e / HS;
      let d = e % HS;
      var qv = 0.0;
      var gv = 0.0;
      if (i0 + row < T) {
        qv = qkv[qkvIndex(b, i0 + row, 0u, h, d)];
        gv = dkv_dout[(b * T + i0 + row) * p.C + h * HS + d];
      }
      tC[row * HSP + d] = qv;
      tD[row * HSP + d] = gv;
    }
    workgroupBarrier();

    let i = i0 + x;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < HS; d++) {
      s += tC[x * HSP + d] * tA[y * HSP + d];
      dp += tD[x * HSP + d] * tB[y * HSP + d];
    }
    var pij = 0.0;
    var ds = 0.0;
    if (j <= i && i < T) {
      let row = (b * p.NH + h) * T + i;
      pij = exp(s * p.scale - dkv_lse[row]);
      ds = pij * (dp - dkv_dbuf[row]);
    }
    s2[y * TILE + x] = pij;
    s1[y * TILE + x] = ds;
    workgroupBarrier();

    for (var c = 0u; c < TILE; c++) {
      let pc = s2[y * TILE + c];
      let dsc = s1[y * TILE + c];
      for (var k = 0u; k < ND; k++) {
        let d = x + k * TILE;
        if (d < HS) {
          dv[k] += pc * tD[c * HSP + d];
          dk[k] += dsc * tC[c * HSP + d];
        }
      }
    }
  }

  if (j < T) {
    for (var k = 0u; k < ND; k++) {
      let d = x + k * TILE;
      if (d < HS) {
        dkv_dqkv[qkvIndex(b, j, 1u, h, d)] = dk[k] * p.scale;
        dkv_dqkv[qkvIndex(b, j, 2u, h, d)] = dv[k];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Unfused baseline (benchmark only): att [B, NH, T, T] holds scores, then probabilities (0 above the diagonal).

@group(0) @binding(2) var<storage, read_write> unf_att: array<f32>;    // unf_scores: qkv, att
@group(0) @binding(1) var<storage, read_write> unf_att_sm: array<f32>; // unf_softmax: att
@group(0) @binding(2) var<storage, read> unf_att_in: array<f32>;       // unf_pv: qkv, att, out
@group(0) @binding(3) var<storage, read_write> unf_out: array<f32>;

// One thread per score: workgroups (ceil(T/16), ceil(T/16), B·NH), 16×16 threads.
@compute @workgroup_size(16, 16)
fn unf_scores(@builtin(global_invocation_id) gid: vec3u) {
  let T = p.T;
  let j = gid.x;
  let i = gid.y;
  let bh = gid.z;
  if (i >= T || j >= T) { return; }
  let b = bh / p.NH;
  let h = bh % p.NH;
  var s = 0.0;
  if (j <= i) {
    for (var d = 0u; d < HS; d++) { s += qkv[qkvIndex(b, i, 0u, h, d)] * qkv[qkvIndex(b, j, 1u, h, d)]; }
    s *= p.scale;
  }
  unf_att[(bh * T + i) * T + j] = s;
}

// Causal row softmax in place: one 64-thread workgroup per row (row = wg.x + gridX·wg.y of B·NH·T).
var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn unf_softmax(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let T = p.T;
  let row = wg.y * p.gridX + wg.x;
  if (row >= p.B * p.NH * T) { return; }
  let n = row % T + 1u; // valid columns
  let base = row * T;
  var mx = NEG;
  for (var c = li; c < n; c += 64u) { mx = max(mx, unf_att_sm[base + c]); }
  red[li] = mx;
  for (var st = 32u; st > 0u; st >>= 1u) {
    workgroupBarrier();
    if (li < st) { red[li] = max(red[li], red[li + st]); }
  }
  workgroupBarrier();
  mx = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var c = li; c < n; c += 64u) { sum += exp(unf_att_sm[base + c] - mx); }
  red[li] = sum;
  for (var st = 32u; st > 0u; st >>= 1u) {
    workgroupBarrier();
    if (li < st) { red[li] += red[li + st]; }
  }
  workgroupBarrier();
  let inv = 1.0 / red[0];
  for (var c = li; c < T; c += 64u) {
    var v = 0.0;
    if (c < n) { v = exp(unf_att_sm[base + c] - mx) * inv; }
    unf_att_sm[base + c] = v;
  }
}

// out[b, i, h·HS + d] = Σ_{j ≤ i} att[b, h, i, j]·v[b, j, h, d]: one thread per output, 64 threads,
// workgroups (ceil(C/64), T, B).
@compute @workgroup_size(64)
fn unf_pv(@builtin(global_invocation_id) gid: vec3u) {
  let T = p.T;
  let col = gid.x;
  let i = gid.y;
  let b = gid.z;
  if (col >= p.C) { return; }
  let h = col / HS;
  let d = col % HS;
  let row = ((b * p.NH + h) * T + i) * T;
  var acc = 0.0;
  for (var j = 0u; j <= i; j++) { acc += unf_att_in[row + j] * qkv[qkvIndex(b, j, 2u, h, d)]; }
  unf_out[(b * T + i) * p.C + col] = acc;
}
