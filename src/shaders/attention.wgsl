// Causal multi-head self-attention, flash-attention style: the T×T probability matrix is never stored.
//
// qkv [B, T, 3C]: q = columns [0, C), k = [C, 2C), v = [2C, 3C); head h uses columns h*HS … (h+1)*HS of each.
// out [B, T, C]. lse [B, NH, T] = per-row logsumexp of the scaled scores (the forward's "stats").
//
// Every fused kernel runs one workgroup of TILE×TILE threads per (block of TILE rows, head, batch):
// workgroup_id = (block, h, b), local_invocation_id = (x, y); thread row y is one row of the block. The loop
// runs over tiles of BK = TILE·KPT rows of the other side (keys for the forward and dq, queries for dk/dv);
// thread (x, y) computes the KPT scores of its row against tile rows x, x + TILE, …, so a workgroup does
// KPT times more work per barrier. Rows past T are loaded as zeros and masked, so T needs to be a multiple of
// nothing. Shared tiles hold rows as vec4 chunks (HS4 = ceil(HS/4), dims past HS are zero) so dot products
// read 4 dims per load; each thread owns the head-dim chunks x, x + TILE, x + 2·TILE, … of its row's
// accumulators (ND = ceil(HS4 / TILE) vec4 registers).
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
override HS4: u32 = (HS + 3u) / 4u; // vec4 chunks per head row
override HSP: u32 = HS4 + 1u; // padded row stride of the shared tiles, in vec4s (rows → different banks)
override KPT: u32 = 1u;  // tile rows per thread (keys per thread for the scores)
override BK: u32 = TILE * KPT; // rows per tile of the looped-over side
override TILE_HSP: u32 = TILE * HSP;
override BK_HSP: u32 = BK * HSP;
override TILE_BK: u32 = TILE * BK;
override TILE2: u32 = TILE * TILE;
override ND: u32 = (HS4 + TILE - 1u) / TILE; // vec4 chunks each thread accumulates
// Sizes of the per-thread arrays (private arrays need const sizes, not overrides). The host rewrites these
// two lines to ND and KPT exactly: a larger array costs SwiftShader up to 3× the compile time.
const MAXD: u32 = 8u;
const MAXK: u32 = 8u;

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

// Shared tiles: the block's rows tA, tB [TILE][HSP vec4s], the looped-over tile's rows tC, tD [BK][HSP],
// and two [TILE][BK] score tiles.
var<workgroup> tA: array<vec4f, TILE_HSP>;
var<workgroup> tB: array<vec4f, TILE_HSP>;
var<workgroup> tC: array<vec4f, BK_HSP>;
var<workgroup> tD: array<vec4f, BK_HSP>;
var<workgroup> s1: array<f32, TILE_BK>;
var<workgroup> s2: array<f32, TILE_BK>;

// Flat index of dim 0 of head h in `part` (0 = q, 1 = k, 2 = v) of row (b, t) of qkv.
fn qkvBase(b: u32, t: u32, part: u32, h: u32) -> u32 {
  return (b * p.T + t) * 3u * p.C + part * p.C + h * HS;
}

// Flat index of dim 0 of head h of row (b, t) of a [B, T, C] tensor.
fn rowBase(b: u32, t: u32, h: u32) -> u32 {
  return (b * p.T + t) * p.C + h * HS;
}

// Chunk c4 (dims 4·c4 … 4·c4 + 3) of a head row starting at `base`; dims ≥ HS read as 0.
fn qkv4(base: u32, c4: u32) -> vec4f {
  let d = 4u * c4;
  var v = vec4f(0.0);
  for (var u = 0u; u < 4u; u++) { if (d + u < HS) { v[u] = qkv[base + d + u]; } }
  return v;
}
fn dqOut4(base: u32, c4: u32) -> vec4f {
  let d = 4u * c4;
  var v = vec4f(0.0);
  for (var u = 0u; u < 4u; u++) { if (d + u < HS) { v[u] = dq_out[base + d + u]; } }
  return v;
}
fn dqDout4(base: u32, c4: u32) -> vec4f {
  let d = 4u * c4;
  var v = vec4f(0.0);
  for (var u = 0u; u < 4u; u++) { if (d + u < HS) { v[u] = dq_dout[base + d + u]; } }
  return v;
}
fn dkvDout4(base: u32, c4: u32) -> vec4f {
  let d = 4u * c4;
  var v = vec4f(0.0);
  for (var u = 0u; u < 4u; u++) { if (d + u < HS) { v[u] = dkv_dout[base + d + u]; } }
  return v;
}

// ---------------------------------------------------------------------------------------------------
// Forward. Shared: tA = Q block (pre-scaled), tC = K tile, tD = V tile, s1 = scores.

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

  for (var e = li; e < TILE * HS4; e += TILE2) {
    let row = e / HS4;
    let c4 = e % HS4;
    var v = vec4f(0.0);
    if (i0 + row < T) { v = qkv4(qkvBase(b, i0 + row, 0u, h), c4) * p.scale; }
    tA[row * HSP + c4] = v;
  }

  var m = NEG;
  var l = 0.0;
  var acc: array<vec4f, MAXD>;
  for (var k = 0u; k < ND; k++) { acc[k] = vec4f(0.0); }

  // Key tiles up to the one holding this block's last (valid) query.
  let nkt = (min(i0 + TILE, T) - 1u) / BK + 1u;
  for (var kt = 0u; kt < nkt; kt++) {
    let j0 = kt * BK;
    workgroupBarrier(); // the previous tile's readers are done with tC, tD, s1 (and tA is loaded)
    for (var e = li; e < BK * HS4; e += TILE2) {
      let row = e / HS4;
      let c4 = e % HS4;
      var kv = vec4f(0.0);
      var vv = vec4f(0.0);
      if (j0 + row < T) {
        kv = qkv4(qkvBase(b, j0 + row, 1u, h), c4);
        vv = qkv4(qkvBase(b, j0 + row, 2u, h), c4);
      }
      tC[row * HSP + c4] = kv;
      tD[row * HSP + c4] = vv;
    }
    workgroupBarrier();

    var sc: array<f32, MAXK>;
    for (var u = 0u; u < KPT; u++) { sc[u] = 0.0; }
    for (var c4 = 0u; c4 < HS4; c4++) {
      let qv = tA[y * HSP + c4];
      for (var u = 0u; u < KPT; u++) { sc[u] += dot(qv, tC[(x + u * TILE) * HSP + c4]); }
    }
    for (var u = 0u; u < KPT; u++) {
      let j = j0 + x + u * TILE;
      s1[y * BK + x + u * TILE] = select(sc[u], NEG, j > i || j >= T);
    }
    workgroupBarrier();

    // Every thread of row y rescans the row's BK scores: the running max first, then p = exp(s − max)
    // inside the P·V loop (a few extra exps instead of another barrier and probability tile). Tile 0 always
    // holds key 0 ≤ i, so from then on m is a real score and masked entries give exp(NEG − m) = 0.
    var mx = m;
    for (var c = 0u; c < BK; c++) { mx = max(mx, s1[y * BK + c]); }
    let alpha = exp(m - mx);
    m = mx;
    l *= alpha;
    for (var k = 0u; k < ND; k++) { acc[k] *= alpha; }
    for (var c = 0u; c < BK; c++) {
      let pc = exp(s1[y * BK + c] - mx);
      l += pc;
      for (var k = 0u; k < ND; k++) {
        let c4 = x + k * TILE;
        if (c4 < HS4) { acc[k] += pc * tD[c * HSP + c4]; }
      }
    }
  }

  if (i < T) {
    let inv = 1.0 / l;
    let base = rowBase(b, i, h);
    for (var k = 0u; k < ND; k++) {
      let d = 4u * (x + k * TILE);
      let a = acc[k] * inv;
      for (var u = 0u; u < 4u; u++) { if (d + u < HS) { fwd_out[base + d + u] = a[u]; } }
    }
    if (x == 0u) { fwd_lse[(b * p.NH + h) * T + i] = m + log(l); }
  }
}

// ---------------------------------------------------------------------------------------------------
// Backward, part 1: dq. Shared: tA = Q block, tB = dO block, tC = K tile, tD = V tile, s1 = D partials / dS.

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

  for (var e = li; e < TILE * HS4; e += TILE2) {
    let row = e / HS4;
    let c4 = e % HS4;
    var qv = vec4f(0.0);
    var gv = vec4f(0.0);
    if (i0 + row < T) {
      qv = qkv4(qkvBase(b, i0 + row, 0u, h), c4);
      gv = dqDout4(rowBase(b, i0 + row, h), c4);
    }
    tA[row * HSP + c4] = qv;
    tB[row * HSP + c4] = gv;
  }
  workgroupBarrier();

  // D_i = Σ_d dO[i,d]·O[i,d] (= Σ_j P_ij·dP_ij): partial sums per thread, then each thread adds its row.
  var part = 0.0;
  if (i < T) {
    for (var k = 0u; k < ND; k++) {
      let c4 = x + k * TILE;
      if (c4 < HS4) { part += dot(tB[y * HSP + c4], dqOut4(rowBase(b, i, h), c4)); }
    }
  }
  s1[y * BK + x] = part;
  workgroupBarrier();
  var Di = 0.0;
  for (var c = 0u; c < TILE; c++) { Di += s1[y * BK + c]; }
  var Li = 0.0;
  if (i < T) {
    Li = dq_lse[(b * p.NH + h) * T + i];
    if (x == 0u) { dq_dbuf[(b * p.NH + h) * T + i] = Di; }
  }

  var dq: array<vec4f, MAXD>;
  for (var k = 0u; k < ND; k++) { dq[k] = vec4f(0.0); }

  let nkt = (min(i0 + TILE, T) - 1u) / BK + 1u;
  for (var kt = 0u; kt < nkt; kt++) {
    let j0 = kt * BK;
    workgroupBarrier(); // s1 (D partials / previous dS) and tC, tD are free again
    for (var e = li; e < BK * HS4; e += TILE2) {
      let row = e / HS4;
      let c4 = e % HS4;
      var kv = vec4f(0.0);
      var vv = vec4f(0.0);
      if (j0 + row < T) {
        kv = qkv4(qkvBase(b, j0 + row, 1u, h), c4);
        vv = qkv4(qkvBase(b, j0 + row, 2u, h), c4);
      }
      tC[row * HSP + c4] = kv;
      tD[row * HSP + c4] = vv;
    }
    workgroupBarrier();

    var sc: array<f32, MAXK>;
    var dp: array<f32, MAXK>;
    for (var u = 0u; u < KPT; u++) { sc[u] = 0.0; dp[u] = 0.0; }
    for (var c4 = 0u; c4 < HS4; c4++) {
      let qv = tA[y * HSP + c4];
      let gv = tB[y * HSP + c4];
      for (var u = 0u; u < KPT; u++) {
        let kr = (x + u * TILE) * HSP + c4;
        sc[u] += dot(qv, tC[kr]);
        dp[u] += dot(gv, tD[kr]);
      }
    }
    for (var u = 0u; u < KPT; u++) {
      let j = j0 + x + u * TILE;
      var ds = 0.0;
      if (j <= i && i < T) { ds = exp(sc[u] * p.scale - Li) * (dp[u] - Di); }
      s1[y * BK + x + u * TILE] = ds;
    }
    workgroupBarrier();

    for (var c = 0u; c < BK; c++) {
      let dsc = s1[y * BK + c];
      for (var k = 0u; k < ND; k++) {
        let c4 = x + k * TILE;
        if (c4 < HS4) { dq[k] += dsc * tC[c * HSP + c4]; }
      }
    }
  }

  if (i < T) {
    let base = qkvBase(b, i, 0u, h);
    for (var k = 0u; k < ND; k++) {
      let d = 4u * (x + k * TILE);
      let g = dq[k] * p.scale;
      for (var u = 0u; u < 4u; u++) { if (d + u < HS) { dq_dqkv[base + d + u] = g[u]; } }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Backward, part 2: dk and dv. Thread (x, y) pairs key y of this block with queries x, x + TILE, … of the
// current query tile. Shared: tA = K block, tB = V block (fixed), tC = Q tile, tD = dO tile,
// s1 = dS, s2 = P (both [key][query]).

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

  for (var e = li; e < TILE * HS4; e += TILE2) {
    let row = e / HS4;
    let c4 = e % HS4;
    var kv = vec4f(0.0);
    var vv = vec4f(0.0);
    if (j0 + row < T) {
      kv = qkv4(qkvBase(b, j0 + row, 1u, h), c4);
      vv = qkv4(qkvBase(b, j0 + row, 2u, h), c4);
    }
    tA[row * HSP + c4] = kv;
    tB[row * HSP + c4] = vv;
  }

  var dk: array<vec4f, MAXD>;
  var dv: array<vec4f, MAXD>;
  for (var k = 0u; k < ND; k++) { dk[k] = vec4f(0.0); dv[k] = vec4f(0.0); }

  // Queries i ≥ j0 only: tiles of BK queries from j0 to the end.
  for (var i0 = j0; i0 < T; i0 += BK) {
    workgroupBarrier(); // tC, tD, s1, s2 are free again (and tA, tB are loaded)
    for (var e = li; e < BK * HS4; e += TILE2) {
      let row = e / HS4;
      let c4 = e % HS4;
      var qv = vec4f(0.0);
      var gv = vec4f(0.0);
      if (i0 + row < T) {
        qv = qkv4(qkvBase(b, i0 + row, 0u, h), c4);
        gv = dkvDout4(rowBase(b, i0 + row, h), c4);
      }
      tC[row * HSP + c4] = qv;
      tD[row * HSP + c4] = gv;
    }
    workgroupBarrier();

    var sc: array<f32, MAXK>;
    var dp: array<f32, MAXK>;
    for (var u = 0u; u < KPT; u++) { sc[u] = 0.0; dp[u] = 0.0; }
    for (var c4 = 0u; c4 < HS4; c4++) {
      let kv = tA[y * HSP + c4];
      let vv = tB[y * HSP + c4];
      for (var u = 0u; u < KPT; u++) {
        let qr = (x + u * TILE) * HSP + c4;
        sc[u] += dot(tC[qr], kv);
        dp[u] += dot(tD[qr], vv);
      }
    }
    for (var u = 0u; u < KPT; u++) {
      let i = i0 + x + u * TILE;
      var pij = 0.0;
      var ds = 0.0;
      if (j <= i && i < T) {
        let row = (b * p.NH + h) * T + i;
        pij = exp(sc[u] * p.scale - dkv_lse[row]);
        ds = pij * (dp[u] - dkv_dbuf[row]);
      }
      s2[y * BK + x + u * TILE] = pij;
      s1[y * BK + x + u * TILE] = ds;
    }
    workgroupBarrier();

    for (var c = 0u; c < BK; c++) {
      let pc = s2[y * BK + c];
      let dsc = s1[y * BK + c];
      for (var k = 0u; k < ND; k++) {
        let c4 = x + k * TILE;
        if (c4 < HS4) {
          dv[k] += pc * tD[c * HSP + c4];
          dk[k] += dsc * tC[c * HSP + c4];
        }
      }
    }
  }

  if (j < T) {
    let kbase = qkvBase(b, j, 1u, h);
    let vbase = qkvBase(b, j, 2u, h);
    for (var k = 0u; k < ND; k++) {
      let d = 4u * (x + k * TILE);
      let gk = dk[k] * p.scale;
      let gv = dv[k];
      for (var u = 0u; u < 4u; u++) {
        if (d + u < HS) {
          dkv_dqkv[kbase + d + u] = gk[u];
          dkv_dqkv[vbase + d + u] = gv[u];
        }
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
    for (var d = 0u; d < HS; d++) { s += qkv[qkvBase(b, i, 0u, h) + d] * qkv[qkvBase(b, j, 1u, h) + d]; }
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
  for (var j = 0u; j <= i; j++) { acc += unf_att_in[row + j] * qkv[qkvBase(b, j, 2u, h) + d]; }
  unf_out[(b * T + i) * p.C + col] = acc;
}
