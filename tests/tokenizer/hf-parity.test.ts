// Loads our tokenizer.json into the real Hugging Face `tokenizers` library (its Rust core, through the npm
// binding — the same deserializer Python's Tokenizer.from_str uses) and compares ids and decoding.
// The library is NOT a project dependency; these tests run only when it can be found, e.g.
//   mkdir /tmp/hf && (cd /tmp/hf && npm init -y && npm i tokenizers@0.23.2)
//   HF_TOKENIZERS_DIR=/tmp/hf npx vitest run tests/tokenizer/hf-parity.test.ts
// (verified with tokenizers 0.23.2: all ids equal, decode equal).
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import {
  buildCharTokenizer,
  byteToUnicode,
  pretokenize,
  toHuggingFaceString,
  trainBpe,
  type Tokenizer,
} from '../../src/model/tokenizer/index.ts';
import { FAMILY, TANG_POEMS, randomText, seededRng, shakespeare } from './helpers.ts';

interface HfEncoding {
  getIds(): number[];
}
interface HfTokenizer {
  getPreTokenizer(): { preTokenizeString(text: string): [string, [number, number]][] } | null;
  encode(text: string, pair: null, options: { addSpecialTokens: boolean }): Promise<HfEncoding>;
  decode(ids: number[], skipSpecialTokens: boolean): Promise<string>;
}
interface HfModule {
  Tokenizer: { fromString(json: string): HfTokenizer };
}

function loadHf(): HfModule | null {
  try {
    const dir = process.env.HF_TOKENIZERS_DIR;
    const req = createRequire(join(dir ? resolve(dir) : process.cwd(), 'noop.js'));
    return req('tokenizers') as HfModule;
  } catch {
    return null;
  }
}

const hf = loadHf();

async function compare(ours: Tokenizer, texts: string[]): Promise<void> {
  const theirs = hf!.Tokenizer.fromString(toHuggingFaceString(ours));
  for (const text of texts) {
    const want = ours.encode(text, { allowSpecial: true }); // HF always splits out added tokens
    const got = (await theirs.encode(text, null, { addSpecialTokens: false })).getIds();
    expect(got, JSON.stringify(text.slice(0, 200))).toEqual(want);
    expect(await theirs.decode(want, false)).toBe(ours.decode(want));
  }
}

describe.skipIf(!hf)('Hugging Face tokenizers loads our tokenizer.json and agrees', () => {
  const { rng } = seededRng();
  const odd = [
    'Hi <|user|> there<|end|>  \n\n\t x 👩‍👩‍👧 e\u0301 abc中文 \u0085 x\ufeffy \u00a0 z 123456 ’tis',
    '',
    '   ',
    'a\u3000\u3000b\u2028c',
    TANG_POEMS,
    ...Array.from({ length: 100 }, () => randomText(rng)),
  ];

  it('byte-level BPE', async () => {
    const english = shakespeare?.slice(0, 300_000) ?? 'To be, or not to be, that is the question.\n'.repeat(500);
    // enough Chinese for multi-character Han tokens (明月) to be learned, so the Han rule is exercised
    const tok = trainBpe([english, TANG_POEMS.repeat(300), `${FAMILY} 🙂\u00a0 `.repeat(50)], { vocabSize: 2048 });
    expect(tok.encode('明月')).toHaveLength(1);
    await compare(tok, [english.slice(0, 50_000), TANG_POEMS.repeat(3), ...odd]);
  });

  it('the Split pre-tokenizer cuts exactly where ours does (whitespace edge cases, Han, marks)', () => {
    const theirs = hf!.Tokenizer.fromString(toHuggingFaceString(trainBpe('ab ab', { vocabSize: 257 })));
    const pre = theirs.getPreTokenizer()!;
    const b2u = byteToUnicode();
    const spell = (w: string) => [...new TextEncoder().encode(w)].map((b) => b2u[b]).join('');
    const ws = ['\u0085', '\ufeff', '\u00a0', '\u2028', '\u3000', '\u200b', '\t', '\v', '\f', '\r', '\n', ' '];
    const texts = [...odd];
    for (const a of ws) for (const b of ws) texts.push(`x${a}${b}y`, `${a}${b}`, `x ${a}`, `${a} 中`, `中${a}${b}文`);
    for (const text of texts) {
      const got = pre.preTokenizeString(text).map((p) => p[0]);
      expect(got, JSON.stringify(text)).toEqual(pretokenize(text).map(spell));
    }
  });

  it('char level', async () => {
    const tok = buildCharTokenizer([shakespeare ?? 'abc', TANG_POEMS]);
    await compare(tok, [(shakespeare ?? '').slice(0, 5000), ...odd]);
  });
});
