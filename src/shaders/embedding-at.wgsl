// Token + position embedding at explicit per-row positions, for incremental decoding where every
// sequence of a batch sits at its own position: out[r, c] = wte[tokens[r], c] + wpe[positions[r], c].
// (embedding.wgsl's forward derives the position from the row index, t = row mod T, which only fits
// whole windows.) One thread per output element; a token outside [0, V) or a position outside the
// position table yields a NaN row instead of reading someone else's memory.

struct Params {
  n: u32, // R·C
  C: u32,
  V: u32,
  P: u32, // rows of wpe
  invalid: f32, // NaN
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> positions: array<u32>;
@group(0) @binding(3) var<storage, read> wte: array<f32>;
@group(0) @binding(4) var<storage, read> wpe: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= p.n) {
    return;
  }
  let r = i / p.C;
  let c = i - r * p.C;
  let tok = tokens[r];
  let pos = positions[r];
  if (tok >= p.V || pos >= p.P) {
    out[i] = p.invalid;
  } else {
    out[i] = wte[tok * p.C + c] + wpe[pos * p.C + c];
  }
}
