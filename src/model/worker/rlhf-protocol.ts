// The rlhf stage's commands and events between the UI and the engine worker, merged into protocol.ts's
// CommandMap and EngineEvent (see there for the conventions: one response per request id, events for progress).
//
// The page keeps the rankings (they are made there, by a person or the simulated labeler) and sends them
// with each training command; the worker samples answers ('rlhf-sample'), lets the simulated labeler rank
// answers it samples ('rlhf-label'), trains a reward model ('rlhf-rm-start'), runs PPO ('rlhf-ppo-start') or
// DPO ('rlhf-dpo-start') — one job at a time, also excluding pretraining and SFT (rlhf-job.ts) — and scores
// answers with a stored reward model ('rlhf-rm-score').
import type { StoredCheckpointInfo } from '../checkpoint/store.ts';
import type { DpoEvent } from '../rlhf/dpo.ts';
import type { LabelScore } from '../rlhf/labeler.ts';
import type { PpoStepReport } from '../rlhf/ppo-trainer.ts';
import type { Ranking } from '../rlhf/prefs.ts';
import type { RewardEvent } from '../rlhf/reward-model.ts';
import type { SamplerSettings } from '../sample.ts';

/** The sampler settings of a collection: stored with each ranking (what the answers were drawn with). */
export interface RlhfSampling extends SamplerSettings {
  maxTokens: number;
  seed: number;
}

/** A facts-qa question of the model's world (with the fact it asks about, for the labeler). */
export interface RlhfPrompt {
  question: string;
  /** The reference answer. */
  answer: string;
  fact?: string;
  lang: 'en' | 'zh';
}

/** What the page needs to know about a checkpoint before collecting preferences for it. */
export interface RlhfModelInfo {
  checkpointId: string;
  name: string;
  /** tokenizerFingerprint of its tokenizer (stored with every ranking; imports are checked against it). */
  fingerprint: string;
  contextLength: number;
  /** 'builtin:facts?size=tiny' when it was pretrained on a facts world, else null (no built-in prompts). */
  corpus: string | null;
  /** Questions about trained facts (to collect on) and held-out facts (to evaluate on). */
  prompts: RlhfPrompt[];
  heldOut: RlhfPrompt[];
}

export interface RlhfSampleResult {
  answers: string[];
  /** Per answer: it closed with <|end|> (else it ran out of tokens). */
  ended: boolean[];
  fingerprint: string;
}

/** A ranking the simulated labeler made, with each answer's per-rule scores (by answer index). */
export interface LabeledRanking extends Ranking {
  details: LabelScore[];
}

export interface RlhfLabelSpec {
  checkpointId: string;
  labeler: string;
  /** Prompts to rank (drawn, seeded, from the trained facts' questions) … */
  prompts: number;
  /** … and answers sampled per prompt. */
  k: number;
  sampling: RlhfSampling;
}

/** Settings shared by the reward model and DPO. */
export interface PairTrainSettings {
  steps: number;
  pairsPerStep: number;
  lr: number;
  /** Steps between held-out evaluations (0: only at the end). */
  evalEvery: number;
  /** Share of the rankings (whole rankings, by prompt) held out for the pairwise accuracy. */
  heldOutFraction: number;
  seed: number;
}

export interface RmSpec {
  sftId: string;
  name: string;
  /** Where the rankings came from, for the lineage ('rankings in this browser', a file name). */
  prefs: string;
  rankings: Ranking[];
  settings: PairTrainSettings;
  /**
   * The score is the head alone (no likelihood or length term): a weaker reward model that PPO with β = 0 can
   * exploit — the page's reward-hacking experiment (bench/NOTES-facts.md, stop 14).
   */
  headOnly?: boolean;
}

/** A reward score's three terms: w·h at <|end|>, α·mean log-likelihood, λ·answer tokens. */
export interface RewardTerms {
  head: number;
  likelihood: number;
  length: number;
}

/** A reward model's scores for the inspector: each answer's total and where it came from (null: too long). */
export interface RewardScores {
  rewards: (number | null)[];
  parts: (RewardTerms | null)[];
  /** The learned likelihood scale α and weight per answer token λ. */
  alpha: number;
  lambda: number;
}

export interface DpoSpec extends RmSpec {
  beta: number;
  /** RPO's weight on the chosen answers' per-token NLL (0: plain DPO). */
  nllWeight?: number;
}

export interface PpoSpec {
  policyId: string;
  /** A stored reward checkpoint, or a simulated labeler as the reward. */
  reward: { kind: 'checkpoint'; id: string } | { kind: 'labeler'; name: string };
  name: string;
  steps: number;
  batch: number;
  klBeta: number;
  lr: number;
  maxTokens: number;
  seed: number;
  /** The labeler that scores the before/after answers. */
  judge: string;
  /** Held-out prompts answered before and after. */
  examples: number;
}

/** A held-out question answered (greedily) by the SFT policy and by the PPO policy, with the labeler's scores. */
export interface PpoExample {
  question: string;
  before: string;
  after: string;
  scoreBefore: number;
  scoreAfter: number;
}

export type RlhfJobKind = 'label' | 'rm' | 'ppo' | 'dpo';

export type RlhfTrainResult =
  /** Reached its last step, or was stopped after ≥ 1 step: the model so far is stored (checkpoint). */
  | { status: 'done' | 'stopped'; step: number; checkpoint: StoredCheckpointInfo | null; examples?: PpoExample[]; dropped?: number }
  /** A loss or gradient norm was NaN/Inf: nothing stored. */
  | { status: 'diverged'; step: number; message: string };

export interface RlhfCommands {
  /** Reads a stored checkpoint's tokenizer fingerprint and its world's questions (no GPU). */
  'rlhf-model-info': { req: { type: 'rlhf-model-info'; checkpointId: string }; res: RlhfModelInfo };
  /** Samples K answers to one prompt through the chat template (all K decoded together). */
  'rlhf-sample': { req: { type: 'rlhf-sample'; reqId: string; checkpointId: string; prompt: string; k: number; sampling: RlhfSampling }; res: RlhfSampleResult };
  /** The simulated labeler ranks K sampled answers to N prompts; 'rlhf-label' events carry each ranking. */
  'rlhf-label': { req: { type: 'rlhf-label'; runId: string; spec: RlhfLabelSpec }; res: { status: 'done' | 'stopped'; rankings: LabeledRanking[] } };
  'rlhf-rm-start': { req: { type: 'rlhf-rm-start'; runId: string; spec: RmSpec }; res: RlhfTrainResult };
  'rlhf-dpo-start': { req: { type: 'rlhf-dpo-start'; runId: string; spec: DpoSpec }; res: RlhfTrainResult };
  'rlhf-ppo-start': { req: { type: 'rlhf-ppo-start'; runId: string; spec: PpoSpec }; res: RlhfTrainResult };
  /** Pauses, resumes or stops the running RLHF job. */
  'rlhf-control': { req: { type: 'rlhf-control'; action: 'pause' | 'resume' | 'stop' }; res: { ok: true } };
  /** A stored reward model's score of each (prompt, answer); null for one that does not fit the context. */
  'rlhf-rm-score': { req: { type: 'rlhf-rm-score'; rewardId: string; items: { prompt: string; answer: string }[] }; res: RewardScores };
}

export type RlhfEvent =
  | { type: 'rlhf-state'; runId: string; state: 'running' | 'paused' | 'stopping' }
  /** What the job does now (done/total: progress inside the phase). */
  | { type: 'rlhf-phase'; runId: string; phase: 'loading' | 'sampling' | 'reference' | 'training' | 'examples' | 'saving'; done?: number; total?: number }
  /** One prompt's ranking by the simulated labeler. */
  | { type: 'rlhf-label'; runId: string; done: number; total: number; ranking: LabeledRanking }
  /** The training set as the worker encoded it: pairs that fit the context, and those left out. */
  | { type: 'rlhf-ready'; runId: string; kind: RlhfJobKind; steps: number; trainPairs: number; heldOutPairs: number; dropped: number }
  | { type: 'rlhf-rm'; runId: string; event: RewardEvent }
  | { type: 'rlhf-dpo'; runId: string; event: DpoEvent }
  | { type: 'rlhf-ppo'; runId: string; event: PpoStepReport };
