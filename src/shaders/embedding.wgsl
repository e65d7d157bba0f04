// Token + position embedding, forward and backward.
//
// forward:       out[bt, c] = wte[tokens[bt], c] + wpe[bt % T, c]; one thread per output element.
//                A token id outside [0, V) (an i32 -1 reads as a huge u32) yields a NaN row instead of
//                reading someone else's memory, so the mistake shows up in the loss.
// rank:          a stable sort of the N = B*T positions by token id, by counting: position i goes to
//                rank(i) = #{j : tok[j] < tok[i]} + #{j < i : tok[j] = tok[i]}. One thread per 4 positions
//                reading all tokens as vec4s (N² comparisons, 9.4M for N = 3072, each token load serving
//                4 positions; no workgroup memory, no barriers, no atomics). Writes order[rank] = i and
//                keys[rank] = tok[i] (keys ascending).
// wte_backward:  one thread per (sorted position q, channel c); the first position of each run of equal
//                keys sums dout[order[r], c] over the run, in position order, and writes (or adds) row
//                keys[q] of dwte. Rows of tokens that do not occur are not touched: the host clears dwte
//                first when overwriting. The sum order is fixed, so the result is deterministic without
//                float atomics, and the cost is O(N·C) however large V is.
// wpe_backward:  one thread per element of dwpe [maxT, C]: Σ_b dout[b*T + t, c] in batch order; rows
//                t ≥ T get 0 (or are left alone when accumulating).
// None of these uses subgroups or barriers: one variant for every device.

struct FwdParams {
  n: u32,   // B*T*C
  T: u32,
  C: u32,
  V: u32,
  invalid: f32, // NaN, written for out-of-range tokens
}

@group(0) @binding(0) var<uniform> fp: FwdParams;
@group(0) @binding(1) var<storage, read> f_tokens: array<u32>;
@group(0) @binding(2) var<storage, read> f_wte: array<f32>;
@group(0) @binding(3) var<storage, read> f_wpe: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_out: array<f32>;

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= fp.n) {
    return;
  }
  let bt = i / fp.C;
  let c = i - bt * fp.C;
  let t = bt % fp.T;
  let tok = f_tokens[bt];
  if (tok >= fp.V) {
    f_out[i] = fp.invalid;
  } else {
    f_out[i] = f_wte[tok * fp.C + c] + f_wpe[t * fp.C + c];
  }
}

// ---- backward: sort positions by token ----------------------------------------------------------------

struct RankParams {
  N: u32,
}

@group(0) @binding(0) var<uniform> rp: RankParams;
// The tokens as vec4s: pooled buffers are whole multiples of 16 bytes; lanes past N are masked off.
@group(0) @binding(1) var<storage, read> r_tokens4: array<vec4u>;
@group(0) @binding(2) var<storage, read_write> r_order: array<u32>;
@group(0) @binding(3) var<storage, read_write> r_keys: array<u32>;

// Adds to r[k] (k = 0..3) the tokens of quad q that sort before position 4·qi + k: j < i counts when
// tok[j] ≤ tok[i], j > i when tok[j] < tok[i]; j = i and j ≥ N never.
fn rank_quad(r: ptr<function, array<vec4u, 4>>, m: vec4u, qi: u32, q: u32) {
  let t = r_tokens4[q];
  let j = vec4u(q * 4u) + vec4u(0u, 1u, 2u, 3u);
  let valid = j < vec4u(rp.N);
  for (var k = 0u; k < 4u; k++) {
    let i = vec4u(qi * 4u + k);
    let mk = vec4u(m[k]);
    (*r)[k] += vec4u(select(t < mk, t <= mk, j < i) & (j != i) & valid);
  }
}

// One thread per quad of positions 4·qi … 4·qi + 3: each token load serves four ranks.
@compute @workgroup_size(64)
fn rank(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let qi = (wid.y * nwg.x + wid.x) * 64u + lid;
  let quads = (rp.N + 3u) / 4u;
  if (qi >= quads) {
    return;
  }
  let m = r_tokens4[qi];
  let m0 = vec4u(m.x);
  let m1 = vec4u(m.y);
  let m2 = vec4u(m.z);
  let m3 = vec4u(m.w);
  var r0 = vec4u(0u);
  var r1 = vec4u(0u);
  var r2 = vec4u(0u);
  var r3 = vec4u(0u);
  for (var q = 0u; q < qi; q++) {
    let t = r_tokens4[q];
    r0 += vec4u(t <= m0);
    r1 += vec4u(t <= m1);
    r2 += vec4u(t <= m2);
    r3 += vec4u(t <= m3);
  }
  let full = rp.N / 4u; // quads entirely inside [0, N)
  for (var q = qi + 1u; q < full; q++) {
    let t = r_tokens4[q];
    r0 += vec4u(t < m0);
    r1 += vec4u(t < m1);
    r2 += vec4u(t < m2);
    r3 += vec4u(t < m3);
  }
  var r = array<vec4u, 4>(r0, r1, r2, r3);
  rank_quad(&r, m, qi, qi);
  if (full > qi && full * 4u < rp.N) {
    rank_quad(&r, m, qi, full); // the partial last quad
  }
  for (var k = 0u; k < 4u; k++) {
    let i = qi * 4u + k;
    if (i < rp.N) {
      let rk = r[k];
      let dst = rk.x + rk.y + rk.z + rk.w;
      r_order[dst] = i;
      r_keys[dst] = m[k];
    }
  }
}

// ---- backward: dwte ------------------------------------------------------------------------------------

struct WteParams {
  N: u32,
  C: u32,
  V: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> wp: WteParams;
@group(0) @binding(1) var<storage, read> w_order: array<u32>;
@group(0) @binding(2) var<storage, read> w_keys: array<u32>;
@group(0) @binding(3) var<storage, read> w_dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> w_dwte: array<f32>;

@compute @workgroup_size(256)
fn wte_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (idx >= wp.N * wp.C) {
    return;
  }
  let q = idx / wp.C;
  let c = idx - q * wp.C;
  let v = w_keys[q];
  // only the first position of each run of equal keys, and only tokens inside [0, V)
  if (v >= wp.V || (q > 0u && w_keys[q - 1u] == v)) {
    return;
  }
  var acc = 0.0;
  for (var r = q; r < wp.N && w_keys[r] == v; r++) {
    acc += w_dout[w_order[r] * wp.C + c];
  }
  let o = v * wp.C + c;
  if (wp.accumulate != 0u) {
    w_dwte[o] += acc;
  } else {
    w_dwte[o] = acc;
  }
}

// ---- backward: dwpe ------------------------------------------------------------------------------------

struct WpeParams {
  n: u32, // maxT*C, the size of dwpe
  B: u32,
  T: u32,
  C: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> pp: WpeParams;
@group(0) @binding(1) var<storage, read> p_dout: array<f32>;
@group(0) @binding(2) var<storage, read_write> p_dwpe: array<f32>;

@compute @workgroup_size(256)
fn wpe_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= pp.n) {
    return;
  }
  let t = i / pp.C;
  var acc = 0.0;
  if (t < pp.T) {
    let stride = pp.T * pp.C;
    for (var b = 0u; b < pp.B; b++) {
      acc += p_dout[b * stride + i];
    }
  }
  if (pp.accumulate != 0u) {
    p_dwpe[i] += acc;
  } else {
    p_dwpe[i] = acc;
  }
}
