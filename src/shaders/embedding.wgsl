// Token + position embedding, forward and backward.
//
// forward:       out[bt, c] = wte[tokens[bt], c] + wpe[bt % T, c]; one thread per output element.
//                A token id outside [0, V) (an i32 -1 reads as a huge u32) yields a NaN row instead of
//                reading someone else's memory, so the mistake shows up in the loss.
// rank:          a stable sort of the N = B*T positions by token id, by counting: position i goes to
//                rank(i) = #{j : tok[j] < tok[i]} + #{j < i : tok[j] = tok[i]}. One thread per position,
//                token tiles in workgroup memory; N² comparisons (16.8M for N = 4096), no atomics.
//                Writes order[rank] = i and keys[rank] = tok[i] (keys ascending).
// wte_backward:  one workgroup per vocabulary row v: binary search for v's run in the sorted keys, then
//                each thread (channel c) sums dout[order[q], c] over the run in position order. Every row
//                of dwte is written (0 for tokens that do not occur) unless accumulating, and the sum order
//                is fixed, so the result is deterministic without float atomics.
// wpe_backward:  one thread per element of dwpe [maxT, C]: Σ_b dout[b*T + t, c] in batch order; rows
//                t ≥ T get 0 (or are left alone when accumulating).

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
@group(0) @binding(1) var<storage, read> r_tokens: array<u32>;
@group(0) @binding(2) var<storage, read_write> r_order: array<u32>;
@group(0) @binding(3) var<storage, read_write> r_keys: array<u32>;

var<workgroup> tile: array<u32, 256>;

@compute @workgroup_size(256)
fn rank(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  var mine = 0u;
  if (i < rp.N) {
    mine = r_tokens[i];
  }
  var r = 0u;
  for (var base = 0u; base < rp.N; base += 256u) {
    let j = base + lid;
    if (j < rp.N) {
      tile[lid] = r_tokens[j];
    }
    workgroupBarrier();
    let count = min(256u, rp.N - base);
    for (var k = 0u; k < count; k++) {
      let other = tile[k];
      let before = other < mine || (other == mine && base + k < i);
      r += select(0u, 1u, before);
    }
    workgroupBarrier();
  }
  if (i < rp.N) {
    r_order[r] = i;
    r_keys[r] = mine;
  }
}

// ---- backward: dwte ------------------------------------------------------------------------------------

override WG: u32 = 64;

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

@compute @workgroup_size(WG)
fn wte_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let v = wid.y * nwg.x + wid.x;
  if (v >= wp.V) {
    return;
  }
  // lower bound of v in the ascending keys
  var lo = 0u;
  var hi = wp.N;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (w_keys[mid] < v) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  var end = lo;
  while (end < wp.N && w_keys[end] == v) {
    end++;
  }
  for (var c = lid; c < wp.C; c += WG) {
    var acc = 0.0;
    for (var q = lo; q < end; q++) {
      acc += w_dout[w_order[q] * wp.C + c];
    }
    let o = v * wp.C + c;
    if (wp.accumulate != 0u) {
      w_dwte[o] += acc;
    } else {
      w_dwte[o] = acc;
    }
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
