// One way of timing GPU work for every library the benchmark compares: a warm-up call (it compiles the
// pipelines and tells roughly how long a call takes), then `reps` calls queued back to back and a single
// wait for the GPU at the end. The result is wall time per call, so queueing overhead counts too.

export interface TimeOptions {
  /** Aim for about this much measured time per case (ms). */
  targetMs?: number;
  minReps?: number;
  maxReps?: number;
  /** A CPU clock (ms) for the process doing the work; when given, cpuMsPerCall is measured too. */
  cpuMs?: () => Promise<number | null>;
}

export interface Timing {
  msPerCall: number;
  /** CPU ms per call of the process doing the work (null without a CPU clock). */
  cpuMsPerCall: number | null;
  reps: number;
  warmupMs: number;
}

/**
 * `call` queues one unit of work (it must not wait for the GPU); `sync` waits until everything queued so
 * far has finished.
 */
export async function timeGpu(call: () => void, sync: () => Promise<void>, o: TimeOptions = {}): Promise<Timing> {
  const { targetMs = 1500, minReps = 2, maxReps = 50 } = o;
  // First call: compiles pipelines, allocates; second: how long one call takes.
  call();
  await sync();
  let t0 = performance.now();
  call();
  await sync();
  const warmupMs = performance.now() - t0;
  const reps = Math.max(minReps, Math.min(maxReps, Math.ceil(targetMs / Math.max(warmupMs, 0.01))));
  const c0 = o.cpuMs ? await o.cpuMs() : null;
  t0 = performance.now();
  for (let i = 0; i < reps; i++) call();
  await sync();
  const msPerCall = (performance.now() - t0) / reps;
  const c1 = c0 !== null && o.cpuMs ? await o.cpuMs() : null;
  return { msPerCall, cpuMsPerCall: c0 !== null && c1 !== null ? (c1 - c0) / reps : null, reps, warmupMs };
}

export const gflops = (flop: number, ms: number) => flop / ms / 1e6;
