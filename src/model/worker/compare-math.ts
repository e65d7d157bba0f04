// The arithmetic behind the Compare stage, in float64 and free of the GPU so it is unit-tested in Node:
// probabilities of a logits row at temperature 1, its top candidates, the log-probabilities of a sequence,
// prompt truncation to the context, one head's attention map from a layer's qkv, and tokenizer fingerprints.
import { attention } from '../reference/ops.ts';

export interface Candidate {
  id: number;
  p: number;
}

/** softmax(logits) at temperature 1 (numerically stable: the max is subtracted first). */
export function softmax64(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** log softmax(logits)[id] = logits[id] − max − log Σ exp(logits − max). */
export function logSoftmaxAt(logits: ArrayLike<number>, id: number, offset = 0, length = logits.length - offset): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(logits[offset + i] - max);
  return logits[offset + id] - max - Math.log(sum);
}

/**
 * The k most probable entries of a distribution, most probable first (ties: the lower id first). One pass
 * with a small sorted buffer, so a large vocabulary is not sorted whole for every generated token.
 */
export function topCandidates(probs: ArrayLike<number>, k: number): Candidate[] {
  const n = Math.min(Math.max(0, Math.floor(k)), probs.length);
  const top: Candidate[] = [];
  if (n === 0) return top;
  for (let id = 0; id < probs.length; id++) {
    const p = probs[id];
    if (top.length === n && !(p > top[n - 1].p)) continue;
    let j = top.length < n ? top.length : n - 1;
    // Strictly greater moves ahead, so an equal probability keeps the earlier (lower) id first.
    while (j > 0 && p > top[j - 1].p) j--;
    top.splice(j, 0, { id, p });
    if (top.length > n) top.pop();
  }
  return top;
}

/**
 * Log-probabilities of seq[from…] under a model that sees only its last `context` tokens: `logits` is the
 * model's output over `window = seq.slice(offset)` (row r predicts window[r + 1]). Tokens outside the window,
 * or at its very first position (nothing before them in view), get null.
 */
export function sequenceLogprobs(logits: ArrayLike<number>, V: number, seq: readonly number[], from: number, offset: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let j = from; j < seq.length; j++) {
    const w = j - offset;
    out.push(w >= 1 ? logSoftmaxAt(logits, seq[j], (w - 1) * V, V) : null);
  }
  return out;
}

/** Where a sequence must start to fit a context of `context` tokens (0 when it fits). */
export function windowStart(length: number, context: number): number {
  return Math.max(0, length - context);
}

/** A prompt cut to the context: its last `context` ids, and how many were dropped from the front. */
export function truncatePrompt(ids: readonly number[], context: number): { ids: number[]; dropped: number } {
  const dropped = windowStart(ids.length, context);
  return { ids: ids.slice(dropped), dropped };
}

/**
 * Head `head`'s causal attention probabilities softmax(q·kᵀ/√hs) over T positions, from one layer's qkv
 * activations ([T, 3C]: q, k, v side by side, head h in columns h·hs…(h+1)·hs of each). The head's q, k and v
 * are copied out as a one-head qkv ([T, 3·hs]) and handed to the float64 reference attention. Returns [T, T].
 */
export function headAttention(qkv: ArrayLike<number>, T: number, C: number, NH: number, head: number): Float64Array {
  if (!(C % NH === 0 && head >= 0 && head < NH && qkv.length >= T * 3 * C)) {
    throw new Error(`headAttention: head ${head} of ${NH}, C=${C}, T=${T}, qkv of ${qkv.length} values`);
  }
  const hs = C / NH;
  const one = new Float64Array(T * 3 * hs);
  for (let t = 0; t < T; t++) {
    for (let part = 0; part < 3; part++) {
      for (let i = 0; i < hs; i++) one[t * 3 * hs + part * hs + i] = qkv[t * 3 * C + part * C + head * hs + i];
    }
  }
  return attention(one, 1, T, hs, 1).att;
}

/** A short stable name for a tokenizer's state (FNV-1a over its JSON): equal states, equal fingerprints. */
export function tokenizerFingerprint(state: unknown): string {
  const s = JSON.stringify(state) ?? 'null';
  let h = 0x811c9dc5;
  let h2 = 0;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h2 = (Math.imul(h2, 31) + s.charCodeAt(i)) >>> 0;
  }
  return `${h.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}-${s.length}`;
}
