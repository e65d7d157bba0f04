// The benchmark page. scripts/bench.mjs serves it with Vite, opens it in headless Chromium and calls
// window.runBench(options); it also works by hand in a browser (open /bench/, call runBench({})).
// Sections are the modules in bench/sections/ (see bench/types.ts); adding a file there adds a key to
// the JSON result.
import { Gpu } from '../src/model/gpu/runtime.ts';
import type { BenchContext, BenchOptions, BenchSection } from './types.ts';

export interface BenchResult {
  adapter: { vendor: string; architecture: string; device: string; description: string };
  [section: string]: unknown;
}

const modules = import.meta.glob<{ default: BenchSection }>('./sections/*.ts');

let tfPromise: Promise<typeof import('@tensorflow/tfjs-core')> | null = null;
function loadTfjs(): Promise<typeof import('@tensorflow/tfjs-core')> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its webgpu backend');
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

function log(line: string): void {
  console.log(`[bench] ${line}`);
  const el = document.getElementById('log');
  if (el) el.textContent += `${line}\n`;
}

async function runBench(options: BenchOptions = {}): Promise<{ result: BenchResult; report: string[] }> {
  const gpu = await Gpu.create(navigator.gpu);
  const result: BenchResult = { adapter: gpu.adapterInfo };
  log(`adapter: ${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture} ${gpu.adapterInfo.description}`.trim());
  const sections: BenchSection[] = [];
  for (const load of Object.values(modules)) sections.push((await load()).default);
  sections.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.key.localeCompare(b.key));
  const cpuMs = async () => (window.gpuProcessCpuMs ? await window.gpuProcessCpuMs() : null);
  const ctx: BenchContext = { gpu, options, log, tfjs: loadTfjs, cpuMs, results: {} };
  const report: string[] = [];
  for (const s of sections) {
    if (options.only ? !options.only.includes(s.key) : s.optIn) continue;
    log(`section ${s.key}`);
    const t0 = performance.now();
    const r = await s.run(ctx);
    result[s.key] = r;
    ctx.results[s.key] = r;
    log(`section ${s.key} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (s.report) report.push('', `== ${s.key} ==`, ...s.report(r));
  }
  gpu.destroy();
  return { result, report };
}

declare global {
  interface Window {
    runBench: typeof runBench;
    /** Exposed by scripts/bench.mjs: CPU ms used so far by Chromium's GPU process (null if unknown). */
    gpuProcessCpuMs?: () => Promise<number | null>;
    benchReady: boolean;
  }
}
window.runBench = runBench;
window.benchReady = true;
