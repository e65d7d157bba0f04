import { Rng } from '../model/reference/random.ts';

// Seeded randomness for the data generators: mulberry32 plus a string hash, so a sub-stream can be derived
// by name (`rng.fork('people')`) and adding a new category never shifts the draws of the others.

/** 32-bit FNV-1a of a string (deterministic across platforms). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The project's seeded PRNG (mulberry32, shared with training and tests) plus named sub-streams. */
export class DataRng extends Rng {
  readonly seed: number;

  constructor(seed: number) {
    super(seed);
    this.seed = seed >>> 0;
  }

  /** An independent stream derived from this seed and a label (does not advance this stream). */
  fork(label: string): DataRng {
    return new DataRng(Math.imul(this.seed ^ hashString(label), 0x9e3779b1) ^ hashString(`${label}#`));
  }

  /** Integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)];
  }

  /** Fisher–Yates, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** k distinct items in random order (all of them when k >= length). */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items.slice()).slice(0, Math.max(0, k));
  }
}

/** Accepts a number or any string as a seed. */
export function seedOf(seed: number | string | undefined, fallback = 1): number {
  if (seed === undefined) return fallback >>> 0;
  if (typeof seed === 'number' && Number.isFinite(seed)) return Math.trunc(seed) >>> 0;
  return hashString(String(seed));
}
