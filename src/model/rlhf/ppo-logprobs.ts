// The GPU side of PPO's policy term: log-probs of the sampled answer tokens, their entropy, and the
// gradient back into the model. A loss that depends on the logits only through the log-probs logp_t of
// the targets has d(loss)/d(logits_t) = c_t·(softmax_t − onehot_t) with c_t = −dL/dlogp_t — which is
// the weighted cross-entropy kernel's dlogits with per-row weights c_t (any sign) and weightSum 1
// (reference: ppoLogitsGrad in reference/rlhf.ts; tests/rlhf/ppo-grad.test.ts checks the two agree).
import type { Activations } from '../activations.ts';
import type { Gpt } from '../gpt.ts';
import { crossEntropy } from '../kernels/crossentropy.ts';
import { entropyRows } from '../reference/rlhf.ts';
import type { PackedRollouts } from './rollout.ts';

/** Forward on the packed rollouts; logp[i] = log π(target) at positions[i]. The activations stay for a backward. */
export async function answerLogprobs(model: Gpt, packed: PackedRollouts): Promise<{ acts: Activations; logp: Float64Array }> {
  const acts = model.forwardLoss(packed.batch, 1);
  const losses = await acts.losses.read();
  return { acts, logp: Float64Array.from(packed.positions, (p) => -losses[p]) };
}

/** Entropy of π at every action row (reads only those rows' logits: one contiguous read per rollout). */
export async function answerEntropies(acts: Activations, packed: PackedRollouts, V: number): Promise<Float64Array> {
  const out = new Float64Array(packed.positions.length);
  for (const { start, end } of packed.spans) {
    const n = end - start;
    if (n === 0) continue;
    const logits = await acts.logits.read(packed.positions[start] * V, n * V);
    out.set(entropyRows(logits, n, V), start);
  }
  return out;
}

/**
 * Writes d(loss)/d(logits) = c·(softmax − onehot), c = −dLogp, on the action rows (0 elsewhere) into
 * acts.dlogits, from the logits the last forward left in `acts`, and runs the LM head's backward (d(wte) and
 * acts.dln). Then a value head may add its d(ln_f) into acts.dln before model.backwardFromFinalNorm(acts).
 */
export function policyBackward(model: Gpt, acts: Activations, packed: PackedRollouts, dLogp: ArrayLike<number>): void {
  const N = acts.B * acts.T;
  if (dLogp.length !== packed.positions.length) throw new Error(`policyBackward: ${dLogp.length} gradients for ${packed.positions.length} positions`);
  const c = new Float32Array(N);
  packed.positions.forEach((p, i) => (c[p] = -dLogp[i]));
  model.gpu.upload(acts.weights, c);
  crossEntropy(model.gpu, acts.losses, acts.dlogits, acts.logits, acts.targets, acts.weights, { N, V: model.config.vocabSize, weightSum: 1 });
  model.lmHeadBackward(acts);
}
