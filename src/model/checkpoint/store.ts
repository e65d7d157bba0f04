// Checkpoints kept in the browser: the same API in a page and in a (dedicated) Web Worker, so the training
// worker can autosave while pages list, load, rename, export and import.
//
// Design (see the comments at CheckpointStore for the details):
// - The bytes of each checkpoint (its .safetensors file, up to hundreds of MB with optimizer state) are one
//   file in the origin private file system (OPFS), written with createWritable, or with
//   createSyncAccessHandle in workers that lack createWritable; where OPFS is missing or cannot be written,
//   they are a Blob in IndexedDB instead. Either way, every save writes a NEW file (unique name).
// - The index (what list() returns, and which file is the current version of each checkpoint) is one
//   IndexedDB object store. Swapping an entry to its new file is one IndexedDB transaction: the commit point
//   of a save. The old file is deleted only after that, so a save that fails at any point (including
//   QuotaExceededError) leaves the previous version listed and loadable.
// - Files no entry points to (a tab closed mid-save) are deleted later by cleanup(), which skips files whose
//   save is still running (each save holds a Web Lock named after its file until it has committed).
// - Changes are announced on a BroadcastChannel, so other tabs, pages and workers can refresh (onChange).
import type { GptConfig } from '../config.ts';
import { paramCount } from '../config.ts';
import {
  CheckpointError,
  OPTIMIZER_M_PREFIX,
  checkpointFileName,
  readCheckpoint,
  stripOptimizerState,
  writeCheckpoint,
  type Checkpoint,
  type LineageEntry,
  type Stage,
} from './index.ts';
import { IdbBytes, OpfsBytes, WRITE_CHUNK_BYTES, opfsDirectory, opfsWriters, type ByteBackend, type ByteSink, type OpfsWriter } from './store/bytes.ts';
import { CheckpointStoreError, describeError, isQuotaError, quotaError, storageEstimate } from './store/errors.ts';
import { ENTRIES, openDatabase, request, transact } from './store/idb.ts';

export { CheckpointStoreError, formatBytes, isQuotaError, type CheckpointStoreErrorCode, type QuotaInfo } from './store/errors.ts';
export { WRITE_CHUNK_BYTES, type ByteSink, type OpfsWriter } from './store/bytes.ts';

// ───────────────────────────── types ─────────────────────────────

/** The model shape of a stored checkpoint, for the list (no need to load it). */
export interface StoredCheckpointConfig {
  layers: number;
  heads: number;
  channels: number;
  contextLength: number;
  vocabSize: number;
  /** Parameter count (paramCount(config)). */
  params: number;
}

/** One entry of list(): everything the UI shows without loading the file. */
export interface StoredCheckpointInfo {
  id: string;
  /** Display name; rename() changes it (load() and exportFile() apply it to the checkpoint). */
  name: string;
  stage: Stage;
  /** ISO time this id was first stored (kept when the entry is replaced by a newer save). */
  createdAt: string;
  /** ISO time of the last save or rename. */
  updatedAt: string;
  /** The checkpoint's own meta.createdAt (when the trainer produced it). */
  modelCreatedAt: string;
  /** Size of the stored .safetensors file. */
  bytes: number;
  config: StoredCheckpointConfig;
  /** meta.tokenizer.kind ('char', 'bpe', …), or null without a tokenizer. */
  tokenizer: string | null;
  /** Id of the stored checkpoint this one was trained from, when the saver said so. */
  parentId?: string;
  lineage: LineageEntry[];
  /** meta.train.step (AdamW steps taken), or null. */
  step: number | null;
  /** The file holds AdamW moments (training can resume exactly). */
  hasOptimizerState: boolean;
  /** Saved by saveAutosave (or save with autosave: true). */
  autosave: boolean;
  /** The training run that wrote it; with autosave, an interrupted run the UI can offer to resume. */
  runId?: string;
  /** Where the bytes are: an OPFS file or an IndexedDB blob. */
  storage: 'opfs' | 'idb';
}

export interface SaveOptions {
  /** Replace the checkpoint stored under this id (atomically), or store under this new id. Default: a new id. */
  id?: string;
  autosave?: boolean;
  runId?: string;
  /** Id of the stored checkpoint this one descends from. Default: kept from the entry being replaced. */
  parentId?: string;
}

export interface ImportOptions {
  /** Config for a GPT-2 safetensors file that the playground did not write (configFromHf(config.json)). */
  config?: GptConfig;
  /** Store under this name instead of the one in the file. */
  name?: string;
  /** Non-fatal findings of the reader (dropped partial optimizer state, ignored lm_head, foreign file). */
  onWarning?: (message: string) => void;
}

export interface ExportOptions {
  /** Leave out AdamW moments (a third of the size): for sharing, or for transformers. */
  withoutOptimizerState?: boolean;
}

export type StoreChangeKind = 'saved' | 'renamed' | 'removed';

export interface StoreChange {
  kind: StoreChangeKind;
  id: string;
  /** The entry after the change (absent for 'removed'). */
  info?: StoredCheckpointInfo;
  /** True when this store instance made the change; false when another tab, page, worker or instance did. */
  local: boolean;
}

export interface CheckpointStoreOptions {
  /** A separate store (own database, OPFS folder and channel): for tests, or side-by-side stores. Default 'default'. */
  namespace?: string;
  /** Where saves put the bytes: 'auto' (OPFS when it can be written here, else IndexedDB), 'opfs' (or fail), 'idb'. */
  backend?: 'auto' | 'opfs' | 'idb';
  /** How OPFS files are written: 'auto' (createWritable, else createSyncAccessHandle in a worker), or one of them (or fail). */
  opfsWriter?: 'auto' | OpfsWriter;
  /** Ask navigator.storage.persist() after the first save (once per page; best effort; default true). */
  requestPersistence?: boolean;
  /** Delete orphaned files (from saves cut short by a closed tab) once, in the background, after opening (default true). */
  autoCleanup?: boolean;
  /** Testing hook: wraps the sink every save writes its bytes through (e.g. to throw after a partial write). */
  wrapSink?: (sink: ByteSink, target: { file: string; bytes: number; storage: 'opfs' | 'idb' }) => ByteSink;
}

/** What saving here uses now, and how much room there is. */
export interface StorageInfo {
  storage: 'opfs' | 'idb';
  opfsWriter: OpfsWriter | null;
  usage: number | null;
  quota: number | null;
  /** navigator.storage.persisted(), null when unknown. */
  persisted: boolean | null;
}

/** The database, OPFS folder and BroadcastChannel names of a namespace. */
export interface StoreNames {
  database: string;
  directory: string;
  channel: string;
}

/** The index record: the public info plus which file is current. */
interface EntryRecord {
  id: string;
  info: StoredCheckpointInfo;
  /** File name in the backend named by info.storage. */
  file: string;
  /** meta.name inside the file (rename changes only info.name). */
  nameInFile: string;
}

interface ChangeMessage {
  v: 1;
  kind: StoreChangeKind;
  id: string;
  info?: StoredCheckpointInfo;
}

const BASE_NAME = 'llm-playground-checkpoints';
const NAME_RE = /^[A-Za-z0-9_-]{1,100}$/;
const FILE_SUFFIX = '.safetensors';
/** Without Web Locks, orphaned files are only deleted once this old (a running save is never that slow). */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export function storeNames(namespace = 'default'): StoreNames {
  if (!NAME_RE.test(namespace)) throw new CheckpointStoreError('invalid', `invalid store namespace ${JSON.stringify(namespace)} (use letters, digits, "-" and "_")`);
  const base = namespace === 'default' ? BASE_NAME : `${BASE_NAME}--${namespace}`;
  return { database: base, directory: base, channel: `${base}:changes` };
}

// ───────────────────────────── helpers ─────────────────────────────

function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function nonce(): string {
  return `${Date.now().toString(36)}-${randomId().replace(/-/g, '').slice(0, 12)}`;
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || !NAME_RE.test(id)) throw new CheckpointStoreError('invalid', `invalid checkpoint id ${JSON.stringify(id)} (use 1–100 letters, digits, "-" and "_")`);
  return id;
}

function isRecord(r: unknown): r is EntryRecord {
  const x = r as Partial<EntryRecord> | null;
  return !!x && typeof x.id === 'string' && typeof x.file === 'string' && !!x.info && typeof x.info === 'object' && typeof x.info.name === 'string';
}

function tokenizerKind(t: unknown): string | null {
  if (t && typeof t === 'object' && typeof (t as { kind?: unknown }).kind === 'string') return (t as { kind: string }).kind;
  return null;
}

function plainJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v ?? null)) as T;
}

function byNewest(a: StoredCheckpointInfo, b: StoredCheckpointInfo): number {
  return a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

type LockManagerLike = {
  request<T>(name: string, options: { ifAvailable?: boolean }, cb: (lock: unknown) => Promise<T> | T): Promise<T>;
  request<T>(name: string, cb: (lock: unknown) => Promise<T> | T): Promise<T>;
};
function locks(): LockManagerLike | null {
  const l = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  return l && typeof l.request === 'function' ? l : null;
}

let persistenceAsked = false;

// ───────────────────────────── the store ─────────────────────────────

/**
 * Checkpoints in browser storage. Cheap to construct (nothing is opened until first use); several instances
 * (tabs, pages, workers) of one namespace share the same checkpoints and see each other's changes.
 *
 * Saving is atomic: the bytes go to a new file under a fresh name (no entry refers to it yet), which is
 * closed and size-checked; then one IndexedDB transaction points the entry at it (the commit point; it
 * also drops older autosaves of the same run); then the replaced file is deleted. A failure before the
 * commit deletes the partial new file and leaves the index — and so the previous version — untouched.
 */
export class CheckpointStore {
  readonly names: StoreNames;
  private readonly opts: Required<Omit<CheckpointStoreOptions, 'wrapSink' | 'namespace'>> & Pick<CheckpointStoreOptions, 'wrapSink'>;
  private dbPromise: Promise<IDBDatabase> | null = null;
  private opfsPromise: Promise<OpfsBytes | null> | null = null;
  private readonly idbBytes: IdbBytes;
  private channel: BroadcastChannel | null = null;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private cleanupScheduled = false;
  private cleanupTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: CheckpointStoreOptions = {}) {
    this.names = storeNames(options.namespace ?? 'default');
    this.opts = {
      backend: options.backend ?? 'auto',
      opfsWriter: options.opfsWriter ?? 'auto',
      requestPersistence: options.requestPersistence ?? true,
      autoCleanup: options.autoCleanup ?? true,
      wrapSink: options.wrapSink,
    };
    this.idbBytes = new IdbBytes(() => this.db());
  }

  // ─────────── listing ───────────

  /** Every stored checkpoint, newest first. Reads only the index (a damaged file does not affect it). */
  async list(): Promise<StoredCheckpointInfo[]> {
    const records = await this.records();
    return records.map((r) => r.info).sort(byNewest);
  }

  /** One entry, or null. */
  async get(id: string): Promise<StoredCheckpointInfo | null> {
    return (await this.record(checkId(id)))?.info ?? null;
  }

  // ─────────── saving ───────────

  /**
   * Stores `ckpt` (replacing the entry `opts.id` atomically when it exists; the entry's name becomes
   * ckpt.meta.name, its createdAt is kept). Throws CheckpointError when
   * the checkpoint is inconsistent, CheckpointStoreError('quota') when the browser is out of space (with
   * the numbers), CheckpointStoreError('io'|'unavailable') otherwise; after any failure the previously
   * stored version is unchanged.
   */
  async save(ckpt: Checkpoint, opts: SaveOptions = {}): Promise<StoredCheckpointInfo> {
    const id = opts.id === undefined ? randomId() : checkId(opts.id);
    const bytes = writeCheckpoint(ckpt);
    return this.storeBytes(id, bytes, ckpt, opts);
  }

  /**
   * The trainer's autosave: replaces the run's previous autosave atomically (same id), so each run keeps
   * only its latest one. Pass the checkpoint with optimizer state to make resuming exact.
   */
  async saveAutosave(runId: string, ckpt: Checkpoint): Promise<StoredCheckpointInfo> {
    if (typeof runId !== 'string' || runId === '') throw new CheckpointStoreError('invalid', 'saveAutosave needs a run id');
    const previous = await this.latestAutosave(runId);
    return this.save(ckpt, { id: previous?.id, autosave: true, runId, parentId: previous?.parentId });
  }

  /** The newest autosave of a run (then load(info.id) to resume), or null. */
  async latestAutosave(runId: string): Promise<StoredCheckpointInfo | null> {
    const all = await this.list();
    return all.find((i) => i.autosave && i.runId === runId) ?? null;
  }

  /** Removes every autosave of a run (e.g. when it finished and was saved for good). Returns how many. */
  async removeAutosaves(runId: string): Promise<number> {
    let n = 0;
    for (const i of await this.list()) if (i.autosave && i.runId === runId && (await this.remove(i.id))) n++;
    return n;
  }

  // ─────────── loading ───────────

  /**
   * The stored checkpoint (tensors are views into one buffer read from storage). A damaged file gives a
   * CheckpointError whose message names the checkpoint; a missing entry CheckpointStoreError('not-found').
   */
  async load(id: string): Promise<Checkpoint> {
    const { record, buffer } = await this.readBytes(checkId(id));
    return this.decode(record, buffer);
  }

  /**
   * A File for download, named "<name>.<stage>.safetensors" (checkpointFileName). The bytes are checked
   * first (a damaged file gives the CheckpointError of load()), and rewritten when the checkpoint was renamed
   * or `withoutOptimizerState` asks for it.
   */
  async exportFile(id: string, opts: ExportOptions = {}): Promise<File> {
    const { record, buffer } = await this.readBytes(checkId(id));
    const ckpt = this.decode(record, buffer);
    const strip = !!opts.withoutOptimizerState && record.info.hasOptimizerState;
    let out: BlobPart = buffer;
    if (record.nameInFile !== record.info.name || strip) out = writeCheckpoint(strip ? stripOptimizerState(ckpt) : ckpt);
    return new File([out], checkpointFileName(record.info), {
      type: 'application/octet-stream',
      lastModified: Date.parse(record.info.updatedAt) || Date.now(),
    });
  }

  /**
   * Stores a .safetensors file the person picked, as a new entry. It is fully read with readCheckpoint
   * first: a foreign or damaged file is rejected with that CheckpointError (its message names the file) and
   * nothing is stored. Clean playground files are stored byte for byte; others (foreign GPT-2 weights with
   * opts.config, files the reader had to fix up) are stored re-encoded.
   */
  async importFile(file: File, opts: ImportOptions = {}): Promise<StoredCheckpointInfo> {
    let buffer: ArrayBuffer;
    try {
      buffer = await file.arrayBuffer();
    } catch (e) {
      const fileName = file.name || undefined;
      throw new CheckpointError('internal', `${fileName ? `"${fileName}"` : 'the file'} could not be read: ${describeError(e)}`, fileName);
    }
    const warnings: string[] = [];
    const ckpt = readCheckpoint(buffer, {
      fileName: file.name || undefined,
      config: opts.config,
      onWarning: (w) => {
        warnings.push(w);
        opts.onWarning?.(w);
      },
    });
    const renamed = opts.name !== undefined && opts.name.trim() !== ckpt.meta.name;
    if (opts.name !== undefined) {
      if (opts.name.trim() === '') throw new CheckpointStoreError('invalid', 'a checkpoint name cannot be empty');
      ckpt.meta.name = opts.name.trim();
    }
    // Any warning means the file was not a clean playground checkpoint (a foreign file always warns).
    const bytes = warnings.length === 0 && !renamed ? new Uint8Array(buffer) : writeCheckpoint(ckpt);
    return this.storeBytes(randomId(), bytes, ckpt, {});
  }

  // ─────────── editing ───────────

  /** Renames an entry (the index only; the file keeps its bytes until exported or replaced). */
  async rename(id: string, name: string): Promise<StoredCheckpointInfo> {
    checkId(id);
    const clean = typeof name === 'string' ? name.trim() : '';
    if (clean === '') throw new CheckpointStoreError('invalid', 'a checkpoint name cannot be empty');
    const db = await this.db();
    const info = await this.guard(`rename "${clean}"`, () =>
      transact(db, ENTRIES, 'readwrite', async (tx) => {
        const os = tx.objectStore(ENTRIES);
        const rec = (await request(os.get(id))) as EntryRecord | undefined;
        if (!isRecord(rec)) throw this.notFound(id);
        rec.info = { ...rec.info, name: clean, updatedAt: new Date().toISOString() };
        await request(os.put(rec));
        return rec.info;
      }),
    );
    this.notify({ kind: 'renamed', id, info });
    return info;
  }

  /** Deletes an entry and its file. Resolves false when there was no such entry. */
  async remove(id: string): Promise<boolean> {
    checkId(id);
    const db = await this.db();
    const rec = await this.guard('remove a checkpoint', () =>
      transact(db, ENTRIES, 'readwrite', async (tx) => {
        const os = tx.objectStore(ENTRIES);
        const r = (await request(os.get(id))) as EntryRecord | undefined;
        if (r !== undefined) await request(os.delete(id));
        return r;
      }),
    );
    if (!rec) return false;
    if (isRecord(rec)) await this.deleteFile(rec);
    this.notify({ kind: 'removed', id });
    return true;
  }

  // ─────────── notifications and housekeeping ───────────

  /**
   * Calls `cb` after every change to this namespace: made here (local: true) or by another instance, tab,
   * page or worker (local: false, via BroadcastChannel). Returns the unsubscribe function.
   */
  onChange(cb: (change: StoreChange) => void): () => void {
    this.listeners.add(cb);
    this.ensureChannel();
    return () => {
      this.listeners.delete(cb);
    };
  }

  /** Where a save would put the bytes now, and the browser's usage/quota/persistence numbers. */
  async storageInfo(): Promise<StorageInfo> {
    const backend = await this.writeBackend().catch(() => null);
    const { usage, quota } = await storageEstimate();
    let persisted: boolean | null = null;
    try {
      const s = globalThis.navigator?.storage;
      if (typeof s?.persisted === 'function') persisted = await s.persisted();
    } catch {
      persisted = null;
    }
    return { storage: backend?.kind ?? 'idb', opfsWriter: backend?.writer ?? null, usage, quota, persisted };
  }

  /**
   * Deletes files no entry refers to (left by saves cut short by a closed tab or a crash). Files of saves
   * still running (in any tab or worker) are skipped. Returns how many were deleted.
   */
  async cleanup(): Promise<number> {
    const backends: ByteBackend[] = [this.idbBytes];
    const opfs = await this.opfs();
    if (opfs) backends.unshift(opfs);
    const lm = locks();
    let removed = 0;
    for (const backend of backends) {
      let files;
      try {
        files = await backend.files();
      } catch {
        continue;
      }
      const live = await this.liveFiles(backend.kind);
      for (const f of files) {
        if (!f.name.endsWith(FILE_SUFFIX) || live.has(f.name)) continue;
        const drop = async (): Promise<boolean> => {
          // Re-read the index under the lock: a save commits before it releases its lock.
          if ((await this.liveFiles(backend.kind)).has(f.name)) return false;
          await backend.remove(f.name);
          return true;
        };
        try {
          if (lm) {
            if (await lm.request(this.lockName(f.name), { ifAvailable: true }, (lock) => (lock ? drop() : false))) removed++;
          } else if (Date.now() - f.lastModified > ORPHAN_AGE_MS && (await drop())) {
            removed++;
          }
        } catch {
          // in use or already gone: next time
        }
      }
    }
    return removed;
  }

  /** Closes the database connection and the change channel; listeners are dropped. Later calls reopen lazily. */
  close(): void {
    if (this.cleanupTimer !== null) clearTimeout(this.cleanupTimer);
    this.cleanupTimer = null;
    this.listeners.clear();
    this.channel?.close();
    this.channel = null;
    const p = this.dbPromise;
    this.dbPromise = null;
    p?.then((db) => db.close()).catch(() => {});
  }

  // ───────────────────────────── internals ─────────────────────────────

  private db(): Promise<IDBDatabase> {
    if (!this.dbPromise) {
      const p = openDatabase(this.names.database).then((db) => {
        // Let a newer version (another tab after an update) upgrade: close, reopen on next use.
        db.onversionchange = () => {
          db.close();
          if (this.dbPromise === p) this.dbPromise = null;
        };
        db.onclose = () => {
          if (this.dbPromise === p) this.dbPromise = null;
        };
        this.scheduleCleanup();
        return db;
      });
      p.catch(() => {
        if (this.dbPromise === p) this.dbPromise = null;
      });
      this.dbPromise = p;
    }
    return this.dbPromise;
  }

  /** The OPFS folder as a backend (reading always; writing when this context can), or null without OPFS. */
  private opfs(): Promise<OpfsBytes | null> {
    this.opfsPromise ??= (async () => {
      const dir = await opfsDirectory(this.names.directory);
      if (!dir) return null;
      const available = opfsWriters();
      const want = this.opts.opfsWriter;
      const writer = want === 'auto' ? (available[0] ?? null) : available.includes(want) ? want : null;
      return new OpfsBytes(dir, writer);
    })();
    return this.opfsPromise;
  }

  private async writeBackend(): Promise<ByteBackend> {
    if (this.opts.backend === 'idb') return this.idbBytes;
    const opfs = await this.opfs();
    if (opfs?.writer) return opfs;
    if (this.opts.backend === 'opfs') {
      const why = !opfs
        ? 'the origin private file system is not available'
        : this.opts.opfsWriter === 'auto'
          ? 'files cannot be written here (no createWritable, and createSyncAccessHandle exists only in dedicated workers)'
          : `${this.opts.opfsWriter === 'sync' ? 'createSyncAccessHandle' : 'createWritable'} is not available here`;
      throw new CheckpointStoreError('unavailable', `Checkpoints cannot be saved to browser file storage: ${why}.`);
    }
    return this.idbBytes;
  }

  private async readBackend(storage: 'opfs' | 'idb'): Promise<ByteBackend> {
    if (storage === 'idb') return this.idbBytes;
    const opfs = await this.opfs();
    if (!opfs) throw new CheckpointStoreError('unavailable', 'This checkpoint is kept in browser file storage (OPFS), which is not available here.');
    return opfs;
  }

  private async records(): Promise<EntryRecord[]> {
    const db = await this.db();
    const all = await this.guard('read the checkpoint list', () => transact(db, ENTRIES, 'readonly', (tx) => request(tx.objectStore(ENTRIES).getAll())));
    return (all as unknown[]).filter(isRecord);
  }

  private async record(id: string): Promise<EntryRecord | null> {
    const db = await this.db();
    const r = await this.guard('read the checkpoint list', () => transact(db, ENTRIES, 'readonly', (tx) => request(tx.objectStore(ENTRIES).get(id))));
    return isRecord(r) ? r : null;
  }

  private async liveFiles(storage: 'opfs' | 'idb'): Promise<Set<string>> {
    return new Set((await this.records()).filter((r) => r.info.storage === storage).map((r) => r.file));
  }

  private lockName(file: string): string {
    return `${this.names.database}:file:${file}`;
  }

  /** Runs `fn` holding the Web Lock of `file` (so cleanup() leaves the file alone), or just runs it without Web Locks. */
  private withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const lm = locks();
    return lm ? lm.request(this.lockName(file), () => fn()) : fn();
  }

  /** Maps storage failures (not our own errors) to CheckpointStoreError. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CheckpointStoreError || e instanceof CheckpointError) throw e;
      throw new CheckpointStoreError('io', `Could not ${what} in browser storage: ${describeError(e)}`, { cause: e });
    }
  }

  private notFound(id: string): CheckpointStoreError {
    return new CheckpointStoreError('not-found', `No stored checkpoint with id "${id}" (it may have been removed in another tab).`);
  }

  /** Writes `bytes` to a new file, commits the index entry, deletes what it replaced. */
  private async storeBytes(id: string, bytes: Uint8Array<ArrayBuffer>, ckpt: Checkpoint, opts: SaveOptions): Promise<StoredCheckpointInfo> {
    const backend = await this.writeBackend();
    const name = ckpt.meta.name;
    const file = `${id}.${nonce()}${FILE_SUFFIX}`;
    const { info, replaced } = await this.withFileLock(file, async () => {
      await this.writeFile(backend, file, bytes, name);
      try {
        return await this.commit(id, file, bytes.length, ckpt, opts, backend.kind);
      } catch (e) {
        await backend.remove(file).catch(() => {});
        if (isQuotaError(e)) throw await quotaError(name, bytes.length, e);
        if (e instanceof CheckpointStoreError) throw e;
        throw new CheckpointStoreError('io', `Could not save "${name}": updating the checkpoint list failed (${describeError(e)}). The previously saved version, if any, is unchanged.`, {
          cause: e,
        });
      }
    });
    for (const old of replaced) await this.deleteFile(old);
    this.notify({ kind: 'saved', id, info });
    for (const old of replaced) if (old.id !== id) this.notify({ kind: 'removed', id: old.id });
    this.askPersistence();
    return info;
  }

  private async writeFile(backend: ByteBackend, file: string, bytes: Uint8Array<ArrayBuffer>, name: string): Promise<void> {
    let sink: ByteSink | null = null;
    try {
      const raw = await backend.create(file);
      sink = this.opts.wrapSink ? this.opts.wrapSink(raw, { file, bytes: bytes.length, storage: backend.kind }) : raw;
      for (let at = 0; at < bytes.length; at += WRITE_CHUNK_BYTES) await sink.write(bytes.subarray(at, Math.min(bytes.length, at + WRITE_CHUNK_BYTES)));
      const s = sink;
      sink = null; // close() failing must not be followed by abort()
      await s.close();
      const size = await backend.size(file);
      if (size !== bytes.length) throw new Error(`the stored file has ${size} bytes instead of ${bytes.length}`);
    } catch (e) {
      if (sink) await sink.abort(e).catch(() => {});
      await backend.remove(file).catch(() => {});
      if (isQuotaError(e)) throw await quotaError(name, bytes.length, e);
      const where = backend.kind === 'opfs' ? 'browser file storage' : 'IndexedDB';
      throw new CheckpointStoreError('io', `Could not save "${name}" to ${where}: ${describeError(e)}. The previously saved version, if any, is unchanged.`, { cause: e });
    }
  }

  /** The commit point: one transaction puts the entry (and drops the run's other autosaves). */
  private async commit(
    id: string,
    file: string,
    bytes: number,
    ckpt: Checkpoint,
    opts: SaveOptions,
    storage: 'opfs' | 'idb',
  ): Promise<{ info: StoredCheckpointInfo; replaced: EntryRecord[] }> {
    const db = await this.db();
    const m = ckpt.meta;
    const c = ckpt.config;
    return transact(db, ENTRIES, 'readwrite', async (tx) => {
      const os = tx.objectStore(ENTRIES);
      const now = new Date().toISOString();
      const prev = (await request(os.get(id))) as EntryRecord | undefined;
      const info: StoredCheckpointInfo = {
        id,
        name: m.name,
        stage: m.stage,
        createdAt: isRecord(prev) ? prev.info.createdAt : now,
        updatedAt: now,
        modelCreatedAt: m.createdAt,
        bytes,
        config: { layers: c.layers, heads: c.heads, channels: c.channels, contextLength: c.contextLength, vocabSize: c.vocabSize, params: paramCount(c) },
        tokenizer: tokenizerKind(m.tokenizer),
        lineage: plainJson(m.lineage),
        step: typeof m.train?.step === 'number' ? m.train.step : null,
        hasOptimizerState: [...(ckpt.extraTensors?.keys() ?? [])].some((k) => k.startsWith(OPTIMIZER_M_PREFIX)),
        autosave: !!opts.autosave,
        storage,
      };
      const parentId = opts.parentId ?? (isRecord(prev) ? prev.info.parentId : undefined);
      if (parentId !== undefined) info.parentId = parentId;
      if (opts.runId !== undefined) info.runId = opts.runId;
      const replaced: EntryRecord[] = isRecord(prev) ? [prev] : [];
      if (info.autosave && info.runId !== undefined) {
        const all = (await request(os.getAll())) as unknown[];
        for (const r of all) {
          if (isRecord(r) && r.id !== id && r.info.autosave && r.info.runId === info.runId) {
            await request(os.delete(r.id));
            replaced.push(r);
          }
        }
      }
      const record: EntryRecord = { id, info, file, nameInFile: m.name };
      await request(os.put(record));
      return { info, replaced };
    });
  }

  /** Best effort: a file that cannot be deleted now is an orphan for cleanup(). */
  private async deleteFile(rec: EntryRecord): Promise<void> {
    try {
      await (await this.readBackend(rec.info.storage)).remove(rec.file);
    } catch {
      // cleanup() gets it later
    }
  }

  /** The entry and its bytes; retries when the entry was replaced while reading (its old file deleted). */
  private async readBytes(id: string): Promise<{ record: EntryRecord; buffer: ArrayBuffer }> {
    for (let attempt = 0; ; attempt++) {
      const record = await this.record(id);
      if (!record) throw this.notFound(id);
      try {
        const backend = await this.readBackend(record.info.storage);
        return { record, buffer: await backend.read(record.file) };
      } catch (e) {
        if (e instanceof CheckpointStoreError) throw e;
        const now = await this.record(id).catch(() => null);
        if (attempt < 3 && now && now.file !== record.file) continue;
        if (!now) throw this.notFound(id);
        const missing = (e as { name?: unknown })?.name === 'NotFoundError';
        throw new CheckpointStoreError(
          'io',
          missing
            ? `The stored checkpoint "${record.info.name}" cannot be loaded: its data is missing from browser storage (it may have been cleared). Remove it from the list.`
            : `The stored checkpoint "${record.info.name}" could not be read from browser storage: ${describeError(e)}`,
          { cause: e },
        );
      }
    }
  }

  private decode(record: EntryRecord, buffer: ArrayBuffer): Checkpoint {
    let ckpt: Checkpoint;
    try {
      ckpt = readCheckpoint(buffer, { fileName: checkpointFileName(record.info) });
    } catch (e) {
      const err = e as CheckpointError;
      throw new CheckpointError(err.code, `The stored checkpoint "${record.info.name}" cannot be loaded: ${err.message}`, err.fileName);
    }
    ckpt.meta.name = record.info.name;
    return ckpt;
  }

  private ensureChannel(): BroadcastChannel | null {
    if (this.channel) return this.channel;
    if (typeof BroadcastChannel !== 'function') return null;
    const ch = new BroadcastChannel(this.names.channel);
    ch.onmessage = (ev: MessageEvent) => {
      const msg = ev.data as Partial<ChangeMessage> | null;
      if (!msg || msg.v !== 1 || typeof msg.id !== 'string' || !['saved', 'renamed', 'removed'].includes(msg.kind as string)) return;
      this.emit({ kind: msg.kind as StoreChangeKind, id: msg.id, ...(msg.info ? { info: msg.info } : {}), local: false });
    };
    this.channel = ch;
    return ch;
  }

  private notify(change: Omit<StoreChange, 'local'>): void {
    this.emit({ ...change, local: true });
    const msg: ChangeMessage = { v: 1, kind: change.kind, id: change.id, ...(change.info ? { info: change.info } : {}) };
    try {
      this.ensureChannel()?.postMessage(msg);
    } catch {
      // closed channel or uncloneable info: other tabs refresh on their next list()
    }
  }

  private emit(change: StoreChange): void {
    for (const cb of [...this.listeners]) {
      try {
        cb(change);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  private scheduleCleanup(): void {
    if (!this.opts.autoCleanup || this.cleanupScheduled) return;
    this.cleanupScheduled = true;
    this.cleanupTimer = setTimeout(() => {
      this.cleanupTimer = null;
      void this.cleanup().catch(() => {});
    }, 2000);
  }

  /** navigator.storage.persist() once per page (Window only; workers lack it), so the browser does not evict checkpoints. */
  private askPersistence(): void {
    if (!this.opts.requestPersistence || persistenceAsked) return;
    persistenceAsked = true;
    const s = globalThis.navigator?.storage;
    if (!s || typeof s.persist !== 'function') return;
    void (async () => {
      try {
        if (typeof s.persisted === 'function' && (await s.persisted())) return;
        await s.persist();
      } catch {
        // best effort
      }
    })();
  }
}
