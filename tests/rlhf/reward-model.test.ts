// End to end on a tiny model: a reward model trained on a trivially separable preference (answers that
// contain the word "yes" are preferred) ranks held-out pairs correctly; its checkpoint round-trips.
import { describe, expect, it } from 'vitest';
import { batchedTestGpu } from '../helpers/gpu.ts';
import { freshRng } from '../helpers/compare.ts';
import { initParams } from '../../src/model/config.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../../src/model/checkpoint/index.ts';
import { DEFAULT_ADAMW } from '../../src/model/optimizer.ts';
import { loadRewardModel, RewardModelRun, scoreSequences } from '../../src/model/rlhf/reward-model.ts';
import { encodeAnswer } from '../../src/model/rlhf/pair-batch.ts';
import type { PreferencePair } from '../../src/model/rlhf/prefs.ts';
import type { Rng } from '../../src/model/reference/random.ts';

const WORDS = ['red', 'blue', 'cat', 'dog', 'sun', 'sky', 'no'];

function makePairs(rng: Rng, n: number): PreferencePair[] {
  const words = (k: number) => Array.from({ length: k }, () => WORDS[rng.int(WORDS.length)]);
  return Array.from({ length: n }, () => {
    const prompt = `q${rng.int(100)}`;
    const w = words(1 + rng.int(3));
    const withYes = [...w];
    withYes.splice(rng.int(w.length + 1), 0, 'yes');
    return { prompt, chosen: withYes.join(' '), rejected: words(1 + rng.int(3)).join(' ') };
  });
}

function tinySft(seed: number, text: string, contextLength = 32): Checkpoint {
  const tokenizer = buildCharTokenizer([text]);
  const config = { vocabSize: tokenizer.vocabSize, contextLength, layers: 1, heads: 2, channels: 32 };
  return {
    config,
    params: initParams(config, seed),
    meta: { stage: 'sft', name: 'tiny-sft', createdAt: new Date().toISOString(), lineage: [{ stage: 'sft', name: 'tiny-sft' }], tokenizer: tokenizer.toJSON(), history: null },
  };
}

describe('reward model', () => {
  it('learns "answers with yes are preferred" and reaches high held-out pairwise accuracy', async () => {
    const gpu = await batchedTestGpu();
    const { rng, seed } = freshRng();
    const sft = tinySft(seed, `${WORDS.join(' ')} yes q0123456789`);
    const steps = 60;
    const events: string[] = [];
    const run = new RewardModelRun(
      gpu,
      {
        sft, name: 'rm', prefs: 'test', train: makePairs(rng, 200), heldOut: makePairs(rng, 48),
        settings: { steps, pairsPerStep: 8, maxLr: 3e-3, minLr: 3e-4, warmupSteps: 5, decaySteps: steps, evalEvery: 0, seed, optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 } },
      },
      (e) => events.push(e.type),
    );
    const before = (await run.pairAccuracy(run.heldOut)).accuracy;
    const ckpt = await run.run();
    const last = run.history.evals.at(-1)!;
    expect(events.filter((e) => e === 'step')).toHaveLength(steps);
    expect(last.heldoutAccuracy, `before ${before} (TEST_SEED=${seed})`).toBeGreaterThanOrEqual(0.9);
    expect(run.history.steps.at(-1)!.loss).toBeLessThan(run.history.steps[0].loss);

    // saved and loaded: stage reward, `score.weight` [1, C], the same scores
    const back = readCheckpoint(writeCheckpoint(ckpt));
    expect(back.meta.stage).toBe('reward');
    expect(back.extraShapes?.get('score.weight')).toEqual([1, 32]);
    expect(back.meta.lineage.map((l) => l.stage)).toEqual(['sft', 'reward']);
    const loaded = loadRewardModel(gpu, back);
    const seqs = run.heldOut.slice(0, 6).map((p) => p.chosen.ids);
    const a = await scoreSequences(run.rm, seqs);
    const b = await scoreSequences(loaded, seqs);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * (1 + Math.abs(a[i])));
    // one sequence alone scores as in a padded batch (right padding never changes the <|end|> row)
    const alone = await scoreSequences(loaded, [encodeAnswer(run.tokenizer, 'q1', 'red yes').ids]);
    const inBatch = await scoreSequences(loaded, [encodeAnswer(run.tokenizer, 'q22', 'blue sky sun dog').ids, encodeAnswer(run.tokenizer, 'q1', 'red yes').ids]);
    expect(Math.abs(alone[0] - inBatch[1])).toBeLessThan(1e-4 * (1 + Math.abs(alone[0])));
    expect(() => loadRewardModel(gpu, sft)).toThrow(/not a reward model/);
    loaded.model.release();
    run.release();
  });
});
