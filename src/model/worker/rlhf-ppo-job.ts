// PPO in the engine worker (src/model/rlhf/ppo-trainer.ts does the algorithm): the policy is a stored SFT
// checkpoint, the reward a stored reward model (which must share the policy's tokenizer: it scores the
// policy's token ids as they are) or a simulated labeler. A few held-out questions are answered greedily
// before and after, and the labeler ("judge") scores both answers, so the page can show whether the
// reward model's reward turned into answers the labeler likes. The judge also scores every step's rollouts
// (PpoStepReport.judge): the gold curve beside the reward model's proxy one.
import { DEFAULT_ADAMW } from '../optimizer.ts';
import type { Gpt } from '../gpt.ts';
import { sampleAnswers } from '../rlhf/answers.ts';
import { getLabeler, labelAnswer, type Labeler } from '../rlhf/labeler.ts';
import { labelerReward, ppoPrompts, type PpoPromptSet } from '../rlhf/ppo-prompts.ts';
import { rewardModelFn } from '../rlhf/ppo-reward.ts';
import { DEFAULT_PPO, PpoTrainer, type PpoSettings, type RewardFn } from '../rlhf/ppo-trainer.ts';
import { tokenizerFingerprint } from '../rlhf/prefs.ts';
import { pickPrompts } from '../rlhf/prompts.ts';
import { answerFromIds } from '../sft/chat.ts';
import { questionOf, type QaPair } from '../sft/types.ts';
import { tokenizerFromJSON } from '../tokenizer/index.ts';
import { codeError } from './errors.ts';
import { checkInt, checkPositive, isDivergence, type RlhfJob } from './rlhf-job.ts';
import type { PpoExample, PpoSpec, RlhfTrainResult } from './rlhf-protocol.ts';

/** Greedy answers (what the model "thinks" best) to the questions, as text. */
async function greedyAnswers(model: Gpt, set: PpoPromptSet, pairs: readonly QaPair[], maxTokens: number): Promise<string[]> {
  if (pairs.length === 0) return [];
  const ids = await sampleAnswers(model, pairs.map(set.ids), { temperature: 0, topK: 0, topP: 1, maxTokens, seed: 0 });
  return ids.map((a) => answerFromIds(set.tokenizer, a).text);
}

function judge(labeler: Labeler, set: PpoPromptSet, pair: QaPair, answer: string): number {
  return labelAnswer(labeler, questionOf(pair), answer, { pair, world: set.world }).total;
}

function checkSpec(s: PpoSpec): void {
  checkInt('steps', s.steps, 1, 100_000);
  checkInt('batch', s.batch, 1, 256);
  checkPositive('β (KL)', s.klBeta, true);
  checkPositive('the learning rate', s.lr);
  checkInt('answer tokens', s.maxTokens, 1, 4096);
  checkInt('examples', s.examples, 0, 20);
}

export async function trainPpo(job: RlhfJob, spec: PpoSpec): Promise<RlhfTrainResult> {
  checkSpec(spec);
  const { gpu, store } = job.deps;
  const judgeLabeler = getLabeler(spec.judge);
  job.phase('loading');
  const policy = await store.load(spec.policyId);
  if (policy.meta.stage === 'reward') throw codeError('bad-data', `"${policy.meta.name}" is a reward model, not a policy: pick an SFT checkpoint.`);
  let set: PpoPromptSet;
  try {
    set = ppoPrompts(policy);
  } catch (e) {
    throw codeError('bad-data', e instanceof Error ? e.message : String(e));
  }
  let reward: { fn: RewardFn; name: string; release(): void };
  if (spec.reward.kind === 'labeler') {
    reward = { fn: labelerReward(getLabeler(spec.reward.name), set), name: `labeler:${spec.reward.name}`, release: () => {} };
  } else {
    const rm = await store.load(spec.reward.id);
    if (rm.meta.stage !== 'reward') throw codeError('bad-data', `"${rm.meta.name}" is a ${rm.meta.stage} checkpoint, not a reward model.`);
    const mine = tokenizerFingerprint(set.tokenizer);
    const theirs = rm.meta.tokenizer ? tokenizerFingerprint(tokenizerFromJSON(rm.meta.tokenizer as never)) : 'none';
    if (mine !== theirs) throw codeError('bad-data', `The reward model "${rm.meta.name}" uses another tokenizer (${theirs}) than the policy (${mine}): train it from this policy's SFT checkpoint.`);
    reward = rewardModelFn(gpu, rm);
  }
  const settings: PpoSettings = {
    ...DEFAULT_PPO,
    batch: spec.batch,
    lr: spec.lr,
    klBeta: spec.klBeta,
    maxAnswerTokens: spec.maxTokens,
    seed: spec.seed,
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
  };
  let trainer: PpoTrainer | null = null;
  try {
    trainer = new PpoTrainer(gpu, policy, set.train.map(set.ids), reward.fn, settings, labelerReward(judgeLabeler, set));
    const examples = pickPrompts(set.heldOut.length ? set.heldOut : set.train, spec.examples, spec.seed);
    job.post({ type: 'rlhf-ready', runId: job.runId, kind: 'ppo', steps: spec.steps, trainPairs: set.train.length, heldOutPairs: examples.length, dropped: 0 });
    job.state('running');
    job.phase('examples', 0, 2);
    const before = await job.race(greedyAnswers(trainer.policy, set, examples, spec.maxTokens));
    job.phase('training');
    while (trainer.step < spec.steps) {
      await job.gate();
      if (job.stopping) break;
      try {
        const r = await job.race(trainer.trainStep());
        job.post({ type: 'rlhf-ppo', runId: job.runId, event: r });
      } catch (e) {
        if (isDivergence(e)) return { status: 'diverged', step: trainer.step, message: e.message };
        throw e;
      }
    }
    if (trainer.step === 0) return { status: 'stopped', step: 0, checkpoint: null };
    job.phase('examples', 1, 2);
    const after = await job.race(greedyAnswers(trainer.policy, set, examples, spec.maxTokens));
    const shown: PpoExample[] = examples.map((p, i) => ({
      question: questionOf(p),
      before: before[i],
      after: after[i],
      scoreBefore: judge(judgeLabeler, set, p, before[i]),
      scoreAfter: judge(judgeLabeler, set, p, after[i]),
    }));
    job.phase('saving');
    const ckpt = await job.race(trainer.checkpoint(spec.name, { reward: reward.name, data: 'builtin:facts-qa' }));
    const checkpoint = await store.save(ckpt, { runId: job.runId, parentId: spec.policyId });
    return { status: job.stopping ? 'stopped' : 'done', step: trainer.step, checkpoint, examples: shown };
  } finally {
    try {
      trainer?.release();
      reward.release();
      gpu.trimPool();
    } catch {
      // a lost device
    }
  }
}
