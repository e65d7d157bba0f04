// The messages between the UI thread and the engine worker (src/model/worker/engine-worker.ts), which owns
// the WebGPU device. Every command is a request with an id; the worker answers each id exactly once, with a
// result or an error. The worker also pushes events (device loss) that answer no request.

/** What the UI shows about the GPU: the adapter, the limits that bound model size, the useful features. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The device's limits (the runtime requests the adapter's maximum of those a GPT needs). */
  limits: Record<string, number>;
  features: string[];
}

/** Each command's request and result. Add a command by adding an entry here and a case in the worker. */
export interface CommandMap {
  /** Opens the device (first call) and reports the adapter; proves WebGPU works inside a worker. */
  hello: { req: { type: 'hello' }; res: AdapterReport };
  /** Destroys the device, as a driver reset would; for tests and diagnostics of the device-loss path. */
  'lose-device': { req: { type: 'lose-device' }; res: { ok: true } };
}

export type CommandType = keyof CommandMap;
export type Command = CommandMap[CommandType]['req'];
export type ResultOf<K extends CommandType> = CommandMap[K]['res'];

/**
 * Why a command failed, for the UI to pick its explanation: no-webgpu (navigator.gpu missing in the
 * worker), no-adapter (requestAdapter returned null), device-lost, shape/validation/… from GpuError, or
 * 'error' for anything else.
 */
export type ErrorCode = 'no-webgpu' | 'no-adapter' | 'device-lost' | 'bad-command' | 'error' | (string & {});

export interface SerializedError {
  name: string;
  message: string;
  code: ErrorCode;
  stack?: string;
}

/** UI → worker. */
export interface RequestMessage {
  id: number;
  cmd: Command;
}

/** Worker → UI, unprompted. */
export type EngineEvent = { type: 'device-lost'; reason: string } | { type: 'ready' };

/** Worker → UI. */
export type WorkerMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: SerializedError }
  | { kind: 'event'; event: EngineEvent };
