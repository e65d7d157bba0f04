// Playground checkpoints: a GPT-2 (Hugging Face GPT2LMHeadModel names and layouts) saved as one
// safetensors file whose __metadata__ carries the config, tokenizer, training history, stage and lineage.
// See FORMAT.md beside this file for the layout and the decisions (tied lm_head, optimizer state).

import { paramSpecs, validateConfig, type GptConfig } from '../config.ts';
import { CheckpointError, describeFile } from './errors.ts';
import { configFromHf, hfConfigJson, type HfConfigOptions } from './hf.ts';
import { encodeSafetensors, parseSafetensors, tensorAsF32, type TensorInfo, type TensorToWrite } from './safetensors.ts';

export type Stage = 'base' | 'sft' | 'reward' | 'rlhf' | 'dpo';
export const STAGES: readonly Stage[] = ['base', 'sft', 'reward', 'rlhf', 'dpo'];

/** One ancestor (or the checkpoint itself — the caller decides) in the chain that produced a checkpoint. */
export interface LineageEntry {
  stage: Stage;
  name?: string;
  /** Name of the checkpoint this one started from. */
  parent?: string;
  createdAt?: string;
  [key: string]: unknown;
}

/** Where training stood, for resuming. `step` counts AdamW steps taken (bias correction needs it). */
export interface TrainState {
  step: number;
  [key: string]: unknown;
}

export interface CheckpointMeta {
  stage: Stage;
  name: string;
  /** ISO 8601 time. */
  createdAt: string;
  lineage: LineageEntry[];
  /** Any JSON (opaque here); `undefined` is written as null. */
  tokenizer: unknown;
  /** Any JSON (training curves); `undefined` is written as null. */
  history: unknown;
  train?: TrainState;
}

export interface Checkpoint {
  config: GptConfig;
  /** Every parameter of paramSpecs(config), by its HF name, row-major in the spec's shape. */
  params: Map<string, Float32Array>;
  /**
   * Other tensors: a reward model's "score.weight" [1, C], a PPO value head, AdamW moments as
   * "optimizer.m.<param>" / "optimizer.v.<param>" (shaped like the param), … Names must not clash
   * with params.
   */
  extraTensors?: Map<string, Float32Array>;
  /** Shapes of extra tensors; missing ones are written 1-D ([length]), optimizer moments as their param. The reader fills it. */
  extraShapes?: Map<string, number[]>;
  meta: CheckpointMeta;
}

export interface WriteOptions {
  /** Options for the HF config stored in the metadata (token ids, architectures). */
  hf?: HfConfigOptions;
}

export interface ReadOptions {
  /** Shown in error messages. */
  fileName?: string;
  /**
   * Config to load a safetensors file that the playground did not write (e.g. one saved by
   * transformers, with or without the "transformer." prefix); build it with configFromHf(config.json).
   * Ignored for playground checkpoints, which carry their own.
   */
  config?: GptConfig;
  /** Copy tensors out of the input buffer (default false: aligned F32 tensors are views into it). */
  copy?: boolean;
  /** Non-fatal findings (dropped incomplete optimizer state, ignored lm_head, …). */
  onWarning?: (message: string) => void;
}

/** `__metadata__` marker and format version of playground checkpoints. */
export const PLAYGROUND_MARKER = 'llm-stages-playground';
export const FORMAT_VERSION = 1;
export const OPTIMIZER_M_PREFIX = 'optimizer.m.';
export const OPTIMIZER_V_PREFIX = 'optimizer.v.';

/** The tensor name of a param's AdamW first ('m') or second ('v') moment. */
export function optimizerKey(kind: 'm' | 'v', paramName: string): string {
  return (kind === 'm' ? OPTIMIZER_M_PREFIX : OPTIMIZER_V_PREFIX) + paramName;
}

function isOptimizerKey(name: string): boolean {
  return name.startsWith(OPTIMIZER_M_PREFIX) || name.startsWith(OPTIMIZER_V_PREFIX);
}

/** The same checkpoint without AdamW moments (a third of the size): for sharing or exporting to transformers. */
export function stripOptimizerState(ckpt: Checkpoint): Checkpoint {
  if (!ckpt.extraTensors) return ckpt;
  const extraTensors = new Map([...ckpt.extraTensors].filter(([k]) => !isOptimizerKey(k)));
  const extraShapes = ckpt.extraShapes ? new Map([...ckpt.extraShapes].filter(([k]) => !isOptimizerKey(k))) : undefined;
  return { ...ckpt, extraTensors, extraShapes };
}

/** A file name for downloads: "<name>.<stage>.safetensors" with the name made file-system safe. */
export function checkpointFileName(meta: Pick<CheckpointMeta, 'name' | 'stage'>): string {
  const slug = meta.name.trim().replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'model';
  return `${slug}.${meta.stage}.safetensors`;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fmtShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function isStage(s: unknown): s is Stage {
  return typeof s === 'string' && (STAGES as readonly string[]).includes(s);
}

// ───────────────────────────── writing ─────────────────────────────

/**
 * The checkpoint as safetensors bytes: params in paramSpecs order (HF names and [in, out] layouts,
 * no lm_head.weight — it is tied to transformer.wte.weight), then extra tensors in map order, all F32,
 * contiguous; metadata as described in FORMAT.md. Throws CheckpointError('invalid-checkpoint'|'config')
 * when the checkpoint is inconsistent.
 */
export function writeCheckpoint(ckpt: Checkpoint, options: WriteOptions = {}): Uint8Array<ArrayBuffer> {
  const bad = (msg: string): never => {
    throw new CheckpointError('invalid-checkpoint', `cannot save checkpoint "${ckpt.meta?.name ?? '?'}": ${msg}`);
  };
  try {
    validateConfig(ckpt.config);
  } catch (e) {
    throw new CheckpointError('config', `cannot save checkpoint: invalid model config: ${(e as Error).message}`);
  }
  const specs = paramSpecs(ckpt.config);
  const specNames = new Set(specs.map((s) => s.name));
  const tensors: [string, TensorToWrite][] = [];
  for (const s of specs) {
    const data = ckpt.params.get(s.name);
    if (!data) bad(`parameter "${s.name}" is missing`);
    if (!(data instanceof Float32Array)) bad(`parameter "${s.name}" is not a Float32Array`);
    if (data!.length !== product(s.shape)) bad(`parameter "${s.name}" has ${data!.length} values but shape ${fmtShape(s.shape)} needs ${product(s.shape)}`);
    tensors.push([s.name, { shape: s.shape, data: data! }]);
  }
  for (const name of ckpt.params.keys()) if (!specNames.has(name)) bad(`"${name}" is not a parameter of this config (put other tensors in extraTensors)`);

  const extras = ckpt.extraTensors ?? new Map<string, Float32Array>();
  const specShape = new Map(specs.map((s) => [s.name, s.shape]));
  let moments = 0;
  for (const [name, data] of extras) {
    if (specNames.has(name)) bad(`extra tensor "${name}" has the name of a parameter`);
    if (name === 'lm_head.weight') bad('"lm_head.weight" is tied to transformer.wte.weight and must not be stored');
    if (!(data instanceof Float32Array)) bad(`extra tensor "${name}" is not a Float32Array`);
    let shape = ckpt.extraShapes?.get(name);
    if (isOptimizerKey(name)) {
      moments++;
      const param = name.slice(OPTIMIZER_M_PREFIX.length);
      const ps = specShape.get(param);
      if (!ps) bad(`optimizer tensor "${name}" belongs to no parameter`);
      if (data.length !== product(ps!)) bad(`optimizer tensor "${name}" has ${data.length} values but its parameter has ${product(ps!)}`);
      if (shape && !sameShape(shape, ps!)) bad(`optimizer tensor "${name}" has shape ${fmtShape(shape)} but its parameter is ${fmtShape(ps!)}`);
      shape = ps;
    }
    shape ??= [data.length];
    if (product(shape) !== data.length) bad(`extra tensor "${name}" has ${data.length} values but shape ${fmtShape(shape)}`);
    tensors.push([name, { shape, data }]);
  }
  if (moments > 0) {
    if (moments !== 2 * specs.length) bad(`optimizer state is incomplete: ${moments} moment tensors for ${specs.length} parameters (need "m" and "v" for each)`);
    const step = ckpt.meta.train?.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) bad('optimizer state is included but meta.train.step (the AdamW step count) is missing');
  }

  const m = ckpt.meta;
  if (!m || !isStage(m.stage)) bad(`stage must be one of ${STAGES.join(', ')} (got ${JSON.stringify(m?.stage)})`);
  if (typeof m.name !== 'string') bad('meta.name must be a string');
  if (typeof m.createdAt !== 'string') bad('meta.createdAt must be an ISO date string');
  if (!Array.isArray(m.lineage) || !m.lineage.every((l) => l && isStage(l.stage))) bad('meta.lineage must be a list of { stage, … } with valid stages');

  const json = (key: string, v: unknown): string => {
    try {
      return JSON.stringify(v === undefined ? null : v);
    } catch (e) {
      return bad(`meta.${key} cannot be stored as JSON (${(e as Error).message})`);
    }
  };
  const metadata: Record<string, string> = {
    format: 'pt',
    playground: PLAYGROUND_MARKER,
    playground_version: String(FORMAT_VERSION),
    config: JSON.stringify(hfConfigJson(ckpt.config, options.hf)),
    stage: m.stage,
    name: m.name,
    created_at: m.createdAt,
    lineage: json('lineage', m.lineage),
    tokenizer: json('tokenizer', m.tokenizer),
    history: json('history', m.history),
  };
  if (m.train !== undefined) metadata.train = json('train', m.train);
  return encodeSafetensors(tensors, metadata);
}

// ───────────────────────────── reading ─────────────────────────────

/**
 * Reads a checkpoint from the bytes of a .safetensors file. Aligned F32 tensors are views into `input`
 * (no copy; pass `copy: true` to detach them); other dtypes (F16, BF16, …) are converted to f32.
 * Throws CheckpointError — and only CheckpointError — with a message for the user.
 */
export function readCheckpoint(input: ArrayBufferLike | ArrayBufferView, options: ReadOptions = {}): Checkpoint {
  try {
    return readUnchecked(input, options);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('internal', `${describeFile(options.fileName)} could not be read: ${(e as Error)?.message ?? String(e)}`, options.fileName);
  }
}

/** readCheckpoint for a File/Blob (from an <input type=file>, drag-and-drop or IndexedDB); uses File.name. */
export async function readCheckpointBlob(blob: Blob, options: ReadOptions = {}): Promise<Checkpoint> {
  const fileName = options.fileName ?? (blob as Partial<File>).name;
  let buf: ArrayBuffer;
  try {
    buf = await blob.arrayBuffer();
  } catch (e) {
    throw new CheckpointError('internal', `${describeFile(fileName)} could not be read: ${(e as Error)?.message ?? String(e)}`, fileName);
  }
  return readCheckpoint(buf, { ...options, fileName });
}

function configSummary(c: GptConfig): string {
  return `vocab_size ${c.vocabSize}, n_positions ${c.contextLength}, n_layer ${c.layers}, n_head ${c.heads}, n_embd ${c.channels}`;
}

/** GPT-2 tensors stored by transformers that the engine recomputes or ties: skipped on load. */
const IGNORABLE = /^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/;

function readUnchecked(input: ArrayBufferLike | ArrayBufferView, options: ReadOptions): Checkpoint {
  const fileName = options.fileName;
  const file = describeFile(fileName);
  const warn = options.onWarning ?? (() => {});
  const st = parseSafetensors(input, fileName);
  const md = st.metadata;
  const ours = md?.playground === PLAYGROUND_MARKER;

  const metaFail = (msg: string): never => {
    throw new CheckpointError('metadata', `${file} is a damaged playground checkpoint: ${msg}`, fileName);
  };

  let config: GptConfig;
  if (ours) {
    const version = Number(md!.playground_version);
    if (!Number.isInteger(version) || version < 1) metaFail(`its format version "${md!.playground_version}" is not understood`);
    if (version > FORMAT_VERSION) {
      throw new CheckpointError('metadata', `${file} was saved by a newer version of the playground (checkpoint format ${version}; this one reads up to ${FORMAT_VERSION}). Reload the page to update.`, fileName);
    }
    if (md!.config === undefined) metaFail('the "config" metadata is missing');
    config = configFromHf(md!.config, fileName);
  } else {
    const looksGpt2 = st.byName.has('transformer.wte.weight') || st.byName.has('wte.weight');
    if (!options.config) {
      const names = st.tensors.slice(0, 3).map((t) => `"${t.name}"`).join(', ');
      throw new CheckpointError(
        'not-playground',
        looksGpt2
          ? `${file} is a safetensors file but not a playground checkpoint (it has no playground metadata). It does hold GPT-2 weights: to import it, also provide the model's config.json.`
          : `${file} is a safetensors file but not a playground checkpoint, and it does not hold GPT-2 weights (it has ${st.tensors.length} tensors${names ? `, e.g. ${names}` : ''}).`,
        fileName,
      );
    }
    config = options.config;
    try {
      validateConfig(config);
    } catch (e) {
      throw new CheckpointError('config', `invalid model config for ${file}: ${(e as Error).message}`, fileName);
    }
  }

  // Resolve each parameter to a tensor of the file (foreign files may lack the "transformer." prefix).
  const specs = paramSpecs(config);
  const used = new Set<string>();
  const found: [string, TensorInfo, readonly number[]][] = [];
  const missing: string[] = [];
  for (const s of specs) {
    let t = st.byName.get(s.name);
    if (!t && !ours && s.name.startsWith('transformer.')) t = st.byName.get(s.name.slice('transformer.'.length));
    if (!t) missing.push(s.name);
    else found.push([s.name, t, s.shape]);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 4).map((n) => `"${n}"`).join(', ');
    throw new CheckpointError(
      'missing-tensor',
      `${file} is missing ${missing.length} of the ${specs.length} tensors the model needs (${configSummary(config)}): ${shown}${missing.length > 4 ? ', …' : ''}.${ours ? '' : ' Does the config match the file?'}`,
      fileName,
    );
  }
  for (const [name, t, shape] of found) {
    if (!sameShape(t.shape, shape)) {
      throw new CheckpointError(
        'shape',
        `${file}: tensor "${t.name}" has shape ${fmtShape(t.shape)}, but the model config (${configSummary(config)}) needs ${fmtShape(shape)} for ${name}.`,
        fileName,
      );
    }
  }

  const load = (t: TensorInfo): Float32Array => {
    const a = tensorAsF32(st, t);
    return options.copy && a.buffer === st.bytes.buffer ? a.slice() : a;
  };
  const params = new Map<string, Float32Array>();
  for (const [name, t] of found) {
    params.set(name, load(t));
    used.add(t.name);
  }

  // Everything else: the tied head and attention-mask buffers of HF files are skipped, the rest kept.
  const extraTensors = new Map<string, Float32Array>();
  const extraShapes = new Map<string, number[]>();
  for (const t of st.tensors) {
    if (used.has(t.name)) continue;
    if (t.name === 'lm_head.weight') {
      warn(`${file}: "lm_head.weight" ignored — the LM head is tied to transformer.wte.weight.`);
      continue;
    }
    if (!ours && IGNORABLE.test(t.name)) continue;
    extraTensors.set(t.name, load(t));
    extraShapes.set(t.name, [...t.shape]);
  }

  let meta: CheckpointMeta;
  if (ours) {
    meta = readMeta(md!, metaFail);
  } else {
    const base = fileName ? fileName.replace(/\.safetensors$/i, '') : 'imported model';
    meta = { stage: 'base', name: md?.name ?? base, createdAt: new Date().toISOString(), lineage: [], tokenizer: null, history: null };
    warn(`${file} is not a playground checkpoint; imported its GPT-2 weights with the given config (stage "base", no tokenizer).`);
  }

  checkOptimizerState(specs.map((s) => s.name), params, extraTensors, extraShapes, meta, file, warn);
  const ckpt: Checkpoint = { config, params, meta };
  if (extraTensors.size > 0) {
    ckpt.extraTensors = extraTensors;
    ckpt.extraShapes = extraShapes;
  }
  return ckpt;
}

function readMeta(md: Record<string, string>, metaFail: (msg: string) => never): CheckpointMeta {
  const parse = (key: string, required: boolean): unknown => {
    const raw = md[key];
    if (raw === undefined) return required ? metaFail(`the "${key}" metadata is missing`) : null;
    try {
      return JSON.parse(raw);
    } catch {
      return metaFail(`the "${key}" metadata is not valid JSON`);
    }
  };
  const stage = md.stage;
  if (!isStage(stage)) metaFail(`its stage ${JSON.stringify(stage)} is not one of ${STAGES.join(', ')}`);
  if (typeof md.name !== 'string') metaFail('the "name" metadata is missing');
  if (typeof md.created_at !== 'string') metaFail('the "created_at" metadata is missing');
  const lineage = parse('lineage', true);
  if (!Array.isArray(lineage) || !lineage.every((l) => l !== null && typeof l === 'object' && isStage((l as LineageEntry).stage))) {
    metaFail('the "lineage" metadata is not a list of { stage, … }');
  }
  const meta: CheckpointMeta = {
    stage: stage as Stage,
    name: md.name,
    createdAt: md.created_at,
    lineage: lineage as LineageEntry[],
    tokenizer: parse('tokenizer', false),
    history: parse('history', false),
  };
  if (md.train !== undefined) {
    const train = parse('train', false) as TrainState | null;
    if (train === null || typeof train !== 'object' || Array.isArray(train) || typeof train.step !== 'number' || !Number.isInteger(train.step) || train.step < 0) {
      metaFail('the "train" metadata has no valid step count');
    }
    meta.train = train!;
  }
  return meta;
}

/** AdamW moments must cover every param with its shape, and come with a step count; otherwise drop them all. */
function checkOptimizerState(
  paramNames: string[],
  params: Map<string, Float32Array>,
  extras: Map<string, Float32Array>,
  shapes: Map<string, number[]>,
  meta: CheckpointMeta,
  file: string,
  warn: (m: string) => void,
): void {
  const keys = [...extras.keys()].filter(isOptimizerKey);
  if (keys.length === 0) return;
  let problem: string | null = null;
  for (const p of paramNames) {
    for (const kind of ['m', 'v'] as const) {
      const t = extras.get(optimizerKey(kind, p));
      if (!t) problem ??= `no "${optimizerKey(kind, p)}"`;
      else if (t.length !== params.get(p)!.length) problem ??= `"${optimizerKey(kind, p)}" does not match its parameter's size`;
    }
  }
  if (keys.length !== 2 * paramNames.length) problem ??= `${keys.length} moment tensors for ${paramNames.length} parameters`;
  if (!meta.train) problem ??= 'no training step count';
  if (problem) {
    for (const k of keys) {
      extras.delete(k);
      shapes.delete(k);
    }
    warn(`${file}: its optimizer state is incomplete (${problem}); it was dropped — resumed training starts with fresh AdamW moments.`);
  }
}

