// Where the bytes of stored checkpoints live: files in the origin private file system (OPFS), written with
// createWritable (pages, and workers that have it) or createSyncAccessHandle (dedicated workers), or — where
// OPFS is missing or cannot be written — Blobs in IndexedDB. Every backend names its files itself only by
// the names the store gives it; which file is current is decided by the index (store.ts), not here.
import { BLOBS, request, transact } from './idb.ts';

/** Receives the bytes of one file in order. `close` makes them durable; `abort` discards what was written. */
export interface ByteSink {
  write(chunk: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

/** How OPFS files are written: FileSystemWritableFileStream (swap file, committed on close) or a sync access handle (workers). */
export type OpfsWriter = 'writable' | 'sync';

export interface StoredFile {
  name: string;
  /** ms since the epoch. */
  lastModified: number;
}

export interface ByteBackend {
  readonly kind: 'opfs' | 'idb';
  /** The OPFS write method, when this backend can write OPFS files. */
  readonly writer: OpfsWriter | null;
  /** Creates (or truncates) `file` and returns a sink for its bytes. */
  create(file: string): Promise<ByteSink>;
  /** Size in bytes of a written file. */
  size(file: string): Promise<number>;
  read(file: string): Promise<ArrayBuffer>;
  /** Deletes `file`; a missing file is not an error. */
  remove(file: string): Promise<void>;
  /** Every file, for cleaning up orphans. */
  files(): Promise<StoredFile[]>;
}

/** Bytes a sink is handed at once (the whole file would double peak memory in some writers). */
export const WRITE_CHUNK_BYTES = 8 << 20;

// ───────────────────────────── OPFS ─────────────────────────────

interface SyncHandle {
  write(buffer: BufferSource, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void | Promise<void>;
  close(): void | Promise<void>;
}
type FileHandleWithSync = FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncHandle> };

/** The OPFS write methods this context offers, preferred first. */
export function opfsWriters(): OpfsWriter[] {
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  const out: OpfsWriter[] = [];
  if (!proto) return out;
  if ('createWritable' in proto) out.push('writable');
  if ('createSyncAccessHandle' in proto) out.push('sync'); // dedicated workers only
  return out;
}

/** The store's OPFS folder, or null when OPFS is missing or refused (e.g. some private modes). */
export async function opfsDirectory(name: string): Promise<FileSystemDirectoryHandle | null> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage || typeof storage.getDirectory !== 'function') return null;
  try {
    const root = await storage.getDirectory();
    return await root.getDirectoryHandle(name, { create: true });
  } catch {
    return null;
  }
}

function isNotFound(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === 'NotFoundError';
}

export class OpfsBytes implements ByteBackend {
  readonly kind = 'opfs' as const;
  constructor(
    private readonly dir: FileSystemDirectoryHandle,
    readonly writer: OpfsWriter | null,
  ) {}

  async create(file: string): Promise<ByteSink> {
    if (!this.writer) throw new Error('this context cannot write OPFS files');
    const handle = (await this.dir.getFileHandle(file, { create: true })) as FileHandleWithSync;
    return this.writer === 'writable' ? writableSink(handle) : syncSink(handle);
  }

  async size(file: string): Promise<number> {
    return (await (await this.dir.getFileHandle(file)).getFile()).size;
  }

  async read(file: string): Promise<ArrayBuffer> {
    const f = await (await this.dir.getFileHandle(file)).getFile();
    return f.arrayBuffer();
  }

  async remove(file: string): Promise<void> {
    try {
      await this.dir.removeEntry(file);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async files(): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    // DOM.AsyncIterable is not in the project's lib list; the method exists in every browser with OPFS.
    const entries = (this.dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
    for await (const [name, handle] of entries) {
      if (handle.kind !== 'file') continue;
      let lastModified = 0;
      try {
        lastModified = (await (handle as FileSystemFileHandle).getFile()).lastModified;
      } catch {
        // locked by a sync access handle (being written): report it as new, so it is left alone
        lastModified = Date.now();
      }
      out.push({ name, lastModified });
    }
    return out;
  }
}

async function writableSink(handle: FileSystemFileHandle): Promise<ByteSink> {
  // Chromium writes to a swap file and moves it over the target on close(); abort() drops the swap file.
  const w = await handle.createWritable({ keepExistingData: false });
  return {
    write: (chunk) => w.write(chunk),
    close: () => w.close(),
    abort: async (reason) => {
      await w.abort(reason);
    },
  };
}

async function syncSink(handle: FileHandleWithSync): Promise<ByteSink> {
  const h = await handle.createSyncAccessHandle!();
  let at = 0;
  let open = true;
  const release = async () => {
    if (!open) return;
    open = false;
    await h.close();
  };
  try {
    h.truncate(0);
  } catch (e) {
    await release();
    throw e;
  }
  return {
    write: async (chunk) => {
      const n = h.write(chunk, { at });
      if (n !== chunk.byteLength) throw new Error(`short write: ${n} of ${chunk.byteLength} bytes at offset ${at}`);
      at += n;
    },
    close: async () => {
      try {
        await h.flush();
      } finally {
        await release();
      }
    },
    abort: release, // the store deletes the partial file afterwards
  };
}

// ───────────────────────────── IndexedDB blobs ─────────────────────────────

interface BlobRecord {
  blob: Blob;
  /** ms since the epoch. */
  at: number;
}

/** Checkpoint bytes as Blobs in the "blobs" object store: the fallback where OPFS is missing. */
export class IdbBytes implements ByteBackend {
  readonly kind = 'idb' as const;
  readonly writer = null;
  constructor(private readonly db: () => Promise<IDBDatabase>) {}

  async create(file: string): Promise<ByteSink> {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let done = false;
    return {
      write: async (chunk) => {
        if (done) throw new Error('write after close');
        chunks.push(chunk);
      },
      // One put: the blob is stored whole or not at all.
      close: async () => {
        done = true;
        const record: BlobRecord = { blob: new Blob(chunks, { type: 'application/octet-stream' }), at: Date.now() };
        chunks.length = 0;
        const db = await this.db();
        await transact(db, BLOBS, 'readwrite', async (tx) => {
          await request(tx.objectStore(BLOBS).put(record, file));
        });
      },
      abort: async () => {
        done = true;
        chunks.length = 0;
      },
    };
  }

  private async get(file: string): Promise<BlobRecord> {
    const db = await this.db();
    const rec = await transact(db, BLOBS, 'readonly', (tx) => request(tx.objectStore(BLOBS).get(file) as IDBRequest<BlobRecord | undefined>));
    if (!rec || !(rec.blob instanceof Blob)) throw new DOMException(`"${file}" is not in IndexedDB`, 'NotFoundError');
    return rec;
  }

  async size(file: string): Promise<number> {
    return (await this.get(file)).blob.size;
  }

  async read(file: string): Promise<ArrayBuffer> {
    return (await this.get(file)).blob.arrayBuffer();
  }

  async remove(file: string): Promise<void> {
    const db = await this.db();
    await transact(db, BLOBS, 'readwrite', async (tx) => {
      await request(tx.objectStore(BLOBS).delete(file));
    });
  }

  async files(): Promise<StoredFile[]> {
    const db = await this.db();
    return transact(db, BLOBS, 'readonly', (tx) => {
      const out: StoredFile[] = [];
      return new Promise<StoredFile[]>((resolve, reject) => {
        const cur = tx.objectStore(BLOBS).openCursor();
        cur.onerror = () => reject(cur.error);
        cur.onsuccess = () => {
          const c = cur.result;
          if (!c) return resolve(out);
          const v = c.value as Partial<BlobRecord> | undefined;
          out.push({ name: String(c.key), lastModified: typeof v?.at === 'number' ? v.at : 0 });
          c.continue();
        };
      });
    });
  }
}
