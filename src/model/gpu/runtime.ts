// The GPU runtime every kernel dispatches through, in the browser (navigator.gpu) and in Node (Dawn).
// It owns the device, compiles each pipeline once, pools buffers, batches dispatches into one command
// encoder, and turns WebGPU's asynchronous validation / out-of-memory errors into exceptions that name
// the kernels involved.
import { Tensor, type DType } from './tensor.ts';
import { UniformArena, type Param } from './uniforms.ts';

export { Tensor, type DType } from './tensor.ts';
export { f32, type Param } from './uniforms.ts';

/** A WGSL kernel: its source, entry point and pipeline-overridable constants. */
export interface KernelSpec {
  /** Names the kernel in errors, labels and benchmark counts, e.g. "matmul_nt". */
  name: string;
  code: string;
  entry?: string;
  constants?: Record<string, number>;
}

export interface Dispatch {
  kernel: KernelSpec;
  /** Workgroup counts; each must be ≤ the device's maxComputeWorkgroupsPerDimension. */
  workgroups: [number, number?, number?];
  /** Bound at @binding(0) as a uniform struct when present (u32 numbers, f32(x) for floats). */
  params?: Param[];
  /** Bound in order at @binding(1), @binding(2)… (or from @binding(0) when there are no params). */
  buffers: (Tensor | GPUBuffer)[];
}

/** An error WebGPU reported, with the kernels that were in flight when it happened. */
export class GpuError extends Error {
  constructor(
    readonly kind: 'validation' | 'out-of-memory' | 'internal' | 'device-lost' | 'shape',
    message: string,
  ) {
    super(message);
    this.name = 'GpuError';
  }
}

export interface GpuOptions {
  /** Each dispatch gets its own error scope and submit: slow, but the error names exactly one kernel. */
  debug?: boolean;
  powerPreference?: GPUPowerPreference;
  onDeviceLost?: (reason: string) => void;
}

// Limits a GPT training step needs beyond WebGPU's defaults; we ask for the adapter's maximum of each.
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
] as const;
const WANTED_FEATURES: GPUFeatureName[] = ['subgroups' as GPUFeatureName, 'shader-f16', 'timestamp-query'];

export class Gpu {
  readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Dispatches issued since creation; the benchmark reports it per training step. */
  dispatchCount = 0;
  lost: string | null = null;

  private pool = new Map<number, GPUBuffer[]>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchKernels = new Set<string>();
  private pendingErrors: Promise<GpuError | null>[] = [];
  private uncaptured: GpuError | null = null;
  private uniforms: UniformArena;

  private constructor(
    readonly device: GPUDevice,
    readonly adapterInfo: { vendor: string; architecture: string; device: string; description: string },
    private readonly opts: GpuOptions,
  ) {
    this.uniforms = new UniformArena(device);
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      this.uncaptured ??= new GpuError(errorKind(err), `WebGPU error: ${err.message}`);
    });
    void device.lost.then((info) => {
      this.lost = `${info.reason}: ${info.message}`;
      opts.onDeviceLost?.(this.lost);
    });
  }

  /** Opens the adapter and device from a `GPU` object (navigator.gpu, or nodeGpu() in Node). */
  static async create(gpu: GPU | undefined, opts: GpuOptions = {}): Promise<Gpu> {
    if (!gpu) throw new GpuError('internal', 'WebGPU is not available here (navigator.gpu is undefined).');
    const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
    if (!adapter) throw new GpuError('internal', 'No WebGPU adapter was found (requestAdapter returned null).');
    const requiredLimits: Record<string, number> = {};
    for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
    const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
    const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'llm-playground' });
    const info = adapter.info ?? ({} as GPUAdapterInfo);
    return new Gpu(
      device,
      {
        vendor: info.vendor ?? '',
        architecture: info.architecture ?? '',
        device: info.device ?? '',
        description: info.description ?? '',
      },
      opts,
    );
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  hasFeature(f: string): boolean {
    return this.device.features.has(f);
  }

  // ---- buffers ---------------------------------------------------------------------------------------

  /** A tensor from the pool (contents undefined) or filled with `data`. */
  tensor(shape: readonly number[], label: string, data?: ArrayLike<number>, dtype: DType = 'f32'): Tensor {
    const numel = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new GpuError('shape', `${label}: invalid shape [${shape.join(', ')}]`);
    }
    const t = new Tensor(this, this.acquire(numel * 4, label), shape, dtype, label);
    if (data) this.upload(t, data);
    return t;
  }

  /** Writes host data into a tensor. Flushes first so earlier queued kernels see the old contents. */
  upload(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.numel) {
      throw new GpuError('shape', `upload ${t.label}: ${data.length} values for shape [${t.shape.join(', ')}]`);
    }
    this.checkAlive();
    if (this.encoder) this.flush();
    const host = t.dtype === 'f32' ? Float32Array.from(data) : t.dtype === 'u32' ? Uint32Array.from(data) : Int32Array.from(data);
    this.device.queue.writeBuffer(t.buffer, 0, host.buffer, host.byteOffset, host.byteLength);
  }

  /** Copies a tensor (or `count` elements from `offset`) back to the host; surfaces any error since the last sync. */
  async read(t: Tensor, offset = 0, count = t.numel - offset): Promise<Float32Array | Uint32Array | Int32Array> {
    if (!(offset >= 0 && count >= 0 && offset + count <= t.numel)) {
      throw new GpuError('shape', `read ${t.label}: elements [${offset}, ${offset + count}) outside [0, ${t.numel})`);
    }
    const bytes = count * 4;
    const staging = this.device.createBuffer({
      size: Math.max(4, bytes),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: `read ${t.label}`,
    });
    this.endPass();
    this.ensureEncoder().copyBufferToBuffer(t.buffer, offset * 4, staging, 0, bytes);
    this.flush();
    await this.sync();
    await staging.mapAsync(GPUMapMode.READ);
    const raw = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    return t.dtype === 'f32' ? new Float32Array(raw, 0, count) : t.dtype === 'u32' ? new Uint32Array(raw, 0, count) : new Int32Array(raw, 0, count);
  }

  /** Returns a buffer to the pool; queued work that still reads it runs first (queue order). */
  release(buffer: GPUBuffer): void {
    const list = this.pool.get(buffer.size);
    if (list) list.push(buffer);
    else this.pool.set(buffer.size, [buffer]);
  }

  /** Destroys every pooled buffer (e.g. after a model is freed). */
  trimPool(): void {
    for (const list of this.pool.values()) for (const b of list) b.destroy();
    this.pool.clear();
  }

  private acquire(bytes: number, label: string): GPUBuffer {
    this.checkAlive();
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (size > this.limits.maxStorageBufferBindingSize) {
      throw new GpuError('out-of-memory', `${label}: ${size} bytes exceeds this device's largest buffer (${this.limits.maxStorageBufferBindingSize} bytes)`);
    }
    const reused = this.pool.get(size)?.pop();
    if (reused) return reused;
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    });
    this.pendingErrors.push(
      this.device.popErrorScope().then((e) => (e ? new GpuError('out-of-memory', `allocating ${label} (${size} bytes): ${e.message}`) : null)),
    );
    return buffer;
  }

  // ---- kernels ---------------------------------------------------------------------------------------

  /** The compiled pipeline for a kernel, compiled on first use and cached. */
  pipeline(k: KernelSpec): GPUComputePipeline {
    const key = `${k.name}\0${k.entry ?? 'main'}\0${JSON.stringify(k.constants ?? {})}\0${k.code}`;
    let p = this.pipelines.get(key);
    if (!p) {
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ code: k.code, label: k.name });
      p = this.device.createComputePipeline({
        layout: 'auto',
        label: k.name,
        compute: { module, entryPoint: k.entry ?? 'main', constants: k.constants },
      });
      this.pendingErrors.push(
        this.device.popErrorScope().then((e) => (e ? new GpuError('validation', `compiling kernel ${k.name}: ${e.message}`) : null)),
      );
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Compiles a kernel now and throws if its WGSL or pipeline is invalid. */
  async compile(k: KernelSpec): Promise<void> {
    this.pipeline(k);
    await this.sync();
  }

  /** Queues one compute dispatch. Work is submitted at flush(), read() or sync(). */
  run(d: Dispatch): void {
    this.checkAlive();
    const name = d.kernel.name;
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    const [x, y = 1, z = 1] = d.workgroups;
    if (![x, y, z].every((n) => Number.isInteger(n) && n >= 0 && n <= max)) {
      throw new GpuError('shape', `${name}: workgroup counts [${x}, ${y}, ${z}] outside 0..${max}`);
    }
    if (x * y * z === 0) return;
    if (this.opts.debug) this.device.pushErrorScope('validation');
    const pipeline = this.pipeline(d.kernel);
    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    if (d.params) {
      if (!this.uniforms.fits()) this.flush();
      entries.push({ binding: binding++, resource: this.uniforms.push(d.params) });
    }
    for (const b of d.buffers) {
      entries.push({ binding: binding++, resource: { buffer: b instanceof Tensor ? b.buffer : b } });
    }
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: name });
    const pass = this.ensurePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatchCount++;
    this.batchKernels.add(name);
    if (this.opts.debug) {
      this.flush();
      this.pendingErrors.push(
        this.device.popErrorScope().then((e) => (e ? new GpuError('validation', `kernel ${name}: ${e.message}`) : null)),
      );
    }
  }

  /** Sets a tensor to zero, in queue order with the dispatches around it (a clear, not a kernel). */
  zero(t: Tensor): void {
    this.checkAlive();
    this.endPass();
    this.ensureEncoder().clearBuffer(t.buffer, 0, t.numel * 4);
  }

  /** Copies `bytes` between buffers in queue order with the dispatches around it. */
  copy(src: Tensor, dst: Tensor, bytes = Math.min(src.numel, dst.numel) * 4, srcOffset = 0, dstOffset = 0): void {
    this.endPass();
    this.ensureEncoder().copyBufferToBuffer(src.buffer, srcOffset, dst.buffer, dstOffset, bytes);
  }

  /** Submits the queued dispatches. Errors from them surface at the next sync() or read(). */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const kernels = [...this.batchKernels].join(', ');
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
    this.uniforms.upload();
    this.device.queue.submit([this.encoder.finish()]);
    const scope = (kind: 'validation' | 'out-of-memory') => (e: GPUError | null) =>
      e ? new GpuError(kind, `${e.message}\n(kernels in this batch: ${kernels || 'copies only'})`) : null;
    this.pendingErrors.push(this.device.popErrorScope().then(scope('out-of-memory')));
    this.pendingErrors.push(this.device.popErrorScope().then(scope('validation')));
    this.encoder = null;
    this.batchKernels.clear();
  }

  /** Flushes, waits for the GPU to finish, and throws the first error WebGPU reported since the last sync. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    const errors = await Promise.all(this.pendingErrors.splice(0));
    const first = errors.find((e) => e !== null) ?? this.uncaptured;
    this.uncaptured = null;
    if (first) throw first;
    this.checkAlive();
  }

  destroy(): void {
    this.trimPool();
    this.uniforms.destroy();
    this.device.destroy();
  }

  private checkAlive(): void {
    if (this.lost) throw new GpuError('device-lost', `The GPU device was lost (${this.lost}). Reload the model from its last save.`);
  }

  private ensureEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private ensurePass(): GPUComputePassEncoder {
    this.pass ??= this.ensureEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }
}

function errorKind(e: GPUError): GpuError['kind'] {
  if (typeof GPUOutOfMemoryError !== 'undefined' && e instanceof GPUOutOfMemoryError) return 'out-of-memory';
  if (typeof GPUValidationError !== 'undefined' && e instanceof GPUValidationError) return 'validation';
  return 'internal';
}
