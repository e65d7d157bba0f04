// Collecting preferences from the simulated labeler, as InstructGPT collected them from people: the SFT
// model samples K answers per prompt, the labeler ranks them, and each ranking is kept (with the sampler
// settings and the tokenizer's fingerprint) to be expanded into pairs. Also the labeler's mean score of
// fresh samples, the number the `score` command reports.
import { Gpt } from '../gpt.ts';
import type { Gpu } from '../gpu/runtime.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import type { SamplerSettings } from '../sample.ts';
import type { FactsWorld } from '../../data/facts/types.ts';
import { answerFromIds, promptIds } from '../sft/chat.ts';
import { questionOf, type QaPair } from '../sft/types.ts';
import { sampleAnswers } from './answers.ts';
import { labelAnswer, labelRanking, RULES, type Labeler, type RuleId } from './labeler.ts';
import { tokenizerFingerprint, type Ranking } from './prefs.ts';

export interface CollectOptions {
  sampler: SamplerSettings;
  /** Answers per prompt (K ≥ 2). */
  k: number;
  maxTokens: number;
  seed: number;
  signal?: AbortSignal;
}

/** Each prompt answered `per` times: the answers' texts, prompt by prompt. */
export async function answerPrompts(
  model: Gpt,
  tokenizer: Tokenizer,
  prompts: readonly QaPair[],
  per: number,
  o: Omit<CollectOptions, 'k'>,
): Promise<string[][]> {
  const ids = prompts.flatMap((p) => Array.from({ length: per }, () => promptIds(tokenizer, questionOf(p))));
  const answers = await sampleAnswers(model, ids, { ...o.sampler, maxTokens: o.maxTokens, seed: o.seed, signal: o.signal });
  return prompts.map((_, i) => answers.slice(i * per, (i + 1) * per).map((a) => answerFromIds(tokenizer, a).text));
}

/** K sampled answers per prompt, ranked by the labeler. */
export async function collectRankings(
  model: Gpt,
  tokenizer: Tokenizer,
  prompts: readonly QaPair[],
  labeler: Labeler,
  world: FactsWorld | undefined,
  o: CollectOptions,
): Promise<Ranking[]> {
  if (!Number.isInteger(o.k) || o.k < 2) throw new Error(`K must be an integer ≥ 2 (answers to rank per prompt), got ${o.k}`);
  const answers = await answerPrompts(model, tokenizer, prompts, o.k, o);
  const fingerprint = tokenizerFingerprint(tokenizer);
  return prompts.map((p, i) => labelRanking(labeler, questionOf(p), answers[i], { pair: p, world }, { sampler: { ...o.sampler }, tokenizer: fingerprint }));
}

export interface ScoreSummary {
  /** Mean labeler score over all answers. */
  mean: number;
  /** Standard error of the mean (sample standard deviation / √answers): how far apart two means must be to differ. */
  stderr: number;
  /** Mean value of each rule (e.g. correct: the share of correct answers). */
  rules: Record<RuleId, number>;
  /** Prompts. */
  n: number;
  /** Answers scored (prompts × answers per prompt). */
  answers: number;
  /** A few answers with their scores, for a look. */
  examples: { prompt: string; answer: string; score: number }[];
  /** Mean score of each prompt's answers, in prompt order: what a paired comparison of two models pairs up. */
  perPrompt: number[];
}

/**
 * Model A's mean score minus model B's on the same prompts, with the standard error of that difference taken
 * over prompts (the paired test). A question's difficulty moves both models' scores together, so it cancels
 * out of each per-prompt difference; two separate standard errors would count it twice and hide a real gain.
 */
export function pairedDifference(a: ScoreSummary, b: ScoreSummary): { mean: number; stderr: number; prompts: number } {
  const n = a.perPrompt.length;
  if (n === 0 || n !== b.perPrompt.length) throw new Error(`a paired comparison needs the same prompts for both models (${n} vs ${b.perPrompt.length})`);
  const d = a.perPrompt.map((x, i) => x - b.perPrompt[i]);
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const variance = n > 1 ? d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, stderr: Math.sqrt(variance / n), prompts: n };
}

/** "+0.190 ± 0.078 (paired over 65 prompts)": a paired difference as the CLI prints it. */
export function formatPaired(d: ReturnType<typeof pairedDifference>): string {
  return `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} ± ${d.stderr.toFixed(3)} (paired over ${d.prompts} prompts)`;
}

/** The labeler's mean score of `per` fresh answers to each prompt (default one). */
export async function labelerScore(
  model: Gpt,
  tokenizer: Tokenizer,
  prompts: readonly QaPair[],
  labeler: Labeler,
  world: FactsWorld | undefined,
  o: Omit<CollectOptions, 'k'> & { per?: number },
): Promise<ScoreSummary> {
  if (prompts.length === 0) throw new Error('no prompts to score');
  const per = o.per ?? 1;
  if (!Number.isInteger(per) || per < 1) throw new Error(`answers per prompt must be an integer ≥ 1, got ${per}`);
  const answers = await answerPrompts(model, tokenizer, prompts, per, o);
  const rules = Object.fromEntries(RULES.map((r) => [r, 0])) as Record<RuleId, number>;
  const totals: number[] = [];
  const perPrompt: number[] = [];
  const examples: ScoreSummary['examples'] = [];
  prompts.forEach((p, i) => {
    let sum = 0;
    answers[i].forEach((answer, j) => {
      const s = labelAnswer(labeler, questionOf(p), answer, { pair: p, world });
      totals.push(s.total);
      sum += s.total;
      for (const r of s.rules) rules[r.rule] += r.value;
      if (examples.length < 5 && j === 0) examples.push({ prompt: questionOf(p), answer, score: s.total });
    });
    perPrompt.push(sum / answers[i].length);
  });
  const n = totals.length;
  for (const r of RULES) rules[r] /= n;
  const mean = totals.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? totals.reduce((a, t) => a + (t - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, stderr: Math.sqrt(variance / n), rules, n: prompts.length, answers: n, examples, perPrompt };
}

/** labelerScore of a checkpoint's model, built on `gpu` for the scoring and released after it. */
export async function checkpointScore(
  gpu: Gpu,
  ckpt: Pick<Checkpoint, 'config' | 'params'>,
  tokenizer: Tokenizer,
  prompts: readonly QaPair[],
  labeler: Labeler,
  world: FactsWorld | undefined,
  o: Omit<CollectOptions, 'k'> & { per?: number },
): Promise<ScoreSummary> {
  const model = new Gpt(gpu, ckpt.config, ckpt.params);
  try {
    return await labelerScore(model, tokenizer, prompts, labeler, world, o);
  } finally {
    model.release();
  }
}
