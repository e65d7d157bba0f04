// The facts pipelines: pretraining on the facts world, SFT on its questions (and RLHF after), as one
// preset each. Shared by the CLI's `pipeline` command and the page's guided tour.
import type { FactsLang, FactsSize } from '../../data/index.ts';
import type { TokenizerChoice } from './pretrain.ts';

export interface PipelinePreset {
  world: FactsSize;
  /** The world's languages (default both). */
  languages?: FactsLang[];
  /** Times each fact is stated in the pretraining corpus (default the corpus's 100). */
  mentions?: number;
  /** Default char. A BPE vocabulary is trained on the corpus and the questions (names become one token). */
  tokenizer?: TokenizerChoice;
  model: { layers: number; heads: number; channels: number; contextLength: number };
  batch: number;
  pretrainSteps: number;
  pretrainLr: number;
  sftSteps: number;
  sftLr: number;
  /** SFT rows per step (default `batch`): short Q&A rows pack several examples, so fewer rows still fill a step. */
  sftBatch?: number;
  evalQuestions: number;
  /** Validation batches per pretraining evaluation (default 8). */
  evalBatches?: number;
  /** RLHF after SFT: the simulated labeler ranks answers, a reward model learns them, PPO follows it. */
  rlhf: RlhfPreset;
}

export interface RlhfPreset {
  /** Prompts the labeler ranks K answers for (plus a quarter as many held out). */
  rmPrompts: number;
  k: number;
  rmSteps: number;
  rmLr: number;
  ppoSteps: number;
  ppoBatch: number;
  /** Longest sampled answer in tokens (preference collection and PPO rollouts). */
  maxAnswerTokens: number;
  /** Sampling temperature of the K answers the labeler ranks, and of the answers it scores at the end. */
  temperature: number;
  /** Held-out prompts the labeler scores SFT and RLHF answers on. */
  scorePrompts: number;
  /** Fresh answers per held-out prompt in that score (one sample each is too noisy to tell two policies apart). */
  scoreSamples?: number;
}

// facts-tiny is sized for a GPU-less 2-core machine (software WebGPU); facts for a laptop GPU.
export const PIPELINES: Record<string, PipelinePreset> = {
  // facts-tiny: English only, the tiny world (83 facts) stated 100 times each (~285k characters), and a BPE
  // vocabulary of 768 trained on it: names become one token (the model copies them from the question instead
  // of spelling them), and a token carries ~3.4 characters, so 200 steps see the corpus ~2.5 times. With a
  // char vocabulary the same time bought 1.4 passes, and the SFT model answered about other entities (22 %
  // of trained questions; bench/NOTES-facts.md).
  'facts-tiny': {
    world: 'tiny', languages: ['en'], mentions: 100, tokenizer: { kind: 'bpe', vocabSize: 768 }, model: { layers: 2, heads: 4, channels: 96, contextLength: 64 }, batch: 16, pretrainSteps: 250, pretrainLr: 3e-3, sftSteps: 150, sftBatch: 8, sftLr: 3e-3, evalQuestions: 80,
    // Temperature 1: at 0.7 the SFT model often sampled K identical answers (48 prompts gave 120 pairs).
    rlhf: { rmPrompts: 120, k: 4, rmSteps: 80, rmLr: 3e-5, ppoSteps: 30, ppoBatch: 32, maxAnswerTokens: 24, temperature: 1, scorePrompts: 64, scoreSamples: 4 },
  },
  facts: {
    world: 'full', model: { layers: 6, heads: 6, channels: 384, contextLength: 128 }, batch: 32, pretrainSteps: 5000, pretrainLr: 1e-3, sftSteps: 600, sftLr: 3e-4, evalQuestions: 200,
    rlhf: { rmPrompts: 256, k: 4, rmSteps: 300, rmLr: 1e-4, ppoSteps: 200, ppoBatch: 64, maxAnswerTokens: 48, temperature: 0.7, scorePrompts: 200 },
  },
};

/**
 * Presets for tests only (the page's guided tour offers them with ?tour=test, the CLI does not list them):
 * every stage runs, in a minute or two on a software GPU; the models learn little.
 */
export const TEST_PIPELINES: Record<string, PipelinePreset> = {
  'tour-test': {
    world: 'tiny', languages: ['en'], mentions: 8, model: { layers: 1, heads: 2, channels: 32, contextLength: 64 }, batch: 8, pretrainSteps: 12, pretrainLr: 1e-2, sftSteps: 8, sftLr: 3e-3, evalQuestions: 6, evalBatches: 2,
    rlhf: { rmPrompts: 8, k: 4, rmSteps: 6, rmLr: 3e-4, ppoSteps: 2, ppoBatch: 4, maxAnswerTokens: 16, temperature: 0.7, scorePrompts: 0 },
  },
};

