// Float64 references of the incremental-decoding ops (src/model/kernels/attention-decode.ts,
// embedding-at.ts), plain loops in the style of ops.ts.

/**
 * One new query per row over that row's cache: for row r and head h,
 *   out[r, h] = softmax_t(q_r,h · k[r, t, h] / √hs) · v[r, t, h]   over t = 0 … lens[r] − 1,
 * with q the first C columns of qkv [R, 3C] and kCache, vCache [R, ctx, C].
 */
export function attentionDecode(
  qkv: Float64Array,
  kCache: Float64Array,
  vCache: Float64Array,
  lens: ArrayLike<number>,
  R: number,
  ctx: number,
  C: number,
  NH: number,
): Float64Array {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) {
    const len = lens[r];
    for (let h = 0; h < NH; h++) {
      const q = r * 3 * C + h * hs;
      const scores = new Float64Array(len);
      let max = -Infinity;
      for (let t = 0; t < len; t++) {
        const k = (r * ctx + t) * C + h * hs;
        let dot = 0;
        for (let i = 0; i < hs; i++) dot += qkv[q + i] * kCache[k + i];
        scores[t] = dot * scale;
        max = Math.max(max, scores[t]);
      }
      let sum = 0;
      for (let t = 0; t < len; t++) sum += scores[t] = Math.exp(scores[t] - max);
      for (let t = 0; t < len; t++) {
        const v = (r * ctx + t) * C + h * hs;
        for (let i = 0; i < hs; i++) out[r * C + h * hs + i] += (scores[t] / sum) * vCache[v + i];
      }
    }
  }
  return out;
}

/** out[r, :] = wte[tokens[r], :] + wpe[positions[r], :]. */
export function embeddingAt(tokens: ArrayLike<number>, positions: ArrayLike<number>, wte: Float64Array, wpe: Float64Array, C: number): Float64Array {
  const R = tokens.length;
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) out[r * C + c] = wte[tokens[r] * C + c] + wpe[positions[r] * C + c];
  }
  return out;
}
