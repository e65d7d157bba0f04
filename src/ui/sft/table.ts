// The SFT data table's pure logic: rows with a split, search, paging, and the edits (add, change, delete),
// each returning a new array (the controller keeps the rows as one raw state value). Node-tested.
import { answerOf, guessLang, questionOf, type QaPair } from '../../model/sft/types.ts';

/** Where a row is used: trained on, or held out (its fact, or its question's wording, is never trained). */
export type Split = 'train' | 'heldOut' | 'heldOutPhrasing';
export const SPLITS: readonly Split[] = ['train', 'heldOut', 'heldOutPhrasing'];

export interface Row {
  /** Stable key for the table (never reused within a data set). */
  key: number;
  split: Split;
  pair: QaPair;
}

/** Case-, width- and accent-insensitive form for searching (NFKC, lower case). */
function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/**
 * The rows of a split ('all': every split) whose question or answer contains every word of the query
 * (words separated by spaces; Chinese text without spaces is one word, matched as a substring).
 */
export function filterRows(rows: readonly Row[], query: string, split: Split | 'all' = 'all'): Row[] {
  const words = fold(query).split(/\s+/u).filter((w) => w !== '');
  return rows.filter((r) => {
    if (split !== 'all' && r.split !== split) return false;
    if (words.length === 0) return true;
    const text = fold(r.pair.messages.map((m) => m.content).join('\n'));
    return words.every((w) => text.includes(w));
  });
}

export interface Page<T> {
  items: T[];
  /** The page shown, 0-based, clamped to the pages there are. */
  page: number;
  pages: number;
  /** Index of the first item shown in the whole list (0 when empty). */
  first: number;
}

/** One page of `size` items (at least one page, even when empty). */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const n = Math.max(1, Math.floor(size));
  const pages = Math.max(1, Math.ceil(items.length / n));
  const p = Math.min(pages - 1, Math.max(0, Math.floor(page) || 0));
  return { items: items.slice(p * n, p * n + n), page: p, pages, first: p * n };
}

/** A one-turn pair from a question and an answer (language guessed from the question). */
export function qaPair(question: string, answer: string): QaPair {
  return {
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
    lang: guessLang(question),
  };
}

/** Rows numbered from `firstKey`. */
export function toRows(pairs: readonly QaPair[], split: Split, firstKey: number): Row[] {
  return pairs.map((pair, i) => ({ key: firstKey + i, split, pair }));
}

/** The rows with `row` added at the front (new rows show first on the first page). */
export function addRow(rows: readonly Row[], row: Row): Row[] {
  return [row, ...rows];
}

export function deleteRow(rows: readonly Row[], key: number): Row[] {
  return rows.filter((r) => r.key !== key);
}

/**
 * The rows with one row's question, answer or split changed. A single-turn pair's first user and last
 * assistant messages are replaced; a changed answer forgets the pair's fact (the fact no longer says what a
 * right answer is, so it is judged by exact match), a changed question its phrasing id.
 */
export function updateRow(rows: readonly Row[], key: number, change: { question?: string; answer?: string; split?: Split }): Row[] {
  return rows.map((r) => {
    if (r.key !== key) return r;
    const messages = r.pair.messages.map((m) => ({ ...m }));
    const pair: QaPair = { ...r.pair, messages };
    if (change.question !== undefined && change.question !== questionOf(r.pair)) {
      const u = messages.findIndex((m) => m.role === 'user');
      if (u >= 0) messages[u].content = change.question;
      pair.lang = guessLang(change.question);
      delete pair.question;
    }
    if (change.answer !== undefined && change.answer !== answerOf(r.pair)) {
      const a = messages.map((m) => m.role).lastIndexOf('assistant');
      if (a >= 0) messages[a].content = change.answer;
      delete pair.fact;
      delete pair.answer;
    }
    return { key, split: change.split ?? r.split, pair };
  });
}

/** The problem with a question/answer the person typed, or null: both must have text. */
export function qaProblem(question: string, answer: string): 'emptyQuestion' | 'emptyAnswer' | null {
  if (question.trim() === '') return 'emptyQuestion';
  if (answer.trim() === '') return 'emptyAnswer';
  return null;
}
