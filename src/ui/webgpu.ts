// WebGPU detection for the UI: the page must be a secure context and have navigator.gpu; then the engine
// worker opens the device and reports the adapter (so a "ready" answer also proves WebGPU works in a
// worker, where all the GPU work happens).
import type { AdapterReport } from '../model/worker/protocol.ts';
import { EngineError, type EngineClient } from './engine-client.ts';

export type GpuStatus =
  | { state: 'checking' }
  | { state: 'ready'; report: AdapterReport }
  | { state: 'unsupported'; reason: 'insecure' | 'missing' | 'no-adapter' | 'failed'; detail: string };

/** What stops WebGPU on this page before any worker is started, or null when nothing does. */
export function pageProblem(): Extract<GpuStatus, { state: 'unsupported' }> | null {
  if (!globalThis.isSecureContext) return { state: 'unsupported', reason: 'insecure', detail: location.origin };
  if (!('gpu' in navigator) || !navigator.gpu) return { state: 'unsupported', reason: 'missing', detail: '' };
  return null;
}

/** Asks the worker for its adapter; turns its errors into the panel to show. */
export async function detectGpu(client: () => EngineClient, timeoutMs = 60_000): Promise<GpuStatus> {
  const early = pageProblem();
  if (early) return early;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EngineError('timeout', `the engine worker did not answer within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
    const report = await Promise.race([client().request({ type: 'hello' }), timeout]);
    return { state: 'ready', report };
  } catch (e) {
    const code = e instanceof EngineError ? e.code : 'error';
    const message = e instanceof Error ? e.message : String(e);
    if (code === 'no-webgpu') return { state: 'unsupported', reason: 'missing', detail: message };
    if (code === 'no-adapter') return { state: 'unsupported', reason: 'no-adapter', detail: message };
    return { state: 'unsupported', reason: 'failed', detail: message };
  } finally {
    clearTimeout(timer);
  }
}

/** True for software adapters (SwiftShader, llvmpipe…), where training works but slowly. */
export function isSoftwareAdapter(r: AdapterReport): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|basic render/i.test(`${r.vendor} ${r.architecture} ${r.device} ${r.description}`);
}
