import { describe, expect, it } from 'vitest';
import { corpusStats } from '../../src/data/stats.ts';

describe('corpusStats', () => {
  it('counts Chinese in code points and UTF-8 bytes', () => {
    const s = corpusStats('床前明月光，\n疑是地上霜。');
    expect(s).toEqual({ bytes: 37, chars: 13, distinctChars: 13, lines: 2, sample: '床前明月光，\n疑是地上霜。' });
  });

  it('counts emoji as code points, not UTF-16 units', () => {
    const text = 'a😀b😀\n👨‍👩‍👧\n'; // family = 3 emoji joined by 2 ZWJ
    const s = corpusStats(text);
    expect(text.length).toBe(16);
    expect(s.chars).toBe(11);
    expect(s.bytes).toBe(new TextEncoder().encode(text).length);
    expect(s.distinctChars).toBe(8); // a 😀 b \n 👨 ZWJ 👩 👧
    expect(s.lines).toBe(2);
  });

  it('counts lines with and without a final newline', () => {
    expect(corpusStats('').lines).toBe(0);
    expect(corpusStats('x').lines).toBe(1);
    expect(corpusStats('x\n').lines).toBe(1);
    expect(corpusStats('x\r\ny').lines).toBe(2);
    expect(corpusStats('\n\n').lines).toBe(2);
  });

  it('samples the first 500 code points without splitting a surrogate pair', () => {
    const text = 'ab' + '😀'.repeat(600);
    const s = corpusStats(text);
    expect([...s.sample].length).toBe(500);
    expect(s.sample.endsWith('😀')).toBe(true);
    expect(corpusStats('short').sample).toBe('short');
    expect(corpusStats('abcdef', 3).sample).toBe('abc');
  });

  it('agrees with TextEncoder on random text (lone surrogates count as U+FFFD)', () => {
    let x = 12345;
    const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const pools = ['a', 'é', '中', '😀', '\n', '\ud800', '\udfff'];
    const text = Array.from({ length: 5000 }, () => pools[Math.floor(rand() * pools.length)]).join('');
    const s = corpusStats(text);
    expect(s.bytes).toBe(new TextEncoder().encode(text).length);
    expect(s.chars).toBe([...text].length);
    expect(s.distinctChars).toBe(new Set([...text]).size);
  });
});
