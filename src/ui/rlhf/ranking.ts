// The ranking a person is making of K answers, as plain data the components render: each answer's place
// (1 = best; null = not placed yet). Clicking "1st", "2nd"… on an answer gives it that place; without ties
// a place belongs to one answer, so the answer that held it gives it up. Dragging an answer onto another
// puts it just before that one and numbers every answer 1…K in the resulting order. Pure TypeScript
// (tested in Node, tests/rlhf/ui-ranking.test.ts).
import { rankingProblem, type Ranking } from '../../model/rlhf/prefs.ts';

export type Places = readonly (number | null)[];

export function emptyPlaces(k: number): (number | null)[] {
  return Array.from({ length: k }, () => null);
}

/** Gives answer `i` place `place` (1…K); clicking the place it already has takes it back. */
export function assignPlace(places: Places, i: number, place: number, tiesAllowed: boolean): (number | null)[] {
  const K = places.length;
  if (!Number.isInteger(i) || i < 0 || i >= K) throw new RangeError(`answer ${i} is not one of 0…${K - 1}`);
  if (!Number.isInteger(place) || place < 1 || place > K) throw new RangeError(`place ${place} is not one of 1…${K}`);
  const out = [...places];
  if (out[i] === place) {
    out[i] = null;
    return out;
  }
  if (!tiesAllowed) for (let j = 0; j < K; j++) if (j !== i && out[j] === place) out[j] = null;
  out[i] = place;
  return out;
}

/** Answer indices best first: placed answers by place (ties by index), then the unplaced ones. */
export function currentOrder(places: Places): number[] {
  const key = (i: number) => places[i] ?? Infinity;
  return places.map((_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
}

/** Moves answer `from` just before answer `before` (or to the end when `before` is null); every answer is then placed 1…K. */
export function dropBefore(places: Places, from: number, before: number | null): number[] {
  const order = currentOrder(places);
  if (before !== from) {
    order.splice(order.indexOf(from), 1);
    const at = before === null ? order.length : order.indexOf(before);
    order.splice(at < 0 ? order.length : at, 0, from);
  }
  const out = new Array<number>(places.length);
  order.forEach((i, k) => (out[i] = k + 1));
  return out;
}

/** When ties are switched off, ties already made are broken (by answer order) so each place is one answer's. */
export function breakTies(places: Places): (number | null)[] {
  const out = [...places];
  const order = currentOrder(places).filter((i) => places[i] !== null);
  order.forEach((i, k) => (out[i] = k + 1));
  return out;
}

export type RankingIssue =
  | { kind: 'too-few' }
  | { kind: 'identical' }
  | { kind: 'unplaced'; count: number }
  | { kind: 'all-tied' }
  | { kind: 'other'; message: string };

/** Why the ranking cannot be saved yet (null: it can). */
export function rankingIssue(answers: readonly string[], places: Places): RankingIssue | null {
  if (answers.length < 2) return { kind: 'too-few' };
  if (answers.every((a) => a === answers[0])) return { kind: 'identical' };
  const unplaced = places.filter((p) => p === null).length;
  if (unplaced > 0) return { kind: 'unplaced', count: unplaced };
  if (places.every((p) => p === places[0])) return { kind: 'all-tied' };
  const problem = rankingProblem(toRanking('x', answers, places));
  return problem ? { kind: 'other', message: problem } : null;
}

/** The finished ranking in prefs.ts's form: order best first, tied[k] when order[k] and order[k+1] share a place. */
export function toRanking(prompt: string, answers: readonly string[], places: Places, extra: Partial<Ranking> = {}): Ranking {
  if (places.length !== answers.length) throw new Error(`${places.length} places for ${answers.length} answers`);
  const order = currentOrder(places);
  const tied = order.slice(1).map((i, k) => places[i] !== null && places[i] === places[order[k]]);
  const r: Ranking = { ...extra, prompt, answers: [...answers], order };
  if (tied.some(Boolean)) r.tied = tied;
  return r;
}

/** The place (1 = best) of each position of a stored ranking's order: tied answers share the better place. */
export function positionPlaces(r: Pick<Ranking, 'order' | 'tied'>): number[] {
  const out: number[] = [];
  r.order.forEach((_, k) => out.push(k > 0 && r.tied?.[k - 1] ? out[k - 1] : k + 1));
  return out;
}

/** 1 → "1st" … in English; the page's strings do the translation, this only picks the ordinal suffix. */
export function ordinalSuffix(n: number): 'st' | 'nd' | 'rd' | 'th' {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  return n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
}
