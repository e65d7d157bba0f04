// Character-level tokenizer: one id per Unicode code point (not per UTF-16 unit, so emoji and rare CJK
// outside the BMP are single characters and round-trip).
//
// Ids: 0…4 the reserved specials (types.ts), 5 `<|unk|>`, then the distinct code points of the corpus in
// ascending code point order.
//
// Unknown-character policy: a code point not in the vocabulary (and any lone surrogate) encodes to the single
// id `<|unk|>` (one per code point; no byte fallback, which would add 256 ids to a vocabulary of ~65).
// It decodes to U+FFFD. Text made only of known characters round-trips exactly.

import { checkSpecials, specialSplitter } from './specials.ts';
import {
  CHAR_UNK_ID,
  NUM_SPECIAL,
  SPECIAL_TOKENS,
  UNK_TOKEN,
  type CharTokenizerState,
  type DecodeOptions,
  type EncodeOptions,
  type Tokenizer,
} from './types.ts';
import { IdBuffer, utf8Decode, utf8Encode } from './utf8.ts';

/** Id of the first character. */
export const FIRST_CHAR_ID = CHAR_UNK_ID + 1;

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly vocabSize: number;
  readonly specialTokens: Readonly<Record<string, number>>;
  /** The vocabulary's characters in id order (id FIRST_CHAR_ID + i is chars[i]). */
  readonly chars: readonly string[];
  private readonly bmp: Int32Array; // code unit → id (CHAR_UNK_ID when absent)
  private readonly astral = new Map<number, number>();
  private readonly splitSpecial: ReturnType<typeof specialSplitter>;

  /** `chars`: distinct code points (each a 1-code-point string, no lone surrogates), any order (sorted here). */
  constructor(chars: Iterable<string>) {
    const cps = new Set<number>();
    for (const ch of chars) {
      const cp = ch.codePointAt(0);
      if (cp === undefined || ch.length !== (cp > 0xffff ? 2 : 1) || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new Error(`char tokenizer: ${JSON.stringify(ch)} is not one code point`);
      }
      cps.add(cp);
    }
    const sorted = [...cps].sort((a, b) => a - b);
    this.chars = Object.freeze(sorted.map((cp) => String.fromCodePoint(cp)));
    this.vocabSize = FIRST_CHAR_ID + sorted.length;
    this.bmp = new Int32Array(0x10000).fill(CHAR_UNK_ID);
    sorted.forEach((cp, i) => {
      if (cp <= 0xffff) this.bmp[cp] = FIRST_CHAR_ID + i;
      else this.astral.set(cp, FIRST_CHAR_ID + i);
    });
    const specials: Record<string, number> = {};
    SPECIAL_TOKENS.forEach((s, i) => (specials[s] = i));
    specials[UNK_TOKEN] = CHAR_UNK_ID;
    this.specialTokens = Object.freeze(specials);
    this.splitSpecial = specialSplitter(this.specialTokens);
  }

  encode(text: string, options?: EncodeOptions): number[] {
    return this.encodeBuffer(text, options).toArray();
  }

  encodeToInt32(text: string, options?: EncodeOptions): Int32Array {
    return this.encodeBuffer(text, options).toInt32Array();
  }

  private encodeBuffer(text: string, options?: EncodeOptions): IdBuffer {
    const out = new IdBuffer();
    if (options?.allowSpecial) {
      this.splitSpecial(
        text,
        (piece) => this.encodeInto(piece, out),
        (id) => out.push(id),
      );
    } else this.encodeInto(text, out);
    return out;
  }

  private encodeInto(text: string, out: IdBuffer): void {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          out.push(this.astral.get(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)) ?? CHAR_UNK_ID);
          i++;
          continue;
        }
      }
      out.push(this.bmp[c]); // lone surrogates are never in the vocabulary: unk
    }
  }

  /** Invalid UTF-8 becomes U+FFFD first (which is then unknown unless the corpus had U+FFFD). */
  encodeBytes(bytes: Uint8Array, options?: EncodeOptions): number[] {
    return this.encode(utf8Decode(bytes), options);
  }

  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= FIRST_CHAR_ID && id < this.vocabSize && Number.isInteger(id)) s += this.chars[id - FIRST_CHAR_ID];
      else if (id >= 0 && id < NUM_SPECIAL && Number.isInteger(id)) {
        if (!options?.skipSpecial) s += SPECIAL_TOKENS[id];
      } else s += '\uFFFD'; // <|unk|> and ids outside the vocabulary
    }
    return s;
  }

  decodeBytes(ids: ArrayLike<number>, options?: DecodeOptions): Uint8Array {
    return utf8Encode(this.decode(ids, options));
  }

  tokenBytes(id: number): Uint8Array {
    return utf8Encode(this.tokenText(id));
  }

  tokenToString(id: number): string {
    return id === CHAR_UNK_ID ? UNK_TOKEN : this.tokenText(id);
  }

  private tokenText(id: number): string {
    if (this.isSpecial(id) && id !== CHAR_UNK_ID) return SPECIAL_TOKENS[id];
    return this.decode([id]);
  }

  /** The five reserved ids and `<|unk|>`. */
  isSpecial(id: number): boolean {
    return id >= 0 && id <= CHAR_UNK_ID && Number.isInteger(id);
  }

  toJSON(): CharTokenizerState {
    return { kind: 'char', version: 1, specials: [...SPECIAL_TOKENS], chars: this.chars.join('') };
  }

  static fromJSON(state: CharTokenizerState): CharTokenizer {
    if (state.kind !== 'char' || state.version !== 1) throw new Error('char tokenizer: unknown state kind/version');
    checkSpecials(state.specials);
    return new CharTokenizer(state.chars);
  }
}

/** Builds the vocabulary from a corpus (one string or several): every distinct code point, lone surrogates
 *  excluded. */
export function buildCharTokenizer(corpus: string | readonly string[]): CharTokenizer {
  const seen = new Set<number>();
  for (const d of typeof corpus === 'string' ? [corpus] : corpus) {
    const n = d.length;
    for (let i = 0; i < n; i++) {
      const c = d.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) {
        const e = i + 1 < n ? d.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && e >= 0xdc00 && e <= 0xdfff) {
          seen.add(0x10000 + ((c - 0xd800) << 10) + (e - 0xdc00));
          i++;
        }
        continue; // lone surrogate
      }
      seen.add(c);
    }
  }
  return new CharTokenizer([...seen].map((cp) => String.fromCodePoint(cp)));
}
