// The reward model's score r = w·h_end + α·(mean answer log-likelihood) + λ·(answer tokens): its Bradley–Terry
// gradient on the GPU (the head's d(lnf) added to the LM head's, through the trunk) against finite differences
// of the float64 reference GPT, for the trunk, the head, α and λ; each answer token's log p (PPO's per-token
// share of the score); and the answer mask that sequenceBatch derives from the ids.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, fd } from '../helpers/compare.ts';
import { bradleyTerry, scalarHeadForward, sequenceLogProb } from '../../src/model/reference/rlhf.ts';
import * as ref from '../../src/model/reference/gpt.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import { SPECIAL_IDS } from '../../src/model/tokenizer/types.ts';
import { DEFAULT_ADAMW } from '../../src/model/optimizer.ts';
import { RewardModelRun, scoreParts } from '../../src/model/rlhf/reward-model.ts';
import { sequenceBatch } from '../../src/model/rlhf/pair-batch.ts';
import { tokenTerms } from '../../src/model/rlhf/ppo-reward.ts';
import type { Checkpoint } from '../../src/model/checkpoint/index.ts';
import type { Rng } from '../../src/model/reference/random.ts';

describe('sequenceBatch answer mask', () => {
  it('marks the targets after the last <|assistant|>, the closing <|end|> included', () => {
    const { user, assistant, end, pad } = SPECIAL_IDS;
    const b = sequenceBatch([[user, 9, 8, end, assistant, 7, 6, end], [user, 9, end, assistant, 5, end]], 8);
    expect(b.T).toBe(8);
    expect(Array.from(b.mask.subarray(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 0]);
    expect(Array.from(b.targets.subarray(0, 8))).toEqual([9, 8, end, assistant, 7, 6, end, pad]);
    expect(Array.from(b.mask.subarray(8, 16))).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
    expect(b.last).toEqual([7, 8 + 5]);
  });
});

const ALPHABET = 'abcdefgh?. ';

/** A tiny char-level "SFT" checkpoint (fresh initial weights) and three random preference pairs over its alphabet. */
function tinySetup(rng: Rng, seed: number) {
  const tokenizer = buildCharTokenizer([ALPHABET]);
  const config: GptConfig = { vocabSize: tokenizer.vocabSize, contextLength: 24, layers: 1, heads: 2, channels: 8 };
  const sft: Checkpoint = {
    config, params: initParams(config, seed),
    meta: { stage: 'sft', name: 'sft', createdAt: '', lineage: [{ stage: 'sft', name: 'sft' }], tokenizer: tokenizer.toJSON(), history: null },
  };
  const word = (n: number) => Array.from({ length: n }, () => 'abcdefgh'[rng.int(8)]).join('');
  const pairs = [0, 1, 2].map((i) => ({ prompt: `${word(2 + i)}?`, chosen: `${word(1 + i)}.`, rejected: word(4 - i) }));
  return { sft, pairs, CFG: config };
}

describe('reward model with a likelihood term on the GPU', () => {
  it('score and Bradley–Terry gradients (trunk, head, α, λ) match finite differences of the reference', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const { sft, pairs, CFG } = tinySetup(rng, seed);
    const values = sft.params;
    for (const [k, v] of values) if (!/ln_.*weight/.test(k)) v.set(rng.normals(v.length, 0.3));
    const alpha = 0.5 + rng.next();
    const lambda = rng.next() - 0.5;
    const run = new RewardModelRun(
      gpu,
      {
        sft, name: 'rm', prefs: 'test', train: pairs, heldOut: [],
        settings: { steps: 1, pairsPerStep: 3, maxLr: 1e-3, minLr: 1e-4, warmupSteps: 0, decaySteps: 1, evalEvery: 0, seed, optimizer: { ...DEFAULT_ADAMW }, likelihoodScale: alpha, lengthWeight: lambda },
      },
      () => {},
    );
    run.head.w.set(rng.normals(CFG.channels, 0.5));
    const seqs = [...run.train.map((p) => p.chosen.ids), ...run.train.map((p) => p.rejected.ids)];
    const b = sequenceBatch(seqs, CFG.contextLength);
    const refParams = new Map([...values].map(([k, v]) => [k, Float64Array.from(v)]));
    const w = Float64Array.from(run.head.w);
    const a = Float64Array.of(alpha);
    const l = Float64Array.of(lambda);
    const V = CFG.vocabSize;
    const C = CFG.channels;
    const refScores = () => {
      const out = ref.forward(CFG, refParams, { tokens: b.tokens, targets: b.targets, B: b.B, T: b.T });
      return seqs.map((_, r) => {
        const lp = sequenceLogProb(out.logits.subarray(r * b.T * V), b.targets.subarray(r * b.T), b.mask.subarray(r * b.T), b.T, V);
        const n = b.mask.subarray(r * b.T, (r + 1) * b.T).reduce((s, m) => s + m, 0);
        const h = scalarHeadForward(out.acts.lnf.out.subarray(b.last[r] * C, b.last[r] * C + C), w, 0, 1, C)[0];
        return h + a[0] * (lp / n) + l[0] * n;
      });
    };
    const L = () => {
      const r = refScores();
      return bradleyTerry(r.slice(0, 3), r.slice(3)).loss;
    };

    const parts = await scoreParts(run.rm, seqs);
    expectClose(parts.map((p) => p.total), refScores(), { rtol: 1e-4, atol: 1e-4, seed, label: 'scores' });
    expect(parts.every((p) => p.meanLogp < 0)).toBe(true);
    expect(parts.map((p) => p.length)).toEqual(seqs.map((_, r) => b.mask.subarray(r * b.T, (r + 1) * b.T).reduce((s, m) => s + m, 0)));
    // each answer token's log p, in order, against the reference's log-softmax at its position; PPO's per-token
    // share of the score (tokenTerms) plus the head is the whole score
    const refOut = ref.forward(CFG, refParams, { tokens: b.tokens, targets: b.targets, B: b.B, T: b.T });
    parts.forEach((p, r) => {
      const want: number[] = [];
      for (let t = 0; t < b.T; t++) {
        if (!b.mask[r * b.T + t]) continue;
        const row = refOut.logits.subarray((r * b.T + t) * V, (r * b.T + t + 1) * V);
        const mx = Math.max(...row);
        want.push(row[b.targets[r * b.T + t]] - mx - Math.log(row.reduce((acc, x) => acc + Math.exp(x - mx), 0)));
      }
      expectClose(p.tokenLogp, want, { rtol: 1e-4, atol: 1e-4, seed, label: `token log p, row ${r}` });
      const terms = tokenTerms(run.rm, p, p.length);
      expect(terms.length).toBe(p.length);
      expect(p.head + terms.reduce((acc, x) => acc + x, 0)).toBeCloseTo(p.total, 9);
      expect(tokenTerms(run.rm, p, 2).length).toBe(Math.min(2, p.length)); // a rollout shorter than the scored answer
    });

    const bt = await run.backward(run.train);
    expect(bt.loss).toBeCloseTo(L(), 4);
    expect(Math.abs(run.likelihoodScaleGrad - fd(L, a, 0, 1e-6)), `dα (TEST_SEED=${seed})`).toBeLessThan(1e-4 * (1 + Math.abs(run.likelihoodScaleGrad)));
    expect(Math.abs(run.lengthWeightGrad - fd(L, l, 0, 1e-6)), `dλ (TEST_SEED=${seed})`).toBeLessThan(1e-4 * (1 + Math.abs(run.lengthWeightGrad)));
    const wantDw = Float64Array.from(w, (_, i) => fd(L, w, i, 1e-6));
    expectClose(run.head.dw, wantDw, { rtol: 1e-3, atol: 1e-4 * maxAbs(wantDw) + 1e-7, seed, label: 'head dw' });
    for (const [name, p] of refParams) {
      const got = await run.model.grads.get(name)!.read();
      const idx = p.length <= 40 ? [...p.keys()] : Array.from({ length: 20 }, () => rng.int(p.length));
      const want = idx.map((i) => fd(L, p, i, 1e-5));
      const scale = Math.max(maxAbs(want), maxAbs(got));
      expectClose(idx.map((i) => got[i]), want, { rtol: 2e-3, atol: 2e-3 * scale + 1e-7, seed, label: `grad ${name}` });
    }
    run.release();
  });

  it('headLrScale sets the head\'s step apart from the trunk, scalarLr those of α and λ (0 freezes them)', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const { sft, pairs } = tinySetup(rng, seed);
    const moved = async (headLrScale: number, scalarLr: number, learnLength = true) => {
      const run = new RewardModelRun(gpu, {
        sft, name: 'rm', prefs: 'test', train: pairs, heldOut: [],
        settings: {
          steps: 1, pairsPerStep: 3, maxLr: 1e-2, minLr: 1e-2, warmupSteps: 0, decaySteps: 1, evalEvery: 0, seed, optimizer: { ...DEFAULT_ADAMW },
          likelihoodScale: 1, headLrScale, scalarLr, learnLength,
        },
      }, () => {});
      const w0 = Float64Array.from(run.head.w);
      const wte0 = Float64Array.from(await run.model.params.get('transformer.wte.weight')!.read());
      await run.trainStep();
      const head = maxAbs(run.head.w.map((x, i) => x - w0[i]));
      const { likelihoodScale, lengthWeight } = run.rm;
      const wte = await run.model.params.get('transformer.wte.weight')!.read();
      const trunk = maxAbs(wte.map((x, i) => x - wte0[i]));
      run.release();
      return { head, alpha: Math.abs(likelihoodScale - 1), lambda: Math.abs(lengthWeight), trunk };
    };
    const frozen = await moved(0, 0);
    expect([frozen.head, frozen.alpha, frozen.lambda]).toEqual([0, 0, 0]);
    expect(frozen.trunk, `TEST_SEED=${seed}`).toBeGreaterThan(0);
    // Adam's first step moves each parameter by about its learning rate: the head ~10× the trunk's 1e-2,
    // α and λ by the scalar rate 0.3 (the pairs differ in length, so λ has a gradient)
    const fast = await moved(10, 0.3);
    expect(fast.head, `TEST_SEED=${seed}`).toBeGreaterThan(0.05);
    expect(fast.alpha, `TEST_SEED=${seed}`).toBeGreaterThan(0.1);
    expect(fast.lambda, `TEST_SEED=${seed}`).toBeGreaterThan(0.1);
    expect((await moved(1, 0.3, false)).lambda).toBe(0);
  });
});
