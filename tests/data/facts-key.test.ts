import { describe, expect, it } from 'vitest';
import { factsCorpusKey, factsWorldOfKey, parseFactsCorpusKey } from '../../src/data/index.ts';
import { factsQaTextFor } from '../../src/model/sft/char-coverage.ts';

describe('facts corpus keys', () => {
  it('name the size and, when not both, the languages', () => {
    expect(factsCorpusKey('tiny')).toBe('builtin:facts?size=tiny');
    expect(factsCorpusKey('small', ['zh', 'en'])).toBe('builtin:facts?size=small');
    expect(factsCorpusKey('tiny', ['en'])).toBe('builtin:facts?size=tiny&lang=en');
    for (const [size, langs] of [['tiny', ['en']], ['full', ['zh']], ['small', ['en', 'zh']]] as const) {
      expect(parseFactsCorpusKey(factsCorpusKey(size, langs))).toEqual({ size, languages: [...langs] });
    }
  });

  it('read old keys and defaults; other corpora are not facts', () => {
    expect(parseFactsCorpusKey('builtin:facts')).toEqual({ size: 'tiny', languages: ['en', 'zh'] });
    expect(parseFactsCorpusKey('builtin:facts?size=huge&lang=fr')).toEqual({ size: 'tiny', languages: ['en', 'zh'] });
    expect(parseFactsCorpusKey('builtin:brown')).toBeNull();
    expect(parseFactsCorpusKey('file:facts.txt')).toBeNull();
    expect(parseFactsCorpusKey(undefined)).toBeNull();
  });

  it('rebuild the world the key names: an English-only world has no Chinese facts or questions', () => {
    const en = factsWorldOfKey('builtin:facts?size=tiny&lang=en')!;
    expect(en.languages).toEqual(['en']);
    expect(en.facts.every((f) => f.lang === 'en')).toBe(true);
    expect(factsWorldOfKey('builtin:facts?size=tiny')!.facts.some((f) => f.lang === 'zh')).toBe(true);
    expect(factsQaTextFor('builtin:facts?size=tiny&lang=en')).not.toMatch(/[\u4e00-\u9fff]/);
  });
});
