// Playground checkpoints: round trip (config, every param bit-exact, metadata, extras, optimizer state),
// the HF GPT2LMHeadModel layout, config.json, and every way a file can be wrong for the model.
import { describe, expect, it } from 'vitest';
import { initParams, paramCount, paramSpecs, type GptConfig } from '../../src/model/config.ts';
import {
  CheckpointError,
  FORMAT_VERSION,
  checkpointFileName,
  configFromHf,
  encodeSafetensors,
  hfConfigJson,
  optimizerKey,
  parseSafetensors,
  readCheckpoint,
  readCheckpointBlob,
  stripOptimizerState,
  writeCheckpoint,
  type Checkpoint,
  type CheckpointErrorCode,
  type TensorToWrite,
} from '../../src/model/checkpoint/index.ts';
import { Rng } from '../../src/model/reference/random.ts';

const tiny: GptConfig = { vocabSize: 37, contextLength: 9, layers: 2, heads: 2, channels: 8 };

function expectError(fn: () => unknown, code: CheckpointErrorCode, ...fragments: (string | RegExp)[]): CheckpointError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a CheckpointError').toBeInstanceOf(CheckpointError);
  const err = caught as CheckpointError;
  expect(err.code, err.message).toBe(code);
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

function makeCheckpoint(config = tiny, seed = 1, withOptimizer = false): Checkpoint {
  const params = initParams(config, seed);
  // Awkward values must survive bit-exactly.
  const wte = params.get('transformer.wte.weight')!;
  wte[0] = -0;
  wte[1] = NaN;
  wte[2] = 1e-45; // subnormal
  wte[3] = -Infinity;
  wte[4] = 3.4028234663852886e38;
  const extraTensors = new Map<string, Float32Array>([['score.weight', new Float32Array(config.channels).map((_, i) => i / 7)]]);
  const extraShapes = new Map([['score.weight', [1, config.channels]]]);
  if (withOptimizer) {
    const rng = new Rng(seed + 1);
    for (const s of paramSpecs(config)) {
      const n = params.get(s.name)!.length;
      extraTensors.set(optimizerKey('m', s.name), Float32Array.from(rng.normals(n, 1e-3)));
      extraTensors.set(optimizerKey('v', s.name), Float32Array.from(rng.uniform(n, 0, 1e-6)));
    }
  }
  return {
    config,
    params,
    extraTensors,
    extraShapes,
    meta: {
      stage: 'reward',
      name: 'tiny “reward” model ✓',
      createdAt: '2025-01-02T03:04:05.678Z',
      lineage: [
        { stage: 'base', name: 'tiny-base', createdAt: '2025-01-01T00:00:00.000Z' },
        { stage: 'sft', name: 'tiny-sft', parent: 'tiny-base' },
      ],
      tokenizer: { type: 'bpe', vocab: { a: 0, 'b\u0000c': 1 }, merges: [['a', 'b']] },
      history: { loss: [5.1, 4.2, 3.3], steps: [0, 10, 20] },
      ...(withOptimizer ? { train: { step: 1234, lr: 3e-4 } } : {}),
    },
  };
}

const bitsEqual = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  expect(new Uint32Array(a.slice().buffer)).toEqual(new Uint32Array(b.slice().buffer));
};

/** A safetensors file written by hand (not by the library writer): header JSON + F32 data. */
function handWrite(tensors: [string, number[], Float32Array][], metadata?: Record<string, string>): Uint8Array {
  let offset = 0;
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * data.length] };
    offset += 4 * data.length;
  }
  let text = JSON.stringify(header);
  while (text.length % 8) text += ' ';
  const out = new Uint8Array(8 + text.length + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, text.length, true);
  for (let i = 0; i < text.length; i++) out[8 + i] = text.charCodeAt(i);
  let at = 8 + text.length;
  for (const [, , data] of tensors) for (const v of data) (dv.setFloat32(at, v, true), (at += 4));
  return out;
}

describe('round trip', () => {
  it('config, every param bit-exact, extras with shapes, metadata', () => {
    const ckpt = makeCheckpoint();
    const bytes = writeCheckpoint(ckpt);
    const back = readCheckpoint(bytes, { fileName: 'tiny.safetensors' });
    expect(back.config).toEqual(tiny);
    expect([...back.params.keys()]).toEqual(paramSpecs(tiny).map((s) => s.name));
    for (const [name, v] of ckpt.params) bitsEqual(back.params.get(name)!, v);
    expect([...back.extraTensors!.keys()]).toEqual(['score.weight']);
    bitsEqual(back.extraTensors!.get('score.weight')!, ckpt.extraTensors!.get('score.weight')!);
    expect(back.extraShapes!.get('score.weight')).toEqual([1, 8]);
    expect(back.meta).toEqual(ckpt.meta);
  });

  it('AdamW moments and the step count survive in the same file; stripOptimizerState drops them', () => {
    const ckpt = makeCheckpoint(tiny, 3, true);
    const bytes = writeCheckpoint(ckpt);
    const back = readCheckpoint(bytes);
    expect(back.meta.train).toEqual({ step: 1234, lr: 3e-4 });
    for (const s of paramSpecs(tiny)) {
      for (const k of ['m', 'v'] as const) {
        bitsEqual(back.extraTensors!.get(optimizerKey(k, s.name))!, ckpt.extraTensors!.get(optimizerKey(k, s.name))!);
        expect(back.extraShapes!.get(optimizerKey(k, s.name))).toEqual(s.shape);
      }
    }
    const slim = writeCheckpoint(stripOptimizerState(ckpt));
    expect(slim.length).toBeLessThan(bytes.length / 2.5);
    const slimBack = readCheckpoint(slim);
    expect([...slimBack.extraTensors!.keys()]).toEqual(['score.weight']);
  });

  it('undefined tokenizer/history come back as null; a checkpoint without extras has none', () => {
    const ckpt: Checkpoint = {
      config: tiny,
      params: initParams(tiny, 9),
      meta: { stage: 'base', name: 'b', createdAt: 'now', lineage: [], tokenizer: undefined, history: undefined },
    };
    const back = readCheckpoint(writeCheckpoint(ckpt));
    expect(back.meta).toEqual({ stage: 'base', name: 'b', createdAt: 'now', lineage: [], tokenizer: null, history: null });
    expect(back.extraTensors).toBeUndefined();
  });

  it('reads from a Blob/File, taking the file name for messages', async () => {
    const bytes = writeCheckpoint(makeCheckpoint());
    const back = await readCheckpointBlob(new Blob([bytes]));
    expect(back.config).toEqual(tiny);
    const file = new File([bytes.subarray(0, 100)], 'cut.safetensors');
    await expect(readCheckpointBlob(file)).rejects.toThrow(/"cut.safetensors"/);
  });
});

describe('layout', () => {
  it('HF GPT2LMHeadModel names in state-dict order, contiguous offsets, no lm_head, F32, padded header', () => {
    const bytes = writeCheckpoint(makeCheckpoint());
    const f = parseSafetensors(bytes);
    expect(f.headerLength % 8).toBe(0);
    const specs = paramSpecs(tiny);
    expect(f.tensors.map((t) => t.name)).toEqual([...specs.map((s) => s.name), 'score.weight']);
    expect(f.tensors.map((t) => t.shape)).toEqual([...specs.map((s) => s.shape), [1, 8]]);
    expect(f.byName.has('lm_head.weight')).toBe(false);
    expect(f.byName.get('transformer.h.1.attn.c_attn.weight')!.shape).toEqual([8, 24]); // Conv1D [in, out]
    expect(f.byName.get('transformer.h.0.mlp.c_proj.weight')!.shape).toEqual([32, 8]);
    let pos = 0;
    for (const t of f.tensors) {
      expect(t.dtype).toBe('F32');
      expect(t.begin).toBe(pos);
      pos = t.end;
    }
    expect(pos).toBe(bytes.length - f.dataStart);
    expect(f.dataStart % 8).toBe(0);
  });

  it('metadata keys: format pt, marker, HF config, stage, lineage, tokenizer, history — all strings', () => {
    const f = parseSafetensors(writeCheckpoint(makeCheckpoint(tiny, 1, true)));
    const md = f.metadata!;
    expect(Object.keys(md).sort()).toEqual(
      ['config', 'created_at', 'format', 'history', 'lineage', 'name', 'playground', 'playground_version', 'stage', 'tokenizer', 'train'].sort(),
    );
    for (const v of Object.values(md)) expect(typeof v).toBe('string');
    expect(md.format).toBe('pt');
    expect(md.playground_version).toBe(String(FORMAT_VERSION));
    const cfg = JSON.parse(md.config);
    expect(cfg).toMatchObject({ model_type: 'gpt2', n_embd: 8, n_layer: 2, n_head: 2, n_positions: 9, vocab_size: 37 });
    expect(md.stage).toBe('reward');
  });

  it('a ~12M-parameter model (~49 MB) reads as views into the file buffer, no copies', () => {
    const config: GptConfig = { vocabSize: 4096, contextLength: 256, layers: 6, heads: 6, channels: 384 };
    const params = new Map<string, Float32Array>();
    for (const s of paramSpecs(config)) params.set(s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(0.25));
    expect(paramCount(config)).toBeGreaterThan(10_500_000);
    const bytes = writeCheckpoint({ config, params, meta: { stage: 'base', name: 'big', createdAt: 'x', lineage: [], tokenizer: null, history: null } });
    expect(bytes.length).toBeGreaterThan(4 * paramCount(config));
    expect(bytes.length).toBeLessThan(4 * paramCount(config) + 16384); // header: a few KB
    const back = readCheckpoint(bytes);
    for (const v of back.params.values()) expect(v.buffer).toBe(bytes.buffer);
    expect(back.params.get('transformer.ln_f.bias')![383]).toBe(0.25);
    const copied = readCheckpoint(bytes, { copy: true });
    for (const v of copied.params.values()) expect(v.buffer).not.toBe(bytes.buffer);
  });

  it('unaligned input is copied and still exact', () => {
    const ckpt = makeCheckpoint();
    const bytes = writeCheckpoint(ckpt);
    const shifted = new Uint8Array(bytes.length + 2);
    shifted.set(bytes, 2);
    const back = readCheckpoint(shifted.subarray(2));
    for (const [name, v] of ckpt.params) bitsEqual(back.params.get(name)!, v);
  });
});

describe('HF config.json', () => {
  it('hfConfigJson has what GPT2LMHeadModel.from_pretrained needs', () => {
    const j = hfConfigJson(tiny);
    expect(j).toMatchObject({
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      activation_function: 'gelu_new',
      n_inner: null,
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
      n_embd: 8,
      n_layer: 2,
      n_head: 2,
      n_positions: 9,
      n_ctx: 9,
      vocab_size: 37,
      scale_attn_weights: true,
      scale_attn_by_inverse_layer_idx: false,
    });
    expect(hfConfigJson(tiny, { eosTokenId: 36 }).eos_token_id).toBe(36);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });

  it('configFromHf inverts it and rejects what the engine cannot compute', () => {
    expect(configFromHf(hfConfigJson(tiny))).toEqual(tiny);
    expect(configFromHf(JSON.stringify(hfConfigJson(tiny)))).toEqual(tiny);
    // The stock GPT-2 small config.
    const gpt2 = { activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], layer_norm_epsilon: 1e-5, model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, vocab_size: 50257 };
    expect(configFromHf(gpt2)).toEqual({ vocabSize: 50257, contextLength: 1024, layers: 12, heads: 12, channels: 768 });
    expectError(() => configFromHf({ ...gpt2, activation_function: 'relu' }), 'config', /activation_function "relu"/);
    expectError(() => configFromHf({ ...gpt2, n_inner: 1000 }), 'config', /n_inner/);
    expectError(() => configFromHf({ ...gpt2, model_type: 'llama' }), 'config', /only GPT-2/);
    expectError(() => configFromHf({ ...gpt2, n_head: 7 }), 'config', /divisible/);
    expectError(() => configFromHf({ ...gpt2, n_embd: undefined }), 'config', /"n_embd" must be a positive integer/);
    expectError(() => configFromHf('{nope', 'config.json'), 'config', /"config.json": not valid JSON/);
  });
});

describe('checkpoint validation', () => {
  const good = () => writeCheckpoint(makeCheckpoint());

  /** Rewrites a good checkpoint's tensors/metadata through the (already tested) encoder. */
  function variant(edit: (tensors: [string, TensorToWrite][], md: Record<string, string>) => void): Uint8Array {
    const f = parseSafetensors(good());
    const tensors: [string, TensorToWrite][] = f.tensors.map((t) => [t.name, { shape: t.shape, data: new Float32Array(f.bytes.buffer, f.dataStart + t.begin, (t.end - t.begin) / 4).slice() }]);
    const md = { ...f.metadata! };
    edit(tensors, md);
    return encodeSafetensors(tensors, md);
  }

  it('missing tensors', () => {
    const bytes = variant((t) => t.splice(4, 2));
    expectError(() => readCheckpoint(bytes, { fileName: 'm.safetensors' }), 'missing-tensor', /"m.safetensors" is missing 2 of the 28 tensors/, /transformer\.h\.0\.attn\.c_attn\.weight/);
  });

  it('a shape that contradicts the config', () => {
    const bytes = variant((t) => {
      t[0] = ['transformer.wte.weight', { shape: [36, 8], data: new Float32Array(36 * 8) }];
    });
    expectError(() => readCheckpoint(bytes), 'shape', /"transformer\.wte\.weight" has shape \[36, 8\], but the model config \(vocab_size 37.*needs \[37, 8\]/);
    const transposed = variant((t) => {
      const i = t.findIndex(([n]) => n === 'transformer.h.0.attn.c_attn.weight');
      t[i] = [t[i][0], { shape: [24, 8], data: t[i][1].data }];
    });
    expectError(() => readCheckpoint(transposed), 'shape', /has shape \[24, 8\].*needs \[8, 24\]/);
  });

  it('damaged metadata: bad config, stage, lineage, train, newer version', () => {
    expectError(() => readCheckpoint(variant((_, md) => (md.config = '{"n_embd": 8'))), 'config', /not valid JSON/);
    expectError(() => readCheckpoint(variant((_, md) => delete md.config)), 'metadata', /"config" metadata is missing/);
    expectError(() => readCheckpoint(variant((_, md) => (md.stage = 'pretrain'))), 'metadata', /stage "pretrain" is not one of/);
    expectError(() => readCheckpoint(variant((_, md) => (md.lineage = '{}'))), 'metadata', /lineage/);
    expectError(() => readCheckpoint(variant((_, md) => (md.history = '[1,'))), 'metadata', /"history" metadata is not valid JSON/);
    expectError(() => readCheckpoint(variant((_, md) => (md.train = '{"lr":1}'))), 'metadata', /step/);
    expectError(() => readCheckpoint(variant((_, md) => (md.playground_version = '2')), { fileName: 'new.safetensors' }), 'metadata', /newer version/);
  });

  it('a truncated file', () => {
    const bytes = good();
    expectError(() => readCheckpoint(bytes.subarray(0, bytes.length - 10), { fileName: 't.safetensors' }), 'truncated', /"t.safetensors" is truncated/);
    expectError(() => readCheckpoint(bytes.subarray(0, 50), { fileName: 't.safetensors' }), 'header-length', /truncated/);
  });

  it('incomplete optimizer state is dropped with a warning, the model still loads', () => {
    const bytes = variant((t) => {
      const i = t.findIndex(([n]) => n === 'score.weight');
      t.push([optimizerKey('m', 'transformer.wte.weight'), { shape: [37, 8], data: new Float32Array(37 * 8) }]);
      void i;
    });
    const warnings: string[] = [];
    const back = readCheckpoint(bytes, { onWarning: (w) => warnings.push(w) });
    expect([...back.extraTensors!.keys()]).toEqual(['score.weight']);
    expect(warnings.join('\n')).toMatch(/optimizer state is incomplete/);
  });

  it('writeCheckpoint refuses inconsistent checkpoints', () => {
    const c = makeCheckpoint();
    c.params.delete('transformer.ln_f.bias');
    expectError(() => writeCheckpoint(c), 'invalid-checkpoint', /"transformer\.ln_f\.bias" is missing/);
    const d = makeCheckpoint();
    d.params.set('transformer.wpe.weight', new Float32Array(3));
    expectError(() => writeCheckpoint(d), 'invalid-checkpoint', /has 3 values/);
    const e = makeCheckpoint();
    e.extraTensors!.set('lm_head.weight', new Float32Array(37 * 8));
    expectError(() => writeCheckpoint(e), 'invalid-checkpoint', /tied/);
    const g = makeCheckpoint(tiny, 1, true);
    delete g.meta.train;
    expectError(() => writeCheckpoint(g), 'invalid-checkpoint', /train\.step/);
    const h = makeCheckpoint(tiny, 1, true);
    h.extraTensors!.delete(optimizerKey('v', 'transformer.wpe.weight'));
    expectError(() => writeCheckpoint(h), 'invalid-checkpoint', /optimizer state is incomplete/);
    const k = makeCheckpoint();
    (k.meta as { stage: string }).stage = 'pretraining';
    expectError(() => writeCheckpoint(k), 'invalid-checkpoint', /stage must be one of/);
    expectError(() => writeCheckpoint({ ...makeCheckpoint(), config: { ...tiny, heads: 3 } }), 'config', /divisible/);
  });

  it('random corruption of a checkpoint only ever yields a CheckpointError', () => {
    const base = good();
    const rng = new Rng(99);
    for (let trial = 0; trial < 300; trial++) {
      const bytes = base.slice();
      for (let k = 0; k < 3; k++) bytes[rng.int(Math.min(bytes.length, 8 + 600))] = rng.int(256);
      try {
        readCheckpoint(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(CheckpointError);
      }
    }
  });
});

describe('foreign safetensors files', () => {
  /** A transformers-style GPT-2 file written by hand: no "transformer." prefix, attention-mask buffers, lm_head. */
  function hfStyleFile(withMetadata: boolean): { bytes: Uint8Array; params: Map<string, Float32Array> } {
    const params = initParams(tiny, 5);
    const tensors: [string, number[], Float32Array][] = [];
    for (const s of paramSpecs(tiny)) {
      tensors.push([s.name.replace(/^transformer\./, ''), s.shape, params.get(s.name)!]);
      const m = /^transformer\.h\.(\d+)\.ln_1\.weight$/.exec(s.name);
      if (m) tensors.push([`h.${m[1]}.attn.bias`, [1, 1, 9, 9], new Float32Array(81).fill(1)]);
    }
    tensors.push(['lm_head.weight', [37, 8], params.get('transformer.wte.weight')!]);
    return { bytes: handWrite(tensors, withMetadata ? { format: 'pt' } : undefined), params };
  }

  it('without a config: says it is not a playground checkpoint but holds GPT-2 weights', () => {
    const { bytes } = hfStyleFile(true);
    expectError(() => readCheckpoint(bytes, { fileName: 'model.safetensors' }), 'not-playground', /"model.safetensors" is a safetensors file but not a playground checkpoint/, /GPT-2 weights/, /config\.json/);
    const other = handWrite([['model.embed_tokens.weight', [2, 2], new Float32Array(4)]], { format: 'pt' });
    expectError(() => readCheckpoint(other), 'not-playground', /does not hold GPT-2 weights/, /model\.embed_tokens\.weight/);
  });

  it('with the config from its config.json: imports the weights, skipping buffers and the tied head', () => {
    const { bytes, params } = hfStyleFile(false);
    const warnings: string[] = [];
    const back = readCheckpoint(bytes, { fileName: 'gpt2-tiny.safetensors', config: configFromHf(hfConfigJson(tiny)), onWarning: (w) => warnings.push(w) });
    expect(back.config).toEqual(tiny);
    for (const [name, v] of params) bitsEqual(back.params.get(name)!, v);
    expect(back.extraTensors).toBeUndefined();
    expect(back.meta).toMatchObject({ stage: 'base', name: 'gpt2-tiny', lineage: [], tokenizer: null, history: null });
    expect(warnings.join('\n')).toMatch(/lm_head/);
  });

  it('with a config that does not match: names the contradiction', () => {
    const { bytes } = hfStyleFile(false);
    expectError(() => readCheckpoint(bytes, { config: { ...tiny, vocabSize: 50 } }), 'shape', /"wte\.weight" has shape \[37, 8\].*needs \[50, 8\]/);
    expectError(() => readCheckpoint(bytes, { config: { ...tiny, layers: 3 } }), 'missing-tensor', /Does the config match the file\?/);
  });
});

describe('file names', () => {
  it('checkpointFileName is file-system safe', () => {
    expect(checkpointFileName({ name: ' My model / v2: “best” ', stage: 'sft' })).toBe('My-model-v2-best.sft.safetensors');
    expect(checkpointFileName({ name: '', stage: 'base' })).toBe('model.base.safetensors');
  });
});
