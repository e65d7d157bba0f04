// Structure of the Hugging Face tokenizer.json export (the real library's view is in hf-parity.test.ts).
import { describe, it, expect } from 'vitest';
import {
  buildCharTokenizer,
  byteToUnicode,
  CHAR_UNK_ID,
  FIRST_CHAR_ID,
  FIRST_MERGE_ID,
  NUM_SPECIAL,
  SPECIAL_TOKENS,
  toHuggingFace,
  toHuggingFaceString,
  trainBpe,
} from '../../src/model/tokenizer/index.ts';
import { FAMILY, TANG_POEMS } from './helpers.ts';

const CORPUS = ['Hello world, hello there.\n'.repeat(50), TANG_POEMS.repeat(10), `${FAMILY} 🙂 `.repeat(10)];

describe('Hugging Face export', () => {
  it("GPT-2's byte-to-unicode mapping", () => {
    const m = byteToUnicode();
    expect(new Set(m).size).toBe(256);
    expect(m[0x20]).toBe('Ġ');
    expect(m[0x0a]).toBe('Ċ');
    expect(m[0x41]).toBe('A');
    expect(m[0x00]).toBe('Ā');
    expect(m[0xad]).toBe('Ń'); // soft hyphen is remapped
    expect(m[0xa1]).toBe('¡');
    expect(m.every((c) => c !== ' ' && [...c].length === 1)).toBe(true);
  });

  it('BPE: vocab, merges, added tokens, pre-tokenizer and decoder', () => {
    const tok = trainBpe(CORPUS, { vocabSize: 400 });
    const hf = toHuggingFace(tok);
    expect(hf.version).toBe('1.0');
    expect(hf.model.type).toBe('BPE');
    const vocab = hf.model.vocab;
    expect(Object.keys(vocab)).toHaveLength(tok.vocabSize);
    expect(new Set(Object.values(vocab)).size).toBe(tok.vocabSize);
    expect(Math.max(...Object.values(vocab))).toBe(tok.vocabSize - 1);
    expect(hf.model.merges).toHaveLength(tok.numMerges);
    expect(tok.vocabSize).toBe(400 + NUM_SPECIAL);
    const b2u = byteToUnicode();
    for (let b = 0; b < 256; b++) expect(vocab[b2u[b]]).toBe(NUM_SPECIAL + b);
    hf.model.merges.forEach((m, k) => {
      const parts = m.split(' ');
      expect(parts).toHaveLength(2);
      expect(vocab[parts[0]]).toBeDefined();
      expect(vocab[parts[1]]).toBeDefined();
      expect(vocab[parts[0] + parts[1]]).toBe(FIRST_MERGE_ID + k);
      // the token string is the byte-level spelling of the token's bytes
      expect(parts[0] + parts[1]).toBe([...tok.tokenBytes(FIRST_MERGE_ID + k)].map((b) => b2u[b]).join(''));
    });
    expect(hf.added_tokens.map((t) => [t.id, t.content, t.special, t.normalized])).toEqual(
      SPECIAL_TOKENS.map((s, id) => [id, s, true, false]),
    );
    SPECIAL_TOKENS.forEach((s, id) => expect(vocab[s]).toBe(id));
    expect(hf.pre_tokenizer).toMatchObject({
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, use_regex: false },
      ],
    });
    expect(hf.decoder).toMatchObject({ type: 'ByteLevel' });
    expect(JSON.parse(toHuggingFaceString(tok))).toEqual(hf);
  });

  it('char level: BPE model without merges over the characters, with <|unk|>', () => {
    const tok = buildCharTokenizer(CORPUS);
    const hf = toHuggingFace(tok);
    const vocab = hf.model.vocab;
    expect(Object.keys(vocab)).toHaveLength(tok.vocabSize);
    expect(hf.model.merges).toEqual([]);
    expect(hf.model.unk_token).toBe('<|unk|>');
    expect(vocab['<|unk|>']).toBe(CHAR_UNK_ID);
    tok.chars.forEach((c, i) => expect(vocab[c]).toBe(FIRST_CHAR_ID + i));
    expect(hf.added_tokens.map((t) => [t.id, t.content])).toEqual([
      ...SPECIAL_TOKENS.map((s, id) => [id, s]),
      [CHAR_UNK_ID, '<|unk|>'],
    ]);
    expect(JSON.parse(toHuggingFaceString(tok, true))).toEqual(hf);
  });
});
