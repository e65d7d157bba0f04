// The page's rankings as training data for the reward model and DPO: each ranking checked again (the page
// may hold anything an import let through), then a seeded split BY PROMPT into training and held-out
// rankings — both sides of a held-out pair must be answers to a prompt the model never trained on, or the
// held-out accuracy would measure memorised prompts — and each ranking expanded into its C(K, 2) pairs.
// Pure TypeScript (tested in Node).
import { Rng } from '../reference/random.ts';
import { expandRanking, rankingProblem, type PreferencePair, type Ranking } from '../rlhf/prefs.ts';
import { codeError } from './errors.ts';

export interface SplitPairs {
  train: PreferencePair[];
  heldOut: PreferencePair[];
  /** Distinct prompts on each side. */
  trainPrompts: number;
  heldOutPrompts: number;
}

/** Throws a 'bad-data' error naming the first ranking (1-based) that cannot be used. */
export function checkRankings(rankings: readonly Ranking[], fingerprint?: string): void {
  if (rankings.length === 0) throw codeError('bad-data', 'There are no rankings: rank some answers first (or let the simulated labeler do it).');
  rankings.forEach((r, i) => {
    if (!r || typeof r.prompt !== 'string' || !Array.isArray(r.answers) || !Array.isArray(r.order)) {
      throw codeError('bad-data', `Ranking ${i + 1} is not a ranking (prompt, answers, order).`);
    }
    const problem = rankingProblem(r);
    if (problem) throw codeError('bad-data', `Ranking ${i + 1} ("${r.prompt.slice(0, 40)}"): ${problem}.`);
    if (fingerprint && r.tokenizer && r.tokenizer !== fingerprint) {
      throw codeError('bad-data', `Ranking ${i + 1} was sampled with another tokenizer (${r.tokenizer}; this model's is ${fingerprint}).`);
    }
  });
}

/**
 * Splits rankings by prompt: about `fraction` of the distinct prompts (at least one when there are two or
 * more prompts and fraction > 0; never all of them) are held out. Seeded, so a rerun splits the same way.
 */
export function splitRankings(rankings: readonly Ranking[], fraction: number, seed: number): SplitPairs {
  const prompts = [...new Set(rankings.map((r) => r.prompt))];
  const rng = new Rng(seed);
  for (let i = prompts.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [prompts[i], prompts[j]] = [prompts[j], prompts[i]];
  }
  const f = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  let nHeld = Math.round(prompts.length * f);
  if (f > 0 && prompts.length >= 2) nHeld = Math.max(1, nHeld);
  nHeld = Math.min(nHeld, prompts.length - 1);
  const held = new Set(prompts.slice(0, Math.max(0, nHeld)));
  const out: SplitPairs = { train: [], heldOut: [], trainPrompts: prompts.length - held.size, heldOutPrompts: held.size };
  for (const r of rankings) (held.has(r.prompt) ? out.heldOut : out.train).push(...expandRanking(r));
  return out;
}
