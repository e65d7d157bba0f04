// Errors of the checkpoint store (browser storage), apart from the CheckpointError of the file format:
// a stable `code` for the program and a `message` written for the person looking at the UI.

export type CheckpointStoreErrorCode =
  /** The browser refused to store more bytes (QuotaExceededError); `quota` has the numbers. */
  | 'quota'
  /** No stored checkpoint has this id (removed, maybe in another tab). */
  | 'not-found'
  /** No usable storage: IndexedDB is missing or blocked (private mode, disabled site data), or OPFS was required but is missing. */
  | 'unavailable'
  /** Reading, writing or deleting failed for another reason. */
  | 'io'
  /** A bad argument (empty name, bad id, bad namespace). */
  | 'invalid';

/** The numbers behind a 'quota' error (bytes). `usage`/`quota` are null when the browser does not report them. */
export interface QuotaInfo {
  needed: number;
  usage: number | null;
  quota: number | null;
}

export class CheckpointStoreError extends Error {
  override readonly name = 'CheckpointStoreError';
  readonly code: CheckpointStoreErrorCode;
  readonly quota: QuotaInfo | undefined;

  constructor(code: CheckpointStoreErrorCode, message: string, options: { cause?: unknown; quota?: QuotaInfo } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.quota = options.quota;
  }
}

/** True for a browser "out of storage" error, however it is wrapped (DOMException, QuotaExceededError, IDB abort, Firefox's own name). */
export function isQuotaError(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (typeof cur !== 'object') return false;
    const { name, code } = cur as { name?: unknown; code?: unknown };
    if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
    // Legacy DOMException code QUOTA_EXCEEDED_ERR.
    if (cur instanceof DOMException && code === 22) return true;
  }
  return false;
}

/** "12.3 MB" (decimal units, as the browser's own storage settings show them). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} ${units[u]}`;
}

/** usage/quota from navigator.storage.estimate(), or nulls where the browser does not say. */
export async function storageEstimate(): Promise<{ usage: number | null; quota: number | null }> {
  try {
    const est = await globalThis.navigator?.storage?.estimate?.();
    return {
      usage: typeof est?.usage === 'number' ? est.usage : null,
      quota: typeof est?.quota === 'number' ? est.quota : null,
    };
  } catch {
    return { usage: null, quota: null };
  }
}

/** The 'quota' error for saving `needed` bytes of checkpoint `name`, with the browser's numbers in the message. */
export async function quotaError(name: string, needed: number, cause: unknown): Promise<CheckpointStoreError> {
  const { usage, quota } = await storageEstimate();
  let where: string;
  if (usage !== null && quota !== null) {
    const free = Math.max(0, quota - usage);
    where =
      `the browser reports ${formatBytes(usage)} (${usage} bytes) used of this site's ${formatBytes(quota)} (${quota} bytes) quota, ` +
      `${formatBytes(free)} (${free} bytes) free`;
  } else {
    where = 'the browser does not report how much space this site may use';
  }
  return new CheckpointStoreError(
    'quota',
    `Not enough browser storage to save "${name}": it needs ${formatBytes(needed)} (${needed} bytes), and ${where}. ` +
      'The previously saved version, if any, is unchanged. Free space by removing old checkpoints (export them first to keep them), ' +
      'or save without optimizer state (a third of the size).',
    { cause, quota: { needed, usage, quota } },
  );
}

/** A short description of any thrown value, for messages. */
export function describeError(e: unknown): string {
  if (e instanceof Error || e instanceof DOMException) return e.message ? `${e.name}: ${e.message}` : e.name;
  return String(e);
}
