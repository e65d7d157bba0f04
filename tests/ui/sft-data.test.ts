// The SFT page's pure data logic: table search and paging, edits, the JSONL export round trip, the report of
// characters a char tokenizer cannot encode, the fit of pairs to a context, and the data set and evaluation
// questions picked for a base model. Random inputs, fresh per run (TEST_SEED replays).
import { describe, expect, it } from 'vitest';
import { freshRng } from '../helpers/compare.ts';
import type { Rng } from '../../src/model/reference/random.ts';
import { parseSftJsonl, toSftJsonl } from '../../src/model/sft/jsonl.ts';
import { answerOf, questionOf } from '../../src/model/sft/types.ts';
import { buildCharTokenizer, trainBpe } from '../../src/model/tokenizer/index.ts';
import { fitPairs } from '../../src/model/worker/sft-data.ts';
import { unknownChars } from '../../src/ui/sft/coverage.ts';
import { evalSets, factsDataset, factsWorldKey, worldKeyFor } from '../../src/ui/sft/dataset.ts';
import { SFT_DATA_KEY, clearData, loadData, saveData } from '../../src/ui/sft/persist.ts';
import { SPLITS, addRow, deleteRow, filterRows, pageOf, qaPair, toRows, updateRow, type Row } from '../../src/ui/sft/table.ts';

const WORDS = ['apple', 'Banana', 'red', 'sour', '香蕉', '苹果', 'capital', 'of', 'China', '北京', 'is', 'what'];

function randomSentence(rng: Rng, n: number): string {
  return Array.from({ length: 1 + rng.int(n) }, () => WORDS[rng.int(WORDS.length)]).join(' ');
}

function randomRows(rng: Rng, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i,
    split: SPLITS[rng.int(SPLITS.length)],
    pair: qaPair(randomSentence(rng, 5), randomSentence(rng, 6)),
  }));
}

describe('SFT table', () => {
  it('search keeps exactly the rows containing every word (any case), in order; pages tile the result', () => {
    const { rng, seed } = freshRng();
    const rows = randomRows(rng, 137);
    for (let trial = 0; trial < 20; trial++) {
      const query = Array.from({ length: rng.int(3) }, () => WORDS[rng.int(WORDS.length)])
        .map((w) => (rng.next() < 0.5 ? w.toUpperCase() : w))
        .join('  ');
      const split = rng.next() < 0.3 ? 'all' : SPLITS[rng.int(SPLITS.length)];
      const got = filterRows(rows, query, split);
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const want = rows.filter((r) => {
        const text = `${questionOf(r.pair)}\n${answerOf(r.pair)}`.toLowerCase();
        return (split === 'all' || r.split === split) && words.every((w) => text.includes(w));
      });
      expect(got.map((r) => r.key), `query "${query}" (seed ${seed})`).toEqual(want.map((r) => r.key));

      const size = 1 + rng.int(30);
      const first = pageOf(got, 0, size);
      const pages = Array.from({ length: first.pages }, (_, p) => pageOf(got, p, size));
      expect(pages.flatMap((p) => p.items)).toEqual(got);
      pages.forEach((p, i) => {
        expect(p.page).toBe(i);
        expect(p.first).toBe(i * size);
        expect(p.items.length).toBeLessThanOrEqual(size);
      });
      expect(first.pages).toBe(Math.max(1, Math.ceil(got.length / size)));
      // Out-of-range pages are clamped, never empty while there are rows.
      expect(pageOf(got, first.pages + 5, size).page).toBe(first.pages - 1);
      expect(pageOf(got, -3, size).page).toBe(0);
    }
  });

  it('adds, edits and deletes rows without touching the others; an edited answer forgets its fact', () => {
    const { rng } = freshRng();
    const rows = randomRows(rng, 40);
    rows[7].pair.fact = 'country:china.capital';
    const before = structuredClone(rows);
    const added = addRow(rows, { key: 100, split: 'train', pair: qaPair('New question?', 'New answer.') });
    expect(added[0].key).toBe(100);
    expect(added.slice(1)).toEqual(rows);
    const q = updateRow(rows, 7, { question: 'Changed question?' });
    expect(questionOf(q[7].pair)).toBe('Changed question?');
    expect(q[7].pair.fact).toBe('country:china.capital'); // the question changed, the fact still judges answers
    const a = updateRow(rows, 7, { answer: 'Changed answer.', split: 'heldOut' });
    expect(answerOf(a[7].pair)).toBe('Changed answer.');
    expect(a[7].split).toBe('heldOut');
    expect(a[7].pair.fact).toBeUndefined();
    const d = deleteRow(rows, 7);
    expect(d.map((r) => r.key)).toEqual(rows.map((r) => r.key).filter((k) => k !== 7));
    expect(rows).toEqual(before); // every edit returned a new array; the old rows are intact
    for (const r of [...q, ...a, ...d]) if (r.key !== 7) expect(r).toEqual(rows.find((x) => x.key === r.key));
  });

  it('exports JSONL that imports back to the same conversations (edits, Chinese, quotes, newlines)', () => {
    const { rng } = freshRng();
    let rows = randomRows(rng, 60);
    rows = updateRow(rows, 3, { answer: 'He said "hi"\nand left. <|end|> stays text \\ here' });
    rows = addRow(rows, { key: 99, split: 'train', pair: qaPair('你叫什么名字？', '我叫约翰。') });
    const pairs = rows.map((r) => r.pair);
    const { pairs: back, errors } = parseSftJsonl(toSftJsonl(pairs));
    expect(errors).toEqual([]);
    expect(back.map((p) => p.messages)).toEqual(pairs.map((p) => p.messages));
    expect(back.map((p) => p.lang)).toEqual(pairs.map((p) => p.lang));
  });
});

describe('unknown characters', () => {
  it('reports the characters outside a char vocabulary, with counts and the pairs they touch', () => {
    const { rng, seed } = freshRng();
    const alphabet = [...'abcdefgh ?.你好世界'];
    const vocab = alphabet.filter(() => rng.next() < 0.6);
    const tok = buildCharTokenizer(vocab.join(''));
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[rng.int(alphabet.length)]).join('') || 'a';
    const pairs = Array.from({ length: 50 }, () => qaPair(pick(1 + rng.int(8)), pick(1 + rng.int(8))));
    const report = unknownChars(tok, pairs);

    const known = new Set(vocab);
    const count = new Map<string, number>();
    const inPairs = new Map<string, number>();
    const affected: number[] = [];
    let answers = 0;
    pairs.forEach((p, i) => {
      const chars = [...questionOf(p), ...answerOf(p)].filter((c) => !known.has(c));
      for (const c of chars) count.set(c, (count.get(c) ?? 0) + 1);
      for (const c of new Set(chars)) inPairs.set(c, (inPairs.get(c) ?? 0) + 1);
      if (chars.length) affected.push(i);
      if ([...answerOf(p)].some((c) => !known.has(c))) answers++;
    });
    expect(report.affected, `seed ${seed}`).toEqual(affected);
    expect(report.affectedPairs).toBe(affected.length);
    expect(report.affectedAnswers).toBe(answers);
    expect(new Map(report.chars.map((c) => [c.char, c.count]))).toEqual(count);
    expect(new Map(report.chars.map((c) => [c.char, c.pairs]))).toEqual(inPairs);
    for (let i = 1; i < report.chars.length; i++) expect(report.chars[i - 1].count).toBeGreaterThanOrEqual(report.chars[i].count);
  });

  it('reports nothing for a byte-level BPE tokenizer (it encodes any text)', () => {
    const tok = trainBpe('a small corpus', { vocabSize: 300 });
    expect(unknownChars(tok, [qaPair('什么？', 'Ω!')]).chars).toEqual([]);
  });
});

describe('fitting pairs to the context', () => {
  it('keeps, truncates or skips each pair as its length says', () => {
    const { rng, seed } = freshRng();
    const tok = buildCharTokenizer('abc');
    const T = 5 + rng.int(20);
    const pairs = Array.from({ length: 80 }, () => qaPair('a'.repeat(1 + rng.int(2 * T)), 'b'.repeat(1 + rng.int(T + 2))));
    // Char-level: <|user|> q <|end|> <|assistant|> a <|end|> is |q| + |a| + 4 ids; a row holds T + 1 ids, and a
    // truncated pair keeps <|user|> plus its last T ids, which must hold <|assistant|> a <|end|> (|a| + 2).
    const len = (p: (typeof pairs)[number]) => questionOf(p).length + answerOf(p).length + 4;
    const fits = pairs.filter((p) => len(p) <= T + 1);
    const cuttable = pairs.filter((p) => len(p) > T + 1 && answerOf(p).length + 2 <= T);
    const t = fitPairs(tok, pairs, T, 'truncate');
    expect(t.truncated, `T ${T} (seed ${seed})`).toBe(cuttable.length);
    expect(t.skipped).toBe(pairs.length - fits.length - cuttable.length);
    expect(t.kept).toEqual(pairs.filter((p) => fits.includes(p) || cuttable.includes(p)));
    const s = fitPairs(tok, pairs, T, 'skip');
    expect(s.truncated).toBe(0);
    expect(s.kept).toEqual(fits);
    expect(s.skipped).toBe(pairs.length - fits.length);
  });
});

describe('the data set for a base model', () => {
  it('follows the base corpus’s facts world, else the default', () => {
    expect(factsWorldKey('builtin:facts?size=small')).toBe('builtin:facts?size=small');
    expect(factsWorldKey('builtin:facts')).toBe('builtin:facts?size=tiny');
    expect(factsWorldKey('builtin:facts?size=huge')).toBe('builtin:facts?size=tiny');
    expect(factsWorldKey('builtin:facts?size=tiny&lang=en')).toBe('builtin:facts?size=tiny&lang=en');
    expect(factsWorldKey('builtin:brown')).toBeNull();
    expect(factsWorldKey('file:notes.txt')).toBeNull();
    expect(worldKeyFor([{ stage: 'base', corpus: 'builtin:facts?size=full' }, { stage: 'sft' }])).toBe('builtin:facts?size=full');
    expect(worldKeyFor([{ stage: 'base', corpus: 'builtin:poetry' }])).toBe('builtin:facts?size=tiny');
    expect(worldKeyFor([])).toBe('builtin:facts?size=tiny');
  });

  it('builds an English-only world’s data when the base was pretrained on one', () => {
    const en = factsDataset('builtin:facts?size=tiny&lang=en');
    expect(en.world).toBe('builtin:facts?size=tiny&lang=en');
    expect(en.rows.length).toBeGreaterThan(0);
    expect(en.rows.every((r) => r.pair.lang === 'en')).toBe(true);
    expect(factsDataset('builtin:facts?size=tiny').rows.some((r) => r.pair.lang === 'zh')).toBe(true);
  });

  it('asks held-out questions from the held-out rows only, trained ones from the training rows', () => {
    const { rows } = factsDataset('builtin:facts?size=tiny');
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    const probe = 15;
    const sets = evalSets(rows, probe);
    const trainQ = new Set(rows.filter((r) => r.split === 'train').map((r) => questionOf(r.pair)));
    const heldQ = new Set(rows.filter((r) => r.split !== 'train').map((r) => questionOf(r.pair)));
    expect(sets.train.length).toBe(trainQ.size > 0 ? rows.filter((r) => r.split === 'train').length : 0);
    expect(sets.heldOut.length).toBe(probe);
    expect(sets.trainedProbe.length).toBe(probe);
    for (const p of sets.heldOut) expect(heldQ.has(questionOf(p))).toBe(true);
    for (const p of sets.trainedProbe) expect(trainQ.has(questionOf(p))).toBe(true);
    expect(sets.examples).toEqual([...sets.heldOut.slice(0, 2), ...sets.trainedProbe.slice(0, 2)]);
    // Imported pairs have no facts: trained questions are drawn among all of them.
    const plain = toRows([qaPair('q1?', 'a1.'), qaPair('q2?', 'a2.')], 'train', 0);
    expect(evalSets(plain, 5).trainedProbe.length).toBe(2);
  });
});

describe('keeping the edited data', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
  };

  it('reads a save from before worlds named their languages as the bilingual world of that size', () => {
    const s = memory();
    s.setItem(SFT_DATA_KEY, JSON.stringify({ version: 1, source: 'builtin:facts-qa', worldSize: 'small', rows: [['train', qaPair('q?', 'a.')]] }));
    expect(loadData(s)!.world).toBe('builtin:facts?size=small');
  });

  it('reads back what it saved; damaged or foreign entries are ignored, never half-loaded', () => {
    const { rng } = freshRng();
    const rows = updateRow(randomRows(rng, 30), 4, { answer: '改过的回答。' });
    const s = memory();
    expect(saveData(s, { source: 'file:mine.jsonl', world: 'builtin:facts?size=small&lang=en', rows })).toBe(true);
    const back = loadData(s)!;
    expect(back.source).toBe('file:mine.jsonl');
    expect(back.world).toBe('builtin:facts?size=small&lang=en');
    expect(back.rows.map((r) => [r.split, r.pair])).toEqual(rows.map((r) => [r.split, r.pair]));

    const raw = JSON.parse(s.m.get(SFT_DATA_KEY)!);
    const broken = structuredClone(raw);
    broken.rows[17][1].messages[0].role = 'robot';
    s.setItem(SFT_DATA_KEY, JSON.stringify(broken));
    expect(loadData(s)).toBeNull();
    s.setItem(SFT_DATA_KEY, '{"version":1,"rows":');
    expect(loadData(s)).toBeNull();
    s.setItem(SFT_DATA_KEY, JSON.stringify({ ...raw, version: 99 }));
    expect(loadData(s)).toBeNull();
    clearData(s);
    expect(loadData(s)).toBeNull();
  });

  it('says so when the storage refuses (full or disabled)', () => {
    const full = { getItem: () => null, removeItem: () => {}, setItem: () => { throw new DOMException('full', 'QuotaExceededError'); } };
    expect(saveData(full, { source: 'x', world: null, rows: [] })).toBe(false);
    expect(saveData(undefined, { source: 'x', world: null, rows: [] })).toBe(false);
  });
});
