// The edited SFT data survives a reload: kept in localStorage (a few hundred kB for thousands of pairs)
// whenever it differs from the generated builtin:facts-qa. What is read back is checked pair by pair; a
// damaged or foreign entry is ignored (and left in place), never half-loaded. Pure apart from the storage
// passed in; Node-tested.
import { FACTS_SIZES, factsCorpusKey, type FactsSize } from '../../data/index.ts';
import { conversationProblem } from '../../model/sft/chat.ts';
import type { QaPair } from '../../model/sft/types.ts';
import { SPLITS, type Row } from './table.ts';
import { factsWorldKey } from './dataset.ts';

export const SFT_DATA_KEY = 'llm-playground.sft.data';
const VERSION = 1;

export interface SavedData {
  source: string;
  /** The facts world the rows came from (its corpus key), or null. */
  world: string | null;
  rows: Row[];
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Writes the data; false when the storage refused it (full, or disabled). */
export function saveData(storage: Storage | undefined, d: SavedData): boolean {
  try {
    storage?.setItem(SFT_DATA_KEY, JSON.stringify({ version: VERSION, source: d.source, world: d.world, rows: d.rows.map((r) => [r.split, r.pair]) }));
    return !!storage;
  } catch {
    return false;
  }
}

export function clearData(storage: Storage | undefined): void {
  try {
    storage?.removeItem(SFT_DATA_KEY);
  } catch {
    // nothing to clear
  }
}

/** The saved data, or null when there is none or it does not check out. */
export function loadData(storage: Storage | undefined): SavedData | null {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(SFT_DATA_KEY) ?? null;
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const o = JSON.parse(raw) as { version?: unknown; source?: unknown; world?: unknown; worldSize?: unknown; rows?: unknown };
    if (o.version !== VERSION || typeof o.source !== 'string' || !Array.isArray(o.rows)) return null;
    // Saves before the world had languages named only its size (both languages then).
    const oldSize = (FACTS_SIZES as readonly unknown[]).includes(o.worldSize) ? factsCorpusKey(o.worldSize as FactsSize) : null;
    const world = factsWorldKey(o.world) ?? oldSize;
    const rows: Row[] = [];
    for (const [i, entry] of (o.rows as unknown[]).entries()) {
      if (!Array.isArray(entry) || entry.length !== 2) return null;
      const [split, pair] = entry as [unknown, unknown];
      if (!(SPLITS as readonly unknown[]).includes(split) || conversationProblem(pair, 'train') !== null) return null;
      const p = pair as QaPair;
      if (p.lang !== 'en' && p.lang !== 'zh') return null;
      rows.push({ key: i, split: split as Row['split'], pair: p });
    }
    return { source: o.source, world, rows };
  } catch {
    return null;
  }
}
