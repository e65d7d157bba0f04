// CheckpointStore in a real browser (headless Chromium: real OPFS, IndexedDB, BroadcastChannel, Web Locks,
// a dedicated worker): round trip, rename, remove, export/import, rejection of bad files, atomic replacement
// under injected failures (including QuotaExceededError), autosaves, several instances, and the worker.
// Browser only: `LLM_PLAYGROUND_TEST_BROWSER=1 npx vitest run tests/store`.
import { afterEach, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  checkpointFileName,
  encodeSafetensors,
  readCheckpoint,
  writeCheckpoint,
} from '../../src/model/checkpoint/index.ts';
import { paramCount } from '../../src/model/config.ts';
import {
  CheckpointStore,
  CheckpointStoreError,
  storeNames,
  type ByteSink,
  type CheckpointStoreOptions,
  type StoreChange,
} from '../../src/model/checkpoint/store.ts';
import { BLOBS, openDatabase, request, transact } from '../../src/model/checkpoint/store/idb.ts';
import { TINY, checkpointDiffs, tinyCheckpoint } from './fixtures.ts';
import type { WorkerReply, WorkerRequest } from './store-worker.ts';

/** The Node suite (tests/**) picks this file up too; it only means something in a browser. */
const inBrowser = typeof window !== 'undefined' && typeof indexedDB !== 'undefined' && typeof navigator?.storage?.getDirectory === 'function';

const open: CheckpointStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

let counter = 0;
function namespace(): string {
  return `t${Date.now().toString(36)}-${counter++}-${Math.random().toString(36).slice(2, 8)}`;
}

function makeStore(options: CheckpointStoreOptions = {}): CheckpointStore {
  const s = new CheckpointStore({ autoCleanup: false, requestPersistence: false, ...options });
  open.push(s);
  return s;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Names of the files a namespace holds, in OPFS or as IndexedDB blobs. */
async function storedFiles(ns: string, storage: 'opfs' | 'idb'): Promise<string[]> {
  if (storage === 'opfs') {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(storeNames(ns).directory, { create: true });
    const names: string[] = [];
    for await (const [name] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) names.push(name);
    return names.sort();
  }
  const db = await openDatabase(storeNames(ns).database);
  try {
    const keys = await transact(db, BLOBS, 'readonly', (tx) => request(tx.objectStore(BLOBS).getAllKeys()));
    return keys.map(String).sort();
  } finally {
    db.close();
  }
}

/** Overwrites the stored bytes of checkpoint `id` with `bytes`, behind the store's back. */
async function overwriteStored(ns: string, storage: 'opfs' | 'idb', id: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  const file = (await storedFiles(ns, storage)).find((f) => f.startsWith(`${id}.`));
  expect(file, 'stored file of the checkpoint').toBeDefined();
  if (storage === 'opfs') {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(storeNames(ns).directory);
    const w = await (await dir.getFileHandle(file!)).createWritable();
    await w.write(bytes);
    await w.close();
    return;
  }
  const db = await openDatabase(storeNames(ns).database);
  try {
    await transact(db, BLOBS, 'readwrite', async (tx) => {
      await request(tx.objectStore(BLOBS).put({ blob: new Blob([bytes]), at: Date.now() }, file!));
    });
  } finally {
    db.close();
  }
}

/** A sink that writes half of the first chunk through, then fails with `error`. */
function failAfterPartialWrite(error: () => unknown) {
  let partial = 0;
  const wrap = (inner: ByteSink): ByteSink => ({
    write: async (chunk) => {
      const half = chunk.subarray(0, chunk.length >> 1);
      await inner.write(half);
      partial += half.length;
      throw error();
    },
    close: () => inner.close(),
    abort: (r) => inner.abort(r),
  });
  return { wrap, written: () => partial };
}

function nextChange(store: CheckpointStore, pred: (c: StoreChange) => boolean, timeoutMs = 10_000): Promise<StoreChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no matching change notification'));
    }, timeoutMs);
    const off = store.onChange((c) => {
      if (!pred(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

describe.skipIf(!inBrowser).each(['opfs', 'idb'] as const)('CheckpointStore (%s)', (storage) => {
  const create = (ns = namespace(), extra: CheckpointStoreOptions = {}) => ({ ns, store: makeStore({ namespace: ns, backend: storage, ...extra }) });

  it('saves, lists and loads bit-exactly, with metadata', async () => {
    const { store } = create();
    expect(await store.list()).toEqual([]);
    const ckpt = tinyCheckpoint(3, { name: 'my model', stage: 'sft', optimizer: true, step: 42 });
    const info = await store.save(ckpt, { runId: 'run-a', parentId: 'parent-1' });

    expect(info.storage).toBe(storage);
    expect(info.name).toBe('my model');
    expect(info.stage).toBe('sft');
    expect(info.bytes).toBe(writeCheckpoint(ckpt).length);
    expect(info.config).toEqual({ ...TINY, params: paramCount(TINY) });
    expect(info.tokenizer).toBe('char');
    expect(info.step).toBe(42);
    expect(info.hasOptimizerState).toBe(true);
    expect(info.autosave).toBe(false);
    expect(info.runId).toBe('run-a');
    expect(info.parentId).toBe('parent-1');
    expect(info.lineage).toEqual([{ stage: 'base', name: 'tiny base', note: 'seed 3' }]);
    expect(info.modelCreatedAt).toBe(ckpt.meta.createdAt);
    expect(info.createdAt).toBe(info.updatedAt);

    const list = await store.list();
    expect(list).toEqual([info]);
    expect(await store.get(info.id)).toEqual(info);

    const back = await store.load(info.id);
    expect(back.config).toEqual(TINY);
    expect(checkpointDiffs(back, ckpt)).toBe(0);
    expect(back.extraTensors!.size).toBe(ckpt.extraTensors!.size);
    expect(back.meta).toEqual({ ...ckpt.meta, lineage: [{ stage: 'base', name: 'tiny base', note: 'seed 3' }] });
    expect(await storedFiles(create().ns, storage)).toEqual([]); // namespaces are separate
  });

  it('replaces an entry under the same id, keeping createdAt and deleting the old file', async () => {
    const { ns, store } = create();
    const first = await store.save(tinyCheckpoint(1));
    await new Promise((r) => setTimeout(r, 5));
    const second = await store.save(tinyCheckpoint(2, { name: 'v2' }), { id: first.id });
    expect(second.id).toBe(first.id);
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.updatedAt > first.updatedAt).toBe(true);
    expect(await store.list()).toEqual([second]);
    expect(checkpointDiffs(await store.load(first.id), tinyCheckpoint(2))).toBe(0);
    expect((await storedFiles(ns, storage)).length).toBe(1);
  });

  it('renames (list, load and export follow the new name)', async () => {
    const { store } = create();
    const info = await store.save(tinyCheckpoint(4, { name: 'old name', stage: 'rlhf' }));
    const renamed = await store.rename(info.id, '  new name / v2 ');
    expect(renamed.name).toBe('new name / v2');
    expect((await store.list())[0].name).toBe('new name / v2');
    expect((await store.load(info.id)).meta.name).toBe('new name / v2');
    const file = await store.exportFile(info.id);
    expect(file.name).toBe(checkpointFileName({ name: 'new name / v2', stage: 'rlhf' }));
    expect(file.name).toBe('new-name-v2.rlhf.safetensors');
    const parsed = readCheckpoint(await file.arrayBuffer());
    expect(parsed.meta.name).toBe('new name / v2');
    expect(checkpointDiffs(parsed, tinyCheckpoint(4))).toBe(0);

    const e = await rejection(store.rename(info.id, '   '));
    expect((e as CheckpointStoreError).code).toBe('invalid');
    const missing = await rejection(store.rename('no-such-id', 'x'));
    expect((missing as CheckpointStoreError).code).toBe('not-found');
  });

  it('removes an entry and its file', async () => {
    const { ns, store } = create();
    const a = await store.save(tinyCheckpoint(1));
    const b = await store.save(tinyCheckpoint(2));
    expect(await store.remove(a.id)).toBe(true);
    expect(await store.remove(a.id)).toBe(false);
    expect((await store.list()).map((i) => i.id)).toEqual([b.id]);
    const e = await rejection(store.load(a.id));
    expect(e).toBeInstanceOf(CheckpointStoreError);
    expect((e as CheckpointStoreError).code).toBe('not-found');
    const files = await storedFiles(ns, storage);
    expect(files.length).toBe(1);
    expect(files[0].startsWith(`${b.id}.`)).toBe(true);
  });

  it('exports a file and imports it back as a new entry', async () => {
    const { store } = create();
    const ckpt = tinyCheckpoint(5, { name: 'shared', stage: 'reward', optimizer: true });
    const info = await store.save(ckpt);
    const file = await store.exportFile(info.id);
    expect(file.name).toBe('shared.reward.safetensors');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(writeCheckpoint(ckpt));

    const imported = await store.importFile(file);
    expect(imported.id).not.toBe(info.id);
    expect(imported.name).toBe('shared');
    expect(imported.stage).toBe('reward');
    expect(imported.bytes).toBe(file.size);
    expect(imported.autosave).toBe(false);
    expect(checkpointDiffs(await store.load(imported.id), ckpt)).toBe(0);
    expect((await store.list()).length).toBe(2);

    const slim = await store.exportFile(info.id, { withoutOptimizerState: true });
    expect(slim.size).toBeLessThan(file.size / 2);
    expect(readCheckpoint(await slim.arrayBuffer()).extraTensors).toBeUndefined();

    const named = await store.importFile(file, { name: 'copy' });
    expect(named.name).toBe('copy');
    expect((await store.load(named.id)).meta.name).toBe('copy');
  });

  it('rejects a corrupt or foreign file on import, storing nothing', async () => {
    const { ns, store } = create();
    const good = writeCheckpoint(tinyCheckpoint(6));
    const foreign = encodeSafetensors([['weights', { shape: [2], data: new Float32Array([1, 2]) }]], { format: 'pt' });
    const cases: [string, BlobPart][] = [
      ['truncated.safetensors', good.slice(0, good.length - 10)],
      ['noise.safetensors', new Uint8Array(4000).map((_, i) => (i * 7919) & 255)],
      ['empty.safetensors', new Uint8Array(0)],
      ['foreign.safetensors', foreign],
      ['model.json', '{"not": "weights"}'],
    ];
    for (const [name, part] of cases) {
      const file = new File([part], name);
      let expected: CheckpointError | undefined;
      try {
        readCheckpoint(await file.arrayBuffer(), { fileName: name });
      } catch (e) {
        expected = e as CheckpointError;
      }
      expect(expected, name).toBeInstanceOf(CheckpointError);
      const e = await rejection(store.importFile(file));
      expect(e, name).toBeInstanceOf(CheckpointError);
      expect((e as CheckpointError).message).toBe(expected!.message);
      expect((e as CheckpointError).message).toContain(`"${name}"`);
    }
    expect(await store.list()).toEqual([]);
    expect(await storedFiles(ns, storage)).toEqual([]);
  });

  it('a failure mid-write leaves the previous version listed and loadable, and no partial file', async () => {
    const ns = namespace();
    const { store } = create(ns);
    const v1 = await store.save(tinyCheckpoint(1, { name: 'v1', optimizer: true }));
    const failing = failAfterPartialWrite(() => new Error('disk on fire'));
    const broken = makeStore({ namespace: ns, backend: storage, wrapSink: failing.wrap });

    const e = await rejection(broken.save(tinyCheckpoint(2, { name: 'v2', optimizer: true }), { id: v1.id }));
    expect(failing.written()).toBeGreaterThan(0);
    expect(e).toBeInstanceOf(CheckpointStoreError);
    expect((e as CheckpointStoreError).code).toBe('io');
    expect((e as Error).message).toMatch(/Could not save "v2".*disk on fire.*previously saved version.*unchanged/);

    for (const s of [store, broken]) {
      expect(await s.list()).toEqual([v1]);
      const back = await s.load(v1.id);
      expect(back.meta.name).toBe('v1');
      expect(checkpointDiffs(back, tinyCheckpoint(1, { optimizer: true }))).toBe(0);
    }
    expect((await storedFiles(ns, storage)).length).toBe(1);

    // A failed first save stores nothing at all.
    const e2 = await rejection(broken.save(tinyCheckpoint(3)));
    expect((e2 as CheckpointStoreError).code).toBe('io');
    expect(await store.list()).toEqual([v1]);
    expect((await storedFiles(ns, storage)).length).toBe(1);
  });

  it('QuotaExceededError mid-write gives a quota error with the numbers, and keeps the previous version', async () => {
    const ns = namespace();
    const { store } = create(ns);
    const v1 = await store.save(tinyCheckpoint(1, { name: 'keep me' }));
    const failing = failAfterPartialWrite(() => new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    const full = makeStore({ namespace: ns, backend: storage, wrapSink: failing.wrap });

    const ckpt2 = tinyCheckpoint(2, { name: 'too big', optimizer: true });
    const needed = writeCheckpoint(ckpt2).length;
    const e = (await rejection(full.save(ckpt2, { id: v1.id }))) as CheckpointStoreError;
    expect(e).toBeInstanceOf(CheckpointStoreError);
    expect(e.code).toBe('quota');
    expect(e.quota!.needed).toBe(needed);
    const est = await navigator.storage.estimate();
    expect(typeof est.quota).toBe('number');
    expect(e.quota!.quota).toBe(est.quota);
    expect(typeof e.quota!.usage).toBe('number');
    expect(e.message).toContain('Not enough browser storage to save "too big"');
    expect(e.message).toContain(`(${needed} bytes)`);
    expect(e.message).toContain(`(${e.quota!.usage} bytes) used`);
    expect(e.message).toContain(`(${e.quota!.quota} bytes) quota`);
    expect(e.message).toContain('unchanged');

    expect(await store.list()).toEqual([v1]);
    expect(checkpointDiffs(await store.load(v1.id), tinyCheckpoint(1))).toBe(0);
    expect((await storedFiles(ns, storage)).length).toBe(1);
  });

  it('a damaged stored file fails to load with a CheckpointError naming it; list() and other entries are fine', async () => {
    const { ns, store } = create();
    const bad = await store.save(tinyCheckpoint(1, { name: 'broken one' }));
    const ok = await store.save(tinyCheckpoint(2, { name: 'fine one' }));
    const good = writeCheckpoint(tinyCheckpoint(1, { name: 'broken one' }));
    await overwriteStored(ns, storage, bad.id, good.slice(0, good.length >> 1));

    const e = await rejection(store.load(bad.id));
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).message).toMatch(/^The stored checkpoint "broken one" cannot be loaded: /);
    expect((e as CheckpointError).message).toContain('broken-one.base.safetensors');
    const ex = await rejection(store.exportFile(bad.id));
    expect(ex).toBeInstanceOf(CheckpointError);

    const list = await store.list();
    expect(list.map((i) => i.name).sort()).toEqual(['broken one', 'fine one']);
    expect(checkpointDiffs(await store.load(ok.id), tinyCheckpoint(2))).toBe(0);
    // Replacing the damaged entry repairs it.
    await store.save(tinyCheckpoint(3, { name: 'repaired' }), { id: bad.id });
    expect((await store.load(bad.id)).meta.name).toBe('repaired');
  });

  it('autosaves keep only the latest one per run', async () => {
    const { ns, store } = create();
    const manual = await store.save(tinyCheckpoint(9, { name: 'manual' }), { runId: 'run-1' });
    const a1 = await store.saveAutosave('run-1', tinyCheckpoint(1, { step: 10 }));
    const a2 = await store.saveAutosave('run-1', tinyCheckpoint(2, { step: 20 }));
    const b1 = await store.saveAutosave('run-2', tinyCheckpoint(3, { step: 5 }));
    expect(a2.id).toBe(a1.id);
    expect(a2.autosave).toBe(true);
    expect(a2.runId).toBe('run-1');
    expect(a2.step).toBe(20);

    const autos = (await store.list()).filter((i) => i.autosave);
    expect(autos.map((i) => [i.runId, i.step]).sort()).toEqual([
      ['run-1', 20],
      ['run-2', 5],
    ]);
    expect((await store.latestAutosave('run-1'))!.id).toBe(a1.id);
    expect((await store.latestAutosave('run-2'))!.id).toBe(b1.id);
    expect(await store.latestAutosave('run-3')).toBeNull();
    expect(checkpointDiffs(await store.load(a1.id), tinyCheckpoint(2))).toBe(0);
    expect((await storedFiles(ns, storage)).length).toBe(3); // manual + one per run

    // A stray second autosave of the run (another id) is superseded when the next one commits.
    const stray = await store.save(tinyCheckpoint(4, { step: 30 }), { autosave: true, runId: 'run-1' });
    expect((await store.list()).filter((i) => i.autosave && i.runId === 'run-1').map((i) => i.id)).toEqual([stray.id]);
    expect((await store.latestAutosave('run-1'))!.step).toBe(30);
    expect((await storedFiles(ns, storage)).length).toBe(3);

    expect(await store.removeAutosaves('run-1')).toBe(1);
    expect(await store.latestAutosave('run-1')).toBeNull();
    expect((await store.list()).map((i) => i.id).sort()).toEqual([manual.id, b1.id].sort());
  });
});

describe.skipIf(!inBrowser)('CheckpointStore across instances, pages and workers', () => {
  it('a second instance sees the changes and is notified', async () => {
    const ns = namespace();
    const a = makeStore({ namespace: ns });
    const b = makeStore({ namespace: ns });
    const localSeen: StoreChange[] = [];
    a.onChange((c) => localSeen.push(c));

    const saved = nextChange(b, (c) => c.kind === 'saved');
    const info = await a.save(tinyCheckpoint(1, { name: 'shared' }));
    const change = await saved;
    expect(change).toEqual({ kind: 'saved', id: info.id, info, local: false });
    expect(await b.list()).toEqual([info]);
    expect(checkpointDiffs(await b.load(info.id), tinyCheckpoint(1))).toBe(0);

    const renamed = nextChange(a, (c) => c.kind === 'renamed' && !c.local);
    await b.rename(info.id, 'renamed by b');
    expect((await renamed).info!.name).toBe('renamed by b');
    expect((await a.list())[0].name).toBe('renamed by b');

    const removed = nextChange(b, (c) => c.kind === 'removed');
    await a.remove(info.id);
    expect(await removed).toEqual({ kind: 'removed', id: info.id, local: false });
    expect(await b.list()).toEqual([]);

    expect(localSeen.map((c) => [c.kind, c.local])).toEqual([
      ['saved', true],
      ['renamed', false],
      ['removed', true],
    ]);
  });

  it('uses OPFS with createWritable in a page, and asks for persistent storage without failing', async () => {
    const s = makeStore({ namespace: namespace(), requestPersistence: true });
    const info = await s.storageInfo();
    expect(info.storage).toBe('opfs');
    expect(info.opfsWriter).toBe('writable');
    expect(typeof info.quota).toBe('number');
    await s.save(tinyCheckpoint(1));
  });

  it('rejects bad ids and namespaces', async () => {
    const s = makeStore({ namespace: namespace() });
    expect(((await rejection(s.load('../etc'))) as CheckpointStoreError).code).toBe('invalid');
    expect(((await rejection(s.save(tinyCheckpoint(1), { id: 'a b' }))) as CheckpointStoreError).code).toBe('invalid');
    expect(((await rejection(s.load('unknown'))) as CheckpointStoreError).code).toBe('not-found');
    expect(() => new CheckpointStore({ namespace: 'a/b' })).toThrow(CheckpointStoreError);
    // An inconsistent checkpoint is refused by the writer before anything is stored.
    const bad = tinyCheckpoint(1);
    bad.params.delete('transformer.wte.weight');
    expect(await rejection(s.save(bad))).toBeInstanceOf(CheckpointError);
    expect(await s.list()).toEqual([]);
  });

  it('cleanup() deletes orphaned files but not live ones', async () => {
    const ns = namespace();
    const s = makeStore({ namespace: ns });
    const info = await s.save(tinyCheckpoint(1));
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(storeNames(ns).directory);
    const w = await (await dir.getFileHandle('orphan.xyz.safetensors', { create: true })).createWritable();
    await w.write(new Uint8Array(100));
    await w.close();
    expect((await storedFiles(ns, 'opfs')).length).toBe(2);
    expect(await s.cleanup()).toBe(1);
    const files = await storedFiles(ns, 'opfs');
    expect(files.length).toBe(1);
    expect(files[0].startsWith(`${info.id}.`)).toBe(true);
    expect(checkpointDiffs(await s.load(info.id), tinyCheckpoint(1))).toBe(0);
  });

  it('cleanup() in another instance leaves the file of a save in progress alone', async () => {
    const ns = namespace();
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    let reachedPause!: () => void;
    const atPause = new Promise<void>((r) => (reachedPause = r));
    const slow = makeStore({
      namespace: ns,
      // Pauses after the bytes are complete and the file closed, before the index commit: the moment only
      // the save's Web Lock protects the file (while it is open, the browser's own file lock does too).
      wrapSink: (inner) => ({
        write: (chunk) => inner.write(chunk),
        close: async () => {
          await inner.close();
          reachedPause();
          await paused;
        },
        abort: (r) => inner.abort(r),
      }),
    });
    const other = makeStore({ namespace: ns });
    const saving = slow.save(tinyCheckpoint(1, { name: 'slow' }));
    await atPause;
    // The new file exists; no entry refers to it yet.
    expect((await storedFiles(ns, 'opfs')).length).toBe(1);
    expect(await other.list()).toEqual([]);
    expect(await other.cleanup()).toBe(0);
    release();
    const info = await saving;
    expect(checkpointDiffs(await other.load(info.id), tinyCheckpoint(1))).toBe(0);
    expect(await other.cleanup()).toBe(0);
    expect((await storedFiles(ns, 'opfs')).length).toBe(1);
  });

  async function send(req: WorkerRequest): Promise<WorkerReply> {
    const worker = new Worker(new URL('./store-worker.ts', import.meta.url), { type: 'module' });
    const reply = new Promise<WorkerReply>((resolve, reject) => {
      worker.onmessage = (ev: MessageEvent<WorkerReply>) => resolve(ev.data);
      worker.onerror = (ev) => {
        ev.preventDefault();
        reject(new Error(`worker failed: ${ev.message}`));
      };
    });
    worker.postMessage(req);
    try {
      return await reply;
    } finally {
      worker.terminate();
    }
  }

  for (const opfsWriter of ['auto', 'sync'] as const) {
    it(`a dedicated worker saves (OPFS writer: ${opfsWriter}); the page is notified, lists and loads it`, async () => {
      const ns = namespace();
      const page = makeStore({ namespace: ns });
      const saved = nextChange(page, (c) => c.kind === 'saved');

      const info = await send({ op: 'info', namespace: ns, opfsWriter });
      expect(info.ok, info.error?.message).toBe(true);
      expect(info.storage!.storage).toBe('opfs');
      // Chromium has createWritable in workers too, so 'auto' picks it; 'sync' forces the sync access handle.
      expect(info.storage!.opfsWriter).toBe(opfsWriter === 'sync' ? 'sync' : 'writable');

      const r = await send({ op: 'save', namespace: ns, opfsWriter, seed: 11, name: 'from worker', runId: 'w-run' });
      expect(r.ok, r.error?.message).toBe(true);
      expect((await saved).id).toBe(r.info!.id);
      expect(await page.list()).toEqual([r.info]);
      const back = await page.load(r.info!.id);
      expect(back.meta.name).toBe('from worker');
      expect(checkpointDiffs(back, tinyCheckpoint(11, { optimizer: true }))).toBe(0);

      // The worker reads what the page saved.
      const fromPage = await page.save(tinyCheckpoint(12, { optimizer: true }));
      const loaded = await send({ op: 'load', namespace: ns, opfsWriter, id: fromPage.id, seed: 12 });
      expect(loaded.ok, loaded.error?.message).toBe(true);
      expect(loaded.diffs).toBe(0);

      // A save in the worker that fails mid-write leaves the previous version.
      const failed = await send({ op: 'save', namespace: ns, opfsWriter, seed: 13, id: r.info!.id, failMidWrite: true });
      expect(failed.ok).toBe(false);
      expect(failed.error!.code).toBe('io');
      expect(checkpointDiffs(await page.load(r.info!.id), tinyCheckpoint(11, { optimizer: true }))).toBe(0);
      expect((await storedFiles(ns, 'opfs')).length).toBe(2);

      // Autosaves from the worker replace each other.
      const a1 = await send({ op: 'autosave', namespace: ns, opfsWriter, seed: 1, runId: 'w-run' });
      const a2 = await send({ op: 'autosave', namespace: ns, opfsWriter, seed: 2, runId: 'w-run' });
      expect(a1.ok && a2.ok, a1.error?.message ?? a2.error?.message).toBe(true);
      expect(a2.info!.id).toBe(a1.info!.id);
      const latest = await page.latestAutosave('w-run');
      expect(latest!.step).toBe(2);
      expect(checkpointDiffs(await page.load(latest!.id), tinyCheckpoint(2, { step: 2 }))).toBe(0);
      expect((await storedFiles(ns, 'opfs')).length).toBe(3);
    });
  }
});
