// Incremental (KV-cache) decoding: each of R sequences ("rows") brings one new token per step.
//
// kv_write:    copies the k and v columns of qkv [n, 3C] into the caches kc, vc [R·ctx, C] at cache row
//              slots[i] = r·ctx + position (one thread per (i, channel)). A slot of 0xFFFFFFFF (or any slot
//              past the cache) is skipped: the prefill uses it for right-padding positions, a step for
//              rows that sit this step out.
// attn_decode: one workgroup per (head, row). The row's one query (q columns of qkv [R, 3C]) attends over
//              its cached keys 0 … lens[r]−1 (the new token's own key included, so causal by
//              construction): out[r, head] = softmax(q·kᵀ/√hs)·v. Keys are walked WG at a time with an
//              online softmax (running max m, running sum l, accumulator rescaled by exp(m_old − m_new)),
//              so any context length fits in fixed workgroup memory. Thread lid scores key base + lid
//              (a dot product over hs), then owns head dims lid, lid + WG, … of the accumulator.

const SKIP: u32 = 0xFFFFFFFFu;

struct WriteParams {
  n: u32,     // source rows of qkv
  C: u32,
  slots: u32, // cache rows (R·ctx): slots at or past this are skipped
}

@group(0) @binding(0) var<uniform> wp: WriteParams;
@group(0) @binding(1) var<storage, read> w_qkv: array<f32>;
@group(0) @binding(2) var<storage, read> w_slots: array<u32>;
@group(0) @binding(3) var<storage, read_write> w_k: array<f32>;
@group(0) @binding(4) var<storage, read_write> w_v: array<f32>;

@compute @workgroup_size(256)
fn kv_write(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (idx >= wp.n * wp.C) {
    return;
  }
  let i = idx / wp.C;
  let c = idx - i * wp.C;
  let slot = w_slots[i];
  if (slot == SKIP || slot >= wp.slots) {
    return;
  }
  let src = i * 3u * wp.C;
  w_k[slot * wp.C + c] = w_qkv[src + wp.C + c];
  w_v[slot * wp.C + c] = w_qkv[src + 2u * wp.C + c];
}

// ---- attention of one new query per row over the cache ----------------------------------------------

const WG: u32 = 64u;
const ND: u32 = 4u; // head dims per thread: hs ≤ WG·ND = 256 (checked on the host)

override HS: u32 = 64u;

struct AttnParams {
  R: u32,
  C: u32,
  NH: u32,
  ctx: u32, // cache rows per sequence
  scale: f32,
}

@group(0) @binding(0) var<uniform> ap: AttnParams;
@group(0) @binding(1) var<storage, read> a_qkv: array<f32>;
@group(0) @binding(2) var<storage, read> a_k: array<f32>;
@group(0) @binding(3) var<storage, read> a_v: array<f32>;
@group(0) @binding(4) var<storage, read> a_lens: array<u32>;
@group(0) @binding(5) var<storage, read_write> a_out: array<f32>;

var<workgroup> q_s: array<f32, HS>;
var<workgroup> p_s: array<f32, WG>; // probabilities (unnormalised) of the current chunk of keys
var<workgroup> red: array<f32, WG>; // reduction scratch

fn reduce_max(lid: u32, x: f32) -> f32 {
  red[lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] = max(red[lid], red[lid + s]);
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // everyone has read red[0] before it is overwritten
  return r;
}

fn reduce_sum(lid: u32, x: f32) -> f32 {
  red[lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] = red[lid] + red[lid + s];
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn attn_decode(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let h = wid.x;
  let r = wid.y;
  let C = ap.C;
  let len = min(a_lens[r], ap.ctx); // uniform: a read-only load at a uniform address
  let head = h * HS;
  for (var d = lid; d < HS; d += WG) {
    q_s[d] = a_qkv[r * 3u * C + head + d];
  }
  workgroupBarrier();

  let NEG = -3.0e38; // a finite "-inf": exp(NEG − m) is 0 without inf − inf = NaN
  var m = NEG;
  var l = 0.0;
  var acc = array<f32, ND>(0.0, 0.0, 0.0, 0.0);
  let base_row = r * ap.ctx;
  for (var base = 0u; base < len; base += WG) {
    let t = base + lid;
    var s = NEG;
    if (t < len) {
      let kr = (base_row + t) * C + head;
      var dot = 0.0;
      for (var d = 0u; d < HS; d++) {
        dot += q_s[d] * a_k[kr + d];
      }
      s = dot * ap.scale;
    }
    let m_new = max(m, reduce_max(lid, s));
    let corr = exp(m - m_new);
    var p = 0.0;
    if (t < len) {
      p = exp(s - m_new);
    }
    p_s[lid] = p;
    l = l * corr + reduce_sum(lid, p); // reduce_sum's barriers also publish p_s
    let n = min(WG, len - base);
    for (var j = 0u; j < ND; j++) {
      let d = lid + j * WG;
      if (d < HS) {
        var a = acc[j] * corr;
        for (var i = 0u; i < n; i++) {
          a += p_s[i] * a_v[(base_row + base + i) * C + head + d];
        }
        acc[j] = a;
      }
    }
    m = m_new;
    workgroupBarrier(); // p_s is rewritten by the next chunk
  }
  for (var j = 0u; j < ND; j++) {
    let d = lid + j * WG;
    if (d < HS) {
      a_out[r * C + head + d] = acc[j] / l;
    }
  }
}
