// Incremental decoding over a KV cache (see attention-decode.wgsl): the cache write and the attention of one
// new query per sequence over that sequence's cached keys and values.
//
//   kvCacheWrite     1 dispatch: k, v columns of qkv [n, 3C] → cache rows slots[i] of kCache, vCache
//   attentionDecode  1 dispatch: one workgroup per (head, row), online softmax over the row's keys
import code from '../../shaders/attention-decode.wgsl?raw';
import { f32, GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDims, checkDistinct, checkTensor, grid } from './checks.ts';

/** A slot value that kvCacheWrite skips (right-padding positions, rows sitting a step out). */
export const KV_SKIP = 0xffffffff;

export interface KvCacheDims {
  /** Sequences (rows) in the cache. */
  R: number;
  /** Positions per row (the model's context length). */
  ctx: number;
  C: number;
}

const WRITE = { name: 'kv_write', code, entry: 'kv_write' };

/** Largest head size attn_decode handles (WG·ND in the WGSL). */
export const DECODE_MAX_HEAD_SIZE = 256;

function checkCache(op: string, kCache: Tensor, vCache: Tensor, { R, ctx, C }: KvCacheDims): void {
  checkDims(op, { R, ctx, C });
  checkTensor(op, 'kCache', kCache, R * ctx * C, `[R=${R}, ctx=${ctx}, C=${C}]`);
  checkTensor(op, 'vCache', vCache, R * ctx * C, `[R=${R}, ctx=${ctx}, C=${C}]`);
}

/**
 * For each source row i of qkv [n, 3C]: kCache[slots[i]] = its k columns, vCache[slots[i]] = its v columns,
 * where a slot is r·ctx + position. Slots equal to KV_SKIP (or past the cache) are skipped; other cache
 * rows are left untouched.
 */
export function kvCacheWrite(gpu: Gpu, kCache: Tensor, vCache: Tensor, qkv: Tensor, slots: Tensor, dims: KvCacheDims): void {
  const op = 'kvCacheWrite';
  checkCache(op, kCache, vCache, dims);
  const { C } = dims;
  const n = slots.numel;
  checkDims(op, { n });
  checkTensor(op, 'slots', slots, n, `[n=${n}]`, ['u32']);
  checkTensor(op, 'qkv', qkv, n * 3 * C, `[n=${n}, 3C=${3 * C}]`);
  checkDistinct(op, { kCache, vCache, qkv, slots });
  gpu.run({
    kernel: WRITE,
    workgroups: grid(gpu, Math.ceil((n * C) / 256)),
    params: [n, C, dims.R * dims.ctx],
    buffers: [qkv, slots, kCache, vCache],
  });
}

/**
 * out [R, C]: for each row r and head h, the row's query (q columns of qkv [R, 3C]) attends over cache rows
 * r·ctx … r·ctx + lens[r] − 1 with scale 1/√hs and a numerically stable softmax. lens: u32 [R], each in
 * [1, ctx] (a 0 gives NaN, a larger value is clamped to ctx). Writes every element of out.
 */
export function attentionDecode(
  gpu: Gpu,
  out: Tensor,
  qkv: Tensor,
  kCache: Tensor,
  vCache: Tensor,
  lens: Tensor,
  dims: KvCacheDims & { NH: number },
): void {
  const op = 'attentionDecode';
  const { R, ctx, C, NH } = dims;
  checkDims(op, { NH });
  checkCache(op, kCache, vCache, dims);
  const hs = C / NH;
  if (!Number.isInteger(hs)) throw new GpuError('shape', `${op}: C=${C} is not a multiple of NH=${NH}`);
  if (hs > DECODE_MAX_HEAD_SIZE) throw new GpuError('shape', `${op}: head size ${hs} exceeds ${DECODE_MAX_HEAD_SIZE}`);
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (R > max || NH > max) throw new GpuError('shape', `${op}: R=${R} and NH=${NH} must be ≤ ${max}`);
  checkTensor(op, 'qkv', qkv, R * 3 * C, `[R=${R}, 3C=${3 * C}]`);
  checkTensor(op, 'lens', lens, R, `[R=${R}]`, ['u32']);
  checkTensor(op, 'out', out, R * C, `[R=${R}, C=${C}]`);
  checkDistinct(op, { out, qkv, kCache, vCache, lens });
  gpu.run({
    kernel: { name: 'attn_decode', code, entry: 'attn_decode', constants: { HS: hs } },
    workgroups: [NH, R],
    params: [R, C, NH, ctx, f32(1 / Math.sqrt(hs))],
    buffers: [qkv, kCache, vCache, lens, out],
  });
}
