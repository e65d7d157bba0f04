// safetensors dtypes: their sizes (to validate data_offsets) and conversion of the numeric ones to f32.

/** Every dtype name the safetensors format defines with a whole-byte size. */
export const DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

export type Dtype = keyof typeof DTYPE_BYTES;

export function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

/** The dtypes `decodeToF32` converts (the 8-bit floats are known, so files holding them validate, but not converted). */
export const CONVERTIBLE_DTYPES: readonly Dtype[] = ['F32', 'F16', 'BF16', 'F64', 'I8', 'U8', 'BOOL', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64'];

/** True when this machine stores numbers little-endian (every browser platform in practice). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** IEEE 754 binary16 bits → number (exact: every half is representable in f32). */
export function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bits → number (the top half of an f32). */
export function bf16ToNumber(h: number): number {
  const scratch = new DataView(new ArrayBuffer(4));
  scratch.setUint32(0, ((h & 0xffff) << 16) >>> 0);
  return scratch.getFloat32(0);
}

/**
 * `count` elements of `dtype`, little-endian, starting at `offset` of `bytes`, as a new Float32Array.
 * Returns null for a dtype it cannot convert. Values outside f32's range become ±Infinity (F64) and
 * integers beyond 2^24 round, as any f32 conversion does.
 */
export function decodeToF32(bytes: Uint8Array, offset: number, count: number, dtype: Dtype): Float32Array | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, count * DTYPE_BYTES[dtype]);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = f16ToNumber(dv.getUint16(2 * i, true));
      return out;
    case 'BF16': {
      // Exact bit placement: the 16 bits become the top half of each f32 (Uint32Array and Float32Array
      // share the machine's byte order, so this holds on any endianness).
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = (dv.getUint16(2 * i, true) << 16) >>> 0;
      return out;
    }
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = dv.getUint8(i);
      return out;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      return out;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, true);
      return out;
    case 'U16':
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, true);
      return out;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
      return out;
    case 'U32':
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, true);
      return out;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(8 * i + 4, true) * 2 ** 32 + dv.getUint32(8 * i, true);
      return out;
    case 'U64':
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(8 * i + 4, true) * 2 ** 32 + dv.getUint32(8 * i, true);
      return out;
    default:
      return null;
  }
}
