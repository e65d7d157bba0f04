// The prompt lab's prompts: the presets from the project's seed (each showing one difference between the
// stages), and the person's own saved prompts, kept in localStorage. A damaged or foreign value in storage is
// read as no saved prompts rather than an error, and is only replaced when the person saves again.

/** What a preset does to the columns' chat-template switches: leave them, or turn all on or off. */
export type ChatChoice = 'keep' | 'on' | 'off';

export interface PresetPrompt {
  /** i18n key suffix: compare.preset.<id> names it. */
  id: string;
  text: string;
  chat: ChatChoice;
}

export const PRESET_PROMPTS: readonly PresetPrompt[] = [
  { id: 'banana', text: 'A banana is', chat: 'keep' },
  { id: 'car', text: 'I want to buy a new car', chat: 'keep' },
  { id: 'sky', text: 'The sky is', chat: 'keep' },
  { id: 'skyInstruction', text: 'Complete the sentence: The sky is', chat: 'keep' },
  { id: 'capitalChat', text: "What's the capital of China?", chat: 'on' },
  { id: 'capitalPlain', text: "What's the capital of China?", chat: 'off' },
  {
    id: 'fewShot',
    text: "Q: What's the capital of France?\nA: Paris.\nQ: What's the capital of Japan?\nA: Tokyo.\nQ: What's the capital of China?\nA:",
    chat: 'off',
  },
];

export interface SavedPrompt {
  id: string;
  text: string;
  /** ISO time it was saved. */
  savedAt: string;
}

export const SAVED_KEY = 'llm-playground.compare.prompts';
/** Saved prompts kept at most (the oldest go first). */
export const MAX_SAVED = 50;
/** Longest prompt kept (characters). */
export const MAX_SAVED_CHARS = 4000;

/** The saved prompts in a stored JSON value; anything malformed is skipped. */
export function parseSaved(json: string | null): SavedPrompt[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const out: SavedPrompt[] = [];
  for (const v of value) {
    if (v === null || typeof v !== 'object') continue;
    const { id, text, savedAt } = v as Record<string, unknown>;
    if (typeof id !== 'string' || typeof text !== 'string' || text.trim() === '') continue;
    if (out.some((p) => p.id === id)) continue;
    out.push({ id, text: text.slice(0, MAX_SAVED_CHARS), savedAt: typeof savedAt === 'string' ? savedAt : '' });
  }
  return out.slice(-MAX_SAVED);
}

/** The list with `text` added at the end (an identical prompt moves to the end instead of repeating). */
export function addSaved(list: readonly SavedPrompt[], text: string, id: string, now = new Date()): SavedPrompt[] {
  if (text.trim() === '') return [...list];
  const kept = list.filter((p) => p.text !== text);
  return [...kept, { id, text: text.slice(0, MAX_SAVED_CHARS), savedAt: now.toISOString() }].slice(-MAX_SAVED);
}

export function removeSaved(list: readonly SavedPrompt[], id: string): SavedPrompt[] {
  return list.filter((p) => p.id !== id);
}

/** Reads the saved prompts (none when storage is unavailable). */
export function loadSaved(storage: Pick<Storage, 'getItem'> | null): SavedPrompt[] {
  try {
    return parseSaved(storage?.getItem(SAVED_KEY) ?? null);
  } catch {
    return [];
  }
}

/** Writes the saved prompts; false when storage refused (full, or blocked). */
export function storeSaved(storage: Pick<Storage, 'setItem'> | null, list: readonly SavedPrompt[]): boolean {
  try {
    if (!storage) return false;
    storage.setItem(SAVED_KEY, JSON.stringify(list));
    return true;
  } catch {
    return false;
  }
}

/** A saved prompt's one-line label: its first line, shortened. */
export function promptLabel(text: string, max = 48): string {
  const line = text.trim().split('\n')[0];
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line + (text.trim().includes('\n') ? ' …' : '');
}
