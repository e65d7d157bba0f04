import { describe, expect, it } from 'vitest';
import {
  extractPoems,
  formatPoems,
  isCleanPoem,
  isRegularPoem,
  parsePoems,
  poemKey,
  type Poem,
} from '../../src/data/poetry.ts';

// The chinese-poetry package's shape (traditional characters), with the entries the filter must drop.
const RAW = [
  { author: '王之渙', title: '登鸛雀樓', paragraphs: ['白日依山盡，黃河入海流。', '欲窮千里目，更上一層樓。'], id: 'x1' },
  { author: '李白', title: '將進酒', paragraphs: ['君不見黃河之水天上來，奔流到海不復回。', '五花馬，千金裘，呼兒將出換美酒，與爾同銷萬古愁。'] },
  { author: '某', title: '殘句', paragraphs: ['□□依山盡，黃河入海流。', '欲窮千里目，更上一層樓。'] },
  { author: '某', title: '注', paragraphs: ['白日依山盡（一作落），黃河入海流。', '欲窮千里目，更上一層樓。'] },
  { author: '某', title: '一句', paragraphs: ['白日依山盡，黃河入海流。'] },
  { author: '', title: '無名', paragraphs: ['白日依山盡，黃河入海流。', '欲窮千里目，更上一層樓。'] },
  { title: '缺字段', paragraphs: ['白日依山盡，黃河入海流。'] },
  'not a poem',
  null,
];

// A stand-in converter (the build uses opencc-js); enough for these characters.
const T2S: Record<string, string> = { 渙: '涣', 鸛: '鹳', 樓: '楼', 盡: '尽', 黃: '黄', 窮: '穷', 層: '层', 將: '将', 進: '进', 見: '见', 來: '来', 復: '复', 回: '回', 馬: '马', 兒: '儿', 換: '换', 與: '与', 爾: '尔', 銷: '销', 萬: '万', 愁: '愁' };
const convert = (s: string) => [...s].map((c) => T2S[c] ?? c).join('');

describe('poetry extraction', () => {
  it('reads the package JSON into { title, author, lines }, converted, noise dropped', () => {
    const poems = extractPoems(RAW, { convert });
    expect(poems).toEqual([
      { title: '登鹳雀楼', author: '王之涣', lines: ['白日依山尽，黄河入海流。', '欲穷千里目，更上一层楼。'] },
      {
        title: '将进酒',
        author: '李白',
        lines: ['君不见黄河之水天上来，奔流到海不复回。', '五花马，千金裘，呼儿将出换美酒，与尔同销万古愁。'],
      },
    ]);
    expect(extractPoems(RAW, { cleanOnly: false }).length).toBe(6);
    expect(() => extractPoems({ not: 'an array' })).toThrow(/array/);
  });

  it('formats one poem per block with a title and an author line, and parses it back', () => {
    const poems = extractPoems(RAW, { convert });
    const text = formatPoems(poems);
    expect(text.startsWith('《登鹳雀楼》\n王之涣\n白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。\n\n《将进酒》\n李白\n')).toBe(true);
    expect(text.endsWith('与尔同销万古愁。\n')).toBe(true);
    expect(parsePoems(text)).toEqual(poems);
    expect(formatPoems([])).toBe('');
  });

  it('tells regular verse (绝句/律诗) from the rest', () => {
    const [jueju, gexing] = extractPoems(RAW, { convert });
    expect(isRegularPoem(jueju)).toBe(true);
    expect(isRegularPoem(gexing)).toBe(false);
    const lushi: Poem = { title: 't', author: 'a', lines: Array(4).fill('秦时明月汉时关，万里长征人未还。') };
    expect(isRegularPoem(lushi)).toBe(true);
    expect(isCleanPoem({ title: 't', author: 'a', lines: ['𠀀日依山尽，黄河入海流。', '欲穷千里目，更上一层楼。'] })).toBe(false);
    expect(poemKey(jueju)).toBe('王之涣|登鹳雀楼|白日依山尽，黄河入海流。');
  });
});
