// The facts pipeline, stage by stage: the facts world and its char tokenizer, pretraining on the world's
// corpus, SFT on its questions (with the base model's accuracy through the same chat template), a reward
// model learned from the simulated labeler's rankings, and PPO against that reward model. One implementation
// shared by the CLI's `pipeline` command (src/cli/pipeline*.ts, which saves files) and the page's guided
// tour (src/model/worker/tour-job.ts, which stores checkpoints): no node:* imports here.
// Each stage takes its settings from a preset (pipeline-presets.ts), reports progress through a callback,
// honours an AbortSignal between steps, and returns its checkpoint and final numbers.
import { factsCorpus, factsCorpusKey, makeFactsWorld, splitFacts, type FactsLang, type FactsWorld } from '../../data/index.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { Gpt } from '../gpt.ts';
import { DEFAULT_ADAMW } from '../optimizer.ts';
import { checkpointScore, collectRankings, type ScoreSummary } from '../rlhf/collect.ts';
import { getLabeler } from '../rlhf/labeler.ts';
import { labelerReward, ppoPrompts } from '../rlhf/ppo-prompts.ts';
import { rewardModelFn } from '../rlhf/ppo-reward.ts';
import { DEFAULT_PPO, PpoTrainer, type PpoSettings, type PpoStepReport, type RewardFn } from '../rlhf/ppo-trainer.ts';
import { expandRanking, type PreferencePair, type Ranking } from '../rlhf/prefs.ts';
import { pickPrompts, rewardPromptSplit, rlhfPrompts } from '../rlhf/prompts.ts';
import { RewardModelRun, type RewardEvent } from '../rlhf/reward-model.ts';
import { factsQa, samplePairs, trainedSample, type FactsQa } from '../sft/facts-qa.ts';
import { SftRun, type SftEvent } from '../sft/run.ts';
import { answerOf, sftText, type QaPair } from '../sft/types.ts';
import { buildCharTokenizer, trainBpe, type Tokenizer } from '../tokenizer/index.ts';
import type { PipelinePreset } from './pipeline-presets.ts';
import { PretrainRun, type PretrainEvent, type TokenizerChoice } from './pretrain.ts';

export interface FactsSetup {
  /** The preset's name: checkpoint names derive from it (`facts-tiny-base`, `facts-tiny-sft`, …). */
  name: string;
  preset: PipelinePreset;
  world: FactsWorld;
  qa: FactsQa;
  /** The pretraining corpus and the key that names it in the lineage (later stages find the world by it). */
  text: string;
  corpus: string;
  tokenizer: Tokenizer;
  /** How `tokenizer` was made (recorded with the base model). */
  tokenizerChoice: TokenizerChoice;
  model: { layers: number; heads: number; channels: number; contextLength: number };
  batch: number;
  seed: number;
}

export interface SetupOverrides {
  seed?: number;
  languages?: FactsLang[];
  mentions?: number;
  tokenizer?: TokenizerChoice;
  model?: Partial<FactsSetup['model']>;
  batch?: number;
}

/** Cancellation between steps (the stage then returns what it has, or throws AbortedError before training). */
export interface StageControl {
  signal?: AbortSignal;
  /** Awaited before every pretraining step (the worker waits there for a generation to end). */
  gate?: () => Promise<void>;
}

/** The world, its corpus and the char tokenizer, from a preset (and the CLI's overrides). */
export function factsSetup(name: string, preset: PipelinePreset, o: SetupOverrides = {}): FactsSetup {
  const world = makeFactsWorld({ size: preset.world, languages: o.languages ?? preset.languages });
  const qa = factsQa(world, splitFacts(world));
  const text = factsCorpus(world, { mentionsPerFact: o.mentions ?? preset.mentions ?? 100 });
  // Built on the questions too: a char vocabulary must cover '?', 什么, … or they would reach the model as
  // <|unk|>; BPE merges then also fit the question words.
  const texts = [text, sftText([...qa.train, ...qa.heldOut, ...qa.heldOutPhrasing])];
  const choice: TokenizerChoice = o.tokenizer ?? preset.tokenizer ?? { kind: 'char' };
  const tokenizer = choice.kind === 'char' ? buildCharTokenizer(texts) : trainBpe(texts, { vocabSize: choice.vocabSize });
  return {
    name, preset, world, qa, text, tokenizer, tokenizerChoice: choice,
    corpus: factsCorpusKey(preset.world, world.languages),
    model: { ...preset.model, ...o.model },
    batch: o.batch ?? preset.batch,
    seed: o.seed ?? 1337,
  };
}

// ───────────────────────────── pretraining ─────────────────────────────

export interface PretrainStageResult {
  /** The base model (with AdamW's moments, as PretrainRun hands it back). */
  ckpt: Checkpoint;
  valLoss: number;
  steps: number;
}

export async function pretrainStage(
  gpu: Gpu,
  s: FactsSetup,
  o: StageControl & { steps?: number; lr?: number },
  onEvent: (e: PretrainEvent) => void,
): Promise<PretrainStageResult> {
  const steps = o.steps ?? s.preset.pretrainSteps;
  const lr = o.lr ?? s.preset.pretrainLr;
  const run = new PretrainRun(
    gpu,
    {
      text: s.text,
      corpus: s.corpus,
      name: `${s.name}-base`,
      tokenizer: s.tokenizerChoice,
      prebuiltTokenizer: s.tokenizer,
      model: s.model,
      train: {
        batch: s.batch, context: s.model.contextLength, gradAccum: 1, steps, maxLr: lr, minLr: lr / 10,
        warmupSteps: Math.min(100, Math.floor(steps / 10)), decaySteps: steps, evalEvery: Math.max(1, Math.floor(steps / 5)),
        evalBatches: s.preset.evalBatches ?? 8, seed: s.seed, optimizer: { ...DEFAULT_ADAMW, weightDecay: 0.1 },
      },
      sampleEvery: 0, samplePrompt: '', sampleTokens: 0, autosaveEvery: 0,
      signal: o.signal, gate: o.gate,
    },
    onEvent,
  );
  try {
    const ckpt = await run.run();
    const valLoss = run.history.evals.at(-1)?.valLoss ?? (await run.evaluate());
    return { ckpt, valLoss, steps: run.trainer.step };
  } finally {
    run.release();
  }
}

// ───────────────────────────── SFT ─────────────────────────────

export interface SftScores {
  valLoss: number;
  heldoutAccuracy: number;
  trainedAccuracy: number;
}

export interface SftStageResult {
  ckpt: Checkpoint;
  /** The base model asked the same questions through the chat template (step 0). */
  before: SftScores;
  after: SftScores;
  steps: number;
}

/**
 * Greedy answers are cut at 1.5× the longest reference answer (plus its <|end|>): room for any phrasing,
 * while a base model that never ends its turn stops there instead of reciting the corpus (only the first
 * line is judged anyway, sft/eval.ts).
 */
export function answerBudget(tokenizer: Tokenizer, pairs: readonly QaPair[]): number {
  let longest = 1;
  for (const p of pairs) longest = Math.max(longest, tokenizer.encode(answerOf(p)).length);
  return Math.ceil(1.5 * longest) + 1;
}

export async function sftStage(
  gpu: Gpu,
  s: FactsSetup,
  base: Checkpoint,
  o: StageControl & { steps?: number; lr?: number; batch?: number; evalQuestions?: number; onBaseEval?: () => void },
  onEvent: (e: SftEvent) => void,
): Promise<SftStageResult> {
  const steps = o.steps ?? s.preset.sftSteps;
  const lr = o.lr ?? s.preset.sftLr;
  const probe = o.evalQuestions ?? s.preset.evalQuestions;
  const heldOut = samplePairs(s.qa.heldOut, probe, s.seed);
  const trainedProbe = trainedSample(s.qa.train, probe, s.seed);
  const run = new SftRun(
    gpu,
    {
      base, name: `${s.name}-sft`, data: 'builtin:facts-qa', train: s.qa.train,
      heldOut, trainedProbe, world: s.world, maxAnswerTokens: answerBudget(s.tokenizer, [...heldOut, ...trainedProbe]),
      settings: {
        batch: o.batch ?? s.preset.sftBatch ?? s.batch, context: s.model.contextLength, gradAccum: 1, steps, maxLr: lr, minLr: lr / 10,
        warmupSteps: Math.min(20, Math.floor(steps / 10)), decaySteps: steps, evalEvery: 0, evalBatches: 4, seed: s.seed,
        optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      },
      signal: o.signal,
    },
    onEvent,
  );
  try {
    o.onBaseEval?.();
    const before = await run.evaluate(); // step 0: still the base model's weights
    const ckpt = await run.run();
    // A stopped run skipped its final evaluation: the last one is then the base model's.
    const after = run.history.evals.at(-1)!;
    return { ckpt, before, after, steps: run.trainer.step };
  } finally {
    run.release();
  }
}

// ───────────────────────────── reward model ─────────────────────────────

export interface LabelerPrefs {
  rankings: Ranking[];
  train: PreferencePair[];
  heldOut: PreferencePair[];
}

export interface PrefsOptions {
  /** `labeler:NAME`. */
  labeler: string;
  /** Trained-fact prompts to rank answers for; heldOutPromptCount(prompts) other trained questions are held out. */
  prompts: number;
  k: number;
  maxTokens: number;
  temperature: number;
  /** Sampling filters (default none: 0 and 1). */
  topK?: number;
  topP?: number;
  seed: number;
  signal?: AbortSignal;
}

/**
 * Preferences as InstructGPT collected them, from the simulated labeler instead of people: the SFT model
 * samples K answers per facts-qa prompt, the labeler ranks them, and each ranking becomes pairs. Rankings
 * whose K answers are all the same say nothing and are left out.
 */
export async function labelerPreferences(gpu: Gpu, sft: Checkpoint, tokenizer: Tokenizer, world: FactsWorld, o: PrefsOptions): Promise<LabelerPrefs> {
  const labeler = getLabeler(o.labeler);
  const prompts = rlhfPrompts(world);
  const c = { k: o.k, maxTokens: o.maxTokens, seed: o.seed, signal: o.signal, sampler: { temperature: o.temperature, topK: o.topK ?? 0, topP: o.topP ?? 1 } };
  const split = rewardPromptSplit(prompts.train, o.prompts, o.seed);
  const model = new Gpt(gpu, sft.config, sft.params);
  try {
    const informative = (rs: Ranking[]) => rs.filter((r) => r.answers.some((a) => a !== r.answers[0]));
    const train = informative(await collectRankings(model, tokenizer, split.train, labeler, world, c));
    const held = informative(await collectRankings(model, tokenizer, split.heldOut, labeler, world, { ...c, seed: o.seed + 1 }));
    const pairsOf = (rs: Ranking[]) => rs.flatMap((r) => expandRanking(r));
    return { rankings: [...train, ...held], train: pairsOf(train), heldOut: pairsOf(held) };
  } finally {
    model.release();
  }
}

export interface RewardStageResult {
  ckpt: Checkpoint;
  /** Pairwise accuracy on the held-out prompts' pairs (NaN without any). */
  heldoutAccuracy: number;
  pairs: number;
  heldOutPairs: number;
  steps: number;
}

/** The reward model: the SFT trunk plus a scalar head, trained with Bradley–Terry on the labeler's pairs. */
export async function rewardStage(
  gpu: Gpu,
  s: Pick<FactsSetup, 'name' | 'preset' | 'seed'>,
  sft: Checkpoint,
  prefs: Pick<LabelerPrefs, 'train' | 'heldOut'> & { source: string },
  o: StageControl & { steps?: number; lr?: number },
  onEvent: (e: RewardEvent) => void,
  onReady?: (run: { train: number; heldOut: number; dropped: number }) => void,
): Promise<RewardStageResult> {
  if (prefs.train.length === 0) throw new Error(`${prefs.source} tied every ranking: no preference pairs to train the reward model on`);
  const steps = o.steps ?? s.preset.rlhf.rmSteps;
  const lr = o.lr ?? s.preset.rlhf.rmLr;
  const run = new RewardModelRun(
    gpu,
    {
      sft, name: `${s.name}-rm`, prefs: prefs.source, train: prefs.train, heldOut: prefs.heldOut, signal: o.signal,
      settings: {
        steps, pairsPerStep: 16, maxLr: lr, minLr: lr / 10, warmupSteps: Math.min(10, Math.floor(steps / 10)), decaySteps: steps,
        evalEvery: 0, seed: s.seed, optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      },
    },
    onEvent,
  );
  try {
    onReady?.({ train: run.train.length, heldOut: run.heldOut.length, dropped: run.dropped });
    const ckpt = await run.run();
    const last = run.history.evals.at(-1);
    return { ckpt, heldoutAccuracy: last?.heldoutAccuracy ?? NaN, pairs: run.train.length, heldOutPairs: run.heldOut.length, steps: run.step };
  } finally {
    run.release();
  }
}

// ───────────────────────────── PPO ─────────────────────────────

export interface PpoStageResult {
  ckpt: Checkpoint;
  history: PpoStepReport[];
  /** Mean reward and KL over the last quarter of the steps (at least one): less noisy than the last step. */
  reward: number;
  kl: number;
  steps: number;
}

/** PPO settings for the pipeline: DEFAULT_PPO with the preset's batch and answer length (and any overrides). */
export function pipelinePpoSettings(s: Pick<FactsSetup, 'preset' | 'seed'>, over: Partial<PpoSettings> = {}): PpoSettings {
  return {
    ...DEFAULT_PPO, batch: s.preset.rlhf.ppoBatch, maxAnswerTokens: s.preset.rlhf.maxAnswerTokens, seed: s.seed,
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 }, ...over,
  };
}

/** A reward for PPO that is not a reward-model checkpoint (the CLI's `--reward labeler:NAME`). */
export interface RewardSource {
  fn: RewardFn;
  name: string;
  release(): void;
}

/**
 * PPO from the SFT model against the reward model (or any RewardSource), with the per-token KL leash to the
 * SFT model. The RLHF checkpoint is named `${s.name}-rlhf` unless `o.name` says otherwise.
 */
export async function ppoStage(
  gpu: Gpu,
  s: Pick<FactsSetup, 'name'> & { preset?: PipelinePreset },
  sft: Checkpoint,
  rm: Checkpoint | RewardSource,
  o: StageControl & { steps?: number; settings: PpoSettings; name?: string; judge?: string },
  onStep: (r: PpoStepReport) => void,
): Promise<PpoStageResult> {
  const steps = o.steps ?? s.preset?.rlhf.ppoSteps;
  if (steps === undefined) throw new Error('ppoStage: no step count (neither o.steps nor a preset)');
  const prompts = ppoPrompts(sft);
  const reward = 'fn' in rm ? rm : rewardModelFn(gpu, rm);
  let trainer: PpoTrainer | null = null;
  try {
    // o.judge (labeler:NAME) scores each step's answers beside the reward, for the report only
    const judge = o.judge ? labelerReward(getLabeler(o.judge), prompts) : undefined;
    trainer = new PpoTrainer(gpu, sft, prompts.train.map(prompts.ids), reward.fn, o.settings, judge);
    while (trainer.step < steps && !o.signal?.aborted) {
      await o.gate?.();
      if (o.signal?.aborted) break;
      onStep(await trainer.trainStep());
    }
    const ckpt = await trainer.checkpoint(o.name ?? `${s.name}-rlhf`, { reward: reward.name, data: 'builtin:facts-qa' });
    const tail = trainer.history.slice(-Math.max(1, Math.floor(trainer.history.length / 4)));
    const avg = (k: 'reward' | 'kl') => (tail.length ? tail.reduce((a, r) => a + r[k], 0) / tail.length : NaN);
    return { ckpt, history: trainer.history, reward: avg('reward'), kl: avg('kl'), steps: trainer.step };
  } finally {
    trainer?.release();
    reward.release();
  }
}

// ───────────────────────────── the labeler's verdict ─────────────────────────────

/** The labeler's mean score of `per` fresh answers (default one) per held-out prompt, for the SFT and the RLHF model. */
export async function labelerVerdict(
  gpu: Gpu,
  sft: Checkpoint,
  rlhf: Checkpoint,
  o: { labeler: string; prompts: number; per?: number; maxTokens: number; temperature: number; seed: number; signal?: AbortSignal },
): Promise<{ prompts: number; sft: ScoreSummary; rlhf: ScoreSummary }> {
  const labeler = getLabeler(o.labeler);
  const set = ppoPrompts(sft);
  const prompts = pickPrompts(set.heldOut, o.prompts, o.seed + 2);
  const sample = { maxTokens: o.maxTokens, per: o.per, seed: o.seed + 3, signal: o.signal, sampler: { temperature: o.temperature, topK: 0, topP: 1 } };
  const scoreOf = (ck: Checkpoint) => checkpointScore(gpu, ck, set.tokenizer, prompts, labeler, set.world, sample);
  return { prompts: prompts.length, sft: await scoreOf(sft), rlhf: await scoreOf(rlhf) };
}
