// UTF-8 helpers shared by the tokenizers.

const encoder = new TextEncoder();
// ignoreBOM: keep a leading U+FEFF as text instead of swallowing it (round trips must be exact).
// fatal: false (default): invalid sequences decode to U+FFFD, one per maximal invalid subpart.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Lossy decode: invalid sequences become U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Appends the UTF-8 bytes of `s` to `out` (numbers 0…255). Faster than TextEncoder for the short
 * pre-token strings BPE encodes. Lone surrogates become U+FFFD, as TextEncoder does.
 */
export function pushUtf8(s: string, out: number[]): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out.push(c);
      continue;
    }
    if (c < 0x800) {
      out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        continue;
      }
      c = 0xfffd; // lone surrogate
    }
    out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
}

/**
 * Length of the valid UTF-8 sequence starting at bytes[i], or 0 if the byte there does not start one
 * (stray continuation byte, overlong form, surrogate, > U+10FFFF, truncated sequence).
 */
export function validUtf8Length(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const n = bytes.length;
  const cont = (k: number) => k < n && (bytes[k] & 0xc0) === 0x80;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    const b1 = bytes[i + 1];
    if (b0 === 0xe0 && b1 < 0xa0) return 0; // overlong
    if (b0 === 0xed && b1 >= 0xa0) return 0; // surrogates
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const b1 = bytes[i + 1];
    if (b0 === 0xf0 && b1 < 0x90) return 0; // overlong
    if (b0 === 0xf4 && b1 >= 0x90) return 0; // > U+10FFFF
    return 4;
  }
  return 0;
}

/**
 * Splits bytes into maximal valid-UTF-8 runs and single invalid bytes, calling `text(str)` for each valid run
 * and `invalid(byte)` for each byte that is not part of a valid sequence. Order is preserved.
 */
export function forEachUtf8Run(bytes: Uint8Array, text: (s: string) => void, invalid: (byte: number) => void): void {
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const len = validUtf8Length(bytes, i);
    if (len > 0) {
      i += len;
      continue;
    }
    if (i > runStart) text(utf8Decode(bytes.subarray(runStart, i)));
    invalid(bytes[i]);
    i++;
    runStart = i;
  }
  if (i > runStart) text(utf8Decode(bytes.subarray(runStart, i)));
}

/** Display form of a byte string: valid UTF-8 as text, every stray byte as `<0xAB>`. */
export function displayBytes(bytes: Uint8Array): string {
  let s = '';
  forEachUtf8Run(
    bytes,
    (t) => (s += t),
    (b) => (s += `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`),
  );
  return s;
}

/** A growable Int32 buffer for token ids (much cheaper than growing a JS array of a million numbers). */
export class IdBuffer {
  data = new Int32Array(256);
  length = 0;

  push(id: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = id;
  }

  pushAll(ids: Int32Array): void {
    if (this.length + ids.length > this.data.length) this.grow(this.length + ids.length);
    if (ids.length === 1) this.data[this.length++] = ids[0];
    else {
      this.data.set(ids, this.length);
      this.length += ids.length;
    }
  }

  private grow(min: number): void {
    const next = new Int32Array(Math.max(min, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  toInt32Array(): Int32Array {
    return this.data.slice(0, this.length);
  }

  toArray(): number[] {
    const out = new Array<number>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.data[i];
    return out;
  }
}
