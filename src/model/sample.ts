// Turning logits into tokens: temperature, top-k and top-p (nucleus) sampling, greedy at temperature 0.
import type { Rng } from './reference/random.ts';

export interface SamplerSettings {
  /** 0 means greedy (argmax). */
  temperature: number;
  /** Keep the k most likely tokens; 0 keeps all. */
  topK: number;
  /** Keep the smallest set whose probability reaches p; 1 keeps all. */
  topP: number;
}

export const DEFAULT_SAMPLER: SamplerSettings = { temperature: 0.8, topK: 40, topP: 1 };

/** Probabilities after temperature, top-k and top-p, as (id, p) sorted by p descending. */
export function candidateDistribution(logits: ArrayLike<number>, s: SamplerSettings): { id: number; p: number }[] {
  const ids = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a]);
  if (s.temperature <= 0) return [{ id: ids[0], p: 1 }];
  const k = s.topK > 0 ? Math.min(s.topK, ids.length) : ids.length;
  const kept = ids.slice(0, k);
  const max = logits[kept[0]];
  const weights = kept.map((i) => Math.exp((logits[i] - max) / s.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: { id: number; p: number }[] = [];
  let mass = 0;
  for (let j = 0; j < kept.length; j++) {
    const p = weights[j] / total;
    out.push({ id: kept[j], p });
    mass += p;
    if (mass >= s.topP) break;
  }
  const norm = out.reduce((a, c) => a + c.p, 0);
  for (const c of out) c.p /= norm;
  return out;
}

export function sampleToken(logits: ArrayLike<number>, s: SamplerSettings, rng: Rng): number {
  const dist = candidateDistribution(logits, s);
  let u = rng.next();
  for (const c of dist) {
    u -= c.p;
    if (u < 0) return c.id;
  }
  return dist[dist.length - 1].id;
}
