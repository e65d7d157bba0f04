// Tiled matrix multiply: out[z] = op(A[z])·op(B[z]) (+ bias over rows) (+ out[z] when ACCUMULATE).
// op(A) is [M,K] (stored [K,M] when TRANS_A), op(B) is [K,N] (stored [N,K] when TRANS_B); batch items are
// contiguous (strideA / strideB = 0 uses one matrix for every batch item).
//
// Work split. A workgroup of WGX×WGY threads owns a BM×BN output tile, BM = 16·WGY rows and BN = 8·WGX
// columns; each thread owns a 16×8 register block (32 vec4 accumulators). K is walked BK at a time: the
// workgroup stages op(A)[BM×BK] and op(B)[BK×BN] in workgroup memory (zero-padded past the matrix edges,
// so the inner loop needs no bounds checks), then every thread does a rank-BK update of its block. Per k
// the thread reads 4 vec4 of A (16 rows) and 2 vec4 of B (8 columns) from workgroup memory and issues 32
// vec4 FMAs (128 multiply-adds), i.e. 6 shared-memory reads per 128 FMAs.
//
// Layout. Both tiles are k-major arrays of vec4: As[k][g] holds rows 4g..4g+3 of the tile, Bs[k][g]
// columns 4g..4g+3. A thread's row groups are ty, ty+WGY, ty+2·WGY, ty+3·WGY and its column groups tx and
// tx+WGX, so at one k the threads of a warp read consecutive vec4s of Bs (no bank conflicts) and a single
// broadcast vec4 of As. The transposes only change how the staging loads address global memory; each form
// maps consecutive threads to consecutive global addresses (coalesced), and when the 4 values a thread
// stages are contiguous in memory, aligned and inside the matrix, it reads them as one vec4.
//
// Grid. Tiles are numbered over (batch, tile row, tile column); workgroup w takes tiles w, w + G, w + 2G…
// where G is the number of workgroups launched (a 2-D grid, flattened). On a GPU the host launches one
// workgroup per tile; on a CPU adapter (SwiftShader) it launches a few per core so that each workgroup's
// fixed costs (workgroup-memory zeroing, coroutine set-up) are paid once for many tiles.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  strideA: u32, // elements between batch items of A (0: the same A for every batch item)
  strideB: u32,
  strideO: u32,
  vecA: u32, // 1 when A's contiguous dimension and batch stride are multiples of 4 (vec4 loads allowed)
  vecB: u32,
  tilesN: u32, // tile columns
  tilesMN: u32, // tiles per batch item
  tiles: u32, // tiles in all
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> a4: array<vec4f>; // the same buffer as a, read as vec4
@group(0) @binding(4) var<storage, read> b4: array<vec4f>; // the same buffer as b, read as vec4
@group(0) @binding(5) var<storage, read> bias: array<f32>; // [N] (a dummy when !HAS_BIAS)
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
override WGX: u32 = 8; // threads along N (8 columns each)
override WGY: u32 = 8; // threads along M (16 rows each)
override BK: u32 = 16; // k depth of a staged tile

// As[k * 4·WGY + g]: rows 4g..4g+3 of the tile at k; Bs[k * 2·WGX + g]: columns 4g..4g+3 at k.
var<workgroup> As: array<vec4f, BK * WGY * 4u>;
var<workgroup> Bs: array<vec4f, BK * WGX * 2u>;

// Stages op(A)[m0.., k0..] into As. Slot s of the tile (a vec4 of 4 rows at one k) is filled by thread
// s mod (WGX·WGY); consecutive threads take consecutive global addresses.
fn slotA(s: u32) -> vec2u {
  let bm4 = WGY * 4u;
  if (TRANS_A) { return vec2u(s / bm4, s % bm4); } // (kk, g): rows contiguous in memory
  return vec2u(s % BK, s / BK); // k contiguous in memory
}

fn loadA(z: u32, m0: u32, k0: u32, tid: u32) {
  let bm4 = WGY * 4u;
  let base = z * p.strideA;
  let inside = m0 + bm4 * 4u <= p.M && k0 + BK <= p.K;
  // A stored [K, M] (TRANS_A): the 4 rows are contiguous; stored [M, K]: they are K apart.
  let step = select(p.K, 1u, TRANS_A);
  if (inside && TRANS_A && p.vecA == 1u) {
    for (var s = tid; s < BK * bm4; s += WGX * WGY) {
      let q = slotA(s);
      As[q.x * bm4 + q.y] = a4[(base + (k0 + q.x) * p.M + m0 + 4u * q.y) / 4u];
    }
  } else if (inside) {
    for (var s = tid; s < BK * bm4; s += WGX * WGY) {
      let q = slotA(s);
      let m = m0 + 4u * q.y;
      let k = k0 + q.x;
      let i = base + select(m * p.K + k, k * p.M + m, TRANS_A);
      As[q.x * bm4 + q.y] = vec4f(a[i], a[i + step], a[i + 2u * step], a[i + 3u * step]);
    }
  } else {
    for (var s = tid; s < BK * bm4; s += WGX * WGY) {
      let q = slotA(s);
      let m = m0 + 4u * q.y;
      let k = k0 + q.x;
      let i = base + select(m * p.K + k, k * p.M + m, TRANS_A);
      var v = vec4f(0.0);
      if (k < p.K) {
        if (m < p.M) { v.x = a[i]; }
        if (m + 1u < p.M) { v.y = a[i + step]; }
        if (m + 2u < p.M) { v.z = a[i + 2u * step]; }
        if (m + 3u < p.M) { v.w = a[i + 3u * step]; }
      }
      As[q.x * bm4 + q.y] = v;
    }
  }
}

// Stages op(B)[k0.., n0..] into Bs, like loadA.
fn slotB(s: u32) -> vec2u {
  let bn4 = WGX * 2u;
  if (TRANS_B) { return vec2u(s % BK, s / BK); } // k contiguous in memory
  return vec2u(s / bn4, s % bn4); // columns contiguous in memory
}

fn loadB(z: u32, n0: u32, k0: u32, tid: u32) {
  let bn4 = WGX * 2u;
  let base = z * p.strideB;
  let inside = n0 + bn4 * 4u <= p.N && k0 + BK <= p.K;
  // B stored [K, N]: the 4 columns are contiguous; stored [N, K] (TRANS_B): they are K apart.
  let step = select(1u, p.K, TRANS_B);
  if (inside && !TRANS_B && p.vecB == 1u) {
    for (var s = tid; s < BK * bn4; s += WGX * WGY) {
      let q = slotB(s);
      Bs[q.x * bn4 + q.y] = b4[(base + (k0 + q.x) * p.N + n0 + 4u * q.y) / 4u];
    }
  } else if (inside) {
    for (var s = tid; s < BK * bn4; s += WGX * WGY) {
      let q = slotB(s);
      let n = n0 + 4u * q.y;
      let k = k0 + q.x;
      let i = base + select(k * p.N + n, n * p.K + k, TRANS_B);
      Bs[q.x * bn4 + q.y] = vec4f(b[i], b[i + step], b[i + 2u * step], b[i + 3u * step]);
    }
  } else {
    for (var s = tid; s < BK * bn4; s += WGX * WGY) {
      let q = slotB(s);
      let n = n0 + 4u * q.y;
      let k = k0 + q.x;
      let i = base + select(k * p.N + n, n * p.K + k, TRANS_B);
      var v = vec4f(0.0);
      if (k < p.K) {
        if (n < p.N) { v.x = b[i]; }
        if (n + 1u < p.N) { v.y = b[i + step]; }
        if (n + 2u < p.N) { v.z = b[i + 2u * step]; }
        if (n + 3u < p.N) { v.w = b[i + 3u * step]; }
      }
      Bs[q.x * bn4 + q.y] = v;
    }
  }
}

// Writes one output element (bias and accumulate applied) if it lies inside the matrix.
fn store1(row: u32, n: u32, r: f32) {
  if (n < p.N) {
    var v = r;
    if (HAS_BIAS) { v += bias[n]; }
    if (ACCUMULATE) { v += out[row + n]; }
    out[row + n] = v;
  }
}

// Writes one row of a thread's block: columns n0..n0+3 (v0) and n1..n1+3 (v1).
fn storeRow(z: u32, m: u32, n0: u32, n1: u32, v0: vec4f, v1: vec4f) {
  if (m < p.M) {
    let row = z * p.strideO + m * p.N;
    store1(row, n0, v0.x);
    store1(row, n0 + 1u, v0.y);
    store1(row, n0 + 2u, v0.z);
    store1(row, n0 + 3u, v0.w);
    store1(row, n1, v1.x);
    store1(row, n1 + 1u, v1.y);
    store1(row, n1 + 2u, v1.z);
    store1(row, n1 + 3u, v1.w);
  }
}

@compute @workgroup_size(WGX, WGY)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * WGX + tx;
  let bm4 = WGY * 4u;
  let bn4 = WGX * 2u;
  for (var t = wg.y * nwg.x + wg.x; t < p.tiles; t += nwg.x * nwg.y) {
    let z = t / p.tilesMN;
    let r = t % p.tilesMN;
    let m0 = (r / p.tilesN) * bm4 * 4u;
    let n0 = (r % p.tilesN) * bn4 * 4u;
    // c<row>_<half>: row <row> of the block; half 0 = columns (tx)·4.., half 1 = (tx + WGX)·4..
    var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0);
    var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0);
    var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0);
    var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0);
    var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0);
    var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0);
    var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0);
    var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0);
    var c8_0 = vec4f(0.0); var c8_1 = vec4f(0.0);
    var c9_0 = vec4f(0.0); var c9_1 = vec4f(0.0);
    var c10_0 = vec4f(0.0); var c10_1 = vec4f(0.0);
    var c11_0 = vec4f(0.0); var c11_1 = vec4f(0.0);
    var c12_0 = vec4f(0.0); var c12_1 = vec4f(0.0);
    var c13_0 = vec4f(0.0); var c13_1 = vec4f(0.0);
    var c14_0 = vec4f(0.0); var c14_1 = vec4f(0.0);
    var c15_0 = vec4f(0.0); var c15_1 = vec4f(0.0);
    for (var k0 = 0u; k0 < p.K; k0 += BK) {
      loadA(z, m0, k0, tid);
      loadB(z, n0, k0, tid);
      workgroupBarrier();
      for (var kk = 0u; kk < BK; kk++) {
        let ar = kk * bm4 + ty;
        let br = kk * bn4 + tx;
        let a0 = As[ar];
        let a1 = As[ar + 1u * WGY];
        let a2 = As[ar + 2u * WGY];
        let a3 = As[ar + 3u * WGY];
        let b0 = Bs[br];
        let b1 = Bs[br + 1u * WGX];
        c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
        c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
        c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
        c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
        c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
        c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
        c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
        c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
        c8_0 = fma(vec4f(a2.x), b0, c8_0); c8_1 = fma(vec4f(a2.x), b1, c8_1);
        c9_0 = fma(vec4f(a2.y), b0, c9_0); c9_1 = fma(vec4f(a2.y), b1, c9_1);
        c10_0 = fma(vec4f(a2.z), b0, c10_0); c10_1 = fma(vec4f(a2.z), b1, c10_1);
        c11_0 = fma(vec4f(a2.w), b0, c11_0); c11_1 = fma(vec4f(a2.w), b1, c11_1);
        c12_0 = fma(vec4f(a3.x), b0, c12_0); c12_1 = fma(vec4f(a3.x), b1, c12_1);
        c13_0 = fma(vec4f(a3.y), b0, c13_0); c13_1 = fma(vec4f(a3.y), b1, c13_1);
        c14_0 = fma(vec4f(a3.z), b0, c14_0); c14_1 = fma(vec4f(a3.z), b1, c14_1);
        c15_0 = fma(vec4f(a3.w), b0, c15_0); c15_1 = fma(vec4f(a3.w), b1, c15_1);
      }
      workgroupBarrier();
    }
    let q0 = n0 + tx * 4u;
    let q1 = n0 + (tx + WGX) * 4u;
    storeRow(z, m0 + (ty + 0u * WGY) * 4u + 0u, q0, q1, c0_0, c0_1);
    storeRow(z, m0 + (ty + 0u * WGY) * 4u + 1u, q0, q1, c1_0, c1_1);
    storeRow(z, m0 + (ty + 0u * WGY) * 4u + 2u, q0, q1, c2_0, c2_1);
    storeRow(z, m0 + (ty + 0u * WGY) * 4u + 3u, q0, q1, c3_0, c3_1);
    storeRow(z, m0 + (ty + 1u * WGY) * 4u + 0u, q0, q1, c4_0, c4_1);
    storeRow(z, m0 + (ty + 1u * WGY) * 4u + 1u, q0, q1, c5_0, c5_1);
    storeRow(z, m0 + (ty + 1u * WGY) * 4u + 2u, q0, q1, c6_0, c6_1);
    storeRow(z, m0 + (ty + 1u * WGY) * 4u + 3u, q0, q1, c7_0, c7_1);
    storeRow(z, m0 + (ty + 2u * WGY) * 4u + 0u, q0, q1, c8_0, c8_1);
    storeRow(z, m0 + (ty + 2u * WGY) * 4u + 1u, q0, q1, c9_0, c9_1);
    storeRow(z, m0 + (ty + 2u * WGY) * 4u + 2u, q0, q1, c10_0, c10_1);
    storeRow(z, m0 + (ty + 2u * WGY) * 4u + 3u, q0, q1, c11_0, c11_1);
    storeRow(z, m0 + (ty + 3u * WGY) * 4u + 0u, q0, q1, c12_0, c12_1);
    storeRow(z, m0 + (ty + 3u * WGY) * 4u + 1u, q0, q1, c13_0, c13_1);
    storeRow(z, m0 + (ty + 3u * WGY) * 4u + 2u, q0, q1, c14_0, c14_1);
    storeRow(z, m0 + (ty + 3u * WGY) * 4u + 3u, q0, q1, c15_0, c15_1);
  }
}
