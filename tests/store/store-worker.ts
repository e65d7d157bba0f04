// Dedicated worker for the store tests: runs CheckpointStore operations the page asks for, the way the
// training worker autosaves. Message in: WorkerRequest; message out: WorkerReply.
import { CheckpointStore, type ByteSink, type OpfsWriter, type StorageInfo, type StoredCheckpointInfo } from '../../src/model/checkpoint/store.ts';
import { tinyCheckpoint, checkpointDiffs } from './fixtures.ts';

export interface WorkerRequest {
  op: 'save' | 'autosave' | 'load' | 'info';
  namespace: string;
  opfsWriter?: 'auto' | OpfsWriter;
  seed?: number;
  name?: string;
  id?: string;
  runId?: string;
  /** With AdamW moments (save, and the expected checkpoint of load). Default true. */
  optimizer?: boolean;
  /** Make the save fail after writing half of the bytes. */
  failMidWrite?: boolean;
}

export interface WorkerReply {
  ok: boolean;
  info?: StoredCheckpointInfo;
  storage?: StorageInfo;
  /** For 'load': bit differences from tinyCheckpoint(seed). */
  diffs?: number;
  name?: string;
  error?: { name: string; code?: string; message: string };
}

function failingSink(inner: ByteSink): ByteSink {
  return {
    write: async (chunk) => {
      await inner.write(chunk.subarray(0, chunk.length >> 1));
      throw new Error('injected failure after a partial write');
    },
    close: () => inner.close(),
    abort: (r) => inner.abort(r),
  };
}

self.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const r = ev.data;
  const store = new CheckpointStore({
    namespace: r.namespace,
    opfsWriter: r.opfsWriter ?? 'auto',
    autoCleanup: false,
    wrapSink: r.failMidWrite ? failingSink : undefined,
  });
  let reply: WorkerReply;
  try {
    const seed = r.seed ?? 1;
    switch (r.op) {
      case 'save':
        reply = { ok: true, info: await store.save(tinyCheckpoint(seed, { name: r.name, optimizer: r.optimizer ?? true }), { id: r.id, runId: r.runId }) };
        break;
      case 'autosave':
        reply = { ok: true, info: await store.saveAutosave(r.runId!, tinyCheckpoint(seed, { name: r.name, step: seed })) };
        break;
      case 'load': {
        const ckpt = await store.load(r.id!);
        reply = { ok: true, diffs: checkpointDiffs(ckpt, tinyCheckpoint(seed, { optimizer: r.optimizer ?? true })), name: ckpt.meta.name };
        break;
      }
      case 'info':
        reply = { ok: true, storage: await store.storageInfo() };
        break;
    }
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    reply = { ok: false, error: { name: String(err?.name), code: err?.code, message: String(err?.message ?? e) } };
  }
  store.close();
  (self as unknown as Worker).postMessage(reply);
};
