// Byte-level BPE: training (determinism, exact vocab size, speed, compression), round trips (text, bytes,
// invalid UTF-8), specials, JSON state.
import { describe, it, expect, beforeAll } from 'vitest';
import {
  BpeTokenizer,
  BYTE_OFFSET,
  FIRST_MERGE_ID,
  NUM_SPECIAL,
  SPECIAL_IDS,
  SPECIAL_TOKENS,
  tokenizerFromJSON,
  trainBpe,
} from '../../src/model/tokenizer/index.ts';
import { wholeOrWithinChar } from '../../src/model/tokenizer/bpe.ts';
import { FAMILY, TANG_POEMS, randomText, seededRng, shakespeare } from './helpers.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A small mixed corpus: some Shakespeare (or a stand-in), Tang poems, emoji and random text. */
function smallCorpus(): string[] {
  const { rng } = { rng: seededRng().rng };
  const english = shakespeare ? shakespeare.slice(0, 200_000) : 'To be, or not to be, that is the question.\n'.repeat(2000);
  const random = Array.from({ length: 300 }, () => randomText(rng)).join('');
  return [english, TANG_POEMS.repeat(30), `${FAMILY} 🙂 e\u0301\n`.repeat(50), random];
}

describe('byte-level BPE', () => {
  let tok: BpeTokenizer;
  beforeAll(() => {
    tok = trainBpe(smallCorpus(), { vocabSize: 1000 });
  });

  it('ids: specials 0…4, bytes 5…260, merges after; vocab size exact', () => {
    expect(tok.vocabSize).toBe(1000 + NUM_SPECIAL);
    expect(tok.numMerges).toBe(1000 - 256);
    expect(FIRST_MERGE_ID).toBe(NUM_SPECIAL + 256);
    SPECIAL_TOKENS.forEach((s, id) => {
      expect(tok.specialTokens[s]).toBe(id);
      expect(tok.tokenToString(id)).toBe(s);
    });
    expect(tok.tokenBytes(BYTE_OFFSET + 0x41)).toEqual(Uint8Array.of(0x41));
    // every token is a distinct byte string
    const seen = new Set<string>();
    for (let id = NUM_SPECIAL; id < tok.vocabSize; id++) seen.add(Array.from(tok.tokenBytes(id)).join(','));
    expect(seen.size).toBe(tok.vocabSize - NUM_SPECIAL);
  });

  it('round-trips English, 唐诗, emoji, combining marks, newlines, tabs, empty', () => {
    const samples = [
      'First Citizen:\nBefore we proceed any further, hear me speak.\n\n\tAll:  Speak, speak.   ',
      TANG_POEMS,
      FAMILY,
      `I ${FAMILY} 🙂 you!`,
      'e\u0301 n\u0303 a\u0308\u0301',
      '\r\n\t\v\f \u00a0\u3000\u2028\ufeffBOM',
      '',
      '𠀋𠀌 rare CJK outside the BMP',
    ];
    for (const s of samples) {
      const ids = tok.encode(s);
      expect(tok.decode(ids)).toBe(s);
      expect(tok.decodeBytes(ids)).toEqual(utf8(s));
      expect(tok.encodeBytes(utf8(s))).toEqual(ids);
      expect(Array.from(tok.encodeToInt32(s))).toEqual(ids);
      expect(ids.every((id) => id >= NUM_SPECIAL && id < tok.vocabSize)).toBe(true);
    }
    expect(tok.encode('')).toEqual([]);
    expect(tok.decode([])).toBe('');
  });

  it('learns Chinese: common characters and words become tokens, no token straddles a character', () => {
    const english = 'To be, or not to be, that is the question.\n'.repeat(200);
    const zh = trainBpe([english, TANG_POEMS.repeat(30)], { vocabSize: 600 });
    const pieces = (s: string) => zh.encode(s).map((id) => zh.tokenToString(id));
    for (const ch of '明月头床前') expect(pieces(ch), ch).toEqual([ch]);
    expect(pieces('床前明月')).toEqual(['床', '前', '明月']);
    expect(zh.encode('举头望明月，低头思故乡。').length).toBeLessThanOrEqual(12); // 36 bytes
    for (const t of [zh, tok]) {
      for (let id = FIRST_MERGE_ID; id < t.vocabSize; id++) {
        const latin1 = String.fromCharCode(...t.tokenBytes(id));
        expect(wholeOrWithinChar(latin1), t.tokenToString(id)).toBe(true);
      }
    }
    expect(wholeOrWithinChar('\xe6\x98')).toBe(true); // a prefix of 明
    expect(wholeOrWithinChar('\x98\x8e')).toBe(true); // its tail
    expect(wholeOrWithinChar('\x8e\xe6')).toBe(false); // tail of one + head of the next
    expect(wholeOrWithinChar(' \xe6')).toBe(false);
    expect(wholeOrWithinChar(' \xe6\x98\x8e')).toBe(true); // " 明"
  });

  it('random text round-trips (seeded)', () => {
    const { rng, seed } = seededRng();
    for (let t = 0; t < 500; t++) {
      const s = randomText(rng);
      const ids = tok.encode(s);
      expect(tok.decode(ids), `TEST_SEED=${seed}`).toBe(s);
      const sp = tok.encode(s, { allowSpecial: true });
      expect(tok.decode(sp), `TEST_SEED=${seed}`).toBe(s);
      expect(tok.encode(tok.decode(sp), { allowSpecial: true })).toEqual(sp);
    }
  });

  it('invalid UTF-8: encodeBytes/decodeBytes exact, decode replaces with U+FFFD', () => {
    const { rng, seed } = seededRng();
    const fixed = [
      Uint8Array.of(0xff, 0xfe, 0x41, 0xc3),
      Uint8Array.of(0xe6, 0x98), // 明 cut short
      Uint8Array.of(0xed, 0xa0, 0x80), // a surrogate, encoded
      Uint8Array.of(0xc0, 0xaf), // overlong '/'
      Uint8Array.of(0x61, 0x80, 0x62, 0xf4, 0x90, 0x80, 0x80),
      Uint8Array.of(...utf8('明月'), 0x80, ...utf8(' the')),
      new Uint8Array(0),
    ];
    for (const b of fixed) {
      const ids = tok.encodeBytes(b);
      expect(tok.decodeBytes(ids)).toEqual(b);
      expect(tok.decode(ids)).toBe(new TextDecoder('utf-8', { ignoreBOM: true }).decode(b));
    }
    expect(tok.decode(tok.encodeBytes(Uint8Array.of(0x61, 0xff, 0x62)))).toBe('a\uFFFDb');
    for (let t = 0; t < 300; t++) {
      const b = Uint8Array.from({ length: rng.int(60) }, () => (rng.next() < 0.5 ? 0x20 + rng.int(0x60) : rng.int(256)));
      expect(tok.decodeBytes(tok.encodeBytes(b)), `TEST_SEED=${seed}`).toEqual(b);
    }
  });

  it('decoding a sequence cut mid-character gives U+FFFD, decodeBytes the raw bytes', () => {
    const ids = tok.encodeBytes(Uint8Array.of(...utf8('好'))); // 3 bytes
    const byteIds = [...utf8('好')].map((b) => BYTE_OFFSET + b);
    expect(tok.decode(byteIds.slice(0, 2))).toBe('\uFFFD');
    expect(tok.decodeBytes(byteIds.slice(0, 2))).toEqual(utf8('好').slice(0, 2));
    expect(tok.decode(byteIds)).toBe('好');
    expect(tok.decode(ids)).toBe('好');
    expect(tok.tokenToString(BYTE_OFFSET + 0xe5)).toBe('<0xE5>');
    expect(tok.decode([tok.vocabSize, -3])).toBe('\uFFFD\uFFFD');
  });

  it('special literals are plain text unless allowSpecial', () => {
    const text = `<|bos|><|user|>Hi 明月<|end|><|assistant|>${FAMILY}<|end|><|pad|>`;
    const plain = tok.encode(text);
    expect(plain.every((id) => id >= NUM_SPECIAL)).toBe(true);
    expect(tok.decode(plain)).toBe(text);
    const sp = tok.encode(text, { allowSpecial: true });
    expect(sp[0]).toBe(SPECIAL_IDS.bos);
    expect(sp[1]).toBe(SPECIAL_IDS.user);
    expect(sp.filter((id) => id < NUM_SPECIAL)).toEqual([0, 1, 3, 2, 3, 4]);
    expect(tok.decode(sp)).toBe(text);
    expect(tok.decode(sp, { skipSpecial: true })).toBe(`Hi 明月${FAMILY}`);
    expect(tok.encode('<|user', { allowSpecial: true }).every((id) => id >= NUM_SPECIAL)).toBe(true);
    // random text never yields a special id by default
    const { rng } = seededRng();
    for (let t = 0; t < 200; t++) expect(tok.encode(randomText(rng)).every((id) => id >= NUM_SPECIAL)).toBe(true);
  });

  it('JSON state restores identical encodings, is compact, rejects bad state', () => {
    const state = tok.toJSON();
    expect(state.merges).toHaveLength(2 * tok.numMerges);
    const json = JSON.stringify(state);
    expect(json.length).toBeLessThan(12 * tok.numMerges + 200);
    const back = tokenizerFromJSON(json);
    expect(back).toBeInstanceOf(BpeTokenizer);
    expect(back.vocabSize).toBe(tok.vocabSize);
    const { rng } = seededRng();
    for (const s of [TANG_POEMS, FAMILY, ...Array.from({ length: 50 }, () => randomText(rng))]) {
      expect(back.encode(s)).toEqual(tok.encode(s));
      expect(back.encode(s, { allowSpecial: true })).toEqual(tok.encode(s, { allowSpecial: true }));
    }
    expect(() => tokenizerFromJSON({ ...state, merges: [5, 9999] })).toThrow();
    expect(() => tokenizerFromJSON({ ...state, merges: [0, 5] })).toThrow(); // specials never merge
    expect(() => tokenizerFromJSON({ ...state, merges: [5, 6, 5, 6] })).toThrow();
    expect(() => tokenizerFromJSON({ ...state, merges: [5, 6, 261, 7, 6, 7, 5, 263] })).toThrow(); // "ab"+"c" = "a"+"bc"
    expect(() => tokenizerFromJSON({ ...state, pretokenizer: 'other' })).toThrow();
    expect(() => tokenizerFromJSON({ ...state, kind: 'nope' } as never)).toThrow();
  });

  it('training is deterministic and independent of document order', () => {
    const docs = smallCorpus();
    const { rng } = seededRng();
    const extra = Array.from({ length: 20 }, () => randomText(rng, 200));
    const a = trainBpe([...docs, ...extra], { vocabSize: 700 });
    const b = trainBpe([...docs, ...extra], { vocabSize: 700 });
    const shuffled = [...docs, ...extra].map((d) => [rng.next(), d] as const).sort((x, y) => x[0] - y[0]).map((x) => x[1]);
    const c = trainBpe(shuffled, { vocabSize: 700 });
    expect(Array.from(b.mergePairs)).toEqual(Array.from(a.mergePairs));
    expect(Array.from(c.mergePairs)).toEqual(Array.from(a.mergePairs));
    // a longer run extends a shorter one: the first merges are the same
    const d = trainBpe([...docs, ...extra], { vocabSize: 500 });
    expect(Array.from(d.mergePairs)).toEqual(Array.from(a.mergePairs).slice(0, 2 * (500 - 256)));
  });

  it('stops early when no pair repeats; vocab 256 means bytes only; bad sizes throw', () => {
    const tiny = trainBpe('abcabc xyz', { vocabSize: 8192 });
    expect(tiny.vocabSize).toBeLessThan(8192 + NUM_SPECIAL);
    expect(tiny.decode(tiny.encode('abcabc xyz'))).toBe('abcabc xyz');
    const bytes = trainBpe('hello hello', { vocabSize: 256 });
    expect(bytes.vocabSize).toBe(256 + NUM_SPECIAL);
    expect(bytes.encode('hi')).toEqual([BYTE_OFFSET + 0x68, BYTE_OFFSET + 0x69]);
    expect(() => trainBpe('x', { vocabSize: 100 })).toThrow();
    expect(() => trainBpe('x', { vocabSize: 20000 })).toThrow();
    expect(trainBpe([], { vocabSize: 300 }).vocabSize).toBe(256 + NUM_SPECIAL);
  });

  it('reports progress at most ~100 times, increasing, ending at 1', () => {
    const calls: number[] = [];
    trainBpe(smallCorpus(), { vocabSize: 600, onProgress: (f) => calls.push(f) });
    expect(calls.length).toBeLessThanOrEqual(101);
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.every((f, i) => i === 0 || f > calls[i - 1])).toBe(true);
    expect(calls[0]).toBe(0);
    expect(calls[calls.length - 1]).toBe(1);
  });
});

describe.skipIf(!shakespeare)('BPE on tinyshakespeare', () => {
  it('trains to vocab 2048 quickly; encodes fast; round-trips', () => {
    const text = shakespeare!;
    let t0 = performance.now();
    const tok = trainBpe(text, { vocabSize: 2048 });
    const trainMs = performance.now() - t0;
    expect(tok.vocabSize).toBe(2048 + NUM_SPECIAL);
    t0 = performance.now();
    const ids = tok.encode(text);
    const coldMs = performance.now() - t0;
    let warmMs = Infinity; // the encoding cache is warm now; best of 3, typed-array path
    for (let r = 0; r < 3; r++) {
      t0 = performance.now();
      tok.encodeToInt32(text);
      warmMs = Math.min(warmMs, performance.now() - t0);
    }
    expect(Array.from(tok.encodeToInt32(text))).toEqual(ids);
    const bytes = utf8(text).length;
    console.log(
      `BPE tinyshakespeare (${(bytes / 1e6).toFixed(2)} MB) → vocab 2048: train ${(trainMs / 1000).toFixed(2)} s; ` +
        `encode ${(bytes / 1e6 / (coldMs / 1000)).toFixed(1)} MB/s cold, ${(bytes / 1e6 / (warmMs / 1000)).toFixed(1)} MB/s cached; ` +
        `${ids.length} tokens, ${(bytes / ids.length).toFixed(2)} bytes/token`,
    );
    expect(trainMs).toBeLessThan(60_000);
    expect(tok.decode(ids)).toBe(text);
  });

  it('compresses: more than 2 bytes per token at vocab 1024', () => {
    const text = shakespeare!;
    const tok = trainBpe(text, { vocabSize: 1024 });
    const ids = tok.encode(text);
    const bpt = utf8(text).length / ids.length;
    console.log(`vocab 1024: ${bpt.toFixed(2)} bytes/token; first merges: ${Array.from({ length: 12 }, (_, i) => JSON.stringify(tok.tokenToString(FIRST_MERGE_ID + i))).join(' ')}`);
    expect(bpt).toBeGreaterThan(2);
  });
});
