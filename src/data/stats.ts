// Corpus statistics, counted in Unicode code points (an emoji or a rare CJK character outside the BMP is
// one character, not two UTF-16 units).

export interface CorpusStats {
  /** UTF-8 bytes. */
  bytes: number;
  /** Unicode code points. */
  chars: number;
  /** Distinct code points. */
  distinctChars: number;
  /** Lines: newline characters, plus one for a last line without a newline ('' has 0). */
  lines: number;
  /** The first ~500 code points (never splits a surrogate pair). */
  sample: string;
}

export const SAMPLE_CHARS = 500;

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

export function corpusStats(text: string, sampleChars = SAMPLE_CHARS): CorpusStats {
  let bytes = 0;
  let chars = 0;
  let newlines = 0;
  let sampleEnd = 0; // UTF-16 index where the sample ends
  const distinct = new Set<number>();
  for (let i = 0; i < text.length; ) {
    // Equivalent to for..of (a lone surrogate counts as one character, 3 bytes as U+FFFD in UTF-8).
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    bytes += utf8Length(cp);
    chars++;
    if (cp === 10) newlines++;
    distinct.add(cp);
    i += units;
    if (chars === sampleChars) sampleEnd = i;
  }
  if (chars < sampleChars) sampleEnd = text.length;
  const lines = text === '' ? 0 : newlines + (text.endsWith('\n') ? 0 : 1);
  return { bytes, chars, distinctChars: distinct.size, lines, sample: text.slice(0, sampleEnd) };
}
