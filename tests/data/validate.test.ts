import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, validateUserText } from '../../src/data/validate.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('validateUserText', () => {
  it('accepts UTF-8 text (Chinese, emoji) and drops a BOM', () => {
    const text = '床前明月光，疑是地上霜。\nHello 👋🏽 world\n';
    expect(validateUserText(enc(text), 'a.txt')).toEqual({ ok: true, text });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('hi there')]);
    expect(validateUserText(bom, 'bom.txt')).toEqual({ ok: true, text: 'hi there' });
  });

  it('rejects an empty or whitespace-only file', () => {
    const r = validateUserText(new Uint8Array(), 'empty.txt');
    expect(r).toMatchObject({ ok: false, code: 'empty' });
    expect(!r.ok && r.message).toContain('empty.txt');
    expect(validateUserText(enc(' \n\t\n'), 'blank.txt')).toMatchObject({ ok: false, code: 'empty' });
  });

  it('rejects binary data: NUL bytes or many control characters', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(validateUserText(png, 'pic.png')).toMatchObject({ ok: false, code: 'binary' });
    const ctrl = enc('abc\x01\x02\x03def\x1b[0m'.repeat(20));
    const r = validateUserText(ctrl, 'x.txt');
    expect(r).toMatchObject({ ok: false, code: 'binary' });
    expect(!r.ok && r.messageZh).toContain('二进制');
    // A rare control character in a long text is tolerated; tabs, CR LF and form feeds are text.
    expect(validateUserText(enc('a'.repeat(1000) + '\x07' + '\t\r\n\f'), 'bell.txt').ok).toBe(true);
  });

  it('recognises UTF-16 and asks for UTF-8', () => {
    const u16 = new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]);
    expect(validateUserText(u16, 'u16.txt')).toMatchObject({ ok: false, code: 'utf16' });
  });

  it('rejects text that is not UTF-8 (GBK, Latin-1, truncated sequences) and says where', () => {
    const gbk = new Uint8Array([0x61, 0x62, 0xd6, 0xd0, 0xce, 0xc4]); // "ab中文" in GBK
    const r = validateUserText(gbk, 'gbk.txt');
    expect(r).toMatchObject({ ok: false, code: 'not-utf8' });
    expect(!r.ok && r.message).toMatch(/offset 2/);
    expect(validateUserText(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'latin1.txt')).toMatchObject({ code: 'not-utf8' });
    expect(firstInvalidUtf8(enc('中文😀'))).toBe(-1);
    expect(firstInvalidUtf8(enc('中文').slice(0, 5))).toBe(3); // truncated
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0xaf]))).toBe(0); // overlong
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
  });

  it('rejects text too short for the context (in characters, code points)', () => {
    const r = validateUserText(enc('😀'.repeat(100)), 'short.txt', { contextLength: 64 });
    expect(r).toMatchObject({ ok: false, code: 'too-short' });
    expect(!r.ok && r.message).toBe('short.txt has 100 characters; at least 130 are needed for a context of 64.');
    expect(validateUserText(enc('😀'.repeat(130)), 'ok.txt', { contextLength: 64 }).ok).toBe(true);
    expect(validateUserText(enc('abc'), 'a.txt', { minChars: 10 })).toMatchObject({ code: 'too-short' });
  });

  it('rejects a file over the size limit', () => {
    expect(validateUserText(enc('x'.repeat(100)), 'big.txt', { maxBytes: 50 })).toMatchObject({ code: 'too-large' });
  });
});
