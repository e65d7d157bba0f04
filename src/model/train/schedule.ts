// Learning-rate schedule: linear warm-up, then cosine decay to a floor (nanoGPT's get_lr).
export interface LrSchedule {
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  /** Step at which the cosine reaches minLr; later steps stay there. */
  decaySteps: number;
}

/** The learning rate for 0-based optimiser step `step`. */
export function learningRate(s: LrSchedule, step: number): number {
  if (step < s.warmupSteps) return (s.maxLr * (step + 1)) / s.warmupSteps;
  if (step >= s.decaySteps) return s.minLr;
  const ratio = (step - s.warmupSteps) / Math.max(1, s.decaySteps - s.warmupSteps);
  return s.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (s.maxLr - s.minLr);
}
