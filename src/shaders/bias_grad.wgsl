// Bias gradient: db[n] (+)= Σ_m dout[m, n], deterministic (fixed summation order, no atomics).
// Stage 1 ("partial"): workgroup (x, y) sums rows [y·ROWS, (y+1)·ROWS) of 64 adjacent columns; adjacent
// threads read adjacent columns, so every row read is one coalesced 256-byte line.
// Stage 2 ("finish"): one thread per column adds its partials in row-chunk order.
struct Params { M: u32, N: u32, chunks: u32, accumulate: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

override ROWS: u32 = 256u;

@compute @workgroup_size(64)
fn partial(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let n = gid.x;
  if (n >= p.N) { return; }
  let start = wg.y * ROWS;
  let end = min(start + ROWS, p.M);
  var s = 0.0;
  for (var m = start; m < end; m++) { s += src[m * p.N + n]; }
  dst[wg.y * p.N + n] = s;
}

@compute @workgroup_size(64)
fn finish(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= p.N) { return; }
  var s = 0.0;
  for (var c = 0u; c < p.chunks; c++) { s += src[c * p.N + n]; }
  if (p.accumulate != 0u) { s += dst[n]; }
  dst[n] = s;
}
