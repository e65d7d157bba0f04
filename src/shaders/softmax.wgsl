// Row-wise softmax: out[r, c] = exp(x[r, c] − max_r) / Σ_c exp(x[r, c] − max_r).
//
// One workgroup of WG threads per row (row = wg.x + gridX·wg.y, a 2-D grid past 65535 rows). Each thread
// makes one pass over its strided columns keeping a running (max, sum of exp(x − max)) pair, the pairs are
// combined by a tree reduction in workgroup memory, then each thread writes its columns. Exact at any cols:
// threads with no columns hold (−1e30-ish, 0), which combines to nothing.

struct Params {
  rows: u32,
  cols: u32,
  gridX: u32, // workgroups along x
}

override WG: u32 = 256u; // a power of two ≤ 256

const NEG: f32 = -3.0e38; // below every finite logit; −∞ inputs give exp(−∞ − m) = 0

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> redM: array<f32, WG>;
var<workgroup> redS: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * p.gridX + wg.x;
  if (row >= p.rows) { return; } // the whole workgroup leaves together
  let base = row * p.cols;

  var m = NEG;
  var s = 0.0;
  for (var c = li; c < p.cols; c += WG) {
    let v = x[base + c];
    if (v > m) {
      s = s * exp(m - v) + 1.0;
      m = v;
    } else {
      s += exp(v - m);
    }
  }
  redM[li] = m;
  redS[li] = s;

  for (var st = WG / 2u; st > 0u; st >>= 1u) {
    workgroupBarrier();
    if (li < st) {
      let m2 = redM[li + st];
      let mm = max(m, m2);
      s = s * exp(m - mm) + redS[li + st] * exp(m2 - mm);
      m = mm;
      redM[li] = m;
      redS[li] = s;
    }
  }
  workgroupBarrier();
  let mx = redM[0];
  let inv = 1.0 / redS[0];

  for (var c = li; c < p.cols; c += WG) {
    out[base + c] = exp(x[base + c] - mx) * inv;
  }
}
