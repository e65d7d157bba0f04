// Seeded batches of next-token examples from a token stream, with a train/validation split by position
// (nanoGPT's: the first 90 % trains, the rest validates).
import { Rng } from '../reference/random.ts';

export interface Split {
  train: Uint32Array;
  val: Uint32Array;
}

export function splitTokens(tokens: Uint32Array, valFraction = 0.1): Split {
  const cut = Math.floor(tokens.length * (1 - valFraction));
  return { train: tokens.subarray(0, cut), val: tokens.subarray(cut) };
}

export interface Batch {
  tokens: Uint32Array;
  targets: Uint32Array;
  B: number;
  T: number;
}

/** B windows of T+1 tokens at random offsets; targets are the inputs shifted by one. */
export class BatchSampler {
  private readonly rng: Rng;

  constructor(
    private readonly data: Uint32Array,
    readonly B: number,
    readonly T: number,
    seed: number,
  ) {
    if (data.length < T + 1) {
      throw new Error(`the text has ${data.length} tokens, fewer than the context + 1 (${T + 1}); use a longer text or a shorter context`);
    }
    this.rng = new Rng(seed);
  }

  next(): Batch {
    const { B, T } = this;
    const tokens = new Uint32Array(B * T);
    const targets = new Uint32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = this.rng.int(this.data.length - T);
      tokens.set(this.data.subarray(start, start + T), b * T);
      targets.set(this.data.subarray(start + 1, start + T + 1), b * T);
    }
    return { tokens, targets, B, T };
  }
}
