// The float64 CPU reference of every op the GPU kernels compute, in the spirit of llm.c's train_gpt2.c:
// plain loops, read top to bottom, no cleverness. Every kernel test and the GPT reference are built on it.
// All arrays are row-major Float64Array; shapes follow docs/ENGINE.md.

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  batch?: number;
}

/** out[b] = op(A[b])·op(B[b]); op(A) is [M,K] (stored [K,M] when transA), op(B) is [K,N] (stored [N,K] when transB). */
export function matmul(a: Float64Array, b: Float64Array, M: number, N: number, K: number, o: MatmulOptions = {}): Float64Array {
  const batch = o.batch ?? 1;
  const out = new Float64Array(batch * M * N);
  for (let bi = 0; bi < batch; bi++) {
    const A = bi * M * K;
    const B = bi * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = o.transA ? a[A + k * M + i] : a[A + i * K + k];
          const bv = o.transB ? b[B + j * K + k] : b[B + k * N + j];
          s += av * bv;
        }
        out[bi * M * N + i * N + j] = s;
      }
    }
  }
  return out;
}

/** x + bias, the bias broadcast over the M rows of an [M,N] matrix. */
export function addBias(x: Float64Array, bias: Float64Array, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[i * N + j] = x[i * N + j] + bias[j];
  return out;
}

/** The bias gradient: column sums of dout [M,N]. */
export function biasGrad(dout: Float64Array, M: number, N: number): Float64Array {
  const db = new Float64Array(N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) db[j] += dout[i * N + j];
  return db;
}

/** Token plus position embedding: out[b,t] = wte[token] + wpe[t]. */
export function embedding(tokens: ArrayLike<number>, wte: Float64Array, wpe: Float64Array, B: number, T: number, C: number): Float64Array {
  const out = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const tok = tokens[b * T + t];
      for (let c = 0; c < C; c++) out[(b * T + t) * C + c] = wte[tok * C + c] + wpe[t * C + c];
    }
  }
  return out;
}

export function embeddingBackward(
  dout: Float64Array,
  tokens: ArrayLike<number>,
  B: number,
  T: number,
  C: number,
  V: number,
): { dwte: Float64Array; dwpe: Float64Array } {
  const dwte = new Float64Array(V * C);
  const dwpe = new Float64Array(T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const tok = tokens[b * T + t];
      for (let c = 0; c < C; c++) {
        const d = dout[(b * T + t) * C + c];
        dwte[tok * C + c] += d; // a token seen twice gets both gradients
        dwpe[t * C + c] += d;
      }
    }
  }
  return { dwte, dwpe };
}

export function layernorm(
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  N: number,
  C: number,
  eps = 1e-5,
): { out: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const out = new Float64Array(N * C);
  const mean = new Float64Array(N);
  const rstd = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += x[i * C + c];
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[i * C + c] - m) ** 2;
    v /= C;
    const r = 1 / Math.sqrt(v + eps);
    for (let c = 0; c < C; c++) out[i * C + c] = (x[i * C + c] - m) * r * w[c] + b[c];
    mean[i] = m;
    rstd[i] = r;
  }
  return { out, mean, rstd };
}

export function layernormBackward(
  dout: Float64Array,
  x: Float64Array,
  w: Float64Array,
  mean: Float64Array,
  rstd: Float64Array,
  N: number,
  C: number,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(N * C);
  const dw = new Float64Array(C);
  const db = new Float64Array(C);
  for (let i = 0; i < N; i++) {
    // dx = rstd · (dnorm − mean(dnorm) − norm · mean(dnorm·norm)), where dnorm = dout·w
    let dnormMean = 0;
    let dnormNormMean = 0;
    for (let c = 0; c < C; c++) {
      const norm = (x[i * C + c] - mean[i]) * rstd[i];
      const dnorm = dout[i * C + c] * w[c];
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
      dw[c] += dout[i * C + c] * norm;
      db[c] += dout[i * C + c];
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (let c = 0; c < C; c++) {
      const norm = (x[i * C + c] - mean[i]) * rstd[i];
      const dnorm = dout[i * C + c] * w[c];
      dx[i * C + c] = rstd[i] * (dnorm - dnormMean - norm * dnormNormMean);
    }
  }
  return { dx, dw, db };
}

const GELU_SCALE = Math.sqrt(2 / Math.PI);

/** GPT-2's GELU, the tanh approximation. */
export function gelu(x: Float64Array): Float64Array {
  return x.map((v) => 0.5 * v * (1 + Math.tanh(GELU_SCALE * (v + 0.044715 * v ** 3))));
}

export function geluBackward(x: Float64Array, dout: Float64Array): Float64Array {
  return x.map((v, i) => {
    const u = GELU_SCALE * (v + 0.044715 * v ** 3);
    const th = Math.tanh(u);
    const du = GELU_SCALE * (1 + 3 * 0.044715 * v * v);
    return dout[i] * (0.5 * (1 + th) + 0.5 * v * (1 - th * th) * du);
  });
}

/** The residual connection. */
export function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

/** Row-wise softmax, shifted by the row max so large logits do not overflow. */
export function softmax(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[r * cols + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += out[r * cols + c] = Math.exp(x[r * cols + c] - max);
    for (let c = 0; c < cols; c++) out[r * cols + c] /= sum;
  }
  return out;
}

/** Causal multi-head self-attention over qkv [B,T,3C]; att keeps the probabilities for the backward. */
export function attention(qkv: Float64Array, B: number, T: number, C: number, NH: number): { out: Float64Array; att: Float64Array } {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const out = new Float64Array(B * T * C);
  const att = new Float64Array(B * NH * T * T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const q = (b * T + t) * 3 * C + h * hs;
        const row = ((b * NH + h) * T + t) * T;
        let max = -Infinity;
        for (let s = 0; s <= t; s++) {
          const k = (b * T + s) * 3 * C + C + h * hs;
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += qkv[q + i] * qkv[k + i];
          att[row + s] = dot * scale;
          max = Math.max(max, att[row + s]);
        }
        let sum = 0;
        for (let s = 0; s <= t; s++) sum += att[row + s] = Math.exp(att[row + s] - max);
        for (let s = 0; s <= t; s++) att[row + s] /= sum; // s > t stays 0: the causal mask
        for (let s = 0; s <= t; s++) {
          const v = (b * T + s) * 3 * C + 2 * C + h * hs;
          for (let i = 0; i < hs; i++) out[(b * T + t) * C + h * hs + i] += att[row + s] * qkv[v + i];
        }
      }
    }
  }
  return { out, att };
}

export function attentionBackward(
  dout: Float64Array,
  qkv: Float64Array,
  att: Float64Array,
  B: number,
  T: number,
  C: number,
  NH: number,
): Float64Array {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const dqkv = new Float64Array(B * T * 3 * C);
  const datt = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * NH + h) * T + t) * T;
        const dO = (b * T + t) * C + h * hs;
        // out = Σ_s att[s]·v[s]  →  datt[s] = dout·v[s],  dv[s] += att[s]·dout
        for (let s = 0; s <= t; s++) {
          const v = (b * T + s) * 3 * C + 2 * C + h * hs;
          let d = 0;
          for (let i = 0; i < hs; i++) {
            d += dout[dO + i] * qkv[v + i];
            dqkv[v + i] += att[row + s] * dout[dO + i];
          }
          datt[s] = d;
        }
        // softmax backward: dscore[s] = att[s]·(datt[s] − Σ_u att[u]·datt[u])
        let dot = 0;
        for (let s = 0; s <= t; s++) dot += att[row + s] * datt[s];
        const q = (b * T + t) * 3 * C + h * hs;
        for (let s = 0; s <= t; s++) {
          const dscore = att[row + s] * (datt[s] - dot) * scale;
          const k = (b * T + s) * 3 * C + C + h * hs;
          for (let i = 0; i < hs; i++) {
            dqkv[q + i] += dscore * qkv[k + i];
            dqkv[k + i] += dscore * qkv[q + i];
          }
        }
      }
    }
  }
  return dqkv;
}

/** Per-position cross-entropy and its weighted mean Σ wᵢ·lossᵢ / Σ wᵢ (a weight of 0 masks a position). */
export function crossEntropy(
  logits: Float64Array,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  N: number,
  V: number,
): { losses: Float64Array; loss: number } {
  const probs = softmax(logits, N, V);
  const losses = new Float64Array(N);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < N; i++) {
    losses[i] = weights[i] === 0 ? 0 : -Math.log(probs[i * V + targets[i]]);
    sum += weights[i] * losses[i];
    wsum += weights[i];
  }
  return { losses, loss: wsum === 0 ? 0 : sum / wsum };
}

/** d(weighted mean loss)/d(logits) = wᵢ/Σw · (softmax − onehot(target)). */
export function crossEntropyBackward(
  logits: Float64Array,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  N: number,
  V: number,
): Float64Array {
  const probs = softmax(logits, N, V);
  let wsum = 0;
  for (let i = 0; i < N; i++) wsum += weights[i];
  const d = new Float64Array(N * V);
  if (wsum === 0) return d;
  for (let i = 0; i < N; i++) {
    const s = weights[i] / wsum;
    for (let v = 0; v < V; v++) d[i * V + v] = s * (probs[i * V + v] - (v === targets[i] ? 1 : 0));
  }
  return d;
}

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One AdamW step in place (Loshchilov & Hutter): decoupled weight decay, bias-corrected moments; step ≥ 1. */
export function adamw(param: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, step: number, c: AdamWConfig): void {
  const bc1 = 1 - c.beta1 ** step;
  const bc2 = 1 - c.beta2 ** step;
  for (let i = 0; i < param.length; i++) {
    m[i] = c.beta1 * m[i] + (1 - c.beta1) * grad[i];
    v[i] = c.beta2 * v[i] + (1 - c.beta2) * grad[i] * grad[i];
    const mhat = m[i] / bc1;
    const vhat = v[i] / bc2;
    param[i] -= c.lr * (mhat / (Math.sqrt(vhat) + c.eps) + c.weightDecay * param[i]);
  }
}

/** The L2 norm of all gradients taken together. */
export function globalNorm(grads: Float64Array[]): number {
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/** The factor gradients are multiplied by so their global norm is at most maxNorm. */
export function clipScale(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6));
}
