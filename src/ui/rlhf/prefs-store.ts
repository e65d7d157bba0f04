// The rankings collected in this browser, kept in localStorage under one versioned key.
//
// Why localStorage and not IndexedDB: a ranking is a few hundred bytes of text (prompt, K short answers,
// the order, sampler settings, the tokenizer fingerprint), so thousands fit well within its ~5 MB; it is
// synchronous, so the list is there on the first render and every change is written before the next
// click; and it needs no schema upgrades. Checkpoints (megabytes of tensors) stay in the CheckpointStore.
//
// Nothing saved is lost: a write that fails (quota) leaves the previous stored list as it was and is
// reported (the page keeps the new list in memory); a stored value that cannot be read is copied aside
// under a "-unreadable-<time>" key before anything else is written. Import (JSONL, both forms) goes through
// src/model/rlhf/prefs.ts; a pair line becomes a ranking of two answers. Pure apart from the Storage
// handed in (tests/rlhf/ui-prefs.test.ts).
import { expandRanking, pairsToJsonl, parsePrefsJsonl, rankingsToJsonl, type PrefsError, type Ranking } from '../../model/rlhf/prefs.ts';

export const PREFS_KEY = 'llm-playground:rlhf-rankings:v1';

export interface StoredRanking extends Ranking {
  id: string;
  createdAt: string;
  /** 'person', 'labeler:default', 'file:prefs.jsonl'. */
  source: string;
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

export interface LoadResult {
  rankings: StoredRanking[];
  /** The stored value could not be read; it was copied to this key. */
  unreadable?: string;
}

function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function stored(r: Ranking, source: string, now = new Date()): StoredRanking {
  return { ...r, id: newId(), createdAt: now.toISOString(), source };
}

export function loadRankings(storage: StorageLike): LoadResult {
  const raw = storage.getItem(PREFS_KEY);
  if (raw === null) return { rankings: [] };
  try {
    const v = JSON.parse(raw) as { v?: number; rankings?: unknown };
    if (v?.v !== 1 || !Array.isArray(v.rankings)) throw new Error('not a version-1 list of rankings');
    const ok = v.rankings.filter((r): r is StoredRanking => !!r && typeof r === 'object' && typeof (r as StoredRanking).id === 'string' && typeof (r as StoredRanking).prompt === 'string' && Array.isArray((r as StoredRanking).answers) && Array.isArray((r as StoredRanking).order));
    if (ok.length !== v.rankings.length) throw new Error('some entries are not rankings');
    return { rankings: ok };
  } catch {
    const aside = `${PREFS_KEY}-unreadable-${Date.now()}`;
    storage.setItem(aside, raw);
    return { rankings: [], unreadable: aside };
  }
}

/** Writes the list; throws (the browser's QuotaExceededError) when it does not fit: the old list stays stored. */
export function saveRankings(storage: StorageLike, rankings: readonly StoredRanking[]): void {
  storage.setItem(PREFS_KEY, JSON.stringify({ v: 1, rankings }));
}

/** The ranking without the store's own fields, in prefs.ts's form. */
export function plainRanking(r: StoredRanking | Ranking): Ranking {
  const { id: _id, createdAt: _c, source: _s, ...rest } = r as StoredRanking;
  return rest;
}

export function exportRankings(rankings: readonly (StoredRanking | Ranking)[], form: 'rankings' | 'pairs'): string {
  const plain = rankings.map(plainRanking);
  return form === 'rankings' ? rankingsToJsonl(plain) : pairsToJsonl(plain.flatMap((r) => expandRanking(r)));
}

export interface ImportResult {
  rankings: Ranking[];
  /** Pair lines among them (each became a ranking of two answers). */
  pairLines: number;
  errors: PrefsError[];
}

/**
 * Reads preference JSONL (rankings and TRL pairs mixed), refusing lines made with another tokenizer than
 * `fingerprint`. Every line is read on its own, so each error keeps its line number and a pair line is
 * known as one (it becomes { answers: [chosen, rejected], order: [0, 1] }).
 */
export function importJsonl(text: string, fingerprint: string | undefined, maxErrors = 200): ImportResult {
  const out: ImportResult = { rankings: [], pairLines: 0, errors: [] };
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  let more = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const p = parsePrefsJsonl(line, { fingerprint });
    if (p.errors.length) {
      if (out.errors.length < maxErrors) out.errors.push({ line: i + 1, message: p.errors[0].message });
      else more++;
    } else if (p.rankings.length === 1) {
      out.rankings.push(p.rankings[0]);
    } else if (p.pairs.length === 1) {
      const { prompt, chosen, rejected, tokenizer } = p.pairs[0];
      out.rankings.push({ prompt, answers: [chosen, rejected], order: [0, 1], ...(tokenizer ? { tokenizer } : {}) });
      out.pairLines++;
    }
  });
  if (more) out.errors.push({ line: 0, message: `… and ${more} more errors` });
  return out;
}

/** Rankings sampled with this tokenizer (or without a recorded one): the ones a model can train on. */
export function usableRankings<T extends Ranking>(rankings: readonly T[], fingerprint: string | undefined): T[] {
  return rankings.filter((r) => !fingerprint || !r.tokenizer || r.tokenizer === fingerprint);
}

/** C(K, 2) for strict rankings, fewer with ties or identical answers: the pairs training will see. */
export function pairCount(rankings: readonly Ranking[]): number {
  let n = 0;
  for (const r of rankings) {
    try {
      n += expandRanking(r).length;
    } catch {
      // a ranking with a problem gives no pair (the worker refuses it with its reason)
    }
  }
  return n;
}
