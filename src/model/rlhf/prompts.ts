// The prompts of the RLHF stage: the facts-qa questions of the world the model was pretrained on —
// trained facts to collect preferences and train on, held-out facts to evaluate (never trained on).
import { factsWorldOfKey, splitFacts, type FactsWorld } from '../../data/index.ts';
import { factsQa, samplePairs } from '../sft/facts-qa.ts';
import type { QaPair } from '../sft/types.ts';
import type { Checkpoint } from '../checkpoint/index.ts';

/**
 * The facts world a checkpoint was pretrained on, from the corpus in its lineage (`builtin:facts` or
 * `builtin:facts?size=tiny&lang=en`, see data/facts/key.ts); undefined for any other corpus.
 */
export function factsWorldOf(ckpt: Pick<Checkpoint, 'meta'>): FactsWorld | undefined {
  const corpus = ckpt.meta.lineage.find((l) => l.stage === 'base')?.corpus;
  return factsWorldOfKey(corpus) ?? undefined;
}

export interface RlhfPrompts {
  world: FactsWorld;
  /** One pair per distinct question about a trained fact. */
  train: QaPair[];
  /** Questions about held-out facts (evaluation only). */
  heldOut: QaPair[];
}

/** The facts-qa questions of a world, split as SFT split them. */
export function rlhfPrompts(world: FactsWorld): RlhfPrompts {
  const qa = factsQa(world, splitFacts(world));
  const seen = new Set<string>();
  const train = qa.train.filter((p) => {
    const q = p.messages[0].content;
    if (!p.fact || seen.has(q)) return false;
    seen.add(q);
    return true;
  });
  return { world, train, heldOut: qa.heldOut };
}

/** n prompts drawn (seeded) from a list, distinct questions first. */
export function pickPrompts(pairs: readonly QaPair[], n: number, seed: number): QaPair[] {
  return samplePairs(pairs, n, seed);
}
