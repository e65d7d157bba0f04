// The UI side of the engine worker: typed request/response over postMessage. Each request gets an id; the
// returned promise settles when the worker answers that id (rejecting with an EngineError carrying the
// worker's error code and message). Worker events (device loss) go to the listeners from `on()`.
import type {
  CommandMap,
  CommandType,
  EngineEvent,
  ErrorCode,
  RequestMessage,
  ResultOf,
  WorkerMessage,
} from '../model/worker/protocol.ts';

export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The worker's stack, when it sent one. */
    readonly workerStack?: string,
    /** Facts for the UI's own message (see SerializedError.detail). */
    readonly detail?: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: EngineError) => void };

/** Something with postMessage and message/error events: a Worker, or a fake one in tests. */
export interface WorkerLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (ev: MessageEvent) => void): void;
  addEventListener(type: 'error', fn: (ev: ErrorEvent) => void): void;
  terminate(): void;
}

export class EngineClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Set<(e: EngineEvent) => void>();
  private dead: EngineError | null = null;

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener('message', (ev: MessageEvent) => this.receive(ev.data as WorkerMessage));
    worker.addEventListener('error', (ev: ErrorEvent) => {
      // A worker that fails to load or throws at top level: fail everything in flight and later.
      ev.preventDefault?.();
      this.fail(new EngineError('worker-error', `The engine worker failed: ${ev.message || 'it could not be loaded'}`));
    });
  }

  /** Starts the engine worker (bundled by Vite as an ES-module worker). */
  static start(): EngineClient {
    const worker = new Worker(new URL('../model/worker/engine-worker.ts', import.meta.url), {
      type: 'module',
      name: 'engine',
    });
    return new EngineClient(worker);
  }

  /**
   * Sends a command; resolves with its result, rejects with an EngineError. `transfer` moves buffers to the
   * worker instead of copying them (a corpus file's bytes); they are unusable here afterwards.
   */
  request<K extends CommandType>(cmd: CommandMap[K]['req'] & { type: K }, transfer?: Transferable[]): Promise<ResultOf<K>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<ResultOf<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const msg: RequestMessage = { id, cmd };
      if (transfer?.length) this.worker.postMessage(msg, transfer);
      else this.worker.postMessage(msg);
    });
  }

  /** Listens to worker events; returns the unsubscribe function. */
  on(fn: (e: EngineEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stops the worker; requests still in flight reject. */
  terminate(): void {
    this.worker.terminate();
    this.fail(new EngineError('terminated', 'The engine worker was stopped.'));
  }

  private receive(msg: WorkerMessage): void {
    if (msg.kind === 'event') {
      for (const fn of this.listeners) fn(msg.event);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new EngineError(msg.error.code, msg.error.message, msg.error.stack, msg.error.detail));
  }

  private fail(err: EngineError): void {
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
