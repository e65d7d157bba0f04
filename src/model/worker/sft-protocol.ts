// The sft stage's commands and events between the UI and the engine worker, merged into protocol.ts's
// CommandMap and EngineEvent (see there for the conventions: one response per request id, events for progress).
//
// The page keeps the SFT data (it is edited there) and sends the pairs with 'sft-start'; the worker checks
// them again, fine-tunes a stored base checkpoint into a new one with stage 'sft' (sft-job.ts), and answers
// questions through the chat template from any stored checkpoint ('sft-ask', sft-ask.ts).
import type { StoredCheckpointInfo } from '../checkpoint/store.ts';
import type { QaPair } from '../sft/types.ts';

/** The fine-tuning settings of the form. */
export interface SftSettings {
  steps: number;
  batch: number;
  /** Peak learning rate (cosine decay to a tenth of it). */
  lr: number;
  warmup: number;
  /** Steps between held-out loss evaluations (0: only before and after). */
  evalEvery: number;
  /** Steps between autosaves (0: none). */
  autosaveEvery: number;
  /** Longest generated answer, in tokens (accuracy and examples). */
  maxAnswerTokens: number;
}

export interface SftSpec {
  /** The stored checkpoint to fine-tune (any stage). */
  baseId: string;
  /** Name of the new checkpoint. */
  name: string;
  /** Where the pairs came from ('builtin:facts-qa', 'builtin:facts-qa (edited)', a file name): lineage. */
  data: string;
  train: QaPair[];
  /** Held-out questions: their answers give the held-out loss, their greedy answers the held-out accuracy. */
  heldOut: QaPair[];
  /** Training questions asked back (the trained accuracy). */
  trainedProbe: QaPair[];
  /** The facts world the pairs were generated from: answers are then judged by the fact (isCorrect); null:
   *  exact match with the reference answer. A facts corpus key ('builtin:facts?size=tiny&lang=en'). */
  world: string | null;
  /** A conversation longer than the context: keep its end (left truncation, when the answer fits) or skip it. */
  tooLong: 'truncate' | 'skip';
  /** Questions whose answers are shown before and after fine-tuning. */
  examples: QaPair[];
  settings: SftSettings;
}

export type SftResult =
  /** Reached its last step: stored with stage 'sft' (checkpoint), its autosaves removed. */
  | { status: 'done'; step: number; checkpoint: StoredCheckpointInfo }
  /** Stopped by the person: its weights so far are an autosave (null when it had not taken a step). */
  | { status: 'stopped'; step: number; autosave: StoredCheckpointInfo | null }
  /** A loss or gradient norm was NaN/Inf: the last good weights are the autosave (null if none could be saved). */
  | { status: 'diverged'; step: number; autosave: StoredCheckpointInfo | null; message: string };

export interface SftAskRequest {
  askId: string;
  checkpointId: string;
  question: string;
  maxTokens: number;
}

export interface SftAskResult {
  text: string;
  tokens: number;
  /** The model closed its turn with <|end|> (false: it ran out of tokens or was stopped). */
  ended: boolean;
}

/** One example question and a model's greedy answer to it. */
export interface SftExampleAnswer {
  question: string;
  /** The reference answer. */
  expected: string;
  answer: string;
  correct: boolean;
  /** A held-out question (else a trained one). */
  heldOut: boolean;
}

export type SftPhase = 'loading' | 'eval-before' | 'training' | 'eval-after' | 'saving';

export interface SftEvaluation {
  runId: string;
  step: number;
  /** 'before': the base model; 'during': held-out loss only; 'after': the fine-tuned model. */
  when: 'before' | 'during' | 'after';
  valLoss: number;
  /** Fraction of held-out / trained questions answered correctly (null: not measured at this point). */
  heldoutAccuracy: number | null;
  trainedAccuracy: number | null;
  examples: SftExampleAnswer[];
}

export interface SftCommands {
  /** Fine-tunes a stored checkpoint to its last step (or until stopped); 'sft-*' events meanwhile. */
  'sft-start': { req: { type: 'sft-start'; runId: string; spec: SftSpec }; res: SftResult };
  /** Pauses, resumes or stops the running fine-tuning. */
  'sft-control': { req: { type: 'sft-control'; action: 'pause' | 'resume' | 'stop' }; res: { ok: true } };
  /** Answers a question through the chat template (greedy, up to <|end|>); 'sft-ask-token' events stream it. */
  'sft-ask': { req: { type: 'sft-ask' } & SftAskRequest; res: SftAskResult };
  /** Ends an answer early (its request then resolves with what was generated). */
  'sft-ask-stop': { req: { type: 'sft-ask-stop'; askId: string }; res: { ok: true } };
}

export type SftEvent =
  /** The data as the worker will train on it, once checked and encoded with the base's tokenizer. */
  | {
      type: 'sft-ready';
      runId: string;
      name: string;
      steps: number;
      params: number;
      contextLength: number;
      trainPairs: number;
      heldOutPairs: number;
      /** Conversations longer than the context kept by left truncation … */
      truncated: number;
      /** … and those skipped (the answer alone does not fit, or tooLong is 'skip'). */
      skipped: number;
    }
  | { type: 'sft-phase'; runId: string; phase: SftPhase; /** Progress inside the phase (questions answered). */ done?: number; total?: number }
  | { type: 'sft-state'; runId: string; state: 'running' | 'paused' | 'stopping' }
  | { type: 'sft-step'; runId: string; step: number; loss: number; lr: number; gradNorm: number; tokensPerS: number }
  | ({ type: 'sft-eval' } & SftEvaluation)
  | { type: 'sft-autosaved'; runId: string; step: number; info: StoredCheckpointInfo }
  | { type: 'sft-autosave-failed'; runId: string; step: number; message: string }
  /** The answer so far (decoded as a whole). */
  | { type: 'sft-ask-token'; askId: string; text: string; tokens: number };
