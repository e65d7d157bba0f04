import { describe, it, expect } from 'vitest';
import { testGpu } from './helpers/gpu.ts';
import { f32, GpuError } from '../src/model/gpu/runtime.ts';

const AXPY = {
  name: 'test_axpy',
  code: /* wgsl */ `
struct Params { n: u32, a: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < p.n) { y[id.x] = p.a * x[id.x] + y[id.x]; }
}`,
};

describe('GPU runtime', () => {
  it('runs a kernel with params and reads the result back', async () => {
    const gpu = await testGpu();
    const n = 129;
    const x = gpu.tensor([n], 'x', Array.from({ length: n }, (_, i) => i));
    const y = gpu.tensor([n], 'y', new Array(n).fill(1));
    gpu.run({ kernel: AXPY, workgroups: [Math.ceil(n / 64)], params: [n, f32(0.5)], buffers: [x, y] });
    gpu.run({ kernel: AXPY, workgroups: [Math.ceil(n / 64)], params: [n, f32(2)], buffers: [x, y] });
    const out = await y.read();
    for (let i = 0; i < n; i++) expect(out[i]).toBe(1 + 2.5 * i);
    expect(gpu.pipelines.size).toBeGreaterThanOrEqual(1);
    x.release();
    y.release();
  });

  it('reuses pooled buffers of the same size', async () => {
    const gpu = await testGpu();
    const a = gpu.tensor([100], 'a');
    const buf = a.buffer;
    a.release();
    const b = gpu.tensor([100], 'b');
    expect(b.buffer).toBe(buf);
    b.release();
  });

  it('reports invalid WGSL as an error naming the kernel', async () => {
    const gpu = await testGpu();
    const bad = { name: 'broken_kernel', code: '@compute @workgroup_size(1) fn main() { let x: f32 = undefined_thing; }' };
    await expect(gpu.compile(bad)).rejects.toThrow(/broken_kernel/);
  });

  it('reports a binding mismatch as a validation error naming the kernel', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([4], 'x', [1, 2, 3, 4]);
    gpu.run({ kernel: AXPY, workgroups: [1], params: [4, f32(1)], buffers: [x] });
    const err = await gpu.sync().catch((e) => e);
    expect(err).toBeInstanceOf(GpuError);
    expect(String(err.message)).toMatch(/test_axpy/);
    x.release();
  });

  it('rejects bad shapes and workgroup counts before dispatch', async () => {
    const gpu = await testGpu();
    expect(() => gpu.tensor([2, -1], 'neg')).toThrow(/invalid shape/);
    const x = gpu.tensor([4], 'x');
    expect(() => gpu.upload(x, [1, 2, 3])).toThrow(/3 values for shape \[4\]/);
    expect(() => gpu.run({ kernel: AXPY, workgroups: [1e6], params: [4, f32(1)], buffers: [x, x] })).toThrow(/test_axpy/);
    x.release();
  });
});

describe('GPU runtime: zero and copy', () => {
  it('zeroes a tensor and copies between tensors in queue order', async () => {
    const gpu = await testGpu();
    const a = gpu.tensor([7], 'a', [1, 2, 3, 4, 5, 6, 7]);
    const b = gpu.tensor([7], 'b', new Array(7).fill(NaN));
    gpu.copy(a, b);
    gpu.zero(a);
    expect([...(await a.read())]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect([...(await b.read())]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    a.release();
    b.release();
  });
});
