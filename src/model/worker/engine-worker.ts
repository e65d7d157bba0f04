/// <reference lib="webworker" />
// The engine worker: it owns the WebGPU device (created here, in the worker, from the worker's own
// navigator.gpu) so training never blocks the page. The UI talks to it through src/ui/engine-client.ts.
import { Gpu, GpuError } from '../gpu/runtime.ts';
import type { AdapterReport, Command, ErrorCode, RequestMessage, SerializedError, WorkerMessage } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Limits shown in the UI (the ones that bound model size and kernel tiling). */
const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

let gpu: Promise<Gpu> | null = null;

function post(msg: WorkerMessage): void {
  scope.postMessage(msg);
}

/** The worker's device, opened on first use; after a loss the next command opens a fresh one. */
function device(): Promise<Gpu> {
  if (!gpu) {
    if (!('gpu' in navigator) || !navigator.gpu) {
      return Promise.reject(codeError('no-webgpu', 'navigator.gpu is undefined in the worker: this browser has no WebGPU.'));
    }
    const opening = Gpu.create(navigator.gpu, {
      onDeviceLost: (reason) => {
        gpu = null;
        post({ kind: 'event', event: { type: 'device-lost', reason } });
      },
    });
    gpu = opening;
    opening.catch(() => {
      if (gpu === opening) gpu = null;
    });
  }
  return gpu;
}

function report(g: Gpu): AdapterReport {
  const limits: Record<string, number> = {};
  for (const k of REPORTED_LIMITS) limits[k] = Number(g.limits[k]);
  return { ...g.adapterInfo, limits, features: [...g.device.features].map(String).sort() };
}

class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

function codeError(code: ErrorCode, message: string): CodedError {
  return new CodedError(code, message);
}

function serialize(e: unknown): SerializedError {
  if (e instanceof CodedError) return { name: e.name, message: e.message, code: e.code, stack: e.stack };
  if (e instanceof GpuError) {
    const code = e.kind === 'internal' && /requestAdapter returned null|No WebGPU adapter/.test(e.message) ? 'no-adapter' : e.kind;
    return { name: e.name, message: e.message, code, stack: e.stack };
  }
  if (e instanceof Error) return { name: e.name, message: e.message, code: 'error', stack: e.stack };
  return { name: 'Error', message: String(e), code: 'error' };
}

async function handle(cmd: Command): Promise<unknown> {
  switch (cmd.type) {
    case 'hello':
      return report(await device());
    case 'lose-device': {
      const g = await device();
      g.device.destroy();
      return { ok: true };
    }
    default:
      throw codeError('bad-command', `unknown command ${JSON.stringify((cmd as { type?: unknown }).type)}`);
  }
}

scope.addEventListener('message', (ev: MessageEvent<RequestMessage>) => {
  const { id, cmd } = ev.data;
  handle(cmd).then(
    (result) => post({ kind: 'response', id, ok: true, result }),
    (e: unknown) => post({ kind: 'response', id, ok: false, error: serialize(e) }),
  );
});

post({ kind: 'event', event: { type: 'ready' } });
