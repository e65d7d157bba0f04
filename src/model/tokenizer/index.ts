// Tokenizers for the playground: char-level and byte-level BPE, one interface, JSON state for checkpoints,
// Hugging Face tokenizer.json export. Pure TypeScript (page, worker, Node).

export {
  SPECIAL_TOKENS,
  SPECIAL_IDS,
  NUM_SPECIAL,
  UNK_TOKEN,
  CHAR_UNK_ID,
  type SpecialToken,
  type Tokenizer,
  type TokenizerState,
  type CharTokenizerState,
  type BpeTokenizerState,
  type EncodeOptions,
  type DecodeOptions,
} from './types.ts';
export { CharTokenizer, buildCharTokenizer, FIRST_CHAR_ID } from './char.ts';
export { BpeTokenizer, trainBpe, BYTE_OFFSET, FIRST_MERGE_ID, MAX_BPE_VOCAB, type BpeTrainOptions } from './bpe.ts';
export { pretokenize, forEachPretoken, PRETOKENIZER_ID } from './pretokenize.ts';
export { toHuggingFace, toHuggingFaceString, byteToUnicode, type HfTokenizerJson } from './hf.ts';

import { BpeTokenizer, trainBpe, type BpeTrainOptions } from './bpe.ts';
import { buildCharTokenizer, CharTokenizer } from './char.ts';
import type { Tokenizer, TokenizerState } from './types.ts';

export type TokenizerSpec = { kind: 'char' } | ({ kind: 'bpe' } & BpeTrainOptions);

/** One entry point for the UI: builds a char-level tokenizer or trains a BPE one on `corpus`. */
export function trainTokenizer(corpus: string | readonly string[], spec: TokenizerSpec): Tokenizer {
  return spec.kind === 'char' ? buildCharTokenizer(corpus) : trainBpe(corpus, spec);
}

/** Restores a tokenizer from `tokenizer.toJSON()` (also accepts the JSON text). Throws on unknown or
 *  inconsistent state. */
export function tokenizerFromJSON(state: TokenizerState | string): Tokenizer {
  const s = (typeof state === 'string' ? JSON.parse(state) : state) as TokenizerState;
  if (s === null || typeof s !== 'object') throw new Error('tokenizerFromJSON: not a tokenizer state');
  switch (s.kind) {
    case 'char':
      return CharTokenizer.fromJSON(s);
    case 'bpe':
      return BpeTokenizer.fromJSON(s);
    default:
      throw new Error(`tokenizerFromJSON: unknown kind '${(s as { kind?: unknown }).kind}'`);
  }
}
