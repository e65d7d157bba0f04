// The SFT split of a facts world. Held-out facts are never shown to SFT (they measure whether SFT taught
// the model to extract knowledge it only saw in pretraining); held-out phrasings are never used in SFT
// training answers/prompts (they measure generalisation over wording). Both still appear in the
// pretraining corpus. A fact is held out in every language at once (by key), so a model cannot learn the
// English answer in SFT and be tested on the same fact in Chinese.
import { DataRng, seedOf } from '../rng.ts';
import { PINNED_PHRASINGS, phrasingsFor } from './phrasings.ts';
import { PINNED_FACT_KEYS } from './world.ts';
import { ALL_RELATIONS, type Fact, type FactsWorld } from './types.ts';

export interface FactsSplitOptions {
  seed?: number | string;
  /** Fraction of each relation's facts held out (rounded; at least 1 when a relation has ≥ 3). Default 0.2. */
  heldOutFraction?: number;
  /** Phrasings held out per relation and language. Default 1 (of ≥ 4). */
  heldOutPhrasings?: number;
}

/** Plain data (JSON-serialisable), so a stage can store it next to a checkpoint. */
export interface FactsSplit {
  seed: number;
  /** Fact keys (`entity.relation`) SFT must not train on. */
  heldOutKeys: string[];
  trainKeys: string[];
  /** Phrasing ids (`relation.lang.index`) SFT must not train on. */
  heldOutPhrasings: string[];
  trainPhrasings: string[];
}

export function splitFacts(world: FactsWorld, opts: FactsSplitOptions = {}): FactsSplit {
  const seed = seedOf(opts.seed, world.seed);
  const fraction = opts.heldOutFraction ?? 0.2;
  const perRelation = opts.heldOutPhrasings ?? 1;
  const rng = new DataRng(seed).fork('facts-split');

  const heldOutKeys: string[] = [];
  const trainKeys: string[] = [];
  for (const relation of ALL_RELATIONS) {
    const keys = [...new Set(world.facts.filter((f) => f.relation === relation).map((f) => f.key))];
    if (keys.length === 0) continue;
    const candidates = rng.shuffle(keys.filter((k) => !PINNED_FACT_KEYS.includes(k)));
    let n = Math.round(keys.length * fraction);
    if (n === 0 && keys.length >= 3 && fraction > 0) n = 1;
    n = Math.min(n, candidates.length, keys.length - 1);
    const held = new Set(candidates.slice(0, Math.max(0, n)));
    for (const k of keys) (held.has(k) ? heldOutKeys : trainKeys).push(k);
  }

  const heldOutPhrasings: string[] = [];
  const trainPhrasings: string[] = [];
  for (const relation of ALL_RELATIONS) {
    for (const lang of world.languages) {
      const ids = phrasingsFor(relation, lang).map((p) => p.id);
      const candidates = rng.shuffle(ids.filter((id) => !PINNED_PHRASINGS.includes(id)));
      const held = new Set(candidates.slice(0, Math.max(0, Math.min(perRelation, ids.length - 1))));
      for (const id of ids) (held.has(id) ? heldOutPhrasings : trainPhrasings).push(id);
    }
  }
  return { seed, heldOutKeys, trainKeys, heldOutPhrasings, trainPhrasings };
}

export function isHeldOut(split: FactsSplit, fact: Pick<Fact, 'key'>): boolean {
  return split.heldOutKeys.includes(fact.key);
}

export function isHeldOutPhrasing(split: FactsSplit, phrasingId: string): boolean {
  return split.heldOutPhrasings.includes(phrasingId);
}

/** The facts SFT may train on / must hold out, in world order. */
export function partitionFacts(world: FactsWorld, split: FactsSplit): { train: Fact[]; heldOut: Fact[] } {
  const held = new Set(split.heldOutKeys);
  return {
    train: world.facts.filter((f) => !held.has(f.key)),
    heldOut: world.facts.filter((f) => held.has(f.key)),
  };
}
