// The Compare panel's pure rules: probability and difference colours, the log-prob difference, saved
// prompts (damaged storage included), column defaults and tokenizer groups, and the heatmap's summaries.
import { describe, expect, it } from 'vitest';
import { freshRng } from '../helpers/compare.ts';
import { diffColor, fmtProb, logprobDiff, probColor, probPosition } from '../../src/ui/compare/colors.ts';
import { defaultChat, diffProblem, initialPicks, tokenizerGroups } from '../../src/ui/compare/columns.ts';
import { cellAt, heatLayout, rowArgmax } from '../../src/ui/compare/heatmap.ts';
import { addSaved, loadSaved, MAX_SAVED, parseSaved, PRESET_PROMPTS, removeSaved, SAVED_KEY, storeSaved } from '../../src/ui/compare/prompts.ts';
import type { StoredCheckpointInfo } from '../../src/model/checkpoint/store.ts';

const hue = (css: string) => Number(/hsla\((\d+)/.exec(css)?.[1]);

describe('colours', () => {
  it('probability runs red → green on a log scale, monotonically', () => {
    expect(probPosition(1)).toBe(1);
    expect(probPosition(1e-3)).toBe(0);
    expect(probPosition(1e-9)).toBe(0);
    expect(probPosition(0)).toBe(0);
    expect(probPosition(NaN)).toBe(0);
    expect(probPosition(10 ** -1.5)).toBeCloseTo(0.5, 12);
    const { rng } = freshRng();
    const ps = Array.from({ length: 50 }, () => 10 ** (-4 * rng.next())).sort((a, b) => a - b);
    const hues = ps.map((p) => hue(probColor(p)));
    for (let i = 1; i < hues.length; i++) expect(hues[i]).toBeGreaterThanOrEqual(hues[i - 1]);
    expect(hue(probColor(1))).toBe(120);
    expect(hue(probColor(1e-5))).toBe(0);
  });

  it('differences: blue when more likely elsewhere, orange when less, none when unscored', () => {
    expect(hue(diffColor(0.5))).toBe(215);
    expect(hue(diffColor(-0.5))).toBe(28);
    expect(diffColor(null)).toBe('transparent');
    const alpha = (d: number) => Number(/,\s*([\d.]+)\)$/.exec(diffColor(d))?.[1]);
    expect(alpha(2)).toBeGreaterThan(alpha(1));
    expect(alpha(10)).toBe(alpha(3)); // saturates
  });

  it('logprobDiff subtracts this model’s log-prob, keeping unscored tokens null', () => {
    const { rng } = freshRng();
    const own = Array.from({ length: 9 }, () => -5 * rng.next());
    const other = own.map((_, i) => (i % 4 === 0 ? null : -5 * rng.next()));
    const d = logprobDiff(other, own);
    d.forEach((x, i) => (other[i] === null ? expect(x).toBeNull() : expect(x).toBeCloseTo(other[i]! - own[i], 12)));
  });

  it('formats probabilities as percentages', () => {
    expect(fmtProb(0.5, 'en')).toBe('50%');
    expect(fmtProb(0.12345, 'en')).toBe('12.3%');
    expect(fmtProb(1e-6, 'en')).toBe('<0.01%');
  });
});

describe('saved prompts', () => {
  it('add, dedupe, delete, cap', () => {
    let list = addSaved([], 'The sky is', 'a');
    list = addSaved(list, 'A banana is', 'b');
    list = addSaved(list, 'The sky is', 'c'); // moves to the end, not repeated
    expect(list.map((p) => [p.id, p.text])).toEqual([['b', 'A banana is'], ['c', 'The sky is']]);
    expect(addSaved(list, '   ', 'd')).toHaveLength(2);
    expect(removeSaved(list, 'b').map((p) => p.id)).toEqual(['c']);
    for (let i = 0; i < MAX_SAVED + 5; i++) list = addSaved(list, `p${i}`, `id${i}`);
    expect(list).toHaveLength(MAX_SAVED);
    expect(list[list.length - 1].text).toBe(`p${MAX_SAVED + 4}`);
  });

  it('reads damaged storage as nothing saved, and skips bad entries', () => {
    for (const bad of [null, '', '{', '42', '{"a":1}', 'null']) expect(parseSaved(bad)).toEqual([]);
    const mixed = JSON.stringify([{ id: 'x', text: 'ok', savedAt: 't' }, { id: 'y' }, null, { id: 'x', text: 'dup' }, { id: 'z', text: '  ' }, 'str']);
    expect(parseSaved(mixed)).toEqual([{ id: 'x', text: 'ok', savedAt: 't' }]);
  });

  it('round-trips through a Storage, and reports a storage that refuses', () => {
    const m = new Map<string, string>();
    const storage = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    const list = addSaved([], 'Q: hi\nA:', 'q');
    expect(storeSaved(storage, list)).toBe(true);
    expect(m.has(SAVED_KEY)).toBe(true);
    expect(loadSaved(storage)).toEqual(list);
    const full = { setItem: () => { throw new DOMException('full', 'QuotaExceededError'); } };
    expect(storeSaved(full, list)).toBe(false);
    expect(loadSaved(null)).toEqual([]);
    expect(loadSaved({ getItem: () => { throw new Error('blocked'); } })).toEqual([]);
  });

  it('presets cover the seed’s prompts', () => {
    const texts = PRESET_PROMPTS.map((p) => p.text);
    for (const s of ['A banana is', 'I want to buy a new car', 'The sky is', 'Complete the sentence: The sky is', "What's the capital of China?"]) expect(texts).toContain(s);
    const capital = PRESET_PROMPTS.filter((p) => p.text === "What's the capital of China?").map((p) => p.chat).sort();
    expect(capital).toEqual(['off', 'on']);
    expect(PRESET_PROMPTS.some((p) => p.text.split('\n').length > 3)).toBe(true); // few-shot
  });
});

describe('columns', () => {
  const info = (id: string, stage: StoredCheckpointInfo['stage'], updatedAt: string, autosave = false) => ({ id, stage, updatedAt, autosave }) as StoredCheckpointInfo;

  it('chat template by default for every stage but base', () => {
    expect(defaultChat('base')).toBe(false);
    for (const s of ['sft', 'rlhf', 'dpo', 'reward'] as const) expect(defaultChat(s)).toBe(true);
    expect(defaultChat(undefined)).toBe(false);
  });

  it('groups tokenizers by first appearance', () => {
    expect(tokenizerGroups(['x', 'y', 'x', null, 'z'])).toEqual([1, 2, 1, 0, 3]);
  });

  it('a difference needs two finished columns with the same tokenizer and a stored checkpoint', () => {
    const a = { colId: 'a', busy: false, fingerprint: 'f', deleted: false };
    expect(diffProblem(a, { ...a, colId: 'b' })).toBeNull();
    expect(diffProblem(a, a)).toBe('same');
    expect(diffProblem(a, { ...a, colId: 'b', busy: true })).toBe('unfinished');
    expect(diffProblem(a, { ...a, colId: 'b', fingerprint: null })).toBe('unfinished');
    expect(diffProblem(a, { ...a, colId: 'b', fingerprint: 'g' })).toBe('tokenizer');
    expect(diffProblem(a, { ...a, colId: 'b', deleted: true })).toBe('deleted');
  });

  it('first picks: newest of each stage in pipeline order; one checkpoint twice', () => {
    const list = [info('b1', 'base', '1'), info('s1', 'sft', '2'), info('b2', 'base', '3'), info('r1', 'rlhf', '4'), info('auto', 'base', '9', true)];
    expect(initialPicks(list)).toEqual([
      { checkpointId: 'b2', chat: false },
      { checkpointId: 's1', chat: true },
      { checkpointId: 'r1', chat: true },
    ]);
    expect(initialPicks([info('b1', 'base', '1')])).toEqual([
      { checkpointId: 'b1', chat: false },
      { checkpointId: 'b1', chat: true },
    ]);
    expect(initialPicks([info('b1', 'base', '1'), info('b2', 'base', '2')]).map((p) => p.checkpointId)).toEqual(['b2', 'b1']);
    expect(initialPicks([])).toEqual([]);
  });
});

describe('heatmap helpers', () => {
  it('row argmax stays causal and finds the largest weight', () => {
    const { rng } = freshRng();
    const T = 9;
    const att = new Float64Array(T * T);
    for (let t = 0; t < T; t++) for (let s = 0; s <= t; s++) att[t * T + s] = rng.next();
    for (let t = 0; t < T; t++) att[t * T + T - 1] = t === T - 1 ? att[t * T + T - 1] : 5; // masked cells must be ignored
    rowArgmax(att, T).forEach(({ to, w }, t) => {
      expect(to).toBeLessThanOrEqual(t);
      expect(w).toBe(Math.max(...Array.from(att.subarray(t * T, t * T + t + 1))));
    });
  });

  it('layout fits the map and maps points back to cells', () => {
    for (const T of [1, 7, 64, 257]) {
      const l = heatLayout(T);
      expect(l.size).toBe(l.margin + l.cell * T);
      expect(l.cell * l.labelEvery).toBeGreaterThanOrEqual(10);
      expect(cellAt(l.margin + 0.5, l.margin + 0.5, l, T)).toEqual({ row: 0, col: 0 });
      expect(cellAt(l.size - 0.5, l.size - 0.5, l, T)).toEqual({ row: T - 1, col: T - 1 });
      expect(cellAt(l.margin - 1, l.margin + 1, l, T)).toBeNull();
    }
  });
});
