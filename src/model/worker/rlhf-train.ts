// The pairwise trainers in the engine worker: the reward model (Bradley–Terry on the SFT trunk + a scalar
// head, src/model/rlhf/reward-model.ts) and DPO (the policy itself, src/model/rlhf/dpo.ts), both on the
// page's rankings expanded into pairs and split by prompt (rlhf-data.ts). Each step is announced as an
// event; stopping stores the model so far (it is a usable model, just trained for fewer steps).
import type { Checkpoint } from '../checkpoint/index.ts';
import { DEFAULT_ADAMW } from '../optimizer.ts';
import { DEFAULT_NLL_WEIGHT, DpoRun, type DpoSettings } from '../rlhf/dpo.ts';
import { tokenizerFingerprint } from '../rlhf/prefs.ts';
import { RewardModelRun, type RewardSettings } from '../rlhf/reward-model.ts';
import { tokenizerFromJSON } from '../tokenizer/index.ts';
import { codeError } from './errors.ts';
import { checkRankings, splitRankings } from './rlhf-data.ts';
import { checkInt, checkPositive, isDivergence, type RlhfJob } from './rlhf-job.ts';
import type { DpoSpec, PairTrainSettings, RlhfTrainResult, RmSpec } from './rlhf-protocol.ts';

/** What the two pairwise runs have in common for the loop. */
interface PairRun {
  step: number;
  trainStep(): Promise<unknown>;
  evaluate(): Promise<unknown>;
  checkpoint(): Promise<Checkpoint>;
  release(): void;
}

function checkSettings(s: PairTrainSettings): void {
  checkInt('steps', s.steps, 1, 100_000);
  checkInt('pairs per step', s.pairsPerStep, 1, 1024);
  checkPositive('the learning rate', s.lr);
  checkInt('evaluate every', s.evalEvery, 0);
  if (!(s.heldOutFraction >= 0 && s.heldOutFraction < 1)) throw codeError('bad-data', `the held-out share must be in [0, 1) (got ${s.heldOutFraction})`);
}

/** The SFT checkpoint and its pairs, checked against its tokenizer. */
async function loadData(job: RlhfJob, spec: RmSpec) {
  checkSettings(spec.settings);
  job.phase('loading');
  const sft = await job.deps.store.load(spec.sftId);
  if (!sft.meta.tokenizer) throw codeError('bad-data', `"${sft.meta.name}" has no tokenizer, so the answers cannot be encoded for it.`);
  if (sft.meta.stage === 'reward') throw codeError('bad-data', `"${sft.meta.name}" is a reward model; start from an SFT checkpoint.`);
  const fingerprint = tokenizerFingerprint(tokenizerFromJSON(sft.meta.tokenizer as never));
  checkRankings(spec.rankings, fingerprint);
  const split = splitRankings(spec.rankings, spec.settings.heldOutFraction, spec.settings.seed);
  if (split.train.length === 0) throw codeError('bad-data', 'The rankings give no training pair (every answer tied or identical).');
  return { sft, split };
}

function schedule(s: PairTrainSettings) {
  return {
    steps: s.steps,
    pairsPerStep: s.pairsPerStep,
    evalEvery: s.evalEvery,
    seed: s.seed,
    maxLr: s.lr,
    minLr: s.lr / 10,
    warmupSteps: Math.min(10, Math.floor(s.steps / 10)),
    decaySteps: s.steps,
    // No weight decay: like SFT, stay as close to the starting model as the data allows.
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
  };
}

/** Steps to the end (or a stop), evaluating every evalEvery steps and once at the end; then stores the model. */
async function trainPairs(job: RlhfJob, run: PairRun, s: PairTrainSettings, parentId: string): Promise<RlhfTrainResult> {
  let evaluatedAt = -1;
  while (run.step < s.steps) {
    await job.gate();
    if (job.stopping) break;
    try {
      await job.race(run.trainStep());
    } catch (e) {
      if (isDivergence(e)) return { status: 'diverged', step: run.step, message: e.message };
      throw e;
    }
    if (s.evalEvery > 0 && run.step % s.evalEvery === 0) {
      await job.race(run.evaluate());
      evaluatedAt = run.step;
    }
  }
  if (run.step === 0) return { status: 'stopped', step: 0, checkpoint: null };
  if (evaluatedAt !== run.step) await job.race(run.evaluate());
  job.phase('saving');
  const ckpt = await job.race(run.checkpoint());
  const checkpoint = await job.deps.store.save(ckpt, { runId: job.runId, parentId });
  return { status: job.stopping ? 'stopped' : 'done', step: run.step, checkpoint };
}

export async function trainRewardModel(job: RlhfJob, spec: RmSpec): Promise<RlhfTrainResult> {
  const { sft, split } = await loadData(job, spec);
  const settings: RewardSettings = { ...schedule(spec.settings), ...(spec.headOnly ? { likelihoodScale: 0, learnLength: false } : {}) };
  const run = new RewardModelRun(
    job.deps.gpu,
    { sft, name: spec.name, prefs: spec.prefs, train: split.train, heldOut: split.heldOut, settings, signal: job.signal },
    (event) => job.post({ type: 'rlhf-rm', runId: job.runId, event }),
  );
  try {
    job.post({ type: 'rlhf-ready', runId: job.runId, kind: 'rm', steps: settings.steps, trainPairs: run.train.length, heldOutPairs: run.heldOut.length, dropped: run.dropped });
    job.state('running');
    job.phase('training');
    return { ...(await trainPairs(job, run, spec.settings, spec.sftId)), dropped: run.dropped } as RlhfTrainResult;
  } finally {
    release(job, run);
  }
}

export async function trainDpo(job: RlhfJob, spec: DpoSpec): Promise<RlhfTrainResult> {
  checkPositive('β', spec.beta);
  const nllWeight = checkPositive('the NLL weight', spec.nllWeight ?? DEFAULT_NLL_WEIGHT, true);
  const { sft, split } = await loadData(job, spec);
  const settings: DpoSettings = { ...schedule(spec.settings), beta: spec.beta, nllWeight };
  const run = new DpoRun(
    job.deps.gpu,
    { policy: sft, name: spec.name, prefs: spec.prefs, train: split.train, heldOut: split.heldOut, settings, signal: job.signal },
    (event) => job.post({ type: 'rlhf-dpo', runId: job.runId, event }),
  );
  try {
    job.post({ type: 'rlhf-ready', runId: job.runId, kind: 'dpo', steps: settings.steps, trainPairs: split.train.length - run.dropped, heldOutPairs: split.heldOut.length, dropped: run.dropped });
    job.state('running');
    // The frozen reference's log-probs, once (the policy still is the reference).
    job.phase('reference');
    await job.race(run.prepare());
    job.phase('training');
    return { ...(await trainPairs(job, run, spec.settings, spec.sftId)), dropped: run.dropped } as RlhfTrainResult;
  } finally {
    release(job, run);
  }
}

function release(job: RlhfJob, run: PairRun): void {
  try {
    run.release();
    job.deps.gpu.trimPool();
  } catch {
    // a lost device: its buffers are gone anyway
  }
}
