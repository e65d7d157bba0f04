// The prompts of the RLHF stage: the facts-qa questions of the world the model was pretrained on. Rankings
// are collected and PPO trains on the questions SFT trained on; the held-out prompts ask about the same
// facts in question phrasings that no training stage saw (facts-qa's held-out-phrasing split). RLHF teaches
// preferences, not facts: on held-out FACTS the SFT model of facts-tiny is right ~5-10 % of the time, so a
// reward model cannot tell its answers apart there and PPO cannot improve them (measured: held-out pair
// accuracy 41 %, labeler score 1.33 → 1.26; bench/NOTES-facts.md). Those stay available as heldOutFacts.
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
  /** Trained facts asked in held-out phrasings (evaluation only: reward-model held-out pairs, scores). */
  heldOut: QaPair[];
  /** Questions about held-out facts (never trained on in any stage). */
  heldOutFacts: QaPair[];
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
  return { world, train, heldOut: qa.heldOutPhrasing.filter((p) => p.fact), heldOutFacts: qa.heldOut };
}

/** n prompts drawn (seeded) from a list, distinct questions first. */
export function pickPrompts(pairs: readonly QaPair[], n: number, seed: number): QaPair[] {
  return samplePairs(pairs, n, seed);
}

/** How many held-out prompts go with n reward-model training prompts: a quarter as many, at least 4. */
export function heldOutPromptCount(n: number): number {
  return Math.max(4, Math.ceil(n / 4));
}

/**
 * The reward model's prompts: n training prompts and heldOutPromptCount(n) held-out ones, all trained facts-qa
 * questions (the distribution PPO trains on) and no question in both — the held-out pairs measure how the
 * reward model ranks answers to prompts it never saw, as InstructGPT's held-out comparisons do. (Held-out
 * phrasings are a harder, shifted test: bench/NOTES-facts.md reports both.)
 */
export function rewardPromptSplit(pool: readonly QaPair[], n: number, seed: number): { train: QaPair[]; heldOut: QaPair[] } {
  const questions = new Set(pool.map((p) => p.messages[0].content));
  const heldN = Math.min(heldOutPromptCount(n), Math.max(0, questions.size - 1));
  const heldOut = pickPrompts(pool, heldN, seed + 1);
  const held = new Set(heldOut.map((p) => p.messages[0].content));
  return { train: pickPrompts(pool.filter((p) => !held.has(p.messages[0].content)), n, seed), heldOut };
}
