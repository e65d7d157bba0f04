// The RLHF page's stored rankings and JSONL (src/ui/rlhf/prefs-store.ts, through the engine's prefs.ts), and
// the worker's split of rankings into training and held-out pairs (src/model/worker/rlhf-data.ts): round
// trips of random rankings (awkward texts: quotes, newlines, Chinese, emoji), line-numbered errors,
// refusal of another tokenizer's lines, nothing lost when storage fails or holds garbage.
import { describe, expect, it } from 'vitest';
import { expandRanking, parsePrefsJsonl, type Ranking } from '../../src/model/rlhf/prefs.ts';
import { Rng } from '../../src/model/reference/random.ts';
import { checkRankings, splitRankings } from '../../src/model/worker/rlhf-data.ts';
import { exportRankings, importJsonl, loadRankings, pairCount, PREFS_KEY, saveRankings, stored, usableRankings } from '../../src/ui/rlhf/prefs-store.ts';

const seed = Date.now() % 1_000_000;
console.log(`ui-prefs seed ${seed}`);

const PIECES = ['the', 'capital', '"quoted"', 'back\\slash', 'new\nline', '首都', '是', '🙂', 'tab\there', '{json}', ''];

function text(rng: Rng, words: number): string {
  return Array.from({ length: words }, () => PIECES[rng.int(PIECES.length)]).join(' ');
}

function randomRanking(rng: Rng, fp: string): Ranking {
  const K = 2 + rng.int(8);
  const answers = Array.from({ length: K }, (_, i) => `${i}:${text(rng, 1 + rng.int(5))}`);
  const order = [...Array(K).keys()];
  for (let i = K - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const r: Ranking = { prompt: `q ${text(rng, 3)}`, answers, order, tokenizer: fp, sampler: { temperature: 1, topK: 0, topP: 1 } };
  if (rng.int(2)) r.tied = order.slice(1).map((_, k) => k === 0 && K > 2);
  return r;
}

class MemoryStorage {
  data = new Map<string, string>();
  failWrites = false;
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    if (this.failWrites) throw new DOMException('quota', 'QuotaExceededError');
    this.data.set(k, v);
  }
}

describe('stored rankings and JSONL', () => {
  it('K-way export → import gives the same rankings; pairs export → import gives the same comparisons', () => {
    const rng = new Rng(seed);
    const fp = 'char-0badcafe';
    const rankings = Array.from({ length: 20 }, () => randomRanking(rng, fp));
    const kept = rankings.map((r) => stored(r, 'person'));
    const back = importJsonl(exportRankings(kept, 'rankings'), fp);
    expect(back.errors).toEqual([]);
    expect(back.rankings).toEqual(rankings);
    expect(back.pairLines).toBe(0);

    const pairsText = exportRankings(kept, 'pairs');
    const lines = pairsText.trim().split('\n');
    expect(lines.length).toBe(pairCount(rankings));
    for (const l of lines) expect(Object.keys(JSON.parse(l)).sort()).toEqual(['chosen', 'prompt', 'rejected', 'tokenizer']);
    const viaPairs = importJsonl(pairsText, fp);
    expect(viaPairs.pairLines).toBe(lines.length);
    const asPairs = (rs: Ranking[]) => rs.flatMap((r) => expandRanking(r)).map((p) => JSON.stringify([p.prompt, p.chosen, p.rejected]));
    expect(asPairs(viaPairs.rankings)).toEqual(asPairs(rankings));
    // The engine's own reader agrees with ours on the same file.
    expect(parsePrefsJsonl(pairsText, { fingerprint: fp }).pairs.length).toBe(lines.length);
  });

  it('bad lines are refused with their line numbers; good lines around them are kept', () => {
    const fp = 'char-12345678';
    const good = { prompt: 'p', chosen: 'yes', rejected: 'no', tokenizer: fp };
    const text = [
      JSON.stringify(good),
      '',
      '{"prompt": "p", "chosen": ',
      JSON.stringify({ ...good, tokenizer: 'bpe-ffffffff' }),
      JSON.stringify({ prompt: 'p', answers: ['same', 'same'], order: [0, 1] }),
      JSON.stringify({ prompt: 'p', answers: ['only'], order: [0] }),
      '[1, 2]',
      JSON.stringify({ prompt: 'p', answers: ['a', 'b', 'c'], order: [2, 0, 1], tokenizer: fp }),
    ].join('\r\n');
    const r = importJsonl('\ufeff' + text, fp);
    expect(r.rankings.length).toBe(2);
    expect(r.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(r.errors[0].message).toMatch(/not valid JSON/);
    expect(r.errors[1].message).toMatch(/another tokenizer/);
    expect(r.errors[2].message).toMatch(/identical/);
    expect(r.errors[3].message).toMatch(/at least two answers/);
  });

  it('storage: round trip; a failed write keeps the old list; an unreadable one is copied aside, not overwritten', () => {
    const rng = new Rng(seed + 7);
    const s = new MemoryStorage();
    expect(loadRankings(s)).toEqual({ rankings: [] });
    const a = [stored(randomRanking(rng, 'x'), 'person'), stored(randomRanking(rng, 'x'), 'labeler:terse')];
    saveRankings(s, a);
    expect(loadRankings(s).rankings).toEqual(a);
    s.failWrites = true;
    expect(() => saveRankings(s, [...a, stored(randomRanking(rng, 'x'), 'person')])).toThrow();
    expect(loadRankings(s).rankings).toEqual(a);
    s.failWrites = false;
    s.data.set(PREFS_KEY, '{"v":1,"rankings":[{"no":"id"}]}');
    const bad = loadRankings(s);
    expect(bad.rankings).toEqual([]);
    expect(s.data.get(bad.unreadable!)).toBe('{"v":1,"rankings":[{"no":"id"}]}');
  });

  it('usable rankings are those of this tokenizer (or of none recorded)', () => {
    const rs: Ranking[] = [
      { prompt: 'a', answers: ['x', 'y'], order: [0, 1], tokenizer: 'char-1' },
      { prompt: 'b', answers: ['x', 'y'], order: [0, 1], tokenizer: 'char-2' },
      { prompt: 'c', answers: ['x', 'y'], order: [0, 1] },
    ];
    expect(usableRankings(rs, 'char-1').map((r) => r.prompt)).toEqual(['a', 'c']);
  });
});

describe('splitting rankings for training', () => {
  it('holds out whole prompts, about the asked share, never all; every pair lands on exactly one side', () => {
    const rng = new Rng(seed + 3);
    for (let trial = 0; trial < 20; trial++) {
      const prompts = 2 + rng.int(12);
      const rankings = Array.from({ length: prompts + rng.int(10) }, (_, i) => ({ ...randomRanking(rng, 'f'), prompt: `prompt ${i % prompts}` }));
      const fraction = rng.next() * 0.8;
      const s = splitRankings(rankings, fraction, trial);
      const trainPrompts = new Set(s.train.map((p) => p.prompt));
      for (const p of s.heldOut) expect(trainPrompts.has(p.prompt)).toBe(false);
      expect(s.train.length + s.heldOut.length).toBe(pairCount(rankings));
      expect(s.heldOutPrompts).toBeGreaterThanOrEqual(fraction > 0 ? 1 : 0);
      expect(s.heldOutPrompts).toBeLessThan(prompts);
      expect(Math.abs(s.heldOutPrompts - Math.max(1, Math.round(prompts * fraction)))).toBeLessThanOrEqual(1);
      expect(splitRankings(rankings, fraction, trial)).toEqual(s); // seeded
    }
    expect(splitRankings([{ prompt: 'one', answers: ['a', 'b'], order: [1, 0] }], 0.5, 1).heldOut).toEqual([]);
  });

  it('refuses bad rankings with their number and another tokenizer', () => {
    expect(() => checkRankings([])).toThrow(/no rankings/);
    expect(() => checkRankings([{ prompt: 'p', answers: ['a', 'b'], order: [0, 1] }, { prompt: 'p', answers: ['a', 'b'], order: [0, 0] }])).toThrow(/Ranking 2/);
    expect(() => checkRankings([{ prompt: 'p', answers: ['a', 'b'], order: [0, 1], tokenizer: 'char-1' }], 'char-2')).toThrow(/another tokenizer/);
  });
});
