// Collecting preferences in the engine worker: a checkpoint's tokenizer fingerprint and facts questions
// ('rlhf-model-info'), K answers to one prompt for a person to rank ('rlhf-sample'), N prompts × K answers
// ranked by the simulated labeler ('rlhf-label'), and a stored reward model's scores ('rlhf-rm-score').
// Sampling runs through the Sampler (its loaded models, and `busy` so training waits for it); all K answers
// to a prompt are decoded together on the KV-cache decoder (rlhf/answers.ts).
import type { CheckpointStore } from '../checkpoint/store.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { sampleAnswers } from '../rlhf/answers.ts';
import { answerPrompts } from '../rlhf/collect.ts';
import { getLabeler, labelAnswer, labelRanking } from '../rlhf/labeler.ts';
import { encodeAnswer } from '../rlhf/pair-batch.ts';
import { tokenizerFingerprint } from '../rlhf/prefs.ts';
import { factsWorldOf, pickPrompts, rlhfPrompts } from '../rlhf/prompts.ts';
import { loadRewardModel, releaseRewardModel, scoreParts } from '../rlhf/reward-model.ts';
import { fitToContext } from '../sft/batch.ts';
import { answerFromIds, promptIds } from '../sft/chat.ts';
import { answerOf, questionOf, type QaPair } from '../sft/types.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import { codeError } from './errors.ts';
import { checkInt, checkPositive, type RlhfJob } from './rlhf-job.ts';
import type { LabeledRanking, RlhfLabelSpec, RlhfModelInfo, RlhfPrompt, RlhfSampleResult, RlhfSampling, RewardScores } from './rlhf-protocol.ts';
import type { Sampler } from './sampler.ts';

/** Rows decoded together (prompts × K) when the labeler collects (one progress event per chunk). */
const LABEL_ROWS = 32;
/** Tokens an answer needs at least after the prompt. */
const MIN_ROOM = 4;

const toPrompt = (p: QaPair): RlhfPrompt => ({ question: questionOf(p), answer: answerOf(p), fact: p.fact, lang: p.lang });

export async function modelInfo(store: CheckpointStore, checkpointId: string): Promise<RlhfModelInfo> {
  const ckpt = await store.load(checkpointId);
  if (!ckpt.meta.tokenizer) throw codeError('bad-data', `"${ckpt.meta.name}" has no tokenizer.`);
  const tokenizer = tokenizerFromJSON(ckpt.meta.tokenizer as never);
  const world = factsWorldOf(ckpt);
  const corpus = ckpt.meta.lineage.find((l) => l.stage === 'base')?.corpus;
  const fits = (p: QaPair) => promptIds(tokenizer, questionOf(p)).length <= ckpt.config.contextLength - MIN_ROOM;
  const prompts = world ? rlhfPrompts(world) : null;
  return {
    checkpointId,
    name: ckpt.meta.name,
    fingerprint: tokenizerFingerprint(tokenizer),
    contextLength: ckpt.config.contextLength,
    corpus: typeof corpus === 'string' ? corpus : null,
    prompts: prompts ? prompts.train.filter(fits).map(toPrompt) : [],
    heldOut: prompts ? prompts.heldOut.filter(fits).map(toPrompt) : [],
  };
}

function checkSampling(s: RlhfSampling): void {
  checkPositive('temperature', s.temperature, true);
  checkInt('top-k', s.topK, 0);
  if (!(s.topP > 0 && s.topP <= 1)) throw codeError('bad-data', `top-p must be in (0, 1] (got ${s.topP})`);
  checkInt('max tokens', s.maxTokens, 1, 4096);
  checkInt('seed', s.seed, 0, 2 ** 32 - 1);
}

/** The prompt's chat ids, or a clear error when it is empty or leaves no room to answer. */
function chatPrompt(tokenizer: Tokenizer, prompt: string, context: number): number[] {
  if (prompt.trim() === '') throw codeError('bad-data', 'The prompt is empty.');
  const ids = promptIds(tokenizer, prompt);
  if (ids.length > context - MIN_ROOM) throw codeError('bad-data', `The prompt takes ${ids.length} tokens; the model's context of ${context} leaves no room to answer.`);
  return ids;
}

export function sampleK(
  sampler: Sampler,
  gpu: Gpu,
  store: CheckpointStore,
  req: { reqId: string; checkpointId: string; prompt: string; k: number; sampling: RlhfSampling },
): Promise<RlhfSampleResult> {
  checkInt('K (answers)', req.k, 2, 9);
  checkSampling(req.sampling);
  return sampler.track(req.reqId, async (signal) => {
    const { model, tokenizer } = await sampler.load(gpu, store, req.checkpointId);
    const ids = chatPrompt(tokenizer, req.prompt, model.config.contextLength);
    const answers = await sampleAnswers(model, Array.from({ length: req.k }, () => ids), { ...req.sampling, signal });
    const texts = answers.map((a) => answerFromIds(tokenizer, a));
    return { answers: texts.map((t) => t.text), ended: texts.map((t) => t.stopped), fingerprint: tokenizerFingerprint(tokenizer) };
  });
}

/** N prompts × K answers, each prompt's answers ranked by the labeler; one 'rlhf-label' event per prompt. */
export async function labelPrompts(job: RlhfJob, spec: RlhfLabelSpec): Promise<{ status: 'done' | 'stopped'; rankings: LabeledRanking[] }> {
  checkInt('prompts', spec.prompts, 1, 1000);
  checkInt('K (answers)', spec.k, 2, 9);
  checkSampling(spec.sampling);
  const labeler = getLabeler(spec.labeler);
  const { gpu, store, sampler } = job.deps;
  job.phase('loading');
  const ckpt = await store.load(spec.checkpointId);
  const world = factsWorldOf(ckpt);
  if (!world) throw codeError('bad-data', `"${ckpt.meta.name}" was not pretrained on a built-in facts world, so there are no facts questions for the labeler to judge.`);
  return sampler.track(job.runId, async () => {
    const { model, tokenizer } = await sampler.load(gpu, store, spec.checkpointId);
    const fingerprint = tokenizerFingerprint(tokenizer);
    const T = model.config.contextLength;
    const pool = rlhfPrompts(world).train.filter((p) => promptIds(tokenizer, questionOf(p)).length <= T - MIN_ROOM);
    if (pool.length === 0) throw codeError('bad-data', `No facts question fits the model's context of ${T} tokens.`);
    const pairs = pickPrompts(pool, spec.prompts, spec.sampling.seed);
    const perChunk = Math.max(1, Math.floor(LABEL_ROWS / spec.k));
    const rankings: LabeledRanking[] = [];
    job.state('running');
    job.phase('sampling', 0, pairs.length);
    for (let start = 0; start < pairs.length; start += perChunk) {
      // Not job.gate(): this job is the generation that gate would wait for.
      await job.whilePaused();
      if (job.stopping) break;
      const part = pairs.slice(start, start + perChunk);
      const { maxTokens, seed, ...sampler } = spec.sampling;
      // Each chunk its own seed, so chunks do not repeat each other's random streams.
      const texts = await job.race(answerPrompts(model, tokenizer, part, spec.k, { sampler, maxTokens, seed: (seed + 104729 * start) >>> 0, signal: job.signal }));
      part.forEach((pair, i) => {
        const answers = texts[i];
        const question = questionOf(pair);
        const ctx = { pair, world };
        const ranking: LabeledRanking = {
          ...labelRanking(labeler, question, answers, ctx, { tokenizer: fingerprint, sampler: spec.sampling }),
          details: answers.map((a) => labelAnswer(labeler, question, a, ctx)),
        };
        rankings.push(ranking);
        job.post({ type: 'rlhf-label', runId: job.runId, done: rankings.length, total: pairs.length, ranking });
      });
    }
    return { status: job.stopping ? 'stopped' : 'done', rankings };
  });
}

/** A stored reward model's score of each (prompt, answer) in the chat template, read at the answer's <|end|>. */
export function rewardScores(sampler: Sampler, gpu: Gpu, store: CheckpointStore, rewardId: string, items: { prompt: string; answer: string }[]): Promise<RewardScores> {
  return sampler.track(`rm-score-${rewardId}-${Date.now()}`, async () => {
    const ckpt = await store.load(rewardId);
    if (ckpt.meta.stage !== 'reward') throw codeError('bad-data', `"${ckpt.meta.name}" is a ${ckpt.meta.stage} checkpoint, not a reward model.`);
    if (!ckpt.meta.tokenizer) throw codeError('bad-data', `"${ckpt.meta.name}" has no tokenizer.`);
    const tokenizer = tokenizerFromJSON(ckpt.meta.tokenizer as never);
    const T = ckpt.config.contextLength;
    const encoded = items.map((it) => fitToContext(encodeAnswer(tokenizer, it.prompt, it.answer), T - 1));
    const rm = loadRewardModel(gpu, ckpt);
    try {
      const fit = encoded.filter((e) => e !== null);
      const r = await scoreParts(rm, fit.map((e) => e.ids));
      let j = 0;
      const scored = encoded.map((e) => (e ? r[j++] : null));
      return {
        rewards: scored.map((p) => p?.total ?? null),
        parts: scored.map((p) => (p ? { head: p.head, likelihood: rm.likelihoodScale * p.meanLogp, length: rm.lengthWeight * p.length } : null)),
        alpha: rm.likelihoodScale,
        lambda: rm.lengthWeight,
      };
    } finally {
      releaseRewardModel(rm);
      gpu.trimPool();
    }
  });
}
