// Which characters of the SFT data a base model's tokenizer cannot encode. A char-level tokenizer maps
// every character outside its vocabulary to <|unk|> (a facts corpus has no '?', '？', 什么 …), so the model
// would read those as one meaningless token; the page lists them with how many pairs they touch. Byte-level
// BPE encodes any text, so it reports nothing. Pure; Node-tested.
import type { QaPair } from '../../model/sft/types.ts';
import { CHAR_UNK_ID, type Tokenizer } from '../../model/tokenizer/index.ts';

export interface UnknownChar {
  char: string;
  /** Occurrences in the data. */
  count: number;
  /** Pairs it occurs in. */
  pairs: number;
}

export interface CoverageReport {
  /** Most frequent first. */
  chars: UnknownChar[];
  /** Pairs with at least one unknown character … */
  affectedPairs: number;
  /** … of which the unknown character is in an answer (the trained text). */
  affectedAnswers: number;
  /** Indexes (into the pairs given) of the affected pairs. */
  affected: number[];
}

/** The characters of `pairs` that `tok` encodes as <|unk|> (none for a BPE tokenizer). */
export function unknownChars(tok: Pick<Tokenizer, 'kind' | 'encode'>, pairs: readonly Pick<QaPair, 'messages'>[]): CoverageReport {
  const empty: CoverageReport = { chars: [], affectedPairs: 0, affectedAnswers: 0, affected: [] };
  if (tok.kind !== 'char') return empty;
  const known = new Map<string, boolean>();
  const isUnknown = (ch: string): boolean => {
    let u = known.get(ch);
    if (u === undefined) {
      const ids = tok.encode(ch);
      u = ids.length === 1 && ids[0] === CHAR_UNK_ID;
      known.set(ch, u);
    }
    return u;
  };
  const stats = new Map<string, UnknownChar>();
  const affected: number[] = [];
  let affectedAnswers = 0;
  pairs.forEach((p, i) => {
    const seen = new Set<string>();
    let inAnswer = false;
    for (const m of p.messages) {
      for (const ch of m.content) {
        if (!isUnknown(ch)) continue;
        let s = stats.get(ch);
        if (!s) stats.set(ch, (s = { char: ch, count: 0, pairs: 0 }));
        s.count++;
        if (!seen.has(ch)) {
          seen.add(ch);
          s.pairs++;
        }
        if (m.role === 'assistant') inAnswer = true;
      }
    }
    if (seen.size > 0) affected.push(i);
    if (inAnswer) affectedAnswers++;
  });
  const chars = [...stats.values()].sort((a, b) => b.count - a.count || (a.char < b.char ? -1 : 1));
  return { chars, affectedPairs: affected.length, affectedAnswers, affected };
}

/** A character as the page shows it: whitespace and invisible ones by name (U+0009 …). */
export function showChar(ch: string): string {
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch)) return ch;
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
