// Hugging Face GPT-2 config.json ⇄ GptConfig.

import { validateConfig, type GptConfig } from '../config.ts';
import { CheckpointError } from './errors.ts';

export interface HfConfigOptions {
  /** Token ids for the config; null (the default) because the tokenizer is opaque here and HF's
   *  defaults (50256) would point outside a small vocabulary. */
  bosTokenId?: number | null;
  eosTokenId?: number | null;
  padTokenId?: number | null;
  /** Default ['GPT2LMHeadModel']; e.g. ['GPT2ForSequenceClassification'] for a reward model with "score.weight". */
  architectures?: string[];
  /** Extra keys merged in last (e.g. { num_labels: 1 }). */
  extra?: Record<string, unknown>;
}

/**
 * A config.json for transformers' GPT2LMHeadModel matching the playground's architecture: tanh GELU
 * ("gelu_new"), MLP width 4·d (n_inner null), LayerNorm eps 1e-5, attention scaled by 1/√head_size,
 * LM head tied to wte, no dropout (the playground trains without it). Put it beside the
 * .safetensors file (renamed model.safetensors) and `GPT2LMHeadModel.from_pretrained(folder)` loads it.
 */
export function hfConfigJson(config: GptConfig, options: HfConfigOptions = {}): Record<string, unknown> {
  try {
    validateConfig(config);
  } catch (e) {
    throw new CheckpointError('config', `invalid model config: ${(e as Error).message}`);
  }
  return {
    architectures: options.architectures ?? ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: config.vocabSize,
    n_positions: config.contextLength,
    n_ctx: config.contextLength,
    n_embd: config.channels,
    n_layer: config.layers,
    n_head: config.heads,
    n_inner: null,
    activation_function: 'gelu_new',
    resid_pdrop: 0.0,
    embd_pdrop: 0.0,
    attn_pdrop: 0.0,
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    use_cache: true,
    bos_token_id: options.bosTokenId ?? null,
    eos_token_id: options.eosTokenId ?? null,
    pad_token_id: options.padTokenId ?? null,
    torch_dtype: 'float32',
    ...options.extra,
  };
}

/**
 * GptConfig from a Hugging Face GPT-2 config.json (object or JSON text). Rejects, with a message,
 * the variants the playground's engine does not compute (another activation, MLP width, LayerNorm eps,
 * untied head, per-layer attention scaling).
 */
export function configFromHf(json: unknown, fileName?: string): GptConfig {
  const where = fileName ? `"${fileName}"` : 'the model config';
  const fail = (msg: string): never => {
    throw new CheckpointError('config', `${where}: ${msg}`, fileName);
  };
  let c: unknown = json;
  if (typeof json === 'string') {
    try {
      c = JSON.parse(json);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message})`);
    }
  }
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return fail('not a JSON object');
  const o = c as Record<string, unknown>;
  if (o.model_type !== undefined && o.model_type !== 'gpt2') fail(`model_type is "${String(o.model_type)}"; only GPT-2 ("gpt2") models can be loaded`);
  const int = (key: string, value: unknown = o[key]): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) return fail(`"${key}" must be a positive integer (got ${JSON.stringify(value)})`);
    return value;
  };
  const channels = int('n_embd');
  const config: GptConfig = {
    vocabSize: int('vocab_size'),
    contextLength: o.n_positions !== undefined ? int('n_positions') : int('n_ctx'),
    layers: int('n_layer'),
    heads: int('n_head'),
    channels,
  };
  if (o.n_inner !== undefined && o.n_inner !== null && o.n_inner !== 4 * channels) fail(`n_inner ${JSON.stringify(o.n_inner)} is not supported (the MLP must be 4·n_embd = ${4 * channels})`);
  const act = o.activation_function;
  if (act !== undefined && act !== 'gelu_new' && act !== 'gelu_pytorch_tanh' && act !== 'gelu_fast') {
    fail(`activation_function "${String(act)}" is not supported (the engine uses the tanh GELU, "gelu_new")`);
  }
  const eps = o.layer_norm_epsilon;
  if (eps !== undefined && (typeof eps !== 'number' || Math.abs(eps - 1e-5) > 1e-12)) fail(`layer_norm_epsilon ${JSON.stringify(eps)} is not supported (the engine uses 1e-5)`);
  if (o.tie_word_embeddings === false) fail('tie_word_embeddings is false; the engine ties the LM head to wte');
  if (o.scale_attn_by_inverse_layer_idx === true) fail('scale_attn_by_inverse_layer_idx is not supported');
  if (o.scale_attn_weights === false) fail('scale_attn_weights false is not supported');
  try {
    validateConfig(config);
  } catch (e) {
    fail((e as Error).message);
  }
  return config;
}
