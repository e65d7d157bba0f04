// Model and training presets. Sizes are chosen for where they run: `tiny` visibly learns within a minute
// on a GPU-less machine (software WebGPU, ~1–2 GFLOP/s); `baby-cpu` is nanoGPT's CPU config; `baby` is
// nanoGPT's shakespeare-char model (~10.7M parameters) for a real GPU.
export interface Preset {
  name: string;
  layers: number;
  heads: number;
  channels: number;
  context: number;
  batch: number;
  steps: number;
  lr: number;
  minLr: number;
  warmup: number;
  evalEvery: number;
  beta2: number;
  weightDecay: number;
}

export const PRESETS: Record<string, Preset> = {
  tiny: { name: 'tiny', layers: 2, heads: 2, channels: 64, context: 64, batch: 8, steps: 300, lr: 3e-3, minLr: 3e-4, warmup: 20, evalEvery: 50, beta2: 0.99, weightDecay: 0.1 },
  'baby-cpu': { name: 'baby-cpu', layers: 4, heads: 4, channels: 128, context: 64, batch: 12, steps: 2000, lr: 1e-3, minLr: 1e-4, warmup: 100, evalEvery: 250, beta2: 0.99, weightDecay: 0.1 },
  baby: { name: 'baby', layers: 6, heads: 6, channels: 384, context: 256, batch: 64, steps: 5000, lr: 1e-3, minLr: 1e-4, warmup: 100, evalEvery: 250, beta2: 0.99, weightDecay: 0.1 },
};

export function getPreset(name: string): Preset {
  const p = PRESETS[name];
  if (!p) throw new Error(`unknown preset '${name}'; choose one of ${Object.keys(PRESETS).join(', ')}`);
  return { ...p };
}
