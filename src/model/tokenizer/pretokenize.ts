// Pre-tokenisation for byte-level BPE: the text is cut into "words" first and merges never cross a cut.
//
// Rule 'gpt2-han-v1' — GPT-2's split, made Unicode-aware for Chinese, in this order of alternatives
// (leftmost alternative that matches wins, as in GPT-2):
//   1. English contractions            '(?:[sdmt]|ll|ve|re)       ('s 't 'd 'm 'll 've 're, lower case)
//   2. a run of Han ideographs         ␠?\p{Script=Han}+          (CJK ideographs are kept apart from other
//      letters: "abc中文" → "abc" "中文"; a run of them is one word, so common multi-character words
//      such as 明月 can become tokens; punctuation such as ，。 ends the run)
//   3. a run of other letters/marks    ␠?[\p{L}\p{M}--Han]+       (combining marks stay with their letters)
//   4. a run of digits                 ␠?\p{N}+
//   5. a run of other symbols          ␠?[^\s\p{L}\p{M}\p{N}]+    (punctuation, emoji, ZWJ sequences …)
//   6. whitespace not followed by a non-space  \s+(?!\S)  (so "   x" gives "  " and " x", as GPT-2)
//   7. remaining whitespace            \s+
// Any character can start one of the alternatives (it is whitespace, Han, a letter/mark, a digit, or none of
// these), so the words cover the text and the split is lossless: their concatenation is the input.
// forEachPretoken implements the rule with a hand-written scanner over a code-point class table (the regex,
// jsPattern(), is its specification: tests compare the two on every BMP code point and on random text).
//
// \s is ECMAScript's set (Zs + TAB VT FF LF CR U+2028 U+2029 U+FEFF). The Hugging Face export writes the same
// rule in Oniguruma syntax with that set spelled out (Oniguruma's \s differs: it has U+0085, lacks U+FEFF).
// Han membership follows each engine's Unicode tables, which may differ for ideographs newer than either.

export const PRETOKENIZER_ID = 'gpt2-han-v1';

/** ECMAScript \s, written out. */
const WS_CODES: Array<number | [number, number]> = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, [0x2000, 0x200a], 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];

// JS (flag v for the class subtraction; flag g for scanning).
const JS_PATTERN =
  "'(?:[sdmt]|ll|ve|re)" +
  '| ?\\p{Script=Han}+' +
  '| ?[[\\p{L}\\p{M}]--\\p{Script=Han}]+' +
  '| ?\\p{N}+' +
  '| ?[^\\s\\p{L}\\p{M}\\p{N}]+' +
  '|\\s+(?!\\S)' +
  '|\\s+';

function onigWhitespace(): string {
  const hex = (c: number) => (c === 0x20 ? '\\x{20}' : `\\x{${c.toString(16).toUpperCase()}}`);
  return WS_CODES.map((c) => (Array.isArray(c) ? `${hex(c[0])}-${hex(c[1])}` : hex(c))).join('');
}

/**
 * The same rule in Oniguruma syntax (the regex engine of Hugging Face `tokenizers`), for a `Split`
 * pre-tokenizer with behavior "Isolated". Checked against the real library in tests/tokenizer/hf-parity.test.ts.
 */
export function onigPattern(): string {
  const ws = onigWhitespace();
  return (
    "'(?:[sdmt]|ll|ve|re)" +
    '| ?\\p{Han}+' +
    '| ?[\\p{L}\\p{M}&&[^\\p{Han}]]+' +
    '| ?\\p{N}+' +
    `| ?[^${ws}\\p{L}\\p{M}\\p{N}]+` +
    `|[${ws}]+(?![^${ws}])` +
    `|[${ws}]+`
  );
}

/** The rule as a JS regex (flags g and v). The scanner below is the fast implementation; tests check that
 *  the two agree. */
export function jsPattern(): RegExp {
  return new RegExp(JS_PATTERN, 'gv');
}

// Character flags. A code point's flags decide both which alternative a word starts with and which runs
// it may continue.
const WS = 1; // ECMAScript \s
const HAN = 2; // Script=Han
const LM = 4; // \p{L} or \p{M}
const NUM = 8; // \p{N}

let bmpFlags: Uint8Array | null = null;
const astralFlags = new Map<number, number>();

function flagsFromRegex(ch: string): number {
  return (
    (/\s/u.test(ch) ? WS : 0) |
    (/\p{Script=Han}/u.test(ch) ? HAN : 0) |
    (/[\p{L}\p{M}]/u.test(ch) ? LM : 0) |
    (/\p{N}/u.test(ch) ? NUM : 0)
  );
}

/** Flags for every BMP code unit, built once with a few whole-range regex passes. Surrogates get 0
 *  (a lone surrogate is "other"; pairs are looked up as astral code points). */
function buildBmpFlags(): Uint8Array {
  const flags = new Uint8Array(0x10000);
  const units: number[] = [];
  for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) units.push(c);
  let all = '';
  for (let i = 0; i < units.length; i += 4096) all += String.fromCharCode(...units.slice(i, i + 4096));
  const mark = (re: RegExp, bit: number) => {
    for (const m of all.matchAll(re)) flags[all.charCodeAt(m.index)] |= bit;
  };
  mark(/\s/gu, WS);
  mark(/\p{Script=Han}/gu, HAN);
  mark(/[\p{L}\p{M}]/gu, LM);
  mark(/\p{N}/gu, NUM);
  return flags;
}

/**
 * Calls `word` for each pre-token of `text`, in order; their concatenation is exactly `text`.
 * A direct scanner for the rule above: same result as jsPattern(), several times faster in V8.
 */
export function forEachPretoken(text: string, word: (w: string) => void): void {
  const table = (bmpFlags ??= buildBmpFlags());
  const n = text.length;
  // flags and UTF-16 length of the code point at position p
  let fl = 0;
  let w = 1;
  const at = (p: number): void => {
    const c = text.charCodeAt(p);
    if (c >= 0xd800 && c <= 0xdbff && p + 1 < n) {
      const d = text.charCodeAt(p + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        let f = astralFlags.get(cp);
        if (f === undefined) astralFlags.set(cp, (f = flagsFromRegex(String.fromCodePoint(cp))));
        fl = f;
        w = 2;
        return;
      }
    }
    fl = table[c];
    w = 1;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // 1. contractions
    if (c === 0x27 /* ' */ && i + 1 < n) {
      const c1 = text.charCodeAt(i + 1);
      if (c1 === 0x73 || c1 === 0x64 || c1 === 0x6d || c1 === 0x74) {
        word(text.slice(i, i + 2));
        i += 2;
        continue;
      }
      if (i + 2 < n) {
        const c2 = text.charCodeAt(i + 2);
        if ((c1 === 0x6c && c2 === 0x6c) || (c1 === 0x76 && c2 === 0x65) || (c1 === 0x72 && c2 === 0x65)) {
          word(text.slice(i, i + 3));
          i += 3;
          continue;
        }
      }
    }
    // 2–5: a word, with an optional leading space (U+0020 only)
    let s = i;
    at(i);
    if (c === 0x20 && i + 1 < n) {
      at(i + 1);
      if (fl & WS) at(i); // space then whitespace: not a word start; fall through to 6–7 with fl of the space
      else s = i + 1;
    }
    if (!(fl & WS)) {
      let e = s + w;
      if (fl & HAN) {
        while (e < n && (at(e), fl & HAN)) e += w;
      } else if (fl & LM) {
        while (e < n && (at(e), (fl & (LM | HAN)) === LM)) e += w;
      } else if (fl & NUM) {
        while (e < n && (at(e), fl & NUM)) e += w;
      } else {
        while (e < n && (at(e), (fl & (WS | LM | NUM)) === 0)) e += w;
      }
      word(text.slice(i, e));
      i = e;
      continue;
    }
    // 6–7: whitespace run [i, e); GPT-2 leaves its last character to the next word if one follows
    let e = i + 1;
    while (e < n && table[text.charCodeAt(e)] & WS) e++;
    if (e < n && e - i >= 2) e--;
    word(text.slice(i, e));
    i = e;
  }
}

export function pretokenize(text: string): string[] {
  const out: string[] = [];
  forEachPretoken(text, (w) => out.push(w));
  return out;
}
