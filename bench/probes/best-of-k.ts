// Best-of-K probe: is a reward model a good judge of one policy's answers, and does it rate a better policy
// higher? For N held-out prompts a policy samples K answers each (T 1, 24 tokens); the labeler and the reward
// model score every answer. Prints one JSON line: the labeler's mean score of a random answer, of the RM's pick,
// of the labeler's own pick and of the RM's worst; the within-prompt correlation of the two scores; and the
// RM's mean score with its parts (head, α·mean log p, λ·length) — the figure to compare across policies.
// Usage: POLICY=a.safetensors RM=rm.safetensors [LABELER=terse K=4 N=64 SEED=1337]
//        npx tsx --import ./scripts/wgsl-loader.mjs bench/probes/best-of-k.ts
import { Gpt } from '../../src/model/gpt.ts';
import { tokenizerFromJSON } from '../../src/model/tokenizer/index.ts';
import { getLabeler, labelAnswer } from '../../src/model/rlhf/labeler.ts';
import { factsWorldOf, pickPrompts, rlhfPrompts } from '../../src/model/rlhf/prompts.ts';
import { sampleAnswers } from '../../src/model/rlhf/answers.ts';
import { answerFromIds, promptIds } from '../../src/model/sft/chat.ts';
import { questionOf } from '../../src/model/sft/types.ts';
import { loadRewardModel, scoreParts } from '../../src/model/rlhf/reward-model.ts';
import { scoredSequence } from '../../src/model/rlhf/ppo-reward.ts';
import { loadCheckpoint, openGpu } from '../../src/cli/common.ts';

const env = process.env;
if (!env.POLICY || !env.RM) throw new Error('set POLICY and RM (checkpoint paths)');
const K = Number(env.K ?? 4);
const N = Number(env.N ?? 64);
const SEED = Number(env.SEED ?? 1337);
const labeler = getLabeler(env.LABELER ?? 'terse');

const gpu = await openGpu();
const policy = await loadCheckpoint(env.POLICY);
const world = factsWorldOf(policy);
if (!world) throw new Error(`${env.POLICY} was not trained on builtin:facts`);
const tokenizer = tokenizerFromJSON(policy.meta.tokenizer as never);
const prompts = pickPrompts(rlhfPrompts(world).heldOut, N, SEED);

const model = new Gpt(gpu, policy.config, policy.params);
const ids = prompts.flatMap((p) => Array.from({ length: K }, () => promptIds(tokenizer, questionOf(p))));
const answers = await sampleAnswers(model, ids, { maxTokens: 24, seed: SEED, temperature: 1, topK: 0, topP: 1 });
model.release();

const rm = loadRewardModel(gpu, await loadCheckpoint(env.RM));
const parts = await scoreParts(rm, ids.map((p, i) => scoredSequence({ prompt: p, answer: answers[i], stopped: true }, rm.model.config.contextLength)));
const judged = answers.map((a, i) => {
  const pair = prompts[Math.floor(i / K)];
  return labelAnswer(labeler, questionOf(pair), answerFromIds(tokenizer, a).text, { pair, world }).total;
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
const sums = { random: 0, rmPick: 0, rmWorst: 0, oracle: 0 };
let cov = 0;
let varRm = 0;
let varLab = 0;
for (let p = 0; p < N; p++) {
  const lab = judged.slice(p * K, p * K + K);
  const r = parts.slice(p * K, p * K + K).map((x) => x.total);
  sums.random += mean(lab);
  sums.rmPick += lab[argmax(r)];
  sums.rmWorst += lab[argmax(r.map((x) => -x))];
  sums.oracle += Math.max(...lab);
  const [mr, ml] = [mean(r), mean(lab)];
  for (let i = 0; i < K; i++) {
    cov += (r[i] - mr) * (lab[i] - ml);
    varRm += (r[i] - mr) ** 2;
    varLab += (lab[i] - ml) ** 2;
  }
}
const f = (x: number) => Number(x.toFixed(3));
console.log(
  JSON.stringify({
    policy: env.POLICY, rm: env.RM, labeler: labeler.name, K, N, seed: SEED,
    labeler_random: f(sums.random / N), labeler_rm_pick: f(sums.rmPick / N), labeler_oracle: f(sums.oracle / N), labeler_rm_worst: f(sums.rmWorst / N),
    within_prompt_corr: f(cov / Math.sqrt(varRm * varLab)),
    rm_mean: f(mean(parts.map((x) => x.total))),
    rm_head: f(mean(parts.map((x) => x.head))),
    rm_alpha_logp: f(mean(parts.map((x) => rm.likelihoodScale * x.meanLogp))),
    rm_lambda_length: f(mean(parts.map((x) => rm.lengthWeight * x.length))),
    answer_tokens: f(mean(parts.map((x) => x.length))),
  }),
);
