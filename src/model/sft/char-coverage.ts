// A char tokenizer knows only the characters of the text it was built on. The facts corpus states facts;
// the SFT questions ask about them ('?', 'What', 什么…), so a vocabulary built on the corpus alone would
// feed those questions to the model as <|unk|>. For a facts corpus the vocabulary is built over the
// corpus and every builtin:facts-qa pair of the same world.
import { factsWorldOfKey, splitFacts } from '../../data/index.ts';
import { buildCharTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import { factsQa } from './facts-qa.ts';
import { sftText } from './types.ts';

/** The text of every facts-qa pair of the world a corpus key names ('builtin:facts?size=tiny'), else null. */
export function factsQaTextFor(corpusKey: string): string | null {
  const world = factsWorldOfKey(corpusKey);
  if (!world) return null;
  const qa = factsQa(world, splitFacts(world));
  return sftText([...qa.train, ...qa.heldOut, ...qa.heldOutPhrasing]);
}

/** A char tokenizer for a corpus, covering the facts-qa questions too when the corpus is a facts world. */
export function charTokenizerFor(text: string, corpusKey: string): Tokenizer {
  const extra = factsQaTextFor(corpusKey);
  return buildCharTokenizer(extra === null ? [text] : [text, extra]);
}
