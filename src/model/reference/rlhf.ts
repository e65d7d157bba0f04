// Float64 references of the RLHF stage's math, plain and readable, for tests of the GPU/host code:
// the scalar head (reward model, value head), the Bradley–Terry loss of the reward model and the DPO loss.
// (Shared file: the PPO part — GAE, KL, clipped objectives — is appended below by its own section.)

// ───────────────────────────── scalar head ─────────────────────────────

/** r[i] = w·h[i] + b for rows h [n, C]. */
export function scalarHeadForward(h: ArrayLike<number>, w: ArrayLike<number>, b: number, n: number, C: number): Float64Array {
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b;
    for (let c = 0; c < C; c++) s += w[c] * h[i * C + c];
    r[i] = s;
  }
  return r;
}

/** Given dr = d(loss)/d(r): dw = Σ dr[i]·h[i], db = Σ dr[i], dh[i] = dr[i]·w. */
export function scalarHeadBackward(
  h: ArrayLike<number>,
  w: ArrayLike<number>,
  dr: ArrayLike<number>,
  n: number,
  C: number,
): { dw: Float64Array; db: number; dh: Float64Array } {
  const dw = new Float64Array(C);
  const dh = new Float64Array(n * C);
  let db = 0;
  for (let i = 0; i < n; i++) {
    db += dr[i];
    for (let c = 0; c < C; c++) {
      dw[c] += dr[i] * h[i * C + c];
      dh[i * C + c] = dr[i] * w[c];
    }
  }
  return { dw, db, dh };
}

// ───────────────────────────── log-sigmoid ─────────────────────────────

/** log σ(x), stable for large |x|. */
export function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** σ(x), stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// ───────────────────────────── Bradley–Terry (reward model) ─────────────────────────────

/**
 * The reward model's loss over P pairs: mean_p −log σ(r_chosen[p] − r_rejected[p]), and its gradient
 * with respect to each score: d/dr_c = −σ(r_r − r_c)/P, d/dr_r = +σ(r_r − r_c)/P. `accuracy` is the share
 * of pairs with r_c > r_r (ties count as wrong).
 */
export function bradleyTerry(
  chosen: ArrayLike<number>,
  rejected: ArrayLike<number>,
): { loss: number; dChosen: Float64Array; dRejected: Float64Array; accuracy: number } {
  const P = chosen.length;
  if (rejected.length !== P) throw new Error(`bradleyTerry: ${P} chosen and ${rejected.length} rejected scores`);
  if (P === 0) throw new Error('bradleyTerry: no pairs');
  const dChosen = new Float64Array(P);
  const dRejected = new Float64Array(P);
  let loss = 0;
  let right = 0;
  for (let p = 0; p < P; p++) {
    const margin = chosen[p] - rejected[p];
    loss -= logSigmoid(margin);
    const s = sigmoid(-margin) / P;
    dChosen[p] = -s;
    dRejected[p] = s;
    if (margin > 0) right++;
  }
  return { loss: loss / P, dChosen, dRejected, accuracy: right / P };
}

// ───────────────────────────── DPO ─────────────────────────────

/**
 * Log-probability of a sequence under logits [T, V]: Σ over positions t with mask[t] ≠ 0 of
 * log softmax(logits[t])[targets[t]] (the answer's tokens).
 */
export function sequenceLogProb(logits: ArrayLike<number>, targets: ArrayLike<number>, mask: ArrayLike<number>, T: number, V: number): number {
  let total = 0;
  for (let t = 0; t < T; t++) {
    if (!mask[t]) continue;
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[t * V + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[t * V + v] - max);
    total += logits[t * V + targets[t]] - max - Math.log(sum);
  }
  return total;
}

export interface DpoPairLogProbs {
  /** log π(chosen), log π(rejected): the policy's sequence log-probs (summed over answer tokens). */
  chosen: number;
  rejected: number;
  /** The frozen reference model's. */
  refChosen: number;
  refRejected: number;
  /** Tokens in the chosen answer (for the NLL term; 1 when absent). */
  chosenTokens?: number;
}

/**
 * DPO (Rafailov et al. 2023) over P pairs: mean_p −log σ(β·[(logπ(c) − logπref(c)) − (logπ(r) − logπref(r))]),
 * with its gradient with respect to each policy log-prob: d/dlogπ(c) = −β·σ(−βΔ)/P, d/dlogπ(r) = +β·σ(−βΔ)/P.
 * With nllWeight η > 0 it adds RPO's term (Pang et al. 2024; TRL's rpo_alpha), η·mean_p −logπ(c)/|c|: the
 * chosen answers' per-token negative log-likelihood, which keeps their probability from falling while the
 * margin grows (d/dlogπ(c) gains −η/(P·|c|)). `nll` is that mean per-token NLL (before η).
 * `rewardAccuracy`: the share of pairs whose implicit reward margin βΔ is > 0.
 */
export function dpoLoss(
  pairs: readonly DpoPairLogProbs[],
  beta: number,
  nllWeight = 0,
): { loss: number; nll: number; dChosen: Float64Array; dRejected: Float64Array; margins: Float64Array; rewardAccuracy: number } {
  const P = pairs.length;
  if (P === 0) throw new Error('dpoLoss: no pairs');
  if (!(beta > 0)) throw new Error(`dpoLoss: β must be > 0, got ${beta}`);
  if (!(nllWeight >= 0)) throw new Error(`dpoLoss: the NLL weight must be ≥ 0, got ${nllWeight}`);
  const dChosen = new Float64Array(P);
  const dRejected = new Float64Array(P);
  const margins = new Float64Array(P);
  let loss = 0;
  let nll = 0;
  let right = 0;
  pairs.forEach((p, i) => {
    const z = beta * (p.chosen - p.refChosen - (p.rejected - p.refRejected));
    margins[i] = z;
    loss -= logSigmoid(z);
    const s = (beta * sigmoid(-z)) / P;
    const n = Math.max(1, p.chosenTokens ?? 1);
    nll -= p.chosen / n;
    dChosen[i] = -s - nllWeight / (P * n);
    dRejected[i] = s;
    if (z > 0) right++;
  });
  return { loss: loss / P + (nllWeight * nll) / P, nll: nll / P, dChosen, dRejected, margins, rewardAccuracy: right / P };
}

// ───────────────────────────── PPO (GAE, KL, clipped objectives) ─────────────────────────────

/** Per-token KL estimate logπ − logπref. */
export function klPerToken(logp: ArrayLike<number>, refLogp: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: logp.length }, (_, t) => logp[t] - refLogp[t]);
}

/**
 * InstructGPT's shaped rewards: −β·KL at every token, plus the reward model's score on the last one. With
 * `perToken` (the parts of the score that belong to single tokens, e.g. a likelihood or a length term), token t
 * also gets perToken[t] and the last token only the rest of the score: the same total, credited where earned.
 */
export function shapeRewards(kl: ArrayLike<number>, score: number, beta: number, perToken?: ArrayLike<number>): Float64Array {
  const r = Float64Array.from({ length: kl.length }, (_, t) => -beta * kl[t]);
  if (r.length === 0) return r;
  let rest = score;
  if (perToken) {
    if (perToken.length > r.length) throw new Error(`${perToken.length} per-token rewards for ${r.length} tokens`);
    for (let t = 0; t < perToken.length; t++) {
      r[t] += perToken[t];
      rest -= perToken[t];
    }
  }
  r[r.length - 1] += rest;
  return r;
}

/**
 * Generalised advantage estimation over one episode (the value after the last token is 0):
 * δ_t = r_t + γV_{t+1} − V_t, A_t = δ_t + γλA_{t+1}, returns R_t = A_t + V_t.
 */
export function gae(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma: number, lambda: number): { advantages: Float64Array; returns: Float64Array } {
  const n = rewards.length;
  const advantages = new Float64Array(n);
  const returns = new Float64Array(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * (t + 1 < n ? values[t + 1] : 0) - values[t];
    next = delta + gamma * lambda * next;
    advantages[t] = next;
    returns[t] = next + values[t];
  }
  return { advantages, returns };
}

/**
 * Scores minus a per-prompt leave-one-out baseline (RLOO, Ahmadian et al. 2024): each answer's score less the
 * mean score of the OTHER answers to the same prompt (`groups[i]` names answer i's prompt); an answer alone
 * in its group keeps its score. The baseline does not depend on the answer itself, so the policy gradient
 * stays unbiased, but it removes how hard the question is — which a batch-wide baseline leaves in as noise.
 */
export function leaveOneOutScores(scores: ArrayLike<number>, groups: readonly string[]): Float64Array {
  if (groups.length !== scores.length) throw new Error(`leaveOneOutScores: ${scores.length} scores, ${groups.length} groups`);
  const sum = new Map<string, { s: number; n: number }>();
  groups.forEach((g, i) => {
    const e = sum.get(g) ?? { s: 0, n: 0 };
    e.s += scores[i];
    e.n++;
    sum.set(g, e);
  });
  return Float64Array.from({ length: scores.length }, (_, i) => {
    const { s, n } = sum.get(groups[i])!;
    return n > 1 ? scores[i] - (s - scores[i]) / (n - 1) : scores[i];
  });
}

/** (x − mean)/std (population std, +1e-8 under the root). */
export function whiten(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - mean) ** 2;
  const inv = 1 / Math.sqrt(v / n + 1e-8);
  return Float64Array.from({ length: n }, (_, i) => (x[i] - mean) * inv);
}

/**
 * PPO's clipped surrogate over M tokens: mean −min(ρA, clip(ρ, 1−ε, 1+ε)A), ρ = exp(logp − old), with
 * d/dlogp (−ρA/M where the unclipped term is the min, else 0), the share of tokens where the clipped term
 * won, and the approximate KL mean ½(logp − old)².
 */
export function clippedSurrogate(
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  adv: ArrayLike<number>,
  eps: number,
): { loss: number; dLogp: Float64Array; clipFraction: number; approxKl: number } {
  const M = logp.length;
  const dLogp = new Float64Array(M);
  let loss = 0;
  let clipped = 0;
  let kl = 0;
  for (let t = 0; t < M; t++) {
    const d = logp[t] - oldLogp[t];
    const ratio = Math.exp(d);
    const un = ratio * adv[t];
    const cl = Math.min(Math.max(ratio, 1 - eps), 1 + eps) * adv[t];
    if (cl < un) {
      loss -= cl;
      clipped++;
    } else {
      loss -= un;
      dLogp[t] = -un / M;
    }
    kl += 0.5 * d * d;
  }
  return { loss: loss / M, dLogp, clipFraction: clipped / M, approxKl: kl / M };
}

/** The clipped value loss: mean ½·max((v − R)², (vClip − R)²), vClip = vOld + clip(v − vOld, ±ε). */
export function clippedValueLoss(
  values: ArrayLike<number>,
  oldValues: ArrayLike<number>,
  returns: ArrayLike<number>,
  eps: number,
): { loss: number; dValues: Float64Array; clipFraction: number } {
  const M = values.length;
  const dValues = new Float64Array(M);
  let loss = 0;
  let clipped = 0;
  for (let t = 0; t < M; t++) {
    const vClip = oldValues[t] + Math.min(Math.max(values[t] - oldValues[t], -eps), eps);
    const un = (values[t] - returns[t]) ** 2;
    const cl = (vClip - returns[t]) ** 2;
    if (cl > un) {
      loss += 0.5 * cl;
      clipped++;
    } else {
      loss += 0.5 * un;
      dValues[t] = (values[t] - returns[t]) / M;
    }
  }
  return { loss: loss / M, dValues, clipFraction: clipped / M };
}

/** log softmax(logits[i])[targets[i]] for each of N rows of V logits. */
export function tokenLogprobs(logits: ArrayLike<number>, targets: ArrayLike<number>, N: number, V: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[i * V + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[i * V + v] - max);
    out[i] = logits[i * V + targets[i]] - max - Math.log(sum);
  }
  return out;
}

/** Entropy −Σ p log p of the softmax of each row. */
export function entropyRows(logits: ArrayLike<number>, N: number, V: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[i * V + v]);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits[i * V + v] - max);
    let h = 0;
    for (let v = 0; v < V; v++) {
      const lp = logits[i * V + v] - max - Math.log(z);
      h -= Math.exp(lp) * lp;
    }
    out[i] = h;
  }
  return out;
}

/** d(loss)/d(logits) from d(loss)/d(logπ(target)) per row: dLogp[i]·(onehot − softmax). */
export function ppoLogitsGrad(logits: ArrayLike<number>, targets: ArrayLike<number>, dLogp: ArrayLike<number>, N: number, V: number): Float64Array {
  const out = new Float64Array(N * V);
  for (let i = 0; i < N; i++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[i * V + v]);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits[i * V + v] - max);
    for (let v = 0; v < V; v++) {
      const p = Math.exp(logits[i * V + v] - max) / z;
      out[i * V + v] = dLogp[i] * ((v === targets[i] ? 1 : 0) - p);
    }
  }
  return out;
}
