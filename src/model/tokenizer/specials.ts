// Splitting text on literal special-token strings (only when encode is asked to, via allowSpecial).

import { NUM_SPECIAL, SPECIAL_TOKENS } from './types.ts';

/** Throws unless a saved state's special tokens are exactly this build's (their ids are fixed). */
export function checkSpecials(specials: readonly string[]): void {
  if (!Array.isArray(specials) || specials.length !== NUM_SPECIAL || specials.some((s, i) => s !== SPECIAL_TOKENS[i])) {
    throw new Error(`tokenizer: special tokens [${String(specials)}] differ from [${SPECIAL_TOKENS.join(', ')}]`);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds a splitter over the given special strings (longest first, so one that is a prefix of another loses). */
export function specialSplitter(specials: Readonly<Record<string, number>>): (
  text: string,
  ordinary: (piece: string) => void,
  special: (id: number) => void,
) => void {
  const names = Object.keys(specials).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  if (names.length === 0) return (text, ordinary) => void (text && ordinary(text));
  const re = new RegExp(names.map(escapeRegExp).join('|'), 'g');
  return (text, ordinary, special) => {
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > last) ordinary(text.slice(last, m.index));
      special(specials[m[0]]);
      last = m.index + m[0].length;
    }
    if (last < text.length) ordinary(text.slice(last));
  };
}
