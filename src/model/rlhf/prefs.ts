// Human (or simulated) preferences, as InstructGPT collects them: a labeler ranks K answers to one prompt,
// and each K-way ranking gives C(K, 2) comparisons (fewer when some answers are tied or identical).
//
// JSONL, one record per line, either form on any line:
//   pair    {"prompt": "…", "chosen": "…", "rejected": "…"}                      (TRL's preference form)
//   ranking {"prompt": "…", "answers": ["…", …], "order": [2, 0, 1],             (indices, best first)
//            "tied": [false, true]?,    (tied[i]: order[i] and order[i+1] are equally good)
//            "scores": [..]?, "labeler": "default"?, "sampler": {temperature, topK, topP}?}
// Both may carry "tokenizer": the fingerprint of the tokenizer the answers were sampled with; a file made
// with another model's tokenizer is refused (its answers were never this model's samples). Unknown fields
// are ignored. Parsing never throws: each bad line is { line (1-based), message } and is skipped.
import type { SamplerSettings } from '../sample.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { hashString } from '../../data/rng.ts';

export interface Ranking {
  prompt: string;
  answers: string[];
  /** Indices into answers, best first; a permutation of 0 … K−1. */
  order: number[];
  /** tied[i]: order[i] and order[i+1] are equally good (length K−1). Absent: a strict ranking. All tied is
   *  allowed (the labeler saw no difference) and gives no pairs. */
  tied?: boolean[];
  /** The labeler's score of each answer (by answer index), when a labeler ranked them. */
  scores?: number[];
  labeler?: string;
  sampler?: SamplerSettings;
  /** tokenizerFingerprint of the model that sampled the answers. */
  tokenizer?: string;
  /** The facts-qa pair the prompt came from (fact key, language), for the labeler's correctness rule. */
  fact?: string;
  lang?: 'en' | 'zh';
}

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  tokenizer?: string;
}

export interface PrefsError {
  line: number;
  message: string;
}

/** A short, stable fingerprint of a tokenizer's state: `char-1a2b3c4d` / `bpe-…`. */
export function tokenizerFingerprint(tokenizer: Pick<Tokenizer, 'toJSON' | 'kind'>): string {
  return `${tokenizer.kind}-${hashString(JSON.stringify(tokenizer.toJSON())).toString(16).padStart(8, '0')}`;
}

/** The first problem of a ranking as a sentence, or null. */
export function rankingProblem(r: Ranking): string | null {
  const K = r.answers.length;
  if (K < 2) return `a ranking needs at least two answers (got ${K})`;
  if (r.answers.every((a) => a === r.answers[0])) return `all ${K} answers are identical: nothing to prefer`;
  if (r.order.length !== K) return `"order" has ${r.order.length} entries for ${K} answers`;
  const seen = new Set<number>();
  for (const i of r.order) {
    if (!Number.isInteger(i) || i < 0 || i >= K) return `"order" holds ${JSON.stringify(i)}, not an answer index 0…${K - 1}`;
    if (seen.has(i)) return `"order" lists answer ${i} twice`;
    seen.add(i);
  }
  if (r.tied && r.tied.length !== K - 1) return `"tied" has ${r.tied.length} entries; ${K - 1} expected (one between each neighbour in "order")`;
  if (r.scores && r.scores.length !== K) return `"scores" has ${r.scores.length} entries for ${K} answers`;
  return null;
}

/**
 * The comparisons a ranking implies: (better, worse) for every two answers in different tie groups,
 * best-first order; identical answer texts give no pair. A strict ranking of K distinct answers gives
 * C(K, 2) pairs.
 */
export function expandRanking(r: Ranking): PreferencePair[] {
  const problem = rankingProblem(r);
  if (problem) throw new Error(`expandRanking: ${problem}`);
  const group: number[] = [];
  r.order.forEach((_, k) => group.push(k === 0 ? 0 : group[k - 1] + (r.tied?.[k - 1] ? 0 : 1)));
  const pairs: PreferencePair[] = [];
  for (let i = 0; i < r.order.length; i++) {
    for (let j = i + 1; j < r.order.length; j++) {
      if (group[i] === group[j]) continue;
      const chosen = r.answers[r.order[i]];
      const rejected = r.answers[r.order[j]];
      if (chosen === rejected) continue;
      pairs.push({ prompt: r.prompt, chosen, rejected, ...(r.tokenizer ? { tokenizer: r.tokenizer } : {}) });
    }
  }
  return pairs;
}

/** Answers ranked by score, best first; equal scores are tied and keep their answer order (deterministic). */
export function rankByScore(prompt: string, answers: string[], scores: number[], extra: Partial<Ranking> = {}): Ranking {
  if (scores.length !== answers.length) throw new Error(`rankByScore: ${scores.length} scores for ${answers.length} answers`);
  const order = answers.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const tied = order.slice(1).map((i, k) => scores[i] === scores[order[k]]);
  return { ...extra, prompt, answers, order, tied, scores };
}

export interface ParsedPrefs {
  rankings: Ranking[];
  /** Pair lines as given plus every ranking expanded, in file order. */
  pairs: PreferencePair[];
  errors: PrefsError[];
}

export interface ParsePrefsOptions {
  /** The model's tokenizerFingerprint: lines made with another tokenizer are errors. */
  fingerprint?: string;
  maxErrors?: number;
}

const isStr = (x: unknown): x is string => typeof x === 'string';

function lineProblem(v: Record<string, unknown>, fingerprint: string | undefined): string | null {
  if (v.tokenizer !== undefined && !isStr(v.tokenizer)) return '"tokenizer" must be a string (a tokenizer fingerprint)';
  if (fingerprint && isStr(v.tokenizer) && v.tokenizer !== fingerprint) {
    return `made with another tokenizer (fingerprint ${v.tokenizer}; this model's is ${fingerprint}): sample the answers again with this model`;
  }
  if (!isStr(v.prompt)) return v.prompt === undefined ? 'no "prompt"' : '"prompt" must be a string';
  if (v.prompt.trim() === '') return '"prompt" is empty';
  return null;
}

function parseRanking(v: Record<string, unknown>): Ranking | string {
  const { answers, order, tied, scores } = v;
  if (!Array.isArray(answers) || !answers.every(isStr)) return '"answers" must be a list of strings';
  if (!Array.isArray(order)) return 'a ranking needs "order": the answer indices, best first';
  if (tied !== undefined && (!Array.isArray(tied) || !tied.every((t) => typeof t === 'boolean'))) return '"tied" must be a list of true/false';
  if (scores !== undefined && (!Array.isArray(scores) || !scores.every((s) => typeof s === 'number' && Number.isFinite(s)))) return '"scores" must be a list of numbers';
  const r: Ranking = { prompt: v.prompt as string, answers, order: order as number[] };
  if (tied) r.tied = tied as boolean[];
  if (scores) r.scores = scores as number[];
  if (isStr(v.labeler)) r.labeler = v.labeler;
  if (isStr(v.tokenizer)) r.tokenizer = v.tokenizer;
  if (isStr(v.fact)) r.fact = v.fact;
  if (v.lang === 'en' || v.lang === 'zh') r.lang = v.lang;
  const s = v.sampler as Partial<SamplerSettings> | undefined;
  if (s && typeof s === 'object' && [s.temperature, s.topK, s.topP].every((x) => typeof x === 'number')) r.sampler = { temperature: s.temperature!, topK: s.topK!, topP: s.topP! };
  return rankingProblem(r) ?? r;
}

/** Parses preference JSONL (pairs and rankings mixed); see the header for the forms. */
export function parsePrefsJsonl(text: string, opts: ParsePrefsOptions = {}): ParsedPrefs {
  const maxErrors = opts.maxErrors ?? 1000;
  const out: ParsedPrefs = { rankings: [], pairs: [], errors: [] };
  let extra = 0;
  const fail = (line: number, message: string) => (out.errors.length < maxErrors ? out.errors.push({ line, message }) : extra++);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      return fail(lineNo, `not valid JSON (${(e as Error).message})`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(lineNo, 'not a JSON object');
    const o = v as Record<string, unknown>;
    const problem = lineProblem(o, opts.fingerprint);
    if (problem) return fail(lineNo, problem);
    if ('answers' in o) {
      const r = parseRanking(o);
      if (typeof r === 'string') return fail(lineNo, r);
      out.rankings.push(r);
      out.pairs.push(...expandRanking(r));
    } else if ('chosen' in o || 'rejected' in o) {
      if (Array.isArray(o.chosen) || Array.isArray(o.rejected)) return fail(lineNo, '"chosen"/"rejected" must be strings (the conversational form with message lists is not supported)');
      if (!isStr(o.chosen) || !isStr(o.rejected)) return fail(lineNo, 'a pair needs "chosen" and "rejected" strings');
      if (o.chosen === o.rejected) return fail(lineNo, '"chosen" and "rejected" are identical: nothing to prefer');
      out.pairs.push({ prompt: o.prompt as string, chosen: o.chosen, rejected: o.rejected, ...(isStr(o.tokenizer) ? { tokenizer: o.tokenizer } : {}) });
    } else {
      fail(lineNo, 'neither a pair ("chosen", "rejected") nor a ranking ("answers", "order")');
    }
  });
  if (extra > 0) out.errors.push({ line: 0, message: `… and ${extra} more errors` });
  return out;
}

/** Pairs as TRL's JSONL (prompt, chosen, rejected; plus the tokenizer fingerprint when known). */
export function pairsToJsonl(pairs: readonly PreferencePair[]): string {
  return pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected, ...(p.tokenizer ? { tokenizer: p.tokenizer } : {}) }) + '\n').join('');
}

/** Rankings as JSONL in the ranking form. */
export function rankingsToJsonl(rankings: readonly Ranking[]): string {
  return rankings.map((r) => JSON.stringify(r) + '\n').join('');
}

/** A one-line summary of a file's errors for a message: the first few with their line numbers. */
export function describePrefsErrors(source: string, errors: readonly PrefsError[], shown = 5): string {
  const list = errors.slice(0, shown).map((e) => (e.line > 0 ? `line ${e.line}: ${e.message}` : e.message));
  return `${source}: ${list.join('; ')}${errors.length > shown ? ` (and ${errors.length - shown} more)` : ''}`;
}
