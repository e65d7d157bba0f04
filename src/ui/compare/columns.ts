// Pure rules about the Compare columns: which starts with the chat template, which columns share a tokenizer,
// and whether one column's tokens can be scored under another column's model.
import type { Stage } from '../../model/checkpoint/index.ts';
import type { StoredCheckpointInfo } from '../../model/checkpoint/store.ts';

export const MIN_COLUMNS = 2;
export const MAX_COLUMNS = 4;

/** A base model completes documents, so it gets the plain prompt; every later stage was tuned on the chat
 *  template, so it gets the template. */
export function defaultChat(stage: Stage | undefined): boolean {
  return stage !== undefined && stage !== 'base';
}

/** Group numbers (1, 2, …, by first appearance) of the columns' tokenizer fingerprints; 0 where unknown. */
export function tokenizerGroups(fingerprints: readonly (string | null)[]): number[] {
  const seen: string[] = [];
  return fingerprints.map((f) => {
    if (f === null) return 0;
    let i = seen.indexOf(f);
    if (i < 0) i = seen.push(f) - 1;
    return i + 1;
  });
}

/** Why column A's tokens cannot be scored under column B's model, or null when they can. */
export type DiffProblem = 'same' | 'unfinished' | 'tokenizer' | 'deleted';

export interface DiffSide {
  colId: string;
  /** Still waiting or generating. */
  busy: boolean;
  /** The tokenizer fingerprint (null before the column started). */
  fingerprint: string | null;
  deleted: boolean;
}

export function diffProblem(a: DiffSide, b: DiffSide): DiffProblem | null {
  if (a.colId === b.colId) return 'same';
  if (a.busy || b.busy || a.fingerprint === null || b.fingerprint === null) return 'unfinished';
  if (a.fingerprint !== b.fingerprint) return 'tokenizer';
  if (b.deleted) return 'deleted';
  return null;
}

/**
 * Checkpoints for a first comparison: the newest finished one of each stage in pipeline order (base, SFT,
 * RLHF, DPO, reward), at most `max`; with a single checkpoint, that one twice (without and with the template).
 */
export function initialPicks(list: readonly StoredCheckpointInfo[], max = 3): { checkpointId: string; chat: boolean }[] {
  const order: Stage[] = ['base', 'sft', 'rlhf', 'dpo', 'reward'];
  const finished = list.filter((c) => !c.autosave);
  const pool = finished.length ? finished : list;
  const newest = [...pool].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const picks: StoredCheckpointInfo[] = [];
  for (const s of order) {
    const c = newest.find((x) => x.stage === s);
    if (c && picks.length < max) picks.push(c);
  }
  for (const c of newest) if (picks.length < Math.min(max, MIN_COLUMNS) && !picks.includes(c)) picks.push(c);
  if (picks.length === 1) return [{ checkpointId: picks[0].id, chat: false }, { checkpointId: picks[0].id, chat: true }];
  return picks.map((c) => ({ checkpointId: c.id, chat: defaultChat(c.stage) }));
}
