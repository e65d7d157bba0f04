// Character-level tokenizer: vocabulary, round trips, unknown characters, specials, JSON state.
import { describe, it, expect } from 'vitest';
import {
  buildCharTokenizer,
  CharTokenizer,
  CHAR_UNK_ID,
  FIRST_CHAR_ID,
  SPECIAL_IDS,
  SPECIAL_TOKENS,
  tokenizerFromJSON,
  trainTokenizer,
} from '../../src/model/tokenizer/index.ts';
import { FAMILY, TANG_POEMS, randomText, seededRng, shakespeare } from './helpers.ts';

const ENGLISH = 'First Citizen:\nBefore we proceed any further, hear me speak.\n\tAll: Speak, speak!  ';

describe('char tokenizer', () => {
  const corpus = [ENGLISH, TANG_POEMS, `family ${FAMILY} 𠀋 e\u0301`];
  const tok = buildCharTokenizer(corpus);

  it('vocab: specials 0…4, <|unk|> 5, then distinct code points ascending', () => {
    const cps = [...new Set([...corpus.join('')].map((c) => c.codePointAt(0)!))].sort((a, b) => a - b);
    expect(tok.vocabSize).toBe(FIRST_CHAR_ID + cps.length);
    expect(tok.chars.map((c) => c.codePointAt(0))).toEqual(cps);
    expect(tok.specialTokens).toEqual({
      '<|bos|>': 0, '<|user|>': 1, '<|assistant|>': 2, '<|end|>': 3, '<|pad|>': 4, '<|unk|>': 5,
    });
    expect(SPECIAL_IDS).toEqual({ bos: 0, user: 1, assistant: 2, end: 3, pad: 4 });
    expect(CHAR_UNK_ID).toBe(5);
    SPECIAL_TOKENS.forEach((s, id) => expect(tok.tokenToString(id)).toBe(s));
    expect(tok.tokenToString(CHAR_UNK_ID)).toBe('<|unk|>');
  });

  it('round-trips English, 唐诗, emoji (one id per code point), combining marks, empty', () => {
    for (const s of [ENGLISH, TANG_POEMS, FAMILY, '𠀋', 'e\u0301', '']) {
      const ids = tok.encode(s);
      expect(ids.every((id) => id >= FIRST_CHAR_ID && id < tok.vocabSize)).toBe(true);
      expect(tok.decode(ids)).toBe(s);
      expect(tok.decodeBytes(ids)).toEqual(new TextEncoder().encode(s));
      expect(Array.from(tok.encodeToInt32(s))).toEqual(ids);
    }
    expect(tok.encode(FAMILY)).toHaveLength(5); // 👩 ZWJ 👩 ZWJ 👧
    expect(tok.encode('𠀋')).toHaveLength(1); // outside the BMP: one id, not two surrogates
  });

  it('unknown characters (and lone surrogates) encode to <|unk|> and decode to U+FFFD', () => {
    const ids = tok.encode('明X月\ud800');
    expect(ids).toEqual([tok.encode('明')[0], CHAR_UNK_ID, tok.encode('月')[0], CHAR_UNK_ID]);
    expect(tok.decode(ids)).toBe('明\uFFFD月\uFFFD');
    expect(tok.decode([tok.vocabSize, 99999, -1, 1.5])).toBe('\uFFFD'.repeat(4)); // outside the vocab
  });

  it('special literals are plain text unless allowSpecial', () => {
    const text = 'a<|user|>明<|end|>';
    const plain = tok.encode(text);
    expect(plain.some((id) => id < FIRST_CHAR_ID && id !== CHAR_UNK_ID)).toBe(false);
    expect(plain).toHaveLength([...text].length);
    const sp = tok.encode(text, { allowSpecial: true });
    expect(sp).toEqual([tok.encode('a')[0], SPECIAL_IDS.user, tok.encode('明')[0], SPECIAL_IDS.end]);
    expect(tok.decode(sp)).toBe(text);
    expect(tok.decode(sp, { skipSpecial: true })).toBe('a明');
    expect(tok.encode(tok.decode(sp), { allowSpecial: true })).toEqual(sp);
  });

  it('random text of known characters round-trips', () => {
    const { rng, seed } = seededRng();
    const big = buildCharTokenizer(Array.from({ length: 200 }, () => randomText(rng)));
    for (let t = 0; t < 200; t++) {
      const s = randomText(rng);
      const ids = big.encode(s);
      if (ids.includes(CHAR_UNK_ID)) continue;
      expect(big.decode(ids), `TEST_SEED=${seed}`).toBe(s);
    }
  });

  it('JSON state restores identical encodings and stays compact', () => {
    const json = JSON.stringify(tok.toJSON());
    const back = tokenizerFromJSON(JSON.parse(json));
    expect(back).toBeInstanceOf(CharTokenizer);
    expect(back.vocabSize).toBe(tok.vocabSize);
    for (const s of [ENGLISH, TANG_POEMS, FAMILY, 'zzz<|bos|>']) {
      expect(back.encode(s)).toEqual(tok.encode(s));
      expect(back.encode(s, { allowSpecial: true })).toEqual(tok.encode(s, { allowSpecial: true }));
    }
    expect(json.length).toBeLessThan(400);
    expect(() => tokenizerFromJSON({ ...tok.toJSON(), specials: ['<|x|>'] })).toThrow();
  });

  it('trainTokenizer builds either kind', () => {
    expect(trainTokenizer(corpus, { kind: 'char' }).vocabSize).toBe(tok.vocabSize);
    const bpe = trainTokenizer(corpus, { kind: 'bpe', vocabSize: 300 });
    expect(bpe.kind).toBe('bpe');
    expect(bpe.decode(bpe.encode(TANG_POEMS))).toBe(TANG_POEMS);
  });

  it.skipIf(!shakespeare)('tinyshakespeare: 65 characters, exact round trip', () => {
    const t = buildCharTokenizer(shakespeare!);
    expect(t.vocabSize).toBe(FIRST_CHAR_ID + 65);
    const ids = t.encode(shakespeare!);
    let ms = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      t.encodeToInt32(shakespeare!);
      ms = Math.min(ms, performance.now() - t0);
    }
    console.log(`char encode: ${(shakespeare!.length / 1e6 / (ms / 1000)).toFixed(1)} M chars/s`);
    expect(t.decode(ids)).toBe(shakespeare);
  });
});
