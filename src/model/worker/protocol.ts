// The messages between the UI thread and the engine worker (src/model/worker/engine-worker.ts), which owns
// the WebGPU device. Every command is a request with an id; the worker answers each id exactly once, with a
// result or an error. The worker also pushes events (device loss, training progress, streamed tokens) that
// answer no request. Long jobs (a training run, a generation) are one request that settles when the job
// ends; their progress arrives as events, and other commands (pause, stop) may be sent meanwhile.
import type { BuiltinCorpusId, CorpusStats, FactsSize } from '../../data/index.ts';
import type { StoredCheckpointInfo } from '../checkpoint/store.ts';
import type { TokenizerState } from '../tokenizer/index.ts';
import type { History, PretrainEvent, TokenizerChoice } from '../train/pretrain.ts';
import type { Preset } from '../train/presets.ts';
import type { CompareCommands, CompareEvent } from './compare-protocol.ts';
import type { RlhfCommands, RlhfEvent } from './rlhf-protocol.ts';
import type { SftCommands, SftEvent } from './sft-protocol.ts';
import type { TourCommands, TourEvent } from './tour-protocol.ts';

/** What the UI shows about the GPU: the adapter, the limits that bound model size, the useful features. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The device's limits (the runtime requests the adapter's maximum of those a GPT needs). */
  limits: Record<string, number>;
  features: string[];
}

/**
 * Each command's request and result. Add a command by adding an entry here (or in the stage's own
 * <stage>-protocol.ts) and a case in the worker.
 */
export interface CommandMap extends SftCommands, RlhfCommands, CompareCommands, TourCommands {
  /** Opens the device (first call) and reports the adapter; proves WebGPU works inside a worker. */
  hello: { req: { type: 'hello' }; res: AdapterReport };
  /** Destroys the device, as a driver reset would; for tests and diagnostics of the device-loss path. */
  'lose-device': { req: { type: 'lose-device' }; res: { ok: true } };
  /** Loads a corpus into the worker (kept there for tokenizing and training); answers its statistics. */
  'corpus-load': { req: { type: 'corpus-load'; source: CorpusSource; contextLength?: number }; res: CorpusLoadResult };
  /** Builds (char) or trains (BPE) a tokenizer on the loaded corpus, with 'tokenizer-progress' events. */
  'tokenizer-build': { req: { type: 'tokenizer-build'; choice: TokenizerChoice }; res: TokenizerBuilt };
  /** Runs a pretraining run (new, or resumed from a stored autosave) to its end; 'pretrain' events meanwhile. */
  'pretrain-start': { req: { type: 'pretrain-start'; runId: string; spec: RunSpec }; res: PretrainResult };
  /** Pauses, resumes or stops the running run (stopping keeps its state as an autosave). */
  'pretrain-control': { req: { type: 'pretrain-control'; action: 'pause' | 'resume' | 'stop' }; res: { ok: true } };
  /** Loads a stored checkpoint and samples from it; each token arrives as a 'generate-token' event. */
  generate: { req: { type: 'generate' } & GenerateRequest; res: GenerateResult };
  /** Ends a running generation early (its request then resolves with what was generated). */
  'generate-stop': { req: { type: 'generate-stop'; genId: string }; res: { ok: true } };
}

/** Where a corpus comes from: a built-in one, or the bytes of the person's own .txt (never uploaded). */
export type CorpusSource =
  | { kind: 'builtin'; id: BuiltinCorpusId; factsSize?: FactsSize }
  | { kind: 'file'; name: string; bytes: ArrayBuffer };

export type CorpusLoadResult =
  | {
      ok: true;
      /** Names the corpus in checkpoints (meta.train.corpus) so a resumed run can find it again:
       *  'builtin:brown', 'builtin:facts?size=tiny', 'file:notes.txt'. */
      key: string;
      name: string;
      stats: CorpusStats;
    }
  /** The file cannot be used (empty, binary, not UTF-8, too short…): the reason in both languages. */
  | { ok: false; message: string; messageZh: string };

export interface TokenizerBuilt {
  /** The tokenizer's state: the page rebuilds it with tokenizerFromJSON for the token view. */
  state: TokenizerState;
  vocabSize: number;
  /** Tokens the whole loaded corpus encodes to. */
  tokens: number;
  ms: number;
}

/**
 * The model and training settings of the form (the worker turns them into PretrainOptions): a preset's
 * fields, edited; beta2 and weightDecay come from the preset the form started from.
 */
export type ModelSpec = Pick<Preset, 'layers' | 'heads' | 'channels' | 'context' | 'batch' | 'steps' | 'lr' | 'warmup' | 'evalEvery' | 'beta2' | 'weightDecay'>;

export interface RunOutputs {
  sampleEvery: number;
  samplePrompt: string;
  sampleTokens: number;
  /** Steps between autosaves (0: none). */
  autosaveEvery: number;
}

/** A new run, or the continuation of a stored autosave (its model, tokenizer, settings and step). */
export type RunSpec =
  | ({ kind: 'new'; corpusKey: string; name: string; tokenizer: TokenizerChoice; model: ModelSpec } & RunOutputs)
  | ({ kind: 'resume'; checkpointId: string; /** Replaces the saved peak learning rate (e.g. lower after a divergence). */ lr?: number } & RunOutputs);

export type PretrainResult =
  /** Reached its last step; the model is stored with stage 'base' (checkpoint) and the run's autosaves removed. */
  | { status: 'done'; step: number; checkpoint: StoredCheckpointInfo }
  /** Stopped by the person; its state is the autosave (null when it had not taken a step). */
  | { status: 'stopped'; step: number; autosave: StoredCheckpointInfo | null }
  /** A loss or gradient norm was NaN/Inf; the last good weights are the autosave (null if it could not be saved). */
  | { status: 'diverged'; step: number; autosave: StoredCheckpointInfo | null; message: string };

export interface GenerateRequest {
  genId: string;
  checkpointId: string;
  prompt: string;
  temperature: number;
  topK: number;
  topP: number;
  maxTokens: number;
  seed: number;
}

export interface GenerateResult {
  text: string;
  tokens: number;
  /** True when generate-stop ended it early. */
  stopped: boolean;
}

export type CommandType = keyof CommandMap;
export type Command = CommandMap[CommandType]['req'];
export type ResultOf<K extends CommandType> = CommandMap[K]['res'];

/**
 * Why a command failed, for the UI to pick its explanation: no-webgpu (navigator.gpu missing in the
 * worker), no-adapter (requestAdapter returned null), device-lost, shape/validation/… from GpuError, or
 * 'error' for anything else.
 */
export type ErrorCode =
  | 'no-webgpu'
  | 'no-adapter'
  | 'device-lost'
  | 'bad-command'
  /** A run is already training (or a generation holds the GPU). */
  | 'busy'
  /** A resumed run's corpus is the person's own file, which is not stored: load it again (detail.file). */
  | 'need-corpus'
  | 'error'
  | (string & {});

export interface SerializedError {
  name: string;
  message: string;
  code: ErrorCode;
  stack?: string;
  /** Facts for the UI's own message (e.g. { file } for 'need-corpus'). */
  detail?: Record<string, string | number>;
}

/** UI → worker. */
export interface RequestMessage {
  id: number;
  cmd: Command;
}

/** Worker → UI, unprompted. */
export type EngineEvent =
  | { type: 'device-lost'; reason: string }
  | { type: 'ready' }
  /** Tokenizer training progress in [0, 1] (tokenizer-build). */
  | { type: 'tokenizer-progress'; progress: number }
  /** A training run's progress: the PretrainRun's own events (tokenizer, ready, step, eval, sample). */
  | { type: 'pretrain'; runId: string; event: PretrainEvent }
  /** What the run will do (sent before the tokenizer is built): its name and its last step. */
  | { type: 'pretrain-plan'; runId: string; name: string; steps: number }
  /** The curves a resumed run already has (sent once, after 'ready'). */
  | { type: 'pretrain-history'; runId: string; history: History }
  | { type: 'pretrain-state'; runId: string; state: 'running' | 'paused' | 'stopping' }
  | { type: 'autosaved'; runId: string; step: number; info: StoredCheckpointInfo }
  /** An autosave failed (e.g. out of storage); training goes on. */
  | { type: 'autosave-failed'; runId: string; step: number; message: string }
  /** The text generated so far (decoded as a whole, so characters split across tokens come out right). */
  | { type: 'generate-token'; genId: string; text: string; tokens: number }
  | SftEvent
  | RlhfEvent
  | CompareEvent
  | TourEvent;

/** Worker → UI. */
export type WorkerMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: SerializedError }
  | { kind: 'event'; event: EngineEvent };
