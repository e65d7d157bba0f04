// The guided tour's commands and events between the UI and the engine worker, merged into protocol.ts's
// CommandMap and EngineEvent (see there for the conventions: one response per request id, events for progress).
//
// 'tour-start' runs the whole facts pipeline of a preset in the worker (tour-job.ts, on
// src/model/train/facts-pipeline.ts): pretraining → SFT → reward model (from the simulated labeler's
// rankings) → PPO, storing each stage's checkpoint as it finishes. 'tour-stop' cancels it between steps;
// what is already stored stays.
import type { StoredCheckpointInfo } from '../checkpoint/store.ts';

export type TourStage = 'pretrain' | 'sft' | 'reward' | 'ppo';
export const TOUR_STAGES: readonly TourStage[] = ['pretrain', 'sft', 'reward', 'ppo'];

/** What a stage is doing: preparing (data, model), collecting (the labeler ranks sampled answers),
 *  evaluating (greedy answers to questions), training (steps, with 'tour-step' events), saving. */
export type TourPhase = 'preparing' | 'collecting' | 'evaluating' | 'training' | 'saving';

/** The final numbers of a finished stage. */
export type TourNumbers =
  | { stage: 'pretrain'; valLoss: number; steps: number }
  | { stage: 'sft'; valLoss: number; baseAccuracy: number; sftAccuracy: number; baseTrainedAccuracy: number; sftTrainedAccuracy: number; steps: number }
  | { stage: 'reward'; pairAccuracy: number; pairs: number; heldOutPairs: number; steps: number }
  | { stage: 'ppo'; reward: number; kl: number; steps: number };

export interface TourPlanStage {
  stage: TourStage;
  steps: number;
  /** Rough share of the whole tour's time (the stages' weights sum to 1), for the overall ETA before a stage has run. */
  weight: number;
}

export interface TourResult {
  /** 'stopped': cancelled; the stages finished before it are stored. */
  status: 'done' | 'stopped';
  /** Stored checkpoints by stage label. */
  checkpoints: Partial<Record<'base' | 'sft' | 'reward' | 'rlhf', StoredCheckpointInfo>>;
  /** A held-out question (its fact was never in the SFT data) to ask the three models in Compare. */
  question: string;
}

export interface TourCommands {
  /** Runs the pipeline of a preset ('facts-tiny' unless the page asks for another) to its end or a stop. */
  'tour-start': { req: { type: 'tour-start'; runId: string; preset: string }; res: TourResult };
  /** Cancels the running tour between steps (stored checkpoints stay). */
  'tour-stop': { req: { type: 'tour-stop' }; res: { ok: true } };
}

export type TourEvent =
  | { type: 'tour-plan'; runId: string; preset: string; stages: TourPlanStage[]; params: number; vocabSize: number }
  | { type: 'tour-phase'; runId: string; stage: TourStage; phase: TourPhase }
  /** One training step of a stage: its loss (pretrain, SFT, reward model) or PPO's mean reward (and KL). */
  | { type: 'tour-step'; runId: string; stage: TourStage; step: number; steps: number; loss: number | null; reward?: number; kl?: number }
  | { type: 'tour-stage-done'; runId: string; numbers: TourNumbers; checkpoint: StoredCheckpointInfo; seconds: number };
