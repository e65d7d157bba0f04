// A few promise helpers over IndexedDB (no library), enough for the checkpoint store: one database per
// store namespace with an "entries" store (the index, keyPath "id") and a "blobs" store (the bytes of
// checkpoints when OPFS is missing; out-of-line keys = file names).
import { CheckpointStoreError, describeError } from './errors.ts';

export const ENTRIES = 'entries';
export const BLOBS = 'blobs';
const DB_VERSION = 1;

/** Resolves with the request's result, rejects with its error. */
export function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new DOMException('IndexedDB request failed', 'UnknownError'));
  });
}

/**
 * Runs `body` in one transaction and resolves with its result once the transaction has committed (so the
 * change is durable and visible to every other connection). `body` may await IDB requests of `tx` only — an
 * await on anything else lets the transaction auto-commit. A throw in `body` aborts the transaction.
 */
export async function transact<T>(
  db: IDBDatabase,
  stores: string | string[],
  mode: IDBTransactionMode,
  body: (tx: IDBTransaction) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(stores, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('IndexedDB transaction aborted', 'AbortError'));
    tx.onerror = (ev) => ev.preventDefault?.(); // the abort handler reports it
  });
  done.catch(() => {}); // observed below; avoid an unhandled rejection when body throws first
  let result: T;
  try {
    result = await body(tx);
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    await done.catch(() => {});
    throw e;
  }
  await done;
  return result;
}

/** Opens (creating or upgrading) the database `name`. Throws CheckpointStoreError('unavailable') when IndexedDB cannot be used. */
export function openDatabase(name: string): Promise<IDBDatabase> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) {
    return Promise.reject(new CheckpointStoreError('unavailable', 'Checkpoints cannot be stored in this browser: IndexedDB is not available here.'));
  }
  return new Promise<IDBDatabase>((resolve, reject) => {
    let r: IDBOpenDBRequest;
    try {
      r = factory.open(name, DB_VERSION);
    } catch (e) {
      reject(unavailable(e));
      return;
    }
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(ENTRIES)) db.createObjectStore(ENTRIES, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(BLOBS)) db.createObjectStore(BLOBS);
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(unavailable(r.error));
    r.onblocked = () => {
      // Another tab holds an older version open; it closes on 'versionchange' (see CheckpointStore), then this proceeds.
    };
  });
}

function unavailable(e: unknown): CheckpointStoreError {
  return new CheckpointStoreError(
    'unavailable',
    `Checkpoints cannot be stored in this browser: IndexedDB could not be opened (${describeError(e)}). Private browsing or blocked site data can cause this.`,
    { cause: e },
  );
}
