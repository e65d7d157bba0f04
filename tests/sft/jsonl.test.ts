import { describe, expect, it } from 'vitest';
import { makeFactsWorld, splitFacts } from '../../src/data/facts/index.ts';
import { factsQa, normalizeAnswer, parseSftJsonl, toSftJsonl, type QaPair } from '../../src/model/sft/index.ts';

const line = (o: unknown) => JSON.stringify(o);
const ok = (q: string, a: string) => line({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }] });

describe('SFT JSONL', () => {
  it('round-trips pairs (facts-qa, Chinese, newlines, quotes, literal specials)', () => {
    const world = makeFactsWorld({ seed: 2, size: 'tiny' });
    const qa = factsQa(world, splitFacts(world));
    const extra: QaPair[] = [
      {
        lang: 'en',
        messages: [
          { role: 'system', content: 'Be brief.\nVery brief.' },
          { role: 'user', content: 'Say "<|end|>" and \\n\ttab' },
          { role: 'assistant', content: 'OK\u2028done' },
          { role: 'user', content: '再说一遍？' },
          { role: 'assistant', content: '好的。' },
        ],
      },
    ];
    const pairs = [...qa.train, ...extra];
    const text = toSftJsonl(pairs);
    expect(text.split('\n').length).toBe(pairs.length + 1);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')[0]).toBe(line({ messages: pairs[0].messages }));
    const back = parseSftJsonl(text);
    expect(back.errors).toEqual([]);
    expect(back.pairs.map((p) => p.messages)).toEqual(pairs.map((p) => p.messages));
    expect(back.pairs.map((p) => p.lang)).toEqual(pairs.map((p) => p.lang)); // guessed from the question
    // with meta, fact keys come back too
    const meta = parseSftJsonl(toSftJsonl(qa.train, { meta: true }));
    expect(meta.pairs.map((p) => [p.fact, p.lang])).toEqual(qa.train.map((p) => [p.fact, p.lang]));
    expect(toSftJsonl([])).toBe('');
    expect(parseSftJsonl('')).toEqual({ pairs: [], errors: [] });
  });

  it('reports each bad line with its line number and keeps the good ones', () => {
    const lines = [
      /*  1 */ ok('What is your name?', 'My name is John.'),
      /*  2 */ '',
      /*  3 */ '{"messages": [',
      /*  4 */ '[1, 2]',
      /*  5 */ line({ conversation: [] }),
      /*  6 */ line({ messages: [] }),
      /*  7 */ line({ messages: [{ role: 'bot', content: 'x' }, { role: 'assistant', content: 'y' }] }),
      /*  8 */ line({ messages: [{ role: 'user', content: 42 }, { role: 'assistant', content: 'y' }] }),
      /*  9 */ line({ messages: [{ role: 'user', content: 'hi' }] }),
      /* 10 */ line({ messages: [{ role: 'assistant', content: 'y' }, { role: 'user', content: 'x' }] }),
      /* 11 */ line({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'assistant', content: 'c' }] }),
      /* 12 */ ok('x'.repeat(200), 'y'),
      /* 13 */ '   \t ',
      /* 14 */ ok('中国的首都是哪里？', '中国的首都是北京。'),
      /* 15 */ '"just a string"',
      /* 16 */ line({ messages: 'hi' }),
      /* 17 */ line({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '' }] }),
      /* 18 */ line({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }, { role: 'system', content: 's' }] }),
      /* 19 */ 'null',
      /* 20 */ line({ messages: [{ role: 'user', content: 'q' }, 'a'] }),
    ];
    const text = '\ufeff' + lines.join('\r\n') + '\r\n';
    const { pairs, errors } = parseSftJsonl(text, { maxLineLength: 150 });
    expect(pairs.map((p) => p.messages[0].content)).toEqual(['What is your name?', '中国的首都是哪里？']);
    expect(pairs.map((p) => p.lang)).toEqual(['en', 'zh']);
    expect(pairs[0].messages[1].content).toBe('My name is John.'); // no stray \r
    const byLine = Object.fromEntries(errors.map((e) => [e.line, e.message]));
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 20]);
    expect(byLine[3]).toMatch(/not valid JSON/);
    expect(byLine[4]).toMatch(/not a JSON object.*array/);
    expect(byLine[5]).toMatch(/no "messages"/);
    expect(byLine[6]).toMatch(/empty/);
    expect(byLine[7]).toMatch(/unknown role "bot"/);
    expect(byLine[8]).toMatch(/non-string content/);
    expect(byLine[9]).toMatch(/no assistant turn/);
    expect(byLine[10]).toMatch(/turn order/);
    expect(byLine[11]).toMatch(/turn order/);
    expect(byLine[12]).toMatch(/too long/);
    expect(byLine[15]).toMatch(/not a JSON object.*string/);
    expect(byLine[16]).toMatch(/not an array/);
    expect(byLine[17]).toMatch(/message 2 \(assistant\) has empty content/);
    expect(byLine[18]).toMatch(/system/);
    expect(byLine[19]).toMatch(/not a JSON object.*null/);
    expect(byLine[20]).toMatch(/message 2 is not an object/);
  });

  it('handles a BOM on the first line and LF-only files the same way', () => {
    const a = parseSftJsonl('\ufeff' + ok('q', 'a') + '\n' + ok('q2', 'a2'));
    expect(a.errors).toEqual([]);
    expect(a.pairs.length).toBe(2);
    const b = parseSftJsonl('\n\n' + ok('q', 'a') + '\nnope\n');
    expect(b.pairs.length).toBe(1);
    expect(b.errors).toEqual([{ line: 4, message: expect.stringMatching(/not valid JSON/) }]);
  });

  it('caps the error list', () => {
    const { errors } = parseSftJsonl(Array(30).fill('x').join('\n'), { maxErrors: 10 });
    expect(errors.length).toBe(11);
    expect(errors[10]).toEqual({ line: 0, message: '… and 20 more errors' });
  });
});

describe('normalizeAnswer', () => {
  it('English: case, punctuation, whitespace', () => {
    expect(normalizeAnswer("China's capital is Beijing.")).toBe('chinas capital is beijing');
    expect(normalizeAnswer('  China’s   CAPITAL is\tBeijing!! ')).toBe('chinas capital is beijing');
    expect(normalizeAnswer('A banana is an elongated, edible fruit.')).toBe('a banana is an elongated edible fruit');
    expect(normalizeAnswer('heart-shaped')).toBe('heart shaped');
    expect(normalizeAnswer('"Beijing"?')).toBe('beijing');
    expect(normalizeAnswer('ＢＥＩＪＩＮＧ！')).toBe('beijing'); // full-width
  });

  it('Chinese: full-width punctuation, book-title marks, stray spaces', () => {
    expect(normalizeAnswer('中国的首都是北京。')).toBe('中国的首都是北京');
    expect(normalizeAnswer('中国的首都是 北京 ！')).toBe('中国的首都是北京');
    expect(normalizeAnswer('电影《泰坦尼克号》讲的是一艘在大海中沉没的船。')).toBe('电影泰坦尼克号讲的是一艘在大海中沉没的船');
    expect(normalizeAnswer('“北京”，对吗？')).toBe('北京对吗');
    expect(normalizeAnswer('我是约翰，一个小型语言模型。')).toBe('我是约翰一个小型语言模型');
    expect(normalizeAnswer('安娜今年３４岁。')).toBe('安娜今年34岁');
    expect(normalizeAnswer('、；：……——')).toBe('');
  });
});
