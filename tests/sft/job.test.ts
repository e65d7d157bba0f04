// The worker's fine-tuning job (src/model/worker/sft-job.ts) in Node on Dawn, with an in-memory checkpoint
// store: a tiny base model is fine-tuned into a checkpoint with stage 'sft' and its lineage, evaluated before
// and after; a base whose weights hold a NaN stops at the first step with the 'diverged' ending and keeps
// the last good weights as an autosave; malformed pairs are refused with the pair's number.
import { describe, expect, it } from 'vitest';
import { batchedTestGpu } from '../helpers/gpu.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import type { Checkpoint } from '../../src/model/checkpoint/index.ts';
import type { CheckpointStore, StoredCheckpointInfo } from '../../src/model/checkpoint/store.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import { SftJob } from '../../src/model/worker/sft-job.ts';
import type { EngineEvent } from '../../src/model/worker/protocol.ts';
import type { SftSpec } from '../../src/model/worker/sft-protocol.ts';
import { qaPair } from '../../src/ui/sft/table.ts';

const TEXT = 'What is red? An apple is red. What is yellow? A banana is yellow.';

/** Just what the job uses of the store, in memory. */
function memoryStore(base: Checkpoint) {
  const saved: { ckpt: Checkpoint; autosave: boolean; parentId?: string }[] = [];
  const info = (ckpt: Checkpoint, i: number, autosave: boolean) => ({ id: `c${i}`, name: ckpt.meta.name, stage: ckpt.meta.stage, step: ckpt.meta.train?.step ?? null, autosave }) as unknown as StoredCheckpointInfo;
  const store = {
    load: async (id: string) => {
      if (id !== 'base') throw new Error(`no checkpoint ${id}`);
      return base;
    },
    save: async (ckpt: Checkpoint, o: { parentId?: string } = {}) => {
      saved.push({ ckpt, autosave: false, parentId: o.parentId });
      return info(ckpt, saved.length, false);
    },
    saveAutosave: async (_runId: string, ckpt: Checkpoint) => {
      saved.push({ ckpt, autosave: true });
      return info(ckpt, saved.length, true);
    },
    latestAutosave: async () => null,
    removeAutosaves: async () => saved.filter((s) => s.autosave).length,
  };
  return { store: store as unknown as CheckpointStore, saved };
}

function baseCheckpoint(poison: boolean): Checkpoint {
  const tok = buildCharTokenizer(TEXT);
  const config: GptConfig = { vocabSize: tok.vocabSize, contextLength: 32, layers: 1, heads: 2, channels: 16 };
  const params = initParams(config, 7);
  if (poison) params.get('transformer.h.0.mlp.c_fc.weight')![5] = NaN;
  return {
    config,
    params,
    meta: {
      stage: 'base',
      name: 'tiny base',
      createdAt: new Date().toISOString(),
      lineage: [{ stage: 'base', name: 'tiny base', corpus: 'file:test.txt' }],
      tokenizer: tok.toJSON(),
      history: null,
    },
  };
}

function spec(train = [qaPair('What is red?', 'An apple is red.'), qaPair('What is yellow?', 'A banana is yellow.')]): SftSpec {
  const held = [qaPair('What is yellow?', 'A banana is yellow.')];
  return {
    baseId: 'base',
    name: 'tiny sft',
    data: 'test pairs',
    train,
    heldOut: held,
    trainedProbe: [train[0]],
    world: null,
    tooLong: 'truncate',
    examples: [held[0]],
    settings: { steps: 3, batch: 2, lr: 1e-3, warmup: 1, evalEvery: 2, autosaveEvery: 2, maxAnswerTokens: 3 },
  };
}

describe('SFT job in the worker', () => {
  it('fine-tunes a stored base into an sft checkpoint with lineage, evaluated before and after', async () => {
    const gpu = await batchedTestGpu();
    const { store, saved } = memoryStore(baseCheckpoint(false));
    const events: EngineEvent[] = [];
    const job = new SftJob('run-1', { gpu, store, post: (e) => events.push(e), gpuIdle: async () => {} });
    const r = await job.run(spec());
    expect(r.status).toBe('done');
    expect(r.step).toBe(3);
    const final = saved.find((s) => !s.autosave)!;
    expect(final.parentId).toBe('base');
    expect(final.ckpt.meta.stage).toBe('sft');
    expect(final.ckpt.meta.lineage.map((e) => e.stage)).toEqual(['base', 'sft']);
    expect(final.ckpt.meta.lineage[1]).toMatchObject({ parent: 'tiny base', data: 'test pairs' });
    expect(saved.filter((s) => s.autosave).map((s) => s.ckpt.meta.train?.step)).toEqual([2]);
    const steps = events.filter((e) => e.type === 'sft-step');
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3]);
    const evals = events.flatMap((e) => (e.type === 'sft-eval' ? [e] : []));
    expect(evals.map((e) => [e.when, e.step])).toEqual([['before', 0], ['during', 2], ['after', 3]]);
    for (const e of evals) expect(Number.isFinite(e.valLoss)).toBe(true);
    expect(evals[0].heldoutAccuracy).not.toBeNull();
    expect(evals[2].examples.map((x) => x.question)).toEqual(['What is yellow?']);
    // The weights changed.
    const w0 = baseCheckpoint(false).params.get('transformer.wte.weight')!;
    const w1 = final.ckpt.params.get('transformer.wte.weight')!;
    expect(w1.some((v, i) => v !== w0[i])).toBe(true);
  });

  it('stops with a clear message when the loss is not finite, keeping the last good weights', async () => {
    const gpu = await batchedTestGpu();
    const { store, saved } = memoryStore(baseCheckpoint(true));
    const job = new SftJob('run-2', { gpu, store, post: () => {}, gpuIdle: async () => {} });
    const r = await job.run(spec());
    expect(r.status).toBe('diverged');
    if (r.status !== 'diverged') return;
    expect(r.step).toBe(0);
    expect(r.message).toMatch(/not a finite number/);
    expect(r.autosave).not.toBeNull();
    expect(saved.map((s) => s.autosave)).toEqual([true]);
    // What was kept are the weights before the refused step: the base's own (its NaN included).
    const kept = saved[0].ckpt.params.get('transformer.wte.weight')!;
    expect(Array.from(kept)).toEqual(Array.from(baseCheckpoint(true).params.get('transformer.wte.weight')!));
  });

  it('refuses malformed pairs, naming the pair', async () => {
    const gpu = await batchedTestGpu();
    const { store } = memoryStore(baseCheckpoint(false));
    const job = new SftJob('run-3', { gpu, store, post: () => {}, gpuIdle: async () => {} });
    const bad = [qaPair('Fine?', 'Yes.'), { messages: [{ role: 'robot', content: 'x' }], lang: 'en' }] as unknown as SftSpec['train'];
    await expect(job.run(spec(bad))).rejects.toThrow(/pair 2: .*unknown role "robot"/);
    const empty = [qaPair('Fine?', '   ')];
    await expect(new SftJob('run-4', { gpu, store, post: () => {}, gpuIdle: async () => {} }).run(spec(empty))).rejects.toThrow(/pair 1: message 2 has empty content/);
  });
});
