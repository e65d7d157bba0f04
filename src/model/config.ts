// GPT-2 model configuration and the parameter list, named and laid out as Hugging Face's GPT2LMHeadModel
// (Conv1D weights stored [in, out]) so checkpoints map one-to-one onto its state dict.
import { Rng } from './reference/random.ts';

export interface GptConfig {
  vocabSize: number;
  /** Longest context the position table covers (n_positions). */
  contextLength: number;
  layers: number;
  heads: number;
  /** Model width d (n_embd); must divide by heads. */
  channels: number;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Matrices get weight decay; biases, LayerNorm gains and… nothing else does (nanoGPT's rule: dim ≥ 2). */
  decay: boolean;
  init: { kind: 'normal'; std: number } | { kind: 'const'; value: number };
}

export function validateConfig(c: GptConfig): void {
  const ints = [c.vocabSize, c.contextLength, c.layers, c.heads, c.channels];
  if (!ints.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`model config needs positive integers: ${JSON.stringify(c)}`);
  if (c.channels % c.heads !== 0) throw new Error(`channels (${c.channels}) must be divisible by heads (${c.heads})`);
}

/** Every parameter in state-dict order, with GPT-2's initialisation (residual projections scaled by 1/√(2·layers)). */
export function paramSpecs(c: GptConfig): ParamSpec[] {
  validateConfig(c);
  const C = c.channels;
  const normal = (std: number) => ({ kind: 'normal' as const, std });
  const ones = { kind: 'const' as const, value: 1 };
  const zeros = { kind: 'const' as const, value: 0 };
  const residualStd = 0.02 / Math.sqrt(2 * c.layers);
  const specs: ParamSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, C], decay: true, init: normal(0.02) },
    { name: 'transformer.wpe.weight', shape: [c.contextLength, C], decay: true, init: normal(0.02) },
  ];
  for (let l = 0; l < c.layers; l++) {
    const p = `transformer.h.${l}.`;
    specs.push(
      { name: `${p}ln_1.weight`, shape: [C], decay: false, init: ones },
      { name: `${p}ln_1.bias`, shape: [C], decay: false, init: zeros },
      { name: `${p}attn.c_attn.weight`, shape: [C, 3 * C], decay: true, init: normal(0.02) },
      { name: `${p}attn.c_attn.bias`, shape: [3 * C], decay: false, init: zeros },
      { name: `${p}attn.c_proj.weight`, shape: [C, C], decay: true, init: normal(residualStd) },
      { name: `${p}attn.c_proj.bias`, shape: [C], decay: false, init: zeros },
      { name: `${p}ln_2.weight`, shape: [C], decay: false, init: ones },
      { name: `${p}ln_2.bias`, shape: [C], decay: false, init: zeros },
      { name: `${p}mlp.c_fc.weight`, shape: [C, 4 * C], decay: true, init: normal(0.02) },
      { name: `${p}mlp.c_fc.bias`, shape: [4 * C], decay: false, init: zeros },
      { name: `${p}mlp.c_proj.weight`, shape: [4 * C, C], decay: true, init: normal(residualStd) },
      { name: `${p}mlp.c_proj.bias`, shape: [C], decay: false, init: zeros },
    );
  }
  specs.push(
    { name: 'transformer.ln_f.weight', shape: [C], decay: false, init: ones },
    { name: 'transformer.ln_f.bias', shape: [C], decay: false, init: zeros },
  );
  return specs;
}

export function paramCount(c: GptConfig): number {
  return paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Seeded initial values for every parameter, by name. */
export function initParams(c: GptConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  for (const s of paramSpecs(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (s.init.kind === 'normal') for (let i = 0; i < n; i++) v[i] = rng.normal(0, s.init.std);
    else v.fill(s.init.value);
    out.set(s.name, v);
  }
  return out;
}
