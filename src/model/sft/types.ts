// The SFT data item: one conversation plus what is known about it. Plain JSON (crosses to the worker as is).
import type { FactsLang } from '../../data/facts/types.ts';
import type { ChatMessage } from './chat.ts';

export interface QaPair {
  /** user, assistant (…): see conversationProblem for the rules. */
  messages: ChatMessage[];
  /** The fact it asks about, by key (`country:china.capital`): checkable with isCorrect. */
  fact?: string;
  /** Language of the question (imported pairs: guessed, see guessLang). */
  lang: FactsLang;
  /** builtin:facts-qa: the question phrasing id (`capital.en.q0`) … */
  question?: string;
  /** … and the corpus phrasing id the answer is rendered with (`capital.en.1`). */
  answer?: string;
}

/** 'zh' when the text holds a Han character, else 'en'. */
export function guessLang(text: string): FactsLang {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}

/** The first user message and the last assistant message of a pair. */
export function questionOf(pair: Pick<QaPair, 'messages'>): string {
  return pair.messages.find((m) => m.role === 'user')?.content ?? '';
}
export function answerOf(pair: Pick<QaPair, 'messages'>): string {
  for (let i = pair.messages.length - 1; i >= 0; i--) if (pair.messages[i].role === 'assistant') return pair.messages[i].content;
  return '';
}

/**
 * All message text of the pairs, one message per line: add it to a char-level tokenizer's corpus so the
 * questions' characters (?, ？, 约翰 …, which a facts corpus lacks) are not <|unk|>.
 */
export function sftText(pairs: readonly Pick<QaPair, 'messages'>[]): string {
  const parts: string[] = [];
  for (const p of pairs) for (const m of p.messages) parts.push(m.content);
  return parts.join('\n');
}
