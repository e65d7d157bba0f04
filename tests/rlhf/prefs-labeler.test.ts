// Preference records (ranking → pairs, JSONL round trip, validation with line numbers) and the simulated
// labeler's rules on the facts world.
import { describe, expect, it } from 'vitest';
import {
  expandRanking,
  pairsToJsonl,
  parsePrefsJsonl,
  rankByScore,
  rankingsToJsonl,
  tokenizerFingerprint,
  type Ranking,
} from '../../src/model/rlhf/prefs.ts';
import { getLabeler, labelAnswer, labelRanking, LABELERS } from '../../src/model/rlhf/labeler.ts';
import { rlhfPrompts, factsWorldOf, heldOutPromptCount, rewardPromptSplit } from '../../src/model/rlhf/prompts.ts';
import { makeFactsWorld, renderFact } from '../../src/data/index.ts';
import { factOf } from '../../src/model/sft/eval.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import { formatPaired, pairedDifference, type ScoreSummary } from '../../src/model/rlhf/collect.ts';
import { freshRng } from '../helpers/compare.ts';

describe('rankings and pairs', () => {
  it('a strict K-way ranking expands into C(K, 2) best-first pairs', () => {
    const { rng } = freshRng();
    for (const K of [2, 3, 5, 7]) {
      const answers = Array.from({ length: K }, (_, i) => `answer ${i}`);
      const order = answers.map((_, i) => i).sort(() => rng.next() - 0.5);
      const pairs = expandRanking({ prompt: 'q', answers, order });
      expect(pairs).toHaveLength((K * (K - 1)) / 2);
      const rank = new Map(order.map((a, k) => [`answer ${a}`, k]));
      for (const p of pairs) expect(rank.get(p.chosen)!).toBeLessThan(rank.get(p.rejected)!);
    }
  });

  it('ties and identical answers give no pair; ranking by score is deterministic', () => {
    const r = rankByScore('q', ['a', 'b', 'c', 'd'], [1, 3, 1, 0]);
    expect(r.order).toEqual([1, 0, 2, 3]); // equal scores keep answer order
    expect(r.tied).toEqual([false, true, false]);
    const pairs = expandRanking(r).map((p) => `${p.chosen}>${p.rejected}`);
    expect(pairs).toEqual(['b>a', 'b>c', 'b>d', 'a>d', 'c>d']); // no a/c pair
    expect(expandRanking({ prompt: 'q', answers: ['x', 'x', 'y'], order: [0, 1, 2] }).map((p) => p.chosen + p.rejected)).toEqual(['xy', 'xy']);
    // all tied: a valid record (the labeler saw no difference) with no pairs
    const allTied = parsePrefsJsonl(JSON.stringify({ prompt: 'q', answers: ['a', 'b'], order: [1, 0], tied: [true] }));
    expect(allTied.errors).toEqual([]);
    expect(allTied.rankings).toHaveLength(1);
    expect(allTied.pairs).toEqual([]);
  });

  it('JSONL round trip in both forms; bad lines are reported with their numbers', () => {
    const fp = 'char-0000abcd';
    const r: Ranking = { prompt: 'What colour is a banana?', answers: ['Yellow.', 'Blue.', 'A banana is yellow.'], order: [2, 0, 1], tokenizer: fp };
    const text = rankingsToJsonl([r]) + pairsToJsonl([{ prompt: 'p', chosen: 'good', rejected: 'bad' }]);
    const back = parsePrefsJsonl(text, { fingerprint: fp });
    expect(back.errors).toEqual([]);
    expect(back.rankings).toEqual([r]);
    expect(back.pairs).toHaveLength(4);
    expect(back.pairs[3]).toEqual({ prompt: 'p', chosen: 'good', rejected: 'bad' });

    const bad = [
      JSON.stringify({ prompt: 'p', answers: ['only one'], order: [0] }),
      JSON.stringify({ prompt: 'p', answers: ['same', 'same'], order: [0, 1] }),
      JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b', tokenizer: 'bpe-12345678' }),
      '{"prompt": "p", "chosen": "a"',
      JSON.stringify({ prompt: 'p', answers: ['a', 'b'], order: [0, 0] }),
      JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'a' }),
      JSON.stringify({ prompt: 'p', text: 'hello' }),
      JSON.stringify({ chosen: 'a', rejected: 'b' }),
    ].join('\n');
    const { errors, pairs } = parsePrefsJsonl(bad, { fingerprint: fp });
    expect(pairs).toEqual([]);
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(errors[0].message).toMatch(/at least two answers/);
    expect(errors[1].message).toMatch(/identical/);
    expect(errors[2].message).toMatch(/another tokenizer/);
    expect(errors[3].message).toMatch(/not valid JSON/);
    expect(errors[4].message).toMatch(/twice/);
    expect(errors[5].message).toMatch(/identical/);
    expect(errors[6].message).toMatch(/neither a pair/);
    expect(errors[7].message).toMatch(/no "prompt"/);
  });

  it('the tokenizer fingerprint tells tokenizers apart', () => {
    const a = buildCharTokenizer(['abc']);
    expect(tokenizerFingerprint(a)).toBe(tokenizerFingerprint(buildCharTokenizer(['abc'])));
    expect(tokenizerFingerprint(a)).not.toBe(tokenizerFingerprint(buildCharTokenizer(['abd'])));
    expect(tokenizerFingerprint(a)).toMatch(/^char-[0-9a-f]{8}$/);
  });
});

describe('simulated labeler', () => {
  const world = makeFactsWorld({ size: 'tiny' });
  const { train, heldOut, heldOutFacts } = rlhfPrompts(world);

  it('prompts: trained questions with facts; held out: the same facts in unseen phrasings, and held-out facts apart', () => {
    expect(train.length).toBeGreaterThan(20);
    expect(heldOut.length).toBeGreaterThan(5);
    const trainQ = new Set(train.map((p) => `${p.lang}|${p.messages[0].content}`));
    const trainFacts = new Set(train.map((p) => p.fact));
    expect(heldOut.every((p) => p.fact !== undefined && !trainQ.has(`${p.lang}|${p.messages[0].content}`))).toBe(true);
    expect(heldOut.filter((p) => trainFacts.has(p.fact)).length).toBeGreaterThan(heldOut.length / 2);
    expect(heldOutFacts.length).toBeGreaterThan(5);
    const heldFacts = new Set(heldOutFacts.map((p) => p.fact));
    expect(train.some((p) => heldFacts.has(p.fact))).toBe(false);
    expect(factsWorldOf({ meta: { lineage: [{ stage: 'base', corpus: 'builtin:facts?size=tiny' }] } as never })?.size).toBe('tiny');
    expect(factsWorldOf({ meta: { lineage: [{ stage: 'base', corpus: 'poems.txt' }] } as never })).toBeUndefined();
  });

  it('reward-model prompts: training and held-out questions never overlap, even when the pool runs short', () => {
    const q = (p: { messages: { content: string }[] }) => p.messages[0].content;
    for (const n of [1, 13, 48, train.length - 3, train.length * 2]) {
      const split = rewardPromptSplit(train, n, 7);
      const held = new Set(split.heldOut.map(q));
      expect(split.train).toHaveLength(Math.min(n, train.length - split.heldOut.length)); // drawn without replacement
      expect(split.heldOut.length).toBeGreaterThan(0);
      expect(split.heldOut.length).toBeLessThanOrEqual(heldOutPromptCount(n));
      expect(held.size).toBe(split.heldOut.length);
      expect(split.train.some((p) => held.has(q(p)))).toBe(false);
      expect(split.heldOut.every((p) => p.fact !== undefined)).toBe(true);
    }
    expect(heldOutPromptCount(48)).toBe(12);
    expect(heldOutPromptCount(3)).toBe(4);
  });

  it('rules: the right fact in a sentence beats a wrong, rambling or repetitive one', () => {
    const pair = train.find((p) => p.lang === 'en')!;
    const fact = factOf(world, pair)!;
    const right = pair.messages[1].content;
    const other = world.facts.find((f) => f.relation === fact.relation && f.lang === 'en' && f.value !== fact.value)!;
    const wrong = right.replace(fact.value, other.value);
    const l = getLabeler('labeler:default');
    const s = (a: string) => labelAnswer(l, pair.messages[0].content, a, { pair, world });
    expect(s(right).rules.find((r) => r.rule === 'correct')!.value).toBe(1);
    expect(s(wrong).rules.find((r) => r.rule === 'correct')!.value).toBe(0);
    expect(s(right).total).toBeGreaterThan(s(wrong).total);
    expect(s(right).total).toBeGreaterThan(s(right.toLowerCase().replace(/[.!?]$/, '')).total);
    expect(s(right).total).toBeGreaterThan(s(`${right} ${right} ${right}`).total);
    const parts = s(right).rules;
    expect(parts.reduce((a, r) => a + r.contribution, 0)).toBeCloseTo(s(right).total, 9);
    // labelers weight the rules differently
    const polite = `Sure! ${right} Thank you for asking.`;
    expect(labelAnswer(getLabeler('polite'), '', polite, { pair, world }).total).toBeGreaterThan(labelAnswer(getLabeler('polite'), '', right, { pair, world }).total);
    expect(labelAnswer(getLabeler('terse'), '', polite, { pair, world }).total).toBeLessThan(labelAnswer(getLabeler('terse'), '', right, { pair, world }).total);
    expect(Object.keys(LABELERS)).toEqual(expect.arrayContaining(['default', 'polite', 'terse']));
    expect(() => getLabeler('labeler:nice')).toThrow(/unknown labeler 'nice'.*labeler:default/);
  });

  it('Chinese answers and a ranking of K answers', () => {
    const pair = train.find((p) => p.lang === 'zh')!;
    const fact = factOf(world, pair)!;
    const right = renderFact(world, fact, `${fact.relation}.zh.0`);
    const r = labelRanking(getLabeler('default'), pair.messages[0].content, ['', right, right + right, '不知道'], { pair, world });
    expect(r.order[0]).toBe(1);
    expect(r.labeler).toBe('default');
    expect(r.fact).toBe(pair.fact);
    expect(r.scores).toHaveLength(4);
    // a lone full stop is no sentence (DPO found that loophole in an earlier version of the rule)
    const stop = labelAnswer(getLabeler('default'), pair.messages[0].content, '。', { pair, world });
    expect(stop.rules.find((x) => x.rule === 'sentence')!.value).toBe(0);
  });
});

describe('paired score difference', () => {
  const summary = (perPrompt: number[]): ScoreSummary => ({
    mean: perPrompt.reduce((a, b) => a + b, 0) / perPrompt.length, stderr: 0, rules: {} as ScoreSummary['rules'], n: perPrompt.length, answers: perPrompt.length, examples: [], perPrompt,
  });

  it('is the mean per-prompt difference, with its standard error over prompts', () => {
    // d = [1, 0, 2]: mean 1, sample variance ((0)² + (−1)² + (1)²) / 2 = 1, standard error √(1/3)
    const d = pairedDifference(summary([1, 2, 3]), summary([0, 2, 1]));
    expect(d.mean).toBeCloseTo(1, 12);
    expect(d.stderr).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(d.prompts).toBe(3);
    expect(formatPaired(d)).toBe('+1.000 ± 0.577 (paired over 3 prompts)');
    expect(formatPaired({ mean: -0.25, stderr: 0.1, prompts: 2 })).toBe('-0.250 ± 0.100 (paired over 2 prompts)');
    // a shift shared by every prompt (question difficulty) leaves no error at all
    const shifted = pairedDifference(summary([3, -1, 7, 0.5]), summary([2.5, -1.5, 6.5, 0]));
    expect(shifted.mean).toBeCloseTo(0.5, 12);
    expect(shifted.stderr).toBeCloseTo(0, 12);
  });

  it('refuses scores of different prompts', () => {
    expect(() => pairedDifference(summary([1, 2]), summary([1, 2, 3]))).toThrow(/same prompts/);
    expect(() => pairedDifference(summary([]), summary([]))).toThrow(/same prompts/);
  });
});
