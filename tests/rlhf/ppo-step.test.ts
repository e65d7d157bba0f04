// PPO on the GPU with a tiny random model: the policy gradient the weighted cross-entropy kernel produces
// (negative and positive weights) against the float64 reference, and one PPO update that raises the
// log-prob of a rewarded answer, lowers a penalised one, and leaves the frozen reference untouched.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs } from '../helpers/compare.ts';
import { Gpt } from '../../src/model/gpt.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { DEFAULT_ADAMW } from '../../src/model/optimizer.ts';
import { ppoLogitsGrad, tokenLogprobs } from '../../src/model/reference/rlhf.ts';
import { answerLogprobs, policyBackward } from '../../src/model/rlhf/ppo-logprobs.ts';
import { packRollouts, type Rollout } from '../../src/model/rlhf/rollout.ts';
import { lengthBucket } from '../../src/model/rlhf/pair-batch.ts';
import { DEFAULT_PPO, PpoTrainer } from '../../src/model/rlhf/ppo-trainer.ts';
import type { Checkpoint } from '../../src/model/checkpoint/index.ts';
import type { Rng } from '../../src/model/reference/random.ts';

const CFG: GptConfig = { vocabSize: 13, contextLength: 16, layers: 1, heads: 2, channels: 16 };

function randomRollout(rng: Rng, maxLen = 15): Rollout {
  const P = 1 + rng.int(5);
  const n = 1 + rng.int(maxLen - P);
  const ids = (k: number) => Array.from({ length: k }, () => rng.int(CFG.vocabSize));
  return { prompt: ids(P), answer: ids(n), stopped: false };
}

function checkpoint(seed: number): Checkpoint {
  return {
    config: CFG,
    params: initParams(CFG, seed),
    meta: { stage: 'sft', name: 'tiny-sft', createdAt: new Date().toISOString(), lineage: [{ stage: 'sft', name: 'tiny-sft' }], tokenizer: null, history: null },
  };
}

describe('packRollouts', () => {
  it('pads rows to the longest rollout rounded up to 8, at most the context', () => {
    const r = (p: number, a: number): Rollout => ({ prompt: Array(p).fill(1), answer: Array(a).fill(2), stopped: false });
    const packed = packRollouts([r(3, 2), r(6, 5)], 64);
    expect(packed.batch.T).toBe(16);
    expect(packed.positions).toEqual([2, 3, 16 + 5, 16 + 6, 16 + 7, 16 + 8, 16 + 9]);
    expect(packRollouts([r(6, 5)], 12).batch.T).toBe(12);
    expect(packRollouts([r(4, 4)], 64).batch.T).toBe(8);
    expect(() => packRollouts([r(6, 7)], 12)).toThrow(/13 tokens exceed T = 12/);
    // the same rounding as the reward model's and DPO's batches
    expect([1, 8, 9, 17, 40, 63, 70].map((n) => lengthBucket(n, 64))).toEqual([8, 8, 16, 24, 40, 64, 64]);
  });
});

describe('PPO policy gradient through the weighted cross-entropy kernel', () => {
  it('log-probs and c·(softmax − onehot) match the float64 reference', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const model = new Gpt(gpu, CFG, initParams(CFG, seed));
    const rollouts = [randomRollout(rng), randomRollout(rng), randomRollout(rng)];
    const packed = packRollouts(rollouts, CFG.contextLength);
    const { acts, logp } = await answerLogprobs(model, packed);
    const N = acts.B * acts.T;
    const V = CFG.vocabSize;
    const logits = Float64Array.from(await acts.logits.read());
    const targets = packed.batch.targets;
    const wantLogp = tokenLogprobs(logits, targets, N, V);
    expectClose(logp, packed.positions.map((p) => wantLogp[p]), { rtol: 1e-5, atol: 1e-5, seed, label: 'logp' });
    // dL/dlogp of both signs (the kernel must not assume non-negative weights), 0 off the action rows.
    const dLogp = rng.normals(packed.positions.length);
    const dense = new Float64Array(N);
    packed.positions.forEach((p, i) => (dense[p] = dLogp[i]));
    policyBackward(model, acts, packed, dLogp);
    const got = await acts.dlogits.read();
    const want = ppoLogitsGrad(logits, targets, dense, N, V);
    expectClose(got, want, { rtol: 1e-4, atol: 1e-5 * maxAbs(want), seed, label: 'dlogits' });
    model.release();
  });
});

describe('one PPO step', () => {
  it('samples each prompt samplesPerPrompt times in a row (a minibatch above the batch is the batch)', async () => {
    const gpu = await testGpu();
    const { seed } = freshRng();
    const prompts = [[1, 2], [3, 4, 5], [6], [7, 8], [9, 10, 11]];
    const seen: number[][][] = [];
    const trainer = new PpoTrainer(gpu, checkpoint(seed), prompts, async (rs) => {
      seen.push(rs.map((r) => r.prompt));
      return { scores: rs.map(() => 1) };
    }, { ...DEFAULT_PPO, batch: 8, samplesPerPrompt: 4, miniBatch: 32, epochs: 1, maxAnswerTokens: 4, klBeta: 0, lr: 1e-3, seed, optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 } });
    expect(trainer.settings.miniBatch).toBe(8);
    await trainer.trainStep();
    const keys = seen[0].map((p) => p.join(','));
    expect(keys.length).toBe(8);
    expect(new Set(keys.slice(0, 4)).size, keys.join(' | ')).toBe(1);
    expect(new Set(keys.slice(4)).size, keys.join(' | ')).toBe(1);
    expect(keys[0]).not.toBe(keys[4]);
    trainer.release();
  });

  it('raises a rewarded answer, lowers a penalised one, and leaves the reference untouched', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const init = checkpoint(seed);
    const trainer = new PpoTrainer(gpu, init, [[1, 2]], async () => ({ scores: [] }), {
      ...DEFAULT_PPO,
      batch: 2,
      miniBatch: 2,
      epochs: 1,
      lr: 3e-3,
      klBeta: 0.05,
      seed,
      optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
    });
    const prompt = [1 + rng.int(12), 1 + rng.int(12)];
    const good: Rollout = { prompt, answer: [4, 5, 6, 3], stopped: true };
    const bad: Rollout = { prompt, answer: [7, 8, 9, 3], stopped: true };
    const seqLogp = async (model: Gpt, r: Rollout) => (await answerLogprobs(model, packRollouts([r], CFG.contextLength))).logp.reduce((a, b) => a + b, 0);
    const before = { good: await seqLogp(trainer.policy, good), bad: await seqLogp(trainer.policy, bad) };
    const refParams = await trainer.reference.readParams();
    // per-token rewards that do not fit an answer are refused before any update
    await expect(trainer.trainOn([good, bad], { scores: [1, -1], perToken: [[0, 0, 0, 0, 0], undefined] })).rejects.toThrow(/do not fit/);
    await expect(trainer.trainOn([good, bad], { scores: [1, -1], perToken: [[NaN], undefined] })).rejects.toThrow(/do not fit/);
    const report = await trainer.trainOn([good, bad], { scores: [1, -1] });
    for (const k of ['reward', 'kl', 'entropy', 'policyLoss', 'valueLoss', 'clipFraction', 'gradNorm'] as const) {
      expect(Number.isFinite(report[k]), `${k} = ${report[k]}`).toBe(true);
    }
    expect(report.reward).toBe(0);
    expect(Math.abs(report.kl)).toBeLessThan(1e-4); // π = π_ref before the first update
    const after = { good: await seqLogp(trainer.policy, good), bad: await seqLogp(trainer.policy, bad) };
    expect(after.good, `TEST_SEED=${seed}`).toBeGreaterThan(before.good);
    expect(after.bad, `TEST_SEED=${seed}`).toBeLessThan(before.bad);
    // The reference: bit-identical parameters, and the same log-probs as the untouched initial weights.
    const refAfter = await trainer.reference.readParams();
    for (const [name, v] of init.params) {
      expect(refParams.get(name), name).toEqual(v);
      expect(refAfter.get(name), name).toEqual(v);
    }
    expectClose([await seqLogp(trainer.reference, good)], [before.good], { rtol: 1e-6, atol: 1e-6, seed, label: 'reference logp' });
    // The policy moved.
    const pol = await trainer.policy.readParams();
    expect(pol.get('transformer.wte.weight')).not.toEqual(init.params.get('transformer.wte.weight'));
    const ck = await trainer.checkpoint('tiny-rlhf', { reward: 'tiny-rm' });
    expect(ck.meta.stage).toBe('rlhf');
    expect(ck.meta.lineage.map((l) => l.stage)).toEqual(['sft', 'rlhf']);
    expect(ck.extraTensors?.get('v_head.weight')?.length).toBe(CFG.channels);
    trainer.release();
  });
});
