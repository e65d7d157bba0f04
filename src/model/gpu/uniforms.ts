// Small per-dispatch parameters (sizes, strides, scalars) live in one uniform buffer, a 256-byte slot per
// dispatch, uploaded with a single writeBuffer right before each submit. Creating a uniform buffer per
// dispatch would cost more than many of the dispatches themselves.

/** A float parameter; plain numbers in a params list are u32. */
export class F32 {
  constructor(readonly value: number) {}
}
export const f32 = (value: number): F32 => new F32(value);
export type Param = number | F32;

const SLOT_BYTES = 256; // WebGPU's minUniformBufferOffsetAlignment is at most 256.
const SLOTS = 1024;
const MAX_PARAMS = SLOT_BYTES / 4;

export class UniformArena {
  private readonly host = new ArrayBuffer(SLOT_BYTES * SLOTS);
  private readonly u32 = new Uint32Array(this.host);
  private readonly f32 = new Float32Array(this.host);
  private readonly buffer: GPUBuffer;
  private used = 0;

  constructor(private readonly device: GPUDevice) {
    this.buffer = device.createBuffer({
      size: SLOT_BYTES * SLOTS,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'kernel params',
    });
  }

  fits(): boolean {
    return this.used < SLOTS;
  }

  /** Stores one dispatch's params and returns the binding that points at them. */
  push(params: Param[]): GPUBufferBinding {
    if (params.length > MAX_PARAMS) throw new Error(`at most ${MAX_PARAMS} params per dispatch, got ${params.length}`);
    const base = (this.used * SLOT_BYTES) / 4;
    params.forEach((p, i) => {
      if (p instanceof F32) this.f32[base + i] = p.value;
      else {
        if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) throw new Error(`param ${i} (${p}) is not a u32; wrap floats in f32()`);
        this.u32[base + i] = p;
      }
    });
    // The whole slot is bound, so a WGSL params struct of any size up to 256 bytes validates.
    return { buffer: this.buffer, offset: this.used++ * SLOT_BYTES, size: SLOT_BYTES };
  }

  /** Writes the used slots to the GPU; call right before submitting the dispatches that read them. */
  upload(): void {
    if (this.used === 0) return;
    this.device.queue.writeBuffer(this.buffer, 0, this.host, 0, this.used * SLOT_BYTES);
    this.used = 0;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
