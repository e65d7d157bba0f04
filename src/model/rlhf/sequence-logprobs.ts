// Sequence log-probabilities of answers and their gradient, shared by DPO (log π of chosen and rejected
// answers) and the reward model (its likelihood term). log π(answer) = Σ over the answer's target positions
// of −(cross-entropy there); d(−coef·log π)/d(logits) at those positions is coef·(softmax − onehot), which is
// what the weighted cross-entropy kernel writes with per-position weights coef (any sign) and weightSum 1.
import type { Activations } from '../activations.ts';
import type { Gpt } from '../gpt.ts';
import { crossEntropy } from '../kernels/crossentropy.ts';
import type { LogProbBatch } from './pair-batch.ts';

/** Each row's answer length in tokens: its positions in the answer mask. */
export function answerLengths(b: LogProbBatch): Float64Array {
  const n = new Float64Array(b.B);
  for (let r = 0; r < b.B; r++) for (let t = 0; t < b.T; t++) n[r] += b.mask[r * b.T + t];
  return n;
}

/**
 * Σ over each row's answer positions of log π(target), each of those terms in answer order (`tokenLogp`), and
 * how many positions that is (the answer's length): one forward, one read of the per-position losses.
 */
export async function sequenceLogProbs(
  model: Gpt,
  b: LogProbBatch,
): Promise<{ acts: Activations; logp: Float64Array; tokenLogp: Float64Array[]; lengths: Float64Array }> {
  const acts = model.forwardLoss({ tokens: b.tokens, targets: b.targets, weights: b.mask, B: b.B, T: b.T }, 1);
  const losses = await acts.losses.read();
  const logp = new Float64Array(b.B);
  const tokenLogp: Float64Array[] = [];
  for (let r = 0; r < b.B; r++) {
    const terms: number[] = [];
    for (let t = 0; t < b.T; t++) if (b.mask[r * b.T + t]) terms.push(-losses[r * b.T + t]);
    tokenLogp.push(Float64Array.from(terms));
    logp[r] = terms.reduce((a, x) => a + x, 0);
  }
  return { acts, logp, tokenLogp, lengths: Float64Array.from(tokenLogp, (t) => t.length) };
}

/**
 * Writes a.dlogits = d(Σ_rows coef[row]·(−logπ(row)))/d(logits), i.e. coef[row]·(softmax − onehot) on each
 * answer position of the row, reusing the logits of the last forward on this batch.
 */
export function sequenceLogitsGrad(model: Gpt, a: Activations, b: LogProbBatch, coef: ArrayLike<number>): void {
  const w = new Float32Array(b.B * b.T);
  for (let r = 0; r < b.B; r++) for (let t = 0; t < b.T; t++) w[r * b.T + t] = b.mask[r * b.T + t] * coef[r];
  model.gpu.upload(a.weights, w);
  crossEntropy(model.gpu, a.losses, a.dlogits, a.logits, a.targets, a.weights, { N: b.B * b.T, V: model.config.vocabSize, weightSum: 1 });
}
