// A tiny model must memorise a short text: the whole training loop (batches, schedule, clipping, AdamW,
// divergence guard) working together, end to end on the GPU.
import { describe, it, expect } from 'vitest';
import { batchedTestGpu } from '../helpers/gpu.ts';
import { PretrainRun, type PretrainEvent } from '../../src/model/train/pretrain.ts';
import { generate } from '../../src/model/generate.ts';
import { DEFAULT_ADAMW } from '../../src/model/optimizer.ts';
import { readCheckpoint, writeCheckpoint } from '../../src/model/checkpoint/index.ts';

const TEXT = 'A banana is an elongated, edible fruit. The capital of China is Beijing. '.repeat(4);

function options(steps: number) {
  return {
    text: TEXT,
    corpus: 'test',
    name: 'overfit',
    tokenizer: { kind: 'char' as const },
    model: { layers: 1, heads: 2, channels: 32, contextLength: 32 },
    train: {
      batch: 4,
      context: 32,
      gradAccum: 1,
      steps,
      maxLr: 1e-2,
      minLr: 1e-3,
      warmupSteps: 10,
      decaySteps: steps,
      evalEvery: 0,
      evalBatches: 1,
      seed: 7,
      optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
    },
    sampleEvery: 0,
    samplePrompt: 'A banana',
    sampleTokens: 20,
    autosaveEvery: 0,
  };
}

describe('pretraining', () => {
  it('a tiny model overfits a short text (train loss < 0.1) and the checkpoint resumes it', async () => {
    const gpu = await batchedTestGpu();
    const events: PretrainEvent[] = [];
    const run = new PretrainRun(gpu, options(250), (e) => events.push(e));
    const ckpt = await run.run();
    const losses = events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    expect(losses.length).toBe(250);
    expect(losses[0]).toBeGreaterThan(2);
    expect(losses[losses.length - 1]).toBeLessThan(0.1);
    // Memorised: greedy continuation reproduces the text.
    const ids: number[] = [];
    const greedy = { maxTokens: 12, temperature: 0, topK: 0, topP: 1, seed: 1 };
    for await (const id of generate(run.model, run.tokenizer.encode('A banana is an'), greedy)) ids.push(id);
    expect(run.tokenizer.decode(ids)).toBe(' elongated, ');
    run.release();

    // Save, load, and resume for 5 more steps: training continues from step 250 with a low loss.
    const restored = readCheckpoint(writeCheckpoint(ckpt));
    const resumed = new PretrainRun(gpu, { ...options(255), resume: restored }, () => {});
    expect(resumed.trainer.step).toBe(250);
    const r = await resumed.trainer.trainStep();
    expect(r.step).toBe(251);
    expect(r.loss).toBeLessThan(0.2);
    resumed.release();
  });
});
