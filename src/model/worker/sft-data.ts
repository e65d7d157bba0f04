// Checks of SFT data shared by the page (before sending) and the engine worker (which checks again):
// well-formed conversations, and how the pairs fit the model's context. Pure TypeScript.
import { fitAll } from '../sft/batch.ts';
import { conversationProblem, encodeChat, type ChatTokenizer } from '../sft/chat.ts';
import type { QaPair } from '../sft/types.ts';
import { codeError } from './errors.ts';

/** More pairs than this is surely a mistake of the page (the data is edited there, thousands of rows). */
const MAX_PAIRS = 200_000;

/** Throws a 'bad-data' error naming the first malformed pair (the page checks too; this guards the worker). */
export function checkPairs(pairs: unknown, what: string): QaPair[] {
  if (!Array.isArray(pairs)) throw codeError('bad-data', `${what}: not a list of pairs`);
  if (pairs.length > MAX_PAIRS) throw codeError('bad-data', `${what}: ${pairs.length} pairs (at most ${MAX_PAIRS})`);
  pairs.forEach((p: unknown, i) => {
    const problem = conversationProblem(p, 'train');
    if (problem) throw codeError('bad-data', `${what}, pair ${i + 1}: ${problem}`, { row: i + 1 });
    const empty = (p as QaPair).messages.findIndex((m) => m.content.trim() === '');
    if (empty >= 0) throw codeError('bad-data', `${what}, pair ${i + 1}: message ${empty + 1} has empty content`, { row: i + 1 });
  });
  return pairs as QaPair[];
}

/**
 * The training pairs that fit a context of T, with counts: a pair longer than T+1 ids is kept left-truncated
 * when its final answer still fits (tooLong 'truncate'; see fitToContext) or skipped ('skip', or when even the
 * answer does not fit).
 */
export function fitPairs(tok: ChatTokenizer, pairs: QaPair[], T: number, tooLong: 'truncate' | 'skip'): { kept: QaPair[]; truncated: number; skipped: number } {
  const kept: QaPair[] = [];
  let truncated = 0;
  let skipped = 0;
  for (const p of pairs) {
    const ex = encodeChat(tok, p);
    if (ex.ids.length <= T + 1) {
      kept.push(p);
      continue;
    }
    const fits = tooLong === 'truncate' && fitAll([ex], T).examples.length === 1;
    if (fits) {
      truncated++;
      kept.push(p);
    } else skipped++;
  }
  return { kept, truncated, skipped };
}

