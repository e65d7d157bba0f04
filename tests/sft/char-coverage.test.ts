import { describe, expect, it } from 'vitest';
import { factsCorpus, makeFactsWorld } from '../../src/data/index.ts';
import { charTokenizerFor, factsQaTextFor } from '../../src/model/sft/char-coverage.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';

const UNK = 5;

describe('char vocabulary for a facts corpus', () => {
  const text = factsCorpus(makeFactsWorld({ size: 'tiny' }), { mentionsPerFact: 2 });

  it('covers the SFT questions, which the corpus alone does not', () => {
    const question = "What's the capital of China? 中国的首都是哪里？";
    expect(buildCharTokenizer(text).encode(question)).toContain(UNK);
    const tok = charTokenizerFor(text, 'builtin:facts?size=tiny');
    expect(tok.encode(question)).not.toContain(UNK);
    expect(tok.encode(factsQaTextFor('builtin:facts?size=tiny')!)).not.toContain(UNK);
  });

  it('adds nothing for other corpora', () => {
    expect(factsQaTextFor('builtin:brown')).toBeNull();
    expect(factsQaTextFor('file:notes.txt')).toBeNull();
    expect(charTokenizerFor('abc', 'file:x.txt').vocabSize).toBe(buildCharTokenizer('abc').vocabSize);
  });
});
