// Shared test utilities: a logged fresh seed per test, NaN-poisoned outputs, and closeness checks that
// name the worst element.
import { expect } from 'vitest';
import { Rng } from '../../src/model/reference/random.ts';
import type { Gpu, Tensor } from '../../src/model/gpu/runtime.ts';

/** A fresh seed each run (override with TEST_SEED=n to replay); printed when a comparison fails. */
export function freshRng(): { rng: Rng; seed: number } {
  const seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
  return { rng: new Rng(seed), seed };
}

/** An output tensor filled with NaN, so any element the kernel forgets to write fails the comparison. */
export function poisoned(gpu: Gpu, shape: number[], label: string): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return gpu.tensor(shape, label, new Float32Array(n).fill(NaN));
}

/**
 * Checks |got − want| ≤ atol + rtol·|want| elementwise, with `scale` (e.g. the tensor's max |value|)
 * folded into atol so tiny values next to large ones are judged against the tensor's magnitude.
 */
export function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  opts: { rtol?: number; atol?: number; label?: string; seed?: number } = {},
): void {
  const { rtol = 1e-5, atol = 1e-6, label = 'tensor', seed } = opts;
  expect(got.length, `${label}: length`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const excess = Math.abs(g - w) - (atol + rtol * Math.abs(w));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${label}: element ${worst} is ${got[worst]}, expected ${want[worst]} (rtol ${rtol}, atol ${atol}` +
        `${seed !== undefined ? `, TEST_SEED=${seed}` : ''})`,
    );
  }
}

/** |x| elementwise: run a sum's reference on it to get the magnitude of its terms, which is what f32
 *  rounding is proportional to when the terms cancel (a one-term dot product plus a bias can land near 0). */
export function absOf(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, Math.abs);
}

/** max |x| — the magnitude matmul/reduction tolerances are stated relative to. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Central difference of f along coordinate i of x, which f reads (x[i] is restored). */
export function fd(f: () => number, x: Float64Array, i: number, h: number): number {
  const x0 = x[i];
  x[i] = x0 + h;
  const a = f();
  x[i] = x0 - h;
  const b = f();
  x[i] = x0;
  return (a - b) / (2 * h);
}
