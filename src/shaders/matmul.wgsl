// Tiled matrix multiply: out[z] = op(A[z])·op(B[z]) (+ bias over rows) (+ out[z] when ACCUMULATE).
// op(A) is [M,K] (stored [K,M] when TRANS_A), op(B) is [K,N] (stored [N,K] when TRANS_B); batches are
// contiguous (strideA/strideB may be 0 to broadcast one matrix over the batch).
//
// Work split: a workgroup of WGX×WGY threads owns a BM×BN output tile (BM = WGY·TM, BN = WGX·TN); each
// thread owns a TM×TN register block. K is walked BK at a time: the workgroup stages op(A)[BM×BK] and
// op(B)[BK×BN] in workgroup memory (zero-padded past the matrix edges), then every thread does a rank-BK
// update of its block from vec4 reads of those tiles. Both tiles are stored k-major as vec4s of 4 rows
// (A) or 4 columns (B), so a k step costs TM/4 + TN/4 vec4 reads for TM·TN multiply-adds whatever the
// transposes; the transposes only change which global addresses the staging loads read, and each form
// maps consecutive threads to consecutive global addresses (coalesced on a real GPU).
//
// The staging loads read a vec4 straight from global memory when the 4 values are contiguous in it and
// the tile is wholly inside the matrix (and the row length is a multiple of 4, so the vec4 is aligned);
// other tiles take the bounds-checked scalar path. The register block is fixed here (TM = 8 rows, TN = 8
// columns, unrolled by hand: the compiler only keeps the accumulators in registers when every index is a
// constant); the workgroup shape and BK are pipeline-overridable.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  strideA: u32, // elements between batch items of A (0 = same A for every batch item)
  strideB: u32,
  strideO: u32,
  // Whole-tile limits: tiles whose rows/cols/k lie below these need no bounds checks.
  vecA: u32, // 1 when A's contiguous dimension is a multiple of 4 (vec4 loads allowed)
  vecB: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> a4: array<vec4f>;
@group(0) @binding(4) var<storage, read> b4: array<vec4f>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
override WGX: u32 = 8; // threads along N
override WGY: u32 = 8; // threads along M
override BK: u32 = 16; // k depth of a staged tile

const TM = 8u;
const TN = 8u;

// A tile: BK rows of BM/4 vec4s (4 consecutive output rows each); B tile: BK rows of BN/4 vec4s.
var<workgroup> As: array<vec4f, BK * WGY * 2u>; // BK · BM/4 with BM = WGY·8
var<workgroup> Bs: array<vec4f, BK * WGX * 2u>; // BK · BN/4

fn loadA(z: u32, m0: u32, k0: u32, tid: u32) {
  let bm4 = WGY * 2u;
  let slots = BK * bm4;
  let base = z * p.strideA;
  let full = m0 + WGY * TM <= p.M && k0 + BK <= p.K;
  for (var s = tid; s < slots; s += WGX * WGY) {
    var kk: u32;
    var g: u32;
    if (TRANS_A) { g = s % bm4; kk = s / bm4; } else { kk = s % BK; g = s / BK; }
    let m = m0 + 4u * g;
    let k = k0 + kk;
    var v = vec4f(0.0);
    if (TRANS_A) {
      // stored [K, M]: the 4 rows are contiguous
      let i = base + k * p.M + m;
      if (full && p.vecA == 1u) {
        v = a4[i / 4u];
      } else if (k < p.K) {
        if (m < p.M) { v.x = a[i]; }
        if (m + 1u < p.M) { v.y = a[i + 1u]; }
        if (m + 2u < p.M) { v.z = a[i + 2u]; }
        if (m + 3u < p.M) { v.w = a[i + 3u]; }
      }
    } else {
      // stored [M, K]: the 4 rows are K apart
      let i = base + m * p.K + k;
      if (full) {
        v = vec4f(a[i], a[i + p.K], a[i + 2u * p.K], a[i + 3u * p.K]);
      } else if (k < p.K) {
        if (m < p.M) { v.x = a[i]; }
        if (m + 1u < p.M) { v.y = a[i + p.K]; }
        if (m + 2u < p.M) { v.z = a[i + 2u * p.K]; }
        if (m + 3u < p.M) { v.w = a[i + 3u * p.K]; }
      }
    }
    As[kk * bm4 + g] = v;
  }
}

fn loadB(z: u32, n0: u32, k0: u32, tid: u32) {
  let bn4 = WGX * 2u;
  let slots = BK * bn4;
  let base = z * p.strideB;
  let full = n0 + WGX * TN <= p.N && k0 + BK <= p.K;
  for (var s = tid; s < slots; s += WGX * WGY) {
    var kk: u32;
    var g: u32;
    if (TRANS_B) { kk = s % BK; g = s / BK; } else { g = s % bn4; kk = s / bn4; }
    let n = n0 + 4u * g;
    let k = k0 + kk;
    var v = vec4f(0.0);
    if (!TRANS_B) {
      // stored [K, N]: the 4 columns are contiguous
      let i = base + k * p.N + n;
      if (full && p.vecB == 1u) {
        v = b4[i / 4u];
      } else if (k < p.K) {
        if (n < p.N) { v.x = b[i]; }
        if (n + 1u < p.N) { v.y = b[i + 1u]; }
        if (n + 2u < p.N) { v.z = b[i + 2u]; }
        if (n + 3u < p.N) { v.w = b[i + 3u]; }
      }
    } else {
      // stored [N, K]: the 4 columns are K apart
      let i = base + n * p.K + k;
      if (full) {
        v = vec4f(b[i], b[i + p.K], b[i + 2u * p.K], b[i + 3u * p.K]);
      } else if (k < p.K) {
        if (n < p.N) { v.x = b[i]; }
        if (n + 1u < p.N) { v.y = b[i + p.K]; }
        if (n + 2u < p.N) { v.z = b[i + 2u * p.K]; }
        if (n + 3u < p.N) { v.w = b[i + 3u * p.K]; }
      }
    }
    Bs[kk * bn4 + g] = v;
  }
}

// One output row of the register block: 8 columns as two vec4s (columns tx·4… and (tx+WGX)·4…).
fn storeRow(z: u32, m: u32, n0: u32, n1: u32, v0: vec4f, v1: vec4f) {
  if (m >= p.M) { return; }
  let row = z * p.strideO + m * p.N;
  for (var c = 0u; c < 4u; c++) {
    let n = n0 + c;
    if (n < p.N) {
      var r = v0[c];
      if (HAS_BIAS) { r += bias[n]; }
      if (ACCUMULATE) { r += out[row + n]; }
      out[row + n] = r;
    }
    let q = n1 + c;
    if (q < p.N) {
      var r = v1[c];
      if (HAS_BIAS) { r += bias[q]; }
      if (ACCUMULATE) { r += out[row + q]; }
      out[row + q] = r;
    }
  }
}

@compute @workgroup_size(WGX, WGY)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * WGX + tx;
  let z = wg.z;
  let m0 = wg.y * WGY * TM;
  let n0 = wg.x * WGX * TN;
  let bm4 = WGY * 2u;
  let bn4 = WGX * 2u;

  // acc<row>_<half>: row r of the block, columns tx·4+[0,4) (half 0) and (tx+WGX)·4+[0,4) (half 1).
  var c00 = vec4f(0.0); var c01 = vec4f(0.0);
  var c10 = vec4f(0.0); var c11 = vec4f(0.0);
  var c20 = vec4f(0.0); var c21 = vec4f(0.0);
  var c30 = vec4f(0.0); var c31 = vec4f(0.0);
  var c40 = vec4f(0.0); var c41 = vec4f(0.0);
  var c50 = vec4f(0.0); var c51 = vec4f(0.0);
  var c60 = vec4f(0.0); var c61 = vec4f(0.0);
  var c70 = vec4f(0.0); var c71 = vec4f(0.0);

  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    loadA(z, m0, k0, tid);
    loadB(z, n0, k0, tid);
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      // rows ty·4+[0,4) and (ty+WGY)·4+[0,4) of the tile
      let a0 = As[kk * bm4 + ty];
      let a1 = As[kk * bm4 + ty + WGY];
      let b0 = Bs[kk * bn4 + tx];
      let b1 = Bs[kk * bn4 + tx + WGX];
      c00 += a0.x * b0; c01 += a0.x * b1;
      c10 += a0.y * b0; c11 += a0.y * b1;
      c20 += a0.z * b0; c21 += a0.z * b1;
      c30 += a0.w * b0; c31 += a0.w * b1;
      c40 += a1.x * b0; c41 += a1.x * b1;
      c50 += a1.y * b0; c51 += a1.y * b1;
      c60 += a1.z * b0; c61 += a1.z * b1;
      c70 += a1.w * b0; c71 += a1.w * b1;
    }
    workgroupBarrier();
  }

  let r0 = m0 + ty * 4u;
  let r1 = m0 + (ty + WGY) * 4u;
  let q0 = n0 + tx * 4u;
  let q1 = n0 + (tx + WGX) * 4u;
  storeRow(z, r0, q0, q1, c00, c01);
  storeRow(z, r0 + 1u, q0, q1, c10, c11);
  storeRow(z, r0 + 2u, q0, q1, c20, c21);
  storeRow(z, r0 + 3u, q0, q1, c30, c31);
  storeRow(z, r1, q0, q1, c40, c41);
  storeRow(z, r1 + 1u, q0, q1, c50, c51);
  storeRow(z, r1 + 2u, q0, q1, c60, c61);
  storeRow(z, r1 + 3u, q0, q1, c70, c71);
}
