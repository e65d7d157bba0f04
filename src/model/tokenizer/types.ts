// The common tokenizer interface, the reserved special tokens and the serialised state.
// Pure TypeScript, no DOM or Node APIs beyond TextEncoder/TextDecoder: runs in the page, a worker and Node.

/**
 * Special tokens reserved for the later stages (SFT chat format, RLHF, padding). They hold the SAME ids in
 * every tokenizer of this project, char-level or BPE: ids 0…4, in this order. Ordinary text never encodes
 * to them: `encode(text)` treats the literal strings as plain text; only `encode(text, { allowSpecial: true })`
 * recognises them.
 */
export const SPECIAL_TOKENS = ['<|bos|>', '<|user|>', '<|assistant|>', '<|end|>', '<|pad|>'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];
/** Number of reserved special ids (they are ids 0 … NUM_SPECIAL-1). */
export const NUM_SPECIAL = SPECIAL_TOKENS.length;
/** The fixed ids, by name: SPECIAL_IDS.bos === 0, .user === 1, .assistant === 2, .end === 3, .pad === 4. */
export const SPECIAL_IDS = { bos: 0, user: 1, assistant: 2, end: 3, pad: 4 } as const;

/** Char-level only: the id of `<|unk|>`, which every code point outside the vocabulary encodes to. */
export const UNK_TOKEN = '<|unk|>';
export const CHAR_UNK_ID = NUM_SPECIAL; // 5

export interface EncodeOptions {
  /** Recognise the literal special-token strings (e.g. "<|user|>") as their special ids. Default false:
   *  they are encoded as ordinary text. */
  allowSpecial?: boolean;
}

export interface DecodeOptions {
  /** Leave special tokens out of the output (default false: they are rendered as their literal strings,
   *  so `encode(decode(ids), { allowSpecial: true })` gives the ids back). */
  skipSpecial?: boolean;
}

export interface Tokenizer {
  readonly kind: 'char' | 'bpe';
  /** Total number of ids, specials included: valid ids are 0 … vocabSize-1. */
  readonly vocabSize: number;
  /** Special token string → id (the five reserved ones; the char tokenizer adds `<|unk|>`). */
  readonly specialTokens: Readonly<Record<string, number>>;

  encode(text: string, options?: EncodeOptions): number[];
  /** Same ids as encode, as an Int32Array: the fast path for encoding a whole corpus. */
  encodeToInt32(text: string, options?: EncodeOptions): Int32Array;
  /** Encodes raw bytes, which need not be valid UTF-8 (BPE: exact round trip through decodeBytes; char level:
   *  invalid sequences become U+FFFD first, i.e. unknown). */
  encodeBytes(bytes: Uint8Array, options?: EncodeOptions): number[];
  /** Any id sequence decodes to a string: bytes that are not valid UTF-8 (a multi-byte character cut
   *  between tokens, say) become U+FFFD, ids ≥ vocabSize become U+FFFD. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The raw UTF-8 bytes of the ids (no replacement): BPE output cut mid-character stays exact. */
  decodeBytes(ids: ArrayLike<number>, options?: DecodeOptions): Uint8Array;
  /** A display string for one token (token view): the text if it is valid UTF-8, else the valid parts with
   *  `<0xAB>` for each stray byte; specials as their literal; `<|unk|>` for the char-level unknown id. */
  tokenToString(id: number): string;
  /** The bytes one token stands for (specials: their literal string's bytes). */
  tokenBytes(id: number): Uint8Array;
  isSpecial(id: number): boolean;
  /** Compact JSON-serialisable state (travels in checkpoint headers); restore with tokenizerFromJSON. */
  toJSON(): TokenizerState;
}

/** Serialised char-level tokenizer. `chars` is every vocabulary code point, in id order, concatenated
 *  (ids NUM_SPECIAL+1 …): split it with Array.from / for-of. */
export interface CharTokenizerState {
  kind: 'char';
  version: 1;
  specials: string[];
  chars: string;
}

/** Serialised byte-level BPE tokenizer. `merges` is flat: merge k joins ids merges[2k] and merges[2k+1]
 *  into the new id NUM_SPECIAL + 256 + k. Byte b has id NUM_SPECIAL + b. `pretokenizer` names the split
 *  rule (see pretokenize.ts) so a future change cannot silently alter old checkpoints. */
export interface BpeTokenizerState {
  kind: 'bpe';
  version: 1;
  specials: string[];
  pretokenizer: string;
  merges: number[];
}

export type TokenizerState = CharTokenizerState | BpeTokenizerState;
