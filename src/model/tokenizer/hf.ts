// Export to a Hugging Face `tokenizer.json` (the format of the `tokenizers` library, loaded in Python with
// `Tokenizer.from_str(text)` / `Tokenizer.from_file(path)`, or by transformers' PreTrainedTokenizerFast).
//
// Format checked against the tokenizers sources (tokenizer/serialization.rs, models/bpe/serialization.rs,
// models/mod.rs, pre_tokenizers/{byte_level,split,sequence}.rs, tokenizer/added_vocabulary.rs) and, for real,
// by loading the output into the library's own Rust core (npm package `tokenizers` 0.23.2, the Node binding of
// the same crate Python uses) in tests/tokenizer/hf-parity.test.ts, which compares ids on varied text.
// Fields verified:
//  - top level: "version" must be "1.0"; "truncation", "padding", "normalizer", "post_processor" may be null;
//    "added_tokens", "pre_tokenizer", "decoder", "model" as below.
//  - added_tokens[]: {id, content, single_word, lstrip, rstrip, normalized, special}. A token whose content is
//    already in the model's vocab keeps that id, so the specials are put in the vocab too (at 0…4), as GPT-2's
//    own tokenizer.json does with <|endoftext|>. Added tokens are always split out of the input before
//    pre-tokenisation, i.e. HF behaves like our `encode(text, { allowSpecial: true })`.
//  - model BPE: {"type":"BPE", dropout, unk_token, continuing_subword_prefix, end_of_word_suffix, fuse_unk,
//    byte_fallback, ignore_merges, vocab: {token: id}, merges}. merges are written as "left right" strings,
//    the form every version reads (newer ones also read [left, right] pairs); the ByteLevel alphabet has no
//    space, so the split is unambiguous. Each merge's result (left+right) must be in the vocab.
//  - pre_tokenizer: {"type":"Sequence","pretokenizers":[Split, ByteLevel]} with
//    Split {"type":"Split","pattern":{"Regex": …},"behavior":"Isolated","invert":false} (Oniguruma syntax) and
//    ByteLevel {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}
//    (use_regex false: our Split replaces GPT-2's built-in regex), the same layout as Llama 3's tokenizer.json.
//  - decoder ByteLevel (same fields) for BPE; for char level Sequence [Replace <|unk|> → U+FFFD, Fuse].
// Byte → character mapping: GPT-2's bytes_to_unicode (printable Latin-1 bytes map to themselves, the other 68
// bytes to U+0100… in byte order), identical to tokenizers' ByteLevel.

import { BpeTokenizer, BYTE_OFFSET, FIRST_MERGE_ID } from './bpe.ts';
import { CharTokenizer, FIRST_CHAR_ID } from './char.ts';
import { onigPattern } from './pretokenize.ts';
import { CHAR_UNK_ID, SPECIAL_TOKENS, UNK_TOKEN, type Tokenizer } from './types.ts';

/** GPT-2's bytes_to_unicode: byte → the character standing for it in ByteLevel token strings. */
export function byteToUnicode(): string[] {
  const map: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map[b] = String.fromCodePoint(printable ? b : 256 + n++);
  }
  return map;
}

interface HfAddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface HfTokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: HfAddedToken[];
  normalizer: null;
  pre_tokenizer: unknown;
  post_processor: null;
  decoder: unknown;
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: string | null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: string[];
  };
}

function added(id: number, content: string): HfAddedToken {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

function bpeModel(vocab: Record<string, number>, merges: string[], unk: string | null): HfTokenizerJson['model'] {
  return {
    type: 'BPE',
    dropout: null,
    unk_token: unk,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab,
    merges,
  };
}

/** The Hugging Face tokenizer.json object for a tokenizer; JSON.stringify it to write the file. */
export function toHuggingFace(tok: Tokenizer): HfTokenizerJson {
  if (tok instanceof BpeTokenizer) return bpeToHf(tok);
  if (tok instanceof CharTokenizer) return charToHf(tok);
  throw new Error('toHuggingFace: unknown tokenizer');
}

export function toHuggingFaceString(tok: Tokenizer, pretty = false): string {
  return JSON.stringify(toHuggingFace(tok), null, pretty ? 2 : undefined);
}

function bpeToHf(tok: BpeTokenizer): HfTokenizerJson {
  const b2u = byteToUnicode();
  const str: string[] = [];
  const vocab: Record<string, number> = {};
  SPECIAL_TOKENS.forEach((s, id) => {
    str[id] = s;
    vocab[s] = id;
  });
  for (let b = 0; b < 256; b++) {
    str[BYTE_OFFSET + b] = b2u[b];
    vocab[b2u[b]] = BYTE_OFFSET + b;
  }
  const merges: string[] = [];
  const m = tok.mergePairs;
  for (let k = 0; k < m.length / 2; k++) {
    const a = str[m[2 * k]];
    const b = str[m[2 * k + 1]];
    str[FIRST_MERGE_ID + k] = a + b;
    vocab[a + b] = FIRST_MERGE_ID + k;
    merges.push(`${a} ${b}`);
  }
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((s, id) => added(id, s)),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: onigPattern() }, behavior: 'Isolated', invert: false },
        byteLevel,
      ],
    },
    post_processor: null,
    decoder: byteLevel,
    model: bpeModel(vocab, merges, null),
  };
}

// Char level: a BPE model with no merges over the characters is exactly a character lookup (BPE starts from
// the word's characters, i.e. code points, and unknown ones become unk_token, one each since fuse_unk is
// false). No pre-tokenizer is needed. Decoding fuses the pieces (no spaces between them) and renders <|unk|>
// as U+FFFD like CharTokenizer.decode.
function charToHf(tok: CharTokenizer): HfTokenizerJson {
  const vocab: Record<string, number> = {};
  SPECIAL_TOKENS.forEach((s, id) => (vocab[s] = id));
  vocab[UNK_TOKEN] = CHAR_UNK_ID;
  tok.chars.forEach((c, i) => (vocab[c] = FIRST_CHAR_ID + i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...SPECIAL_TOKENS.map((s, id) => added(id, s)), added(CHAR_UNK_ID, UNK_TOKEN)],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: UNK_TOKEN }, content: '\uFFFD' }, { type: 'Fuse' }],
    },
    model: bpeModel(vocab, [], UNK_TOKEN),
  };
}
