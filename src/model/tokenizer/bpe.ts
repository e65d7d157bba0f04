// Byte-level BPE (GPT-2 style): UTF-8 bytes are the 256 base symbols, text is pre-tokenised into words
// (pretokenize.ts) and merges are learned greedily by pair frequency inside words.
//
// Ids: 0…4 the reserved specials (types.ts), NUM_SPECIAL + b for byte b (so 5…260), then one id per merge in
// the order learned (261…). `vocabSize` given to trainBpe counts bytes + merges (256…16379); the tokenizer's
// vocabSize is that plus the 5 specials.

import { applyMerges, PAIR_BASE, type MergeTable } from './merge.ts';
import { forEachPretoken, PRETOKENIZER_ID } from './pretokenize.ts';
import { checkSpecials, specialSplitter } from './specials.ts';
import {
  NUM_SPECIAL,
  SPECIAL_TOKENS,
  type BpeTokenizerState,
  type DecodeOptions,
  type EncodeOptions,
  type Tokenizer,
} from './types.ts';
import {
  displayBytes,
  forEachUtf8Run,
  IdBuffer,
  pushUtf8,
  utf8Decode,
  utf8Encode,
  validUtf8Length,
} from './utf8.ts';

/** Id of byte 0; byte b is BYTE_OFFSET + b. */
export const BYTE_OFFSET = NUM_SPECIAL;
/** Id of the first merged token. */
export const FIRST_MERGE_ID = NUM_SPECIAL + 256;
/** Largest total vocabulary (specials + bytes + merges) the pair keys allow. */
export const MAX_BPE_VOCAB = PAIR_BASE;

const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]); // U+FFFD
const CACHE_LIMIT = 100_000;

export interface BpeTrainOptions {
  /** Bytes + merges: 256 (bytes only) … 16379. The tokenizer's vocabSize is this + NUM_SPECIAL, or less if the
   *  corpus runs out of pairs seen at least `minFrequency` times. */
  vocabSize: number;
  /** Stop when the most frequent pair occurs fewer times than this (default 2). */
  minFrequency?: number;
  /** Progress in [0, 1], called at most ~100 times (integer percents, increasing), ends with 1. */
  onProgress?: (fraction: number) => void;
}

export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly vocabSize: number;
  readonly specialTokens: Readonly<Record<string, number>>;
  /** Flat merge list: merge k joins ids mergePairs[2k], mergePairs[2k+1] into FIRST_MERGE_ID + k. */
  readonly mergePairs: Int32Array;
  private readonly bytesOf: Uint8Array[];
  private readonly table: MergeTable;
  private readonly cache = new Map<string, Int32Array>();
  private readonly splitSpecial: ReturnType<typeof specialSplitter>;

  constructor(merges: ArrayLike<number>) {
    if (merges.length % 2 !== 0) throw new Error('BPE: merges must hold pairs of ids');
    const numMerges = merges.length / 2;
    this.vocabSize = FIRST_MERGE_ID + numMerges;
    if (this.vocabSize > MAX_BPE_VOCAB) throw new Error(`BPE: vocabulary ${this.vocabSize} > ${MAX_BPE_VOCAB}`);
    this.mergePairs = Int32Array.from(merges);
    const specials: Record<string, number> = {};
    SPECIAL_TOKENS.forEach((s, i) => (specials[s] = i));
    this.specialTokens = Object.freeze(specials);
    this.bytesOf = [];
    for (const s of SPECIAL_TOKENS) this.bytesOf.push(utf8Encode(s));
    for (let b = 0; b < 256; b++) this.bytesOf.push(Uint8Array.of(b));
    const ranks = new Map<number, number>();
    const seen = new Set<string>(); // byte strings of merged tokens: each must be new (HF vocab keys are unique)
    for (let k = 0; k < numMerges; k++) {
      const a = this.mergePairs[2 * k];
      const b = this.mergePairs[2 * k + 1];
      const id = FIRST_MERGE_ID + k;
      if (!(a >= BYTE_OFFSET && a < id && b >= BYTE_OFFSET && b < id)) {
        throw new Error(`BPE: merge ${k} (${a}, ${b}) refers to an id that is not a byte or an earlier merge`);
      }
      const key = a * PAIR_BASE + b;
      if (ranks.has(key)) throw new Error(`BPE: merge ${k} (${a}, ${b}) repeats an earlier one`);
      ranks.set(key, k);
      const x = this.bytesOf[a];
      const y = this.bytesOf[b];
      const xy = new Uint8Array(x.length + y.length);
      xy.set(x);
      xy.set(y, x.length);
      this.bytesOf.push(xy);
      const str = String.fromCharCode(...xy);
      if (seen.has(str)) throw new Error(`BPE: merge ${k} (${a}, ${b}) rebuilds an existing token's bytes`);
      seen.add(str);
    }
    this.table = { ranks, firstMergeId: FIRST_MERGE_ID };
    this.splitSpecial = specialSplitter(this.specialTokens);
  }

  get numMerges(): number {
    return this.mergePairs.length / 2;
  }

  encode(text: string, options?: EncodeOptions): number[] {
    const out = new IdBuffer();
    this.encodeInto(text, out, options);
    return out.toArray();
  }

  encodeToInt32(text: string, options?: EncodeOptions): Int32Array {
    const out = new IdBuffer();
    this.encodeInto(text, out, options);
    return out.toInt32Array();
  }

  encodeBytes(bytes: Uint8Array, options?: EncodeOptions): number[] {
    const out = new IdBuffer();
    forEachUtf8Run(
      bytes,
      (s) => this.encodeInto(s, out, options),
      (b) => out.push(BYTE_OFFSET + b),
    );
    return out.toArray();
  }

  private encodeInto(text: string, out: IdBuffer, options?: EncodeOptions): void {
    const word = (w: string) => out.pushAll(this.encodeWord(w));
    if (options?.allowSpecial) {
      this.splitSpecial(
        text,
        (piece) => forEachPretoken(piece, word),
        (id) => out.push(id),
      );
    } else forEachPretoken(text, word);
  }

  /** Ids of one pre-token (cached; the returned array must not be modified). */
  private encodeWord(w: string): Int32Array {
    let ids = this.cache.get(w);
    if (ids === undefined) {
      const syms: number[] = [];
      pushUtf8(w, syms);
      for (let i = 0; i < syms.length; i++) syms[i] += BYTE_OFFSET;
      ids = Int32Array.from(applyMerges(syms, this.table));
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(w, ids);
    }
    return ids;
  }

  decodeBytes(ids: ArrayLike<number>, options?: DecodeOptions): Uint8Array {
    const skip = options?.skipSpecial === true;
    const bytesOf = (id: number): Uint8Array | null => {
      if (id >= 0 && id < this.vocabSize && Number.isInteger(id)) return skip && id < NUM_SPECIAL ? null : this.bytesOf[id];
      return REPLACEMENT;
    };
    let total = 0;
    for (let i = 0; i < ids.length; i++) total += bytesOf(ids[i])?.length ?? 0;
    const out = new Uint8Array(total);
    let o = 0;
    for (let i = 0; i < ids.length; i++) {
      const b = bytesOf(ids[i]);
      if (b === null) continue;
      if (b.length === 1) out[o++] = b[0];
      else {
        out.set(b, o);
        o += b.length;
      }
    }
    return out;
  }

  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    return utf8Decode(this.decodeBytes(ids, options));
  }

  tokenBytes(id: number): Uint8Array {
    return id >= 0 && id < this.vocabSize && Number.isInteger(id) ? this.bytesOf[id].slice() : REPLACEMENT.slice();
  }

  tokenToString(id: number): string {
    if (this.isSpecial(id)) return SPECIAL_TOKENS[id];
    if (!(id >= 0 && id < this.vocabSize && Number.isInteger(id))) return '\uFFFD';
    return displayBytes(this.bytesOf[id]);
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < NUM_SPECIAL && Number.isInteger(id);
  }

  toJSON(): BpeTokenizerState {
    return {
      kind: 'bpe',
      version: 1,
      specials: [...SPECIAL_TOKENS],
      pretokenizer: PRETOKENIZER_ID,
      merges: Array.from(this.mergePairs),
    };
  }

  static fromJSON(state: BpeTokenizerState): BpeTokenizer {
    if (state.kind !== 'bpe' || state.version !== 1) throw new Error('BPE: unknown state kind/version');
    if (state.pretokenizer !== PRETOKENIZER_ID) throw new Error(`BPE: unknown pre-tokenizer '${state.pretokenizer}'`);
    checkSpecials(state.specials);
    return new BpeTokenizer(state.merges);
  }
}

/**
 * True if the byte string (one char per byte) is a run of whole UTF-8 characters, or a piece of a single
 * character (continuation bytes only, or a lead byte followed by fewer continuation bytes than it needs).
 */
export function wholeOrWithinChar(s: string): boolean {
  const n = s.length;
  const b0 = s.charCodeAt(0);
  // within one character
  let leads = 0;
  for (let i = 0; i < n; i++) if ((s.charCodeAt(i) & 0xc0) !== 0x80) leads++;
  if (leads === 0) return n <= 3;
  const need = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 1;
  if (leads === 1 && b0 >= 0xc0 && n < need) return true;
  // whole characters
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = s.charCodeAt(i);
  for (let i = 0; i < n; ) {
    const len = validUtf8Length(bytes, i);
    if (len === 0) return false;
    i += len;
  }
  return true;
}

/** A binary max-heap of (count, pair key); ties go to the smaller key (smaller left id, then right id). */
class PairHeap {
  private c: number[] = [];
  private k: number[] = [];
  get size(): number {
    return this.c.length;
  }
  topCount(): number {
    return this.c[0];
  }
  topKey(): number {
    return this.k[0];
  }
  private before(i: number, j: number): boolean {
    return this.c[i] > this.c[j] || (this.c[i] === this.c[j] && this.k[i] < this.k[j]);
  }
  private swap(i: number, j: number): void {
    const c = this.c[i], k = this.k[i];
    this.c[i] = this.c[j];
    this.k[i] = this.k[j];
    this.c[j] = c;
    this.k[j] = k;
  }
  push(count: number, key: number): void {
    this.c.push(count);
    this.k.push(key);
    for (let i = this.c.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!this.before(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }
  pop(): void {
    const last = this.c.length - 1;
    this.swap(0, last);
    this.c.pop();
    this.k.pop();
    const n = this.c.length;
    for (let i = 0; ; ) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.before(l, m)) m = l;
      if (r < n && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}

/**
 * Trains a byte-level BPE tokenizer. `corpus` may be one string or several documents (pre-tokenised
 * separately, so no word spans two documents); the result does not depend on the documents' order.
 *
 * The standard efficient scheme: words are counted once; training runs on the unique words with their
 * counts; pair counts are kept up to date incrementally, with an index pair → words that contain it and a
 * lazy max-heap of pairs (an entry whose count went stale is re-queued with the current count when it
 * surfaces). Each merge only touches the words that contain the merged pair.
 *
 * Tie-breaking (deterministic): the most frequent pair wins; among equals the pair with the smaller first
 * id, then the smaller second id. Two kinds of pair are never merged (skipped for good):
 *  - one whose bytes equal an existing token's (the same string built along two routes, "ab"+"c" vs
 *    "a"+"bc"), so every token is a distinct byte string, as Hugging Face's vocab format requires;
 *  - one whose bytes would straddle a character boundary: every token is either a piece of ONE character or
 *    a run of WHOLE characters. Without this, Chinese (whose 3-byte characters share only six lead bytes)
 *    spends its merges on "last byte of 前 + first byte of 明" junk; with it, characters complete first and
 *    frequent multi-character words (明月) can still become tokens. ASCII text is unaffected.
 */
export function trainBpe(corpus: string | readonly string[], options: BpeTrainOptions): BpeTokenizer {
  const target = options.vocabSize;
  if (!Number.isInteger(target) || target < 256 || target + NUM_SPECIAL > MAX_BPE_VOCAB) {
    throw new Error(`BPE: vocabSize must be an integer in [256, ${MAX_BPE_VOCAB - NUM_SPECIAL}], got ${target}`);
  }
  const minFrequency = Math.max(1, options.minFrequency ?? 2);
  const onProgress = options.onProgress;
  let reported = -1;
  const progress = (f: number) => {
    const pct = Math.floor(Math.min(1, Math.max(0, f)) * 100);
    if (onProgress && pct > reported) {
      reported = pct;
      onProgress(pct / 100);
    }
  };
  progress(0);
  const docs = typeof corpus === 'string' ? [corpus] : corpus;
  const COUNT_SHARE = 0.1; // share of the progress bar given to counting words

  // 1. count words
  const wordCounts = new Map<string, number>();
  let docBytes = 0;
  let totalChars = 0;
  for (const d of docs) totalChars += d.length;
  for (const d of docs) {
    forEachPretoken(d, (w) => wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1));
    docBytes += d.length;
    progress((COUNT_SHARE * docBytes) / Math.max(1, totalChars));
  }

  // 2. unique words as byte-id sequences in one flat buffer
  const nWords = wordCounts.size;
  const start = new Int32Array(nWords);
  const len = new Int32Array(nWords);
  const wc = new Float64Array(nWords);
  const tmp: number[] = [];
  let wi = 0;
  for (const [w, c] of wordCounts) {
    start[wi] = tmp.length;
    pushUtf8(w, tmp);
    len[wi] = tmp.length - start[wi];
    wc[wi] = c;
    wi++;
  }
  wordCounts.clear();
  const sym = Int32Array.from(tmp, (b) => b + BYTE_OFFSET);
  tmp.length = 0;

  // 3. initial pair counts and pair → words index
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const addWord = (key: number, w: number): boolean => {
    const list = pairWords.get(key);
    if (list === undefined) {
      pairWords.set(key, [w]);
      return true;
    }
    if (list[list.length - 1] !== w) list.push(w);
    return false;
  };
  for (let w = 0; w < nWords; w++) {
    const s = start[w], e = s + len[w], c = wc[w];
    for (let i = s; i + 1 < e; i++) {
      const key = sym[i] * PAIR_BASE + sym[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + c);
      addWord(key, w);
    }
  }
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);

  // Byte strings of the tokens (latin1-style strings, one char per byte) to refuse duplicate merges.
  const tokStr: string[] = [];
  for (let i = 0; i < BYTE_OFFSET; i++) tokStr.push('');
  for (let b = 0; b < 256; b++) tokStr.push(String.fromCharCode(b));
  const known = new Set<string>(tokStr.slice(BYTE_OFFSET));

  // 4. merge loop
  const numMerges = target - 256;
  const merges: number[] = [];
  const newKeys: number[] = [];
  const banned = new Set<number>();
  while (merges.length / 2 < numMerges && heap.size > 0) {
    const count = heap.topCount();
    const key = heap.topKey();
    heap.pop();
    if (banned.has(key)) continue;
    const actual = pairCount.get(key) ?? 0;
    if (actual !== count) {
      if (actual > 0) heap.push(actual, key); // stale entry: requeue with the real count
      continue;
    }
    if (count < minFrequency) break;
    const a = Math.floor(key / PAIR_BASE);
    const b = key - a * PAIR_BASE;
    const str = tokStr[a] + tokStr[b];
    if (known.has(str) || !wholeOrWithinChar(str)) {
      banned.add(key); // never merged, never requeued
      continue;
    }
    const z = FIRST_MERGE_ID + merges.length / 2;
    merges.push(a, b);
    tokStr.push(str);
    known.add(str);

    const words = pairWords.get(key) ?? [];
    pairWords.delete(key);
    pairCount.delete(key);
    newKeys.length = 0;
    for (let j = 0; j < words.length; j++) {
      const w = words[j];
      const s = start[w], e = s + len[w], c = wc[w];
      let found = false;
      for (let i = s; i + 1 < e; i++) {
        if (sym[i] === a && sym[i + 1] === b) {
          found = true;
          break;
        }
      }
      if (!found) continue; // stale index entry
      // remove the word's old pairs, merge, add its new pairs
      for (let i = s; i + 1 < e; i++) {
        const k = sym[i] * PAIR_BASE + sym[i + 1];
        if (k !== key) pairCount.set(k, (pairCount.get(k) as number) - c);
      }
      let o = s;
      for (let i = s; i < e; ) {
        if (sym[i] === a && i + 1 < e && sym[i + 1] === b) {
          sym[o++] = z;
          i += 2;
        } else sym[o++] = sym[i++];
      }
      len[w] = o - s;
      for (let i = s; i + 1 < o; i++) {
        const k = sym[i] * PAIR_BASE + sym[i + 1];
        pairCount.set(k, (pairCount.get(k) ?? 0) + c);
        if ((sym[i] === z || sym[i + 1] === z) && addWord(k, w)) newKeys.push(k);
      }
    }
    // Only pairs containing z can have grown; everything else only shrank (handled lazily by the heap).
    for (const k of newKeys) heap.push(pairCount.get(k) as number, k);
    progress(COUNT_SHARE + ((1 - COUNT_SHARE) * merges.length) / 2 / Math.max(1, numMerges));
  }
  progress(1);
  return new BpeTokenizer(merges);
}
