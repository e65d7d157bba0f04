// A GPU tensor: a pooled storage buffer plus the shape and element type kernels check before dispatch.
import type { Gpu } from './runtime.ts';

export type DType = 'f32' | 'u32' | 'i32';

export class Tensor {
  readonly numel: number;
  private released = false;

  constructor(
    readonly gpu: Gpu,
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly label: string,
  ) {
    this.numel = shape.reduce((a, b) => a * b, 1);
  }

  /** Hands the buffer back to the pool; using the tensor afterwards is a bug. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.gpu.release(this.buffer);
  }

  read(offset?: number, count?: number): Promise<Float32Array | Uint32Array | Int32Array> {
    return this.gpu.read(this, offset, count);
  }

  toString(): string {
    return `${this.label}[${this.shape.join(', ')}]`;
  }
}
