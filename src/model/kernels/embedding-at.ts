// Token + position embedding at explicit per-row positions (incremental decoding, embedding-at.wgsl).
import code from '../../shaders/embedding-at.wgsl?raw';
import { f32, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDims, checkDistinct, checkRows, checkTensor, grid } from './checks.ts';

const FORWARD = { name: 'embedding_at', code, entry: 'forward' };

/**
 * out[r, :] = wte[tokens[r], :] + wpe[positions[r], :] for r < R. tokens, positions: u32 [R]; wte [V, C];
 * wpe [P, C]; out [R, C] (overwritten). A token outside [0, V) or position outside [0, P) gives a NaN row.
 */
export function embeddingAt(gpu: Gpu, out: Tensor, tokens: Tensor, positions: Tensor, wte: Tensor, wpe: Tensor, dims: { R: number; C: number }): void {
  const op = 'embeddingAt';
  const { R, C } = dims;
  checkDims(op, { R, C });
  checkTensor(op, 'tokens', tokens, R, `[R=${R}]`, ['u32']);
  checkTensor(op, 'positions', positions, R, `[R=${R}]`, ['u32']);
  checkTensor(op, 'out', out, R * C, `[R=${R}, C=${C}]`);
  const V = checkRows(op, 'wte', wte, C, `[V, C=${C}]`);
  const P = checkRows(op, 'wpe', wpe, C, `[P, C=${C}]`);
  checkDistinct(op, { out, tokens, positions, wte, wpe });
  const n = R * C;
  gpu.run({ kernel: FORWARD, workgroups: grid(gpu, Math.ceil(n / 256)), params: [n, C, V, P, f32(NaN)], buffers: [tokens, positions, wte, wpe, out] });
}
