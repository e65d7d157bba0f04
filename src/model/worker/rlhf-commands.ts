// The rlhf commands of the engine worker, in one place so engine-worker.ts only routes them here: one RLHF
// job at a time (labeling, reward model, PPO, DPO), refused with 'busy' while pretraining or SFT trains
// (and those refuse to start while an RLHF job runs: engine-worker.ts asks `busy`).
import type { CheckpointStore } from '../checkpoint/store.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { codeError } from './errors.ts';
import type { CommandMap, EngineEvent } from './protocol.ts';
import { labelPrompts, modelInfo, rewardScores, sampleK } from './rlhf-collect.ts';
import { RlhfJob } from './rlhf-job.ts';
import { trainPpo } from './rlhf-ppo-job.ts';
import type { RlhfCommands, RlhfJobKind } from './rlhf-protocol.ts';
import { trainDpo, trainRewardModel } from './rlhf-train.ts';
import type { Sampler } from './sampler.ts';

export type RlhfCommand = CommandMap[keyof RlhfCommands]['req'];

export interface RlhfWorkerDeps {
  device: () => Promise<Gpu>;
  store: () => CheckpointStore;
  sampler: Sampler;
  post: (e: EngineEvent) => void;
  /** Pretraining or SFT holds the training slot (running, paused or starting). */
  otherJob: () => boolean;
  /** Pretraining or SFT is training right now (not paused). */
  otherTraining: () => boolean;
}

export function isRlhfCommand(cmd: { type: string }): cmd is RlhfCommand {
  return cmd.type.startsWith('rlhf-');
}

export class RlhfWorker {
  job: RlhfJob | null = null;
  private starting = false;

  constructor(private readonly d: RlhfWorkerDeps) {}

  /** An RLHF job holds the training slot. */
  get busy(): boolean {
    return this.job !== null || this.starting;
  }

  /** An RLHF job is using the GPU right now (not paused). */
  get training(): boolean {
    return !!this.job && !this.job.paused;
  }

  deviceLost(reason: string): void {
    this.job?.deviceLost(reason);
  }

  async handle(cmd: RlhfCommand): Promise<unknown> {
    const d = this.d;
    switch (cmd.type) {
      case 'rlhf-model-info':
        return modelInfo(d.store(), cmd.checkpointId);
      case 'rlhf-sample':
        this.refuseWhileTraining();
        return sampleK(d.sampler, await d.device(), d.store(), cmd);
      case 'rlhf-rm-score':
        this.refuseWhileTraining();
        return rewardScores(d.sampler, await d.device(), d.store(), cmd.rewardId, cmd.items);
      case 'rlhf-label':
        return this.runJob(cmd.runId, 'label', (j) => labelPrompts(j, cmd.spec), false);
      case 'rlhf-rm-start':
        return this.runJob(cmd.runId, 'rm', (j) => trainRewardModel(j, cmd.spec));
      case 'rlhf-dpo-start':
        return this.runJob(cmd.runId, 'dpo', (j) => trainDpo(j, cmd.spec));
      case 'rlhf-ppo-start':
        return this.runJob(cmd.runId, 'ppo', (j) => trainPpo(j, cmd.spec));
      case 'rlhf-control': {
        if (!this.job) throw codeError('no-run', 'No RLHF job is going on.');
        if (cmd.action === 'pause') this.job.pause();
        else if (cmd.action === 'resume') this.job.resume();
        else this.job.stop();
        return { ok: true };
      }
    }
  }

  private refuseWhileTraining(): void {
    if (this.d.otherTraining() || this.training) throw codeError('busy', 'The GPU is training; pause the run to sample.');
    if (this.d.sampler.busy) throw codeError('busy', 'Another generation is running.');
  }

  /** Takes the training slot, runs the job, frees the slot. Training frees the sampler's loaded models first. */
  private async runJob<T>(runId: string, kind: RlhfJobKind, work: (j: RlhfJob) => Promise<T>, training = true): Promise<T> {
    if (this.busy || this.d.otherJob()) throw codeError('busy', 'A training run is already going on in this tab.');
    this.starting = true;
    let j: RlhfJob;
    try {
      const gpu = await this.d.device();
      await this.d.sampler.whenIdle();
      if (training) this.d.sampler.release(); // training needs the memory more
      j = new RlhfJob(runId, kind, { gpu, store: this.d.store(), sampler: this.d.sampler, post: this.d.post, gpuIdle: () => this.d.sampler.whenIdle() });
      this.job = j;
    } finally {
      this.starting = false;
    }
    try {
      return await j.run(work);
    } finally {
      if (this.job === j) this.job = null;
    }
  }
}
