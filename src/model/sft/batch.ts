// SFT batches: encoded conversations packed (or padded) into [B, T] tokens / targets / loss weights.
//
// A row is built as a stream S of T+1 ids: tokens[t] = S[t], targets[t] = S[t+1], and the weight of position
// t is the weight of the TARGET token, weights[t] = w(S[t+1]): position t is trained exactly when it predicts
// an assistant content token or the assistant's closing <|end|>. Unused room is <|pad|> with weight 0.
//
// Packing (default): whole examples are laid one after another in a row while they fit in T+1 ids; the one
// that does not fit starts the next row (no example is ever split between rows). Every example begins with
// its own <|user|>, and the position that would predict it has weight 0, so no loss is spent on guessing
// where the next example starts. Packed examples can attend to earlier ones in the same row (there is no
// per-example attention mask); that is the usual trade against filling rows with padding. `pack: false`
// puts one example per row.
//
// Too long (more than T+1 ids): LEFT truncation of the prompt. The example keeps its first id (the opening
// <|user|>) and its last T ids, provided that keeps the whole final assistant turn (<|assistant|> … <|end|>);
// otherwise it is dropped (an answer cut at the front would teach the model to start mid-sentence, one cut at
// the end would never teach it to stop).
import { SPECIAL_IDS } from '../tokenizer/types.ts';

/** An encoded example: ids and per-id loss weights (as encodeChat returns them). */
export interface SftExample {
  ids: readonly number[];
  weights: readonly number[];
}

/** Any generator of uniform numbers in [0, 1) (Rng of reference/random.ts, DataRng of data/rng.ts). */
export interface UniformRng {
  next(): number;
}

export interface SftBatch {
  tokens: Uint32Array;
  targets: Uint32Array;
  weights: Float32Array;
  B: number;
  T: number;
  /** Examples placed in this batch. */
  examples: number;
  /** Of those, how many were truncated on the left to fit. */
  truncated: number;
  /** Σ weights: the trained positions. */
  trainedTokens: number;
}

export interface SftBatchOptions {
  /** Several examples per row (default true); false: one example per row, the rest padding. */
  pack?: boolean;
}

/**
 * The example fitted to a context of T (a stream of T+1 ids): itself when it fits, left-truncated when its
 * last assistant turn still fits whole after the opening id, else null (dropped).
 */
export function fitToContext(ex: SftExample, T: number): SftExample | null {
  const cap = T + 1;
  const n = ex.ids.length;
  if (n <= cap) return ex;
  const lastAssistant = ex.ids.lastIndexOf(SPECIAL_IDS.assistant);
  if (lastAssistant < 0) return null; // nothing to train on
  const keep = cap - 1; // the first id plus the last `keep` ids
  if (n - lastAssistant > keep) return null;
  return {
    ids: [ex.ids[0], ...ex.ids.slice(n - keep)],
    weights: [ex.weights[0], ...ex.weights.slice(n - keep)],
  };
}

/** Fits every example to the context once, counting what was truncated and dropped (for the page). */
export function fitAll(examples: readonly SftExample[], T: number): { examples: SftExample[]; truncated: number; dropped: number } {
  const out: SftExample[] = [];
  let truncated = 0;
  let dropped = 0;
  for (const ex of examples) {
    const f = fitToContext(ex, T);
    if (f === null) dropped++;
    else {
      if (f !== ex) truncated++;
      out.push(f);
    }
  }
  return { examples: out, truncated, dropped };
}

/**
 * One batch of B rows of T positions from examples drawn uniformly at random (with replacement) by `rng`.
 * Examples too long for the context are truncated or redrawn as fitToContext says; throws if none fits.
 */
export function makeSftBatch(
  examples: readonly SftExample[],
  B: number,
  T: number,
  rng: UniformRng,
  opts: SftBatchOptions = {},
): SftBatch {
  if (!Number.isInteger(B) || B < 1 || !Number.isInteger(T) || T < 1) throw new Error(`makeSftBatch: bad shape [${B}, ${T}]`);
  if (examples.length === 0) throw new Error('makeSftBatch: no examples');
  const pack = opts.pack ?? true;
  const cap = T + 1;
  const fitted = new Map<number, SftExample | null>();
  const cut = new Set<SftExample>(); // the truncated ones
  const fit = (i: number): SftExample | null => {
    if (!fitted.has(i)) {
      const f = fitToContext(examples[i], T);
      if (f !== null && f !== examples[i]) cut.add(f);
      fitted.set(i, f);
    }
    return fitted.get(i)!;
  };
  let usable = -1; // lazily checked: is there any example that fits at all?
  const draw = (): SftExample => {
    for (let attempt = 0; attempt < 64; attempt++) {
      const f = fit(Math.min(examples.length - 1, Math.floor(rng.next() * examples.length)));
      if (f) return f;
    }
    if (usable < 0) usable = examples.findIndex((_, i) => fit(i) !== null);
    if (usable < 0) throw new Error(`makeSftBatch: no example fits a context of ${T} tokens (every answer is too long)`);
    return fit(usable)!; // pathological: almost every example is dropped
  };

  const tokens = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const targets = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const weights = new Float32Array(B * T);
  const sIds = new Uint32Array(cap);
  const sW = new Float32Array(cap);
  let placed = 0;
  let truncated = 0;
  let carry: SftExample | null = null;
  for (let b = 0; b < B; b++) {
    sIds.fill(SPECIAL_IDS.pad);
    sW.fill(0);
    let pos = 0;
    for (;;) {
      const ex: SftExample = carry ?? draw();
      carry = null;
      if (pos + ex.ids.length > cap) {
        carry = ex; // starts the next row
        break;
      }
      for (let k = 0; k < ex.ids.length; k++) {
        sIds[pos + k] = ex.ids[k];
        sW[pos + k] = ex.weights[k];
      }
      pos += ex.ids.length;
      placed++;
      if (cut.has(ex)) truncated++;
      if (!pack || pos >= cap) break;
    }
    const o = b * T;
    for (let t = 0; t < T; t++) {
      tokens[o + t] = sIds[t];
      targets[o + t] = sIds[t + 1];
      weights[o + t] = sW[t + 1];
    }
  }
  let trainedTokens = 0;
  for (let i = 0; i < weights.length; i++) trainedTokens += weights[i];
  return { tokens, targets, weights, B, T, examples: placed, truncated, trainedTokens };
}
