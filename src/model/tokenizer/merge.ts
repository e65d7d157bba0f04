// Applying learned BPE merges to one pre-token ("word"), by rank: repeatedly merge the adjacent pair with the
// lowest rank, leftmost occurrence first. Equivalent to replaying the training merges in order, because a
// merge only creates pairs that contain the new token, and those were learned later (higher rank).

/** Pair key of ids a, b (both < PAIR_BASE). Stays a small integer (< 2^28) so Map keys are fast. */
export const PAIR_BASE = 16384;

export interface MergeTable {
  /** pair key → rank (merge index) */
  ranks: Map<number, number>;
  /** id of the token that merge `rank` creates is firstMergeId + rank */
  firstMergeId: number;
}

/** Simple O(n²) form, fast for the short words that are almost all of real text. Works in place. */
export function applyMergesShort(syms: number[], t: MergeTable): number[] {
  const { ranks, firstMergeId } = t;
  for (;;) {
    let best = Infinity;
    let bi = -1;
    for (let i = 0; i + 1 < syms.length; i++) {
      const r = ranks.get(syms[i] * PAIR_BASE + syms[i + 1]);
      if (r !== undefined && r < best) {
        best = r;
        bi = i;
      }
    }
    if (bi < 0) return syms;
    const a = syms[bi];
    const b = syms[bi + 1];
    const z = firstMergeId + best;
    let w = bi;
    for (let i = bi; i < syms.length; ) {
      if (syms[i] === a && i + 1 < syms.length && syms[i + 1] === b) {
        syms[w++] = z;
        i += 2;
      } else syms[w++] = syms[i++];
    }
    syms.length = w;
  }
}

/** O(n log n) form for long words (long whitespace runs, long runs of letters or ideographs). */
export function applyMergesLong(syms: number[], t: MergeTable): number[] {
  const { ranks, firstMergeId } = t;
  const n = syms.length;
  if (n < 2) return syms;
  const sym = Int32Array.from(syms);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  // min-heap of (rank, position), position breaks ties (leftmost first)
  const hr: number[] = [];
  const hp: number[] = [];
  const less = (i: number, j: number) => hr[i] < hr[j] || (hr[i] === hr[j] && hp[i] < hp[j]);
  const swap = (i: number, j: number) => {
    const r = hr[i], p = hp[i];
    hr[i] = hr[j];
    hp[i] = hp[j];
    hr[j] = r;
    hp[j] = p;
  };
  const push = (r: number, p: number) => {
    hr.push(r);
    hp.push(p);
    for (let i = hr.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!less(i, up)) break;
      swap(i, up);
      i = up;
    }
  };
  const pop = () => {
    const last = hr.length - 1;
    swap(0, last);
    hr.pop();
    hp.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < hr.length && less(l, m)) m = l;
      if (r < hr.length && less(r, m)) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
  };
  const rankAt = (p: number): number | undefined => {
    const q = next[p];
    return q < 0 ? undefined : ranks.get(sym[p] * PAIR_BASE + sym[q]);
  };
  for (let i = 0; i + 1 < n; i++) {
    const r = rankAt(i);
    if (r !== undefined) push(r, i);
  }
  while (hr.length > 0) {
    const r = hr[0];
    const p = hp[0];
    pop();
    if (!alive[p] || rankAt(p) !== r) continue; // stale: a neighbour was merged since
    const q = next[p];
    sym[p] = firstMergeId + r;
    alive[q] = 0;
    next[p] = next[q];
    if (next[q] >= 0) prev[next[q]] = p;
    if (prev[p] >= 0) {
      const rl = rankAt(prev[p]);
      if (rl !== undefined) push(rl, prev[p]);
    }
    const rr = rankAt(p);
    if (rr !== undefined) push(rr, p);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(sym[i]);
  return out;
}

export function applyMerges(syms: number[], t: MergeTable): number[] {
  return syms.length <= 48 ? applyMergesShort(syms, t) : applyMergesLong(syms, t);
}
