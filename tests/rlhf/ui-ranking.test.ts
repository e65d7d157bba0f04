// The RLHF page's ranking state (src/ui/rlhf/ranking.ts): clicking places with and without ties, dragging,
// breaking ties, and the finished ranking checked against prefs.ts (expandRanking gives the pairs the
// person meant). Random rankings are drawn fresh each run (seed logged).
import { describe, expect, it } from 'vitest';
import { expandRanking, rankingProblem } from '../../src/model/rlhf/prefs.ts';
import { Rng } from '../../src/model/reference/random.ts';
import { assignPlace, breakTies, currentOrder, dropBefore, emptyPlaces, ordinalSuffix, positionPlaces, rankingIssue, toRanking } from '../../src/ui/rlhf/ranking.ts';

const seed = Date.now() % 1_000_000;
console.log(`ui-ranking seed ${seed}`);

function shuffle(n: number, rng: Rng): number[] {
  const a = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('ranking state', () => {
  it('clicking places best-first in a random order gives exactly the intended strict ranking and C(K,2) pairs', () => {
    const rng = new Rng(seed);
    for (let trial = 0; trial < 50; trial++) {
      const K = 2 + rng.int(8); // 2…9
      const answers = Array.from({ length: K }, (_, i) => `answer ${i} ${rng.int(1000)}`);
      const intended = shuffle(K, rng); // intended[p] = answer at place p+1
      let places = emptyPlaces(K);
      for (const p of shuffle(K, rng)) places = assignPlace(places, intended[p], p + 1, false);
      expect(rankingIssue(answers, places)).toBeNull();
      const r = toRanking('q', answers, places);
      expect(r.order).toEqual(intended);
      expect(r.tied).toBeUndefined();
      expect(rankingProblem(r)).toBeNull();
      const pairs = expandRanking(r);
      expect(pairs.length).toBe((K * (K - 1)) / 2);
      // Every pair prefers the answer the person placed higher.
      const placeOf = new Map(intended.map((a, p) => [answers[a], p]));
      for (const pair of pairs) expect(placeOf.get(pair.chosen)!).toBeLessThan(placeOf.get(pair.rejected)!);
    }
  });

  it('without ties a place belongs to one answer; clicking it again takes it back', () => {
    let p = emptyPlaces(3);
    p = assignPlace(p, 0, 1, false);
    p = assignPlace(p, 1, 1, false);
    expect(p).toEqual([null, 1, null]);
    p = assignPlace(p, 1, 1, false);
    expect(p).toEqual([null, null, null]);
    expect(() => assignPlace(p, 3, 1, false)).toThrow(RangeError);
    expect(() => assignPlace(p, 0, 4, false)).toThrow(RangeError);
  });

  it('ties: shared places become tied neighbours, pairs skip tied answers, switching ties off breaks them', () => {
    const answers = ['a', 'b', 'c', 'd'];
    let p = emptyPlaces(4);
    p = assignPlace(p, 2, 1, true);
    p = assignPlace(p, 0, 2, true);
    p = assignPlace(p, 3, 2, true);
    p = assignPlace(p, 1, 4, true);
    expect(rankingIssue(answers, p)).toBeNull();
    const r = toRanking('q', answers, p);
    expect(r.order).toEqual([2, 0, 3, 1]);
    expect(r.tied).toEqual([false, true, false]);
    // c > a, c > d, c > b, a > b, d > b: C(4,2) − 1 tied pair.
    expect(expandRanking(r).map((x) => x.chosen + x.rejected).sort()).toEqual(['ab', 'ca', 'cb', 'cd', 'db']);
    expect(breakTies(p)).toEqual([2, 4, 1, 3]);
    // Back from the stored form: the tied pair shares place 2, the last one is 4th.
    expect(positionPlaces(r)).toEqual([1, 2, 2, 4]);
    expect(positionPlaces({ order: [2, 0, 1], tied: [true, true] })).toEqual([1, 1, 1]);
  });

  it('refuses what cannot be a ranking: fewer than two answers, identical answers, unplaced answers, all tied', () => {
    expect(rankingIssue(['only'], [1])?.kind).toBe('too-few');
    expect(rankingIssue(['same', 'same', 'same'], [1, 2, 3])?.kind).toBe('identical');
    expect(rankingIssue(['a', 'b', 'c'], [1, null, 2])).toEqual({ kind: 'unplaced', count: 1 });
    expect(rankingIssue(['a', 'b', 'c'], [1, 1, 1])?.kind).toBe('all-tied');
  });

  it('dragging an answer before another renumbers all of them in the new order', () => {
    const rng = new Rng(seed + 1);
    for (let trial = 0; trial < 30; trial++) {
      const K = 2 + rng.int(8);
      const start = shuffle(K, rng).map((x) => x + 1);
      const order = currentOrder(start);
      const from = rng.int(K);
      const before = rng.int(K + 1) === K ? null : rng.int(K);
      const want = order.filter((i) => i !== from);
      if (before === from) want.splice(order.indexOf(from), 0, from);
      else want.splice(before === null ? want.length : want.indexOf(before), 0, from);
      const after = dropBefore(start, from, before);
      expect(currentOrder(after)).toEqual(want);
      expect([...after].sort((a, b) => a - b)).toEqual([...Array(K).keys()].map((i) => i + 1));
    }
    // Unplaced answers come last and get places too.
    expect(dropBefore([null, 1, null], 2, 1)).toEqual([3, 2, 1]);
  });

  it('ordinal suffixes', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map((n) => n + ordinalSuffix(n))).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
  });
});
