// The bias gradient of a linear layer: column sums of d(output), in two deterministic stages
// (src/shaders/bias_grad.wgsl).
import code from '../../shaders/bias_grad.wgsl?raw';
import { GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDistinct, checkTensor } from './checks.ts';

export interface BiasGradOptions {
  /** dbias += column sums instead of dbias = column sums. */
  accumulate?: boolean;
}

const ROWS = 256;
const PARTIAL = { name: 'bias_grad_partial', code, entry: 'partial', constants: { ROWS } };
const FINISH = { name: 'bias_grad_finish', code, entry: 'finish' };

/** dbias[N] (+)= Σ over rows of dout [M, N] (all leading dimensions of dout count as rows). */
export function biasGrad(gpu: Gpu, dbias: Tensor, dout: Tensor, o: BiasGradOptions = {}): void {
  const op = 'biasGrad';
  const N = dbias.numel;
  if (N === 0 || dout.numel % N !== 0) {
    throw new GpuError('shape', `${op}: dout ${dout.label}[${dout.shape.join(', ')}] is not a whole number of rows of dbias ${dbias.label}[${dbias.shape.join(', ')}]`);
  }
  checkTensor(op, 'dbias', dbias, N, `[N=${N}]`);
  checkTensor(op, 'dout', dout, dout.numel, `[M, N=${N}]`);
  checkDistinct(op, { dbias, dout });
  const M = dout.numel / N;
  const chunks = Math.max(1, Math.ceil(M / ROWS));
  const partials = gpu.tensor([chunks, N], 'bias grad partials');
  gpu.run({ kernel: PARTIAL, workgroups: [Math.ceil(N / 64), chunks], params: [M, N, chunks, 0], buffers: [dout, partials] });
  gpu.run({ kernel: FINISH, workgroups: [Math.ceil(N / 64)], params: [M, N, chunks, o.accumulate ? 1 : 0], buffers: [partials, dbias] });
  partials.release();
}
