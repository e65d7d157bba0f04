// The pre-tokenizer's fast scanner against its regex definition, and the two merge-application routines
// against each other.
import { describe, it, expect } from 'vitest';
import { forEachPretoken, jsPattern, pretokenize } from '../../src/model/tokenizer/pretokenize.ts';
import { applyMergesLong, applyMergesShort, PAIR_BASE, type MergeTable } from '../../src/model/tokenizer/merge.ts';
import { randomText, seededRng, shakespeare, TANG_POEMS, FAMILY } from './helpers.ts';

function byRegex(text: string): string[] {
  return text.match(jsPattern()) ?? [];
}

describe('pre-tokenizer', () => {
  it('splits like GPT-2 on English, keeps Han runs apart, marks with their letters', () => {
    expect(pretokenize("Hello world's   end\n\nFirst Citizen:")).toEqual([
      'Hello', ' world', "'s", '  ', ' end', '\n', '\n', 'First', ' Citizen', ':',
    ]);
    expect(pretokenize('床前明月光，疑是地上霜。abc中文 e\u0301té')).toEqual([
      '床前明月光', '，', '疑是地上霜', '。', 'abc', '中文', ' e\u0301té',
    ]);
    expect(pretokenize(` ${FAMILY} 123 4.5 \t x`)).toEqual([` ${FAMILY}`, ' 123', ' 4', '.', '5', ' \t', ' x']);
    expect(pretokenize('')).toEqual([]);
    expect(pretokenize('   ')).toEqual(['   ']);
  });

  it('the scanner agrees with the regex and is lossless on random text', () => {
    const { rng, seed } = seededRng();
    for (let t = 0; t < 2000; t++) {
      const s = randomText(rng) + (rng.next() < 0.1 ? '\ud800' : ''); // sometimes a lone surrogate too
      const got = pretokenize(s);
      expect(got, `TEST_SEED=${seed} text ${JSON.stringify(s)}`).toEqual(byRegex(s));
      expect(got.join('')).toBe(s);
    }
  });

  it('the scanner agrees with the regex on every BMP code point class boundary', () => {
    // each code point after a space and after a letter, in blocks
    let s = '';
    for (let cp = 0; cp < 0x10000; cp++) if (cp < 0xd800 || cp > 0xdfff) s += ' ' + String.fromCodePoint(cp) + 'a';
    for (let cp = 0x10000; cp < 0x40000; cp += 97) s += String.fromCodePoint(cp) + ' ';
    expect(pretokenize(s)).toEqual(byRegex(s));
  });

  it.skipIf(!shakespeare)('agrees with the regex on tinyshakespeare', () => {
    const words: string[] = [];
    forEachPretoken(shakespeare!, (w) => words.push(w));
    expect(words).toEqual(byRegex(shakespeare!));
    expect(byRegex(TANG_POEMS)).toEqual(pretokenize(TANG_POEMS));
  });
});

describe('merge application', () => {
  it('the O(n log n) form gives the same result as the simple one', () => {
    const { rng, seed } = seededRng();
    // random merge table over a small alphabet 0..5: merge k makes id 6+k from two earlier ids
    for (let trial = 0; trial < 50; trial++) {
      const ranks = new Map<number, number>();
      const first = 6;
      const nMerges = 1 + rng.int(30);
      for (let k = 0; k < nMerges; k++) {
        const a = rng.int(first + k);
        const b = rng.int(first + k);
        const key = a * PAIR_BASE + b;
        if (!ranks.has(key)) ranks.set(key, k);
      }
      const table: MergeTable = { ranks, firstMergeId: first };
      for (let w = 0; w < 20; w++) {
        const n = rng.int(120);
        const syms = Array.from({ length: n }, () => rng.int(rng.next() < 0.5 ? 2 : 6));
        const a = applyMergesShort([...syms], table);
        const b = applyMergesLong([...syms], table);
        expect(b, `TEST_SEED=${seed}`).toEqual(a);
      }
    }
  });
});
