// A linear layer for a few rows (incremental decoding: one token per sequence):
//   out[M, N] = x[M, K]·W (+ bias)     W stored [K, N] (Conv1D layout)      TRANS_W = false
//   out[M, N] = x[M, K]·Wᵀ             W stored [N, K] (the tied LM head)   TRANS_W = true
// matmul.wgsl computes 128×64 output tiles, so M = 1 costs as much as M = 128; here each thread owns RB
// rows (RB = min(M, 4), a pipeline constant) of a few output columns and walks K once, so the work is
// M·N·K rounded up to RB rows.
//
// main_nn, main_nt (vec4): a thread owns 4 consecutive columns n0 … n0+3.
//   main_nn (W [K, N]): per k, one vec4 load of W[k, n0…n0+3] (neighbouring threads read neighbouring vec4s:
//                 coalesced) and one x load per row (the same address across the workgroup).
//                 Needs N % 4 == 0.
//   main_nt (W [N, K]): the 4 columns are 4 rows of W, read as vec4s along k together with x[r, k…k+3].
//                 Needs K % 4 == 0; columns past N are clamped on load and not stored.
// main_scalar: one column per thread, any sizes (the fallback for shapes the vec4 form cannot take).
// Rows past M read row M−1 (valid memory) and are not stored. Every output element of out is written.

const MAXRB: u32 = 4u;

override TRANS_W: bool = false; // main_scalar only
override HAS_BIAS: bool = false;
override RB: u32 = 4u; // rows per thread, 1 … MAXRB
override WG: u32 = 64u;

struct Params {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>; // [N] (a stand-in when !HAS_BIAS)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// The same buffers as vec4s, for main_nn (w4) and main_nt (x4, w4).
@group(0) @binding(1) var<storage, read> x4: array<vec4f>;
@group(0) @binding(2) var<storage, read> w4: array<vec4f>;

fn row_of(r0: u32, j: u32) -> u32 {
  return min(r0 + j, p.M - 1u);
}

fn store(r0: u32, n: u32, acc: array<vec4f, MAXRB>, ncols: u32) {
  for (var j = 0u; j < RB; j++) {
    let r = r0 + j;
    if (r < p.M) {
      for (var c = 0u; c < ncols; c++) {
        var v = acc[j][c];
        if (HAS_BIAS) {
          v += bias[n + c];
        }
        out[r * p.N + n + c] = v;
      }
    }
  }
}

@compute @workgroup_size(WG)
fn main_nt(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n0 = (wid.x * WG + lid) * 4u;
  let r0 = wid.y * RB;
  if (n0 >= p.N) {
    return;
  }
  var acc: array<vec4f, MAXRB>;
  let K4 = p.K / 4u;
  let last = p.N - 1u;
  let c0 = min(n0, last) * K4;
  let c1 = min(n0 + 1u, last) * K4;
  let c2 = min(n0 + 2u, last) * K4;
  let c3 = min(n0 + 3u, last) * K4;
  for (var k4 = 0u; k4 < K4; k4++) {
    let wa = w4[c0 + k4];
    let wb = w4[c1 + k4];
    let wc = w4[c2 + k4];
    let wd = w4[c3 + k4];
    for (var j = 0u; j < RB; j++) {
      let xv = x4[row_of(r0, j) * K4 + k4];
      acc[j] += vec4f(dot(xv, wa), dot(xv, wb), dot(xv, wc), dot(xv, wd));
    }
  }
  store(r0, n0, acc, min(4u, p.N - n0));
}

@compute @workgroup_size(WG)
fn main_nn(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n0 = (wid.x * WG + lid) * 4u;
  let r0 = wid.y * RB;
  if (n0 >= p.N) {
    return;
  }
  var acc: array<vec4f, MAXRB>;
  let N4 = p.N / 4u;
  let g = n0 / 4u;
  for (var k = 0u; k < p.K; k++) {
    let wv = w4[k * N4 + g];
    for (var j = 0u; j < RB; j++) {
      acc[j] += x[row_of(r0, j) * p.K + k] * wv;
    }
  }
  store(r0, n0, acc, 4u);
}

@compute @workgroup_size(WG)
fn main_scalar(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = wid.x * WG + lid;
  let r0 = wid.y * RB;
  if (n >= p.N) {
    return;
  }
  var acc: array<vec4f, MAXRB>;
  for (var k = 0u; k < p.K; k++) {
    var wk: f32;
    if (TRANS_W) {
      wk = w[n * p.K + k];
    } else {
      wk = w[k * p.N + n];
    }
    for (var j = 0u; j < RB; j++) {
      acc[j].x += x[row_of(r0, j) * p.K + k] * wk;
    }
  }
  store(r0, n, acc, 1u);
}
