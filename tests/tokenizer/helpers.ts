// Shared pieces of the tokenizer tests: the tinyshakespeare corpus and a random-text generator.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Rng } from '../../src/model/reference/random.ts';

/** ../shared/data/tinyshakespeare.txt next to the repository (null when this checkout has no shared/). */
export const SHAKESPEARE_PATH = resolve(process.cwd(), '../shared/data/tinyshakespeare.txt');
export const shakespeare: string | null = existsSync(SHAKESPEARE_PATH) ? readFileSync(SHAKESPEARE_PATH, 'utf8') : null;
if (shakespeare === null) console.warn(`tokenizer tests: ${SHAKESPEARE_PATH} missing, corpus tests skipped`);

export const TANG_POEMS =
  '床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n' +
  '春眠不觉晓，处处闻啼鸟。\n夜来风雨声，花落知多少。\n' +
  '白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。\n' +
  '千山鸟飞绝，万径人踪灭。\n孤舟蓑笠翁，独钓寒江雪。\n';

export const FAMILY = '👩‍👩‍👧'; // ZWJ sequence: 5 code points, 8 UTF-16 units, 18 bytes

/** A seed per run (TEST_SEED=n replays one), printed on failure by the caller. */
export function seededRng(): { rng: Rng; seed: number } {
  const seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
  return { rng: new Rng(seed), seed };
}

const PIECES = [
  'the', ' the', ' King', "'s", "'ll", ' 123', '4.5', ',', '.', '!', '?', ' ', '  ', '   ', '\n', '\n\n', '\t', ' \t ',
  '\r\n', '明月', '，', '。', '中文abc', FAMILY, '🙂', '𠀋', 'e\u0301', 'ñ', 'Ω', 'ß', 'ا', 'अ', '\u00a0', '\u3000',
  '\u0085', '\ufeff', '<|user|>', '<|end|>', '<|', '|>', '<', '|', '\u200d', '#', '$', '¥',
];

/** Random text mixing English, CJK, emoji, combining marks, odd whitespace and special-token literals. */
export function randomText(rng: Rng, pieces = 1 + rng.int(40)): string {
  let s = '';
  for (let i = 0; i < pieces; i++) {
    const r = rng.next();
    if (r < 0.7) s += PIECES[rng.int(PIECES.length)];
    else if (r < 0.85) s += String.fromCodePoint(0x20 + rng.int(0x60));
    else if (r < 0.95) s += String.fromCodePoint(0x4e00 + rng.int(0x5000));
    else s += String.fromCodePoint(0x1f300 + rng.int(0x300));
  }
  return s;
}
