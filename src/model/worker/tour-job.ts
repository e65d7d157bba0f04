// The guided tour inside the engine worker: the facts pipeline of a preset (src/model/train/facts-pipeline.ts)
// run stage after stage — pretraining, SFT, a reward model from the simulated labeler's rankings, PPO —
// storing each stage's checkpoint (stage labels base / sft / reward / rlhf, each with its parent's id) as
// soon as it is done, with events for the page's step list. A stop ends it between steps: the stage in
// progress is dropped, the stored ones stay. A device loss fails the request with 'device-lost'.
import { JobControl } from './job-control.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import type { CheckpointStore, StoredCheckpointInfo } from '../checkpoint/store.ts';
import { paramCount } from '../config.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { samplePairs } from '../sft/facts-qa.ts';
import { questionOf } from '../sft/types.ts';
import {
  factsSetup, labelerPreferences, pipelinePpoSettings, ppoStage, pretrainStage, rewardStage, sftStage,
} from '../train/facts-pipeline.ts';
import { PIPELINES, TEST_PIPELINES, type PipelinePreset } from '../train/pipeline-presets.ts';
import { codeError } from './errors.ts';
import type { EngineEvent } from './protocol.ts';
import type { TourNumbers, TourPhase, TourPlanStage, TourResult, TourStage } from './tour-protocol.ts';

/** The labeler whose rankings the reward model learns. */
const LABELER = 'labeler:default';

export interface TourJobDeps {
  gpu: Gpu;
  store: CheckpointStore;
  post: (e: EngineEvent) => void;
  /** Resolves when no generation is using the GPU (training waits for it before each step). */
  gpuIdle: () => Promise<void>;
}

export function tourPreset(name: string): PipelinePreset {
  const p = PIPELINES[name] ?? TEST_PIPELINES[name];
  if (!p) throw codeError('bad-data', `unknown tour preset '${name}'`);
  return p;
}

/**
 * Each stage's rough share of the tour's time, in "pretraining steps" as measured for facts-tiny in headless
 * Chromium on SwiftShader (23.5 min pretraining, 7.5 SFT with its two evaluations, 4 reward model with the
 * labeler's rankings, 1.7 PPO): an SFT step cost 0.65 of a pretraining step, a reward-model step 0.85, a
 * PPO step 1. Only the overall ETA before a stage has run depends on it.
 */
function plan(p: PipelinePreset): TourPlanStage[] {
  const raw: [TourStage, number, number][] = [
    ['pretrain', p.pretrainSteps, p.pretrainSteps],
    ['sft', p.sftSteps, 0.65 * p.sftSteps],
    ['reward', p.rlhf.rmSteps, 0.85 * p.rlhf.rmSteps],
    ['ppo', p.rlhf.ppoSteps, p.rlhf.ppoSteps],
  ];
  const total = raw.reduce((a, x) => a + x[2], 0);
  return raw.map(([stage, steps, w]) => ({ stage, steps, weight: w / total }));
}

export class TourJob extends JobControl {
  constructor(
    readonly runId: string,
    private readonly deps: TourJobDeps,
  ) {
    super('during the guided tour');
  }

  /** The tour has no pause; its page follows the tour-phase events instead of a state. */
  protected state(): void {}

  async run(presetName: string): Promise<TourResult> {
    const preset = tourPreset(presetName);
    return this.race(this.work(presetName, preset));
  }

  private async work(name: string, preset: PipelinePreset): Promise<TourResult> {
    const { gpu, post } = this.deps;
    const runId = this.runId;
    const signal = this.signal;
    const gate = () => this.gateOn(this.deps.gpuIdle);
    const s = factsSetup(name, preset);
    const question = questionOf(samplePairs(s.qa.heldOut, 1, s.seed)[0]);
    const result: TourResult = { status: 'stopped', checkpoints: {}, question };
    post({ type: 'tour-plan', runId, preset: name, stages: plan(preset), params: paramCount({ ...s.model, vocabSize: s.tokenizer.vocabSize }), vocabSize: s.tokenizer.vocabSize });
    const phase = (stage: TourStage, p: TourPhase) => post({ type: 'tour-phase', runId, stage, phase: p });
    const step = (stage: TourStage, n: number, steps: number, loss: number | null, extra: { reward?: number; kl?: number } = {}) =>
      post({ type: 'tour-step', runId, stage, step: n, steps, loss, ...extra });

    try {
      // 1. Pretraining: the base model.
      let t0 = Date.now();
      phase('pretrain', 'preparing');
      const pre = await this.race(
        pretrainStage(gpu, s, { signal, gate }, (e) => {
          if (e.type === 'ready') phase('pretrain', 'training');
          if (e.type === 'step') step('pretrain', e.step, preset.pretrainSteps, e.loss);
        }),
      );
      if (this.stopping) return result;
      // The moments only matter to resume pretraining, which the tour never does: a third of the size.
      const base = await this.store('pretrain', { ...pre.ckpt, extraTensors: undefined, extraShapes: undefined }, undefined, result, 'base');
      this.done(base, { stage: 'pretrain', valLoss: pre.valLoss, steps: pre.steps }, t0);

      // 2. SFT, with the base model asked the same questions first.
      t0 = Date.now();
      phase('sft', 'evaluating');
      let evaluated = false;
      const sft = await this.race(
        sftStage(gpu, s, pre.ckpt, { signal }, (e) => {
          if (e.type === 'eval' && !evaluated) {
            evaluated = true;
            phase('sft', 'training');
          }
          if (e.type === 'step') {
            step('sft', e.step, preset.sftSteps, e.loss);
            if (e.step === preset.sftSteps) phase('sft', 'evaluating');
          }
        }),
      );
      if (this.stopping) return result;
      const sftInfo = await this.store('sft', sft.ckpt, base.id, result, 'sft');
      this.done(sftInfo, {
        stage: 'sft', valLoss: sft.after.valLoss, baseAccuracy: sft.before.heldoutAccuracy, sftAccuracy: sft.after.heldoutAccuracy,
        baseTrainedAccuracy: sft.before.trainedAccuracy, sftTrainedAccuracy: sft.after.trainedAccuracy, steps: sft.steps,
      }, t0);

      // 3. The reward model, from the labeler's rankings of the SFT model's sampled answers.
      t0 = Date.now();
      phase('reward', 'collecting');
      const r = preset.rlhf;
      const prefs = await this.race(
        labelerPreferences(gpu, sft.ckpt, s.tokenizer, s.world, { labeler: LABELER, prompts: r.rmPrompts, k: r.k, maxTokens: r.maxAnswerTokens, temperature: r.temperature, seed: s.seed, signal }),
      );
      if (this.stopping) return result;
      phase('reward', 'training');
      const rm = await this.race(
        rewardStage(gpu, s, sft.ckpt, { ...prefs, source: LABELER }, { signal }, (e) => {
          if (e.type === 'step') step('reward', e.step, r.rmSteps, e.loss);
        }),
      );
      if (this.stopping) return result;
      const rmInfo = await this.store('reward', rm.ckpt, sftInfo.id, result, 'reward');
      this.done(rmInfo, { stage: 'reward', pairAccuracy: rm.heldoutAccuracy, pairs: rm.pairs, heldOutPairs: rm.heldOutPairs, steps: rm.steps }, t0);

      // 4. PPO against the reward model, leashed to the SFT model by the KL penalty.
      t0 = Date.now();
      phase('ppo', 'training');
      const ppo = await this.race(
        ppoStage(gpu, s, sft.ckpt, rm.ckpt, { signal, gate, settings: pipelinePpoSettings(s) }, (e) => step('ppo', e.step, r.ppoSteps, null, { reward: e.reward, kl: e.kl })),
      );
      if (this.stopping) return result;
      const rlhfInfo = await this.store('ppo', ppo.ckpt, sftInfo.id, result, 'rlhf');
      this.done(rlhfInfo, { stage: 'ppo', reward: ppo.reward, kl: ppo.kl, steps: ppo.steps }, t0);
      return { ...result, status: 'done' };
    } finally {
      try {
        gpu.trimPool();
      } catch {
        // a lost device
      }
    }
  }

  private async store(stage: TourStage, ckpt: Checkpoint, parentId: string | undefined, result: TourResult, label: 'base' | 'sft' | 'reward' | 'rlhf'): Promise<StoredCheckpointInfo> {
    this.deps.post({ type: 'tour-phase', runId: this.runId, stage, phase: 'saving' });
    const info = await this.race(this.deps.store.save(ckpt, { runId: this.runId, parentId }));
    result.checkpoints[label] = info;
    return info;
  }

  private done(checkpoint: StoredCheckpointInfo, numbers: TourNumbers, t0: number): void {
    this.deps.post({ type: 'tour-stage-done', runId: this.runId, numbers, checkpoint, seconds: (Date.now() - t0) / 1000 });
  }
}
