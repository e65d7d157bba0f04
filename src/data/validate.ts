// Validation of a user's own .txt corpus: bytes in, text out or a clear, bilingual error.

export type TextErrorCode = 'empty' | 'binary' | 'utf16' | 'not-utf8' | 'too-short' | 'too-large';

export type ValidateResult =
  | { ok: true; text: string }
  | { ok: false; code: TextErrorCode; message: string; messageZh: string };

export interface ValidateOptions {
  /** The model's context length: the text must hold at least `minWindows` windows of contextLength + 1. */
  contextLength?: number;
  /** Windows required when contextLength is given (a training and a validation one). Default 2. */
  minWindows?: number;
  /** Minimum characters regardless of context. Default 1. */
  minChars?: number;
  /** Default 256 MiB. */
  maxBytes?: number;
  /** Control characters (other than tab, newline, carriage return, form feed) tolerated, as a fraction. Default 0.01. */
  maxControlRatio?: number;
}

const fail = (code: TextErrorCode, message: string, messageZh: string): ValidateResult => ({
  ok: false,
  code,
  message,
  messageZh,
});

/** Offset of the first byte that is not part of valid UTF-8 (-1 when all valid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function isControl(b: number): boolean {
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f;
}

/**
 * A user's .txt file → its text (UTF-8, BOM removed), or why it cannot be used: empty, binary (NUL bytes or
 * too many control characters), UTF-16, not valid UTF-8 (e.g. GBK/Latin-1: re-save as UTF-8), too short for
 * the context, too large.
 */
export function validateUserText(bytes: Uint8Array, name: string, opts: ValidateOptions = {}): ValidateResult {
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  if (bytes.length === 0) return fail('empty', `${name} is empty.`, `${name} 是空文件。`);
  if (bytes.length > maxBytes) {
    const mb = (x: number) => (x / (1024 * 1024)).toFixed(0);
    return fail(
      'too-large',
      `${name} is ${mb(bytes.length)} MiB; the limit is ${mb(maxBytes)} MiB.`,
      `${name} 有 ${mb(bytes.length)} MiB，超过了 ${mb(maxBytes)} MiB 的上限。`,
    );
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return fail(
      'utf16',
      `${name} is UTF-16 text; save it as UTF-8 and try again.`,
      `${name} 是 UTF-16 编码的文本；请另存为 UTF-8 后再试。`,
    );
  }
  let controls = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) {
      return fail(
        'binary',
        `${name} looks like a binary file (it contains NUL bytes), not plain text.`,
        `${name} 看起来是二进制文件（含有 NUL 字节），不是纯文本。`,
      );
    }
    if (isControl(b)) controls++;
  }
  if (controls / bytes.length > (opts.maxControlRatio ?? 0.01)) {
    return fail(
      'binary',
      `${name} looks like a binary file (${controls} control characters), not plain text.`,
      `${name} 看起来是二进制文件（含有 ${controls} 个控制字符），不是纯文本。`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return fail(
      'not-utf8',
      `${name} is not valid UTF-8 (first bad byte at offset ${at}). It may be in another encoding such as GBK or Latin-1; save it as UTF-8 and try again.`,
      `${name} 不是有效的 UTF-8 文本（第一个错误字节位于偏移 ${at}）。它可能是 GBK 等其他编码；请另存为 UTF-8 后再试。`,
    );
  }
  if (text.trim() === '') {
    return fail('empty', `${name} contains only whitespace.`, `${name} 只有空白字符。`);
  }
  let chars = 0;
  for (const _ of text) chars++;
  let need = Math.max(1, opts.minChars ?? 1);
  if (opts.contextLength !== undefined) need = Math.max(need, (opts.minWindows ?? 2) * (opts.contextLength + 1));
  if (chars < need) {
    const ctx =
      opts.contextLength !== undefined
        ? [` for a context of ${opts.contextLength}`, `（上下文长度 ${opts.contextLength}）`]
        : ['', ''];
    return fail(
      'too-short',
      `${name} has ${chars} characters; at least ${need} are needed${ctx[0]}.`,
      `${name} 只有 ${chars} 个字符${ctx[1]}，至少需要 ${need} 个。`,
    );
  }
  return { ok: true, text };
}
