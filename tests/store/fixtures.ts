// Tiny checkpoints and helpers shared by the store tests and their worker module (no vitest imports here:
// the worker loads this file too).
import { initParams, paramSpecs, type GptConfig } from '../../src/model/config.ts';
import { optimizerKey, type Checkpoint, type Stage } from '../../src/model/checkpoint/index.ts';

export const TINY: GptConfig = { vocabSize: 11, contextLength: 8, layers: 1, heads: 2, channels: 8 };

export interface TinyOptions {
  name?: string;
  stage?: Stage;
  step?: number;
  /** Add AdamW moments (optimizer.m./optimizer.v. for every param). */
  optimizer?: boolean;
}

/** A checkpoint of the tiny config whose values depend on `seed`, with awkward floats that must survive bit-exactly. */
export function tinyCheckpoint(seed: number, o: TinyOptions = {}): Checkpoint {
  const params = initParams(TINY, seed);
  const wte = params.get('transformer.wte.weight')!;
  wte[0] = -0;
  wte[1] = NaN;
  wte[2] = 1e-45;
  wte[3] = -Infinity;
  wte[4] = seed; // tells versions apart
  const extraTensors = new Map<string, Float32Array>();
  const extraShapes = new Map<string, number[]>();
  if (o.optimizer) {
    for (const s of paramSpecs(TINY)) {
      const n = params.get(s.name)!.length;
      extraTensors.set(optimizerKey('m', s.name), new Float32Array(n).map((_, i) => (i + seed) * 1e-3));
      extraTensors.set(optimizerKey('v', s.name), new Float32Array(n).map((_, i) => (i + seed) * 1e-6));
    }
  }
  const ckpt: Checkpoint = {
    config: TINY,
    params,
    meta: {
      stage: o.stage ?? 'base',
      name: o.name ?? `tiny ${seed}`,
      createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, seed)).toISOString(),
      lineage: [{ stage: 'base', name: 'tiny base', parent: undefined, note: `seed ${seed}` }],
      tokenizer: { kind: 'char', version: 1, specials: [], chars: 'abcdefghijk' },
      history: { loss: [3.5, 2.25, seed] },
      ...(o.step !== undefined || o.optimizer ? { train: { step: o.step ?? 7, corpus: 'facts' } } : {}),
    },
  };
  if (extraTensors.size > 0) {
    ckpt.extraTensors = extraTensors;
    ckpt.extraShapes = extraShapes;
  }
  return ckpt;
}

/** Indices where two float arrays differ bit-wise (NaN payloads, -0 included). */
export function bitDiffs(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) n++;
  return n;
}

/** Total bit differences over every param and extra tensor (a missing tensor counts as its length). */
export function checkpointDiffs(a: Checkpoint, b: Checkpoint): number {
  let n = 0;
  const cmp = (x: Map<string, Float32Array> | undefined, y: Map<string, Float32Array> | undefined) => {
    const names = new Set([...(x?.keys() ?? []), ...(y?.keys() ?? [])]);
    for (const k of names) {
      const p = x?.get(k);
      const q = y?.get(k);
      n += p && q ? bitDiffs(p, q) : (p ?? q)!.length;
    }
  };
  cmp(a.params, b.params);
  cmp(a.extraTensors, b.extraTensors);
  return n;
}
