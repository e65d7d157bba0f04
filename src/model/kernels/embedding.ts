// Token + position embedding (GPT-2's wte/wpe), forward and a deterministic backward.
import code from '../../shaders/embedding.wgsl?raw';
import { f32, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDims, checkDistinct, checkRows, checkTensor, grid } from './checks.ts';

export interface EmbeddingDims {
  B: number;
  T: number;
  C: number;
}

export interface EmbeddingBackwardOptions extends EmbeddingDims {
  V: number;
  /** Add into dwte and dwpe instead of overwriting them (e.g. after the tied LM head wrote dwte). */
  accumulate?: boolean;
}

const FORWARD = { name: 'embedding_fwd', code, entry: 'forward' };
const RANK = { name: 'embedding_rank', code, entry: 'rank' };
const WTE_BWD = { name: 'embedding_wte_bwd', code, entry: 'wte_backward' };
const WPE_BWD = { name: 'embedding_wpe_bwd', code, entry: 'wpe_backward' };

/**
 * out[b*T + t, :] = wte[tokens[b*T + t], :] + wpe[t, :].
 * tokens: u32 or i32 [B*T]; wte [V, C]; wpe [maxT, C] with maxT ≥ T; out [B*T, C] (overwritten).
 * A token outside [0, V) gives a NaN row.
 */
export function embeddingForward(gpu: Gpu, out: Tensor, tokens: Tensor, wte: Tensor, wpe: Tensor, dims: EmbeddingDims): void {
  const op = 'embeddingForward';
  const { B, T, C } = dims;
  checkDims(op, { B, T, C });
  checkTensor(op, 'tokens', tokens, B * T, `[B*T=${B * T}]`, ['u32', 'i32']);
  checkTensor(op, 'out', out, B * T * C, `[B*T=${B * T}, C=${C}]`);
  const V = checkRows(op, 'wte', wte, C, `[V, C=${C}]`);
  checkRows(op, 'wpe', wpe, C, `[maxT ≥ T=${T}, C=${C}]`, T);
  checkDistinct(op, { out, tokens, wte, wpe });
  const n = B * T * C;
  gpu.run({ kernel: FORWARD, workgroups: grid(gpu, Math.ceil(n / 256)), params: [n, T, C, V, f32(NaN)], buffers: [tokens, wte, wpe, out] });
}

/**
 * dwte[v, :] = Σ_{positions p with tokens[p] = v} dout[p, :]   (summed in position order: deterministic)
 * dwpe[t, :] = Σ_b dout[b*T + t, :]                            (rows t ≥ T of a [maxT, C] dwpe get 0)
 * Overwrites dwte and dwpe (every element, including tokens that never occur) unless `accumulate`, which
 * adds into both. Tokens outside [0, V) contribute nothing to dwte.
 * Cost: a stable counting sort of the B*T positions by token (O((B*T)²) comparisons, one dispatch, no
 * barriers), a clear of dwte (unless accumulating), one thread per (position, channel) for dwte where the
 * first position of each token's run sums the run, one thread per dwpe element. Scratch: 2·B*T u32.
 */
export function embeddingBackward(
  gpu: Gpu,
  dwte: Tensor,
  dwpe: Tensor,
  dout: Tensor,
  tokens: Tensor,
  opts: EmbeddingBackwardOptions,
): void {
  const op = 'embeddingBackward';
  const { B, T, C, V } = opts;
  checkDims(op, { B, T, C, V });
  const N = B * T;
  checkTensor(op, 'tokens', tokens, N, `[B*T=${N}]`, ['u32', 'i32']);
  checkTensor(op, 'dout', dout, N * C, `[B*T=${N}, C=${C}]`);
  checkTensor(op, 'dwte', dwte, V * C, `[V=${V}, C=${C}]`);
  checkRows(op, 'dwpe', dwpe, C, `[maxT ≥ T=${T}, C=${C}]`, T);
  checkDistinct(op, { dwte, dwpe, dout, tokens });
  const acc = opts.accumulate ? 1 : 0;

  const order = gpu.tensor([N], 'embedding order', undefined, 'u32');
  const keys = gpu.tensor([N], 'embedding keys', undefined, 'u32');
  gpu.run({ kernel: RANK, workgroups: grid(gpu, Math.ceil(N / 4 / 64)), params: [N], buffers: [tokens, order, keys] });
  if (!acc) gpu.zero(dwte); // rows of tokens that do not occur; the runs overwrite the others
  gpu.run({ kernel: WTE_BWD, workgroups: grid(gpu, Math.ceil((N * C) / 256)), params: [N, C, V, acc], buffers: [order, keys, dout, dwte] });
  order.release();
  keys.release();

  const n = dwpe.numel;
  gpu.run({ kernel: WPE_BWD, workgroups: grid(gpu, Math.ceil(n / 256)), params: [n, B, T, C, acc], buffers: [dout, dwpe] });
}
