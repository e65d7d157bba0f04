// The simulated labeler: a person's preferences written down as explicit rules, so the whole RLHF loop
// runs without people and every ranking can be explained. Each rule gives a value (correct: 1 or 0,
// repetition: the share of repeated n-grams …); a named labeler weights the rules; an answer's score is
// Σ weight·value, and each rule's contribution is reported for the page to show.
//
//   correct     1 when the answer states the fact's value and no competing one (sft/eval.ts isCorrect);
//               0.3 when it states the value beside a competitor; without a facts world, exact match.
//   sentence    a complete sentence: en starts with a capital (or digit) and ends with . ! ?, with ≥ 2 words
//               (a half point for each); zh has ≥ 2 characters of content and ends with 。！？ (a half
//               point without the ending).
//   polite      1 with a courtesy marker (please, thank, glad, sure, of course; 请, 谢谢, 很高兴, 当然),
//               −1 with a rude one.
//   repetition  the share of word bigrams (en) / character trigrams (zh) that repeat an earlier one.
//   rambling    how far the length exceeds the labeler's budget (budget × the reference answer's length, or a
//               fixed length without one), as a fraction of the budget, capped at 1.
import { isCorrect, scoreAnswer as factScore, exactMatch } from '../sft/eval.ts';
import { answerOf, guessLang, type QaPair } from '../sft/types.ts';
import type { FactsWorld } from '../../data/facts/types.ts';
import { rankByScore, type Ranking } from './prefs.ts';

export const RULES = ['correct', 'sentence', 'polite', 'repetition', 'rambling'] as const;
export type RuleId = (typeof RULES)[number];

export interface Labeler {
  name: string;
  description: string;
  weights: Record<RuleId, number>;
  /** Allowed length, as a multiple of the reference answer's length. */
  lengthBudget: number;
}

export const LABELERS: Readonly<Record<string, Labeler>> = {
  default: {
    name: 'default',
    description: 'Wants the right fact in a complete sentence; dislikes repetition and rambling; a little courtesy helps.',
    weights: { correct: 3, sentence: 1, polite: 0.5, repetition: -2, rambling: -1 },
    lengthBudget: 1.5,
  },
  polite: {
    name: 'polite',
    description: 'Values courtesy most; facts and form matter less; tolerates some length.',
    weights: { correct: 1, sentence: 1, polite: 3, repetition: -1, rambling: -0.5 },
    lengthBudget: 2,
  },
  terse: {
    name: 'terse',
    description: 'The right fact, as short as possible: length and pleasantries cost points.',
    weights: { correct: 3, sentence: 0.5, polite: -0.5, repetition: -2, rambling: -3 },
    lengthBudget: 1,
  },
};

/** The labeler of a `labeler:NAME` (or bare NAME) spec; an unknown name lists the known ones. */
export function getLabeler(spec: string): Labeler {
  const name = spec.startsWith('labeler:') ? spec.slice('labeler:'.length) : spec;
  const l = LABELERS[name];
  if (!l) throw new Error(`unknown labeler '${name}'; choose one of ${Object.keys(LABELERS).map((n) => `labeler:${n}`).join(', ')}`);
  return l;
}

export interface RuleResult {
  rule: RuleId;
  value: number;
  weight: number;
  /** weight·value: what the rule added to the score. */
  contribution: number;
  /** Why, in a few words. */
  note: string;
}

export interface LabelScore {
  total: number;
  rules: RuleResult[];
}

/** What the labeler knows about the prompt: the facts-qa pair it came from and its world, if any. */
export interface LabelContext {
  pair?: QaPair;
  world?: FactsWorld;
}

const POLITE_EN = /\b(please|thanks?|thank you|glad|happy to help|sure|of course|certainly)\b/i;
const POLITE_ZH = /请|谢谢|很高兴|当然|乐意/;
const RUDE_EN = /\b(stupid|shut up|idiot|dumb|whatever)\b/i;
const RUDE_ZH = /笨蛋|闭嘴|白痴/;

/** Words (en) or characters without spaces and punctuation (zh): the units repetition and length count. */
function units(text: string, lang: 'en' | 'zh'): string[] {
  if (lang === 'zh') return Array.from(text.replace(/[\s\p{P}\p{S}]/gu, ''));
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

function correctRule(answer: string, ctx: LabelContext): [number, string] {
  const pair = ctx.pair;
  if (!pair) return [0, 'no reference for this prompt'];
  if (ctx.world && pair.fact) {
    if (isCorrect(answer, pair, ctx.world)) return [1, 'states the fact'];
    const s = factScore(answer, pair, ctx.world);
    return s.mentions ? [0.3, `states the fact but also ${s.competing.join(', ')}`] : [0, 'does not state the fact'];
  }
  return exactMatch(answer, answerOf(pair)) ? [1, 'matches the reference answer'] : [0, 'differs from the reference answer'];
}

function sentenceRule(answer: string, lang: 'en' | 'zh'): [number, string] {
  const t = answer.trim();
  if (t === '') return [0, 'empty'];
  if (lang === 'zh') {
    // content first: a lone "。" must not pass for a sentence (a policy finds that loophole at once)
    if (units(t, 'zh').length < 2) return [0, 'too short to be a sentence'];
    return /[。！？.!?]$/u.test(t) ? [1, 'ends like a sentence'] : [0.5, 'no closing 。'];
  }
  const starts = /^[\p{Lu}\p{N}"'“]/u.test(t);
  const ends = /[.!?]["'”]?$/u.test(t);
  const words = units(t, 'en').length >= 2;
  const score = (starts ? 0.5 : 0) + (ends && words ? 0.5 : 0);
  return [score, score === 1 ? 'a complete sentence' : `${starts ? '' : 'no capital at the start'}${!starts && !(ends && words) ? ', ' : ''}${ends && words ? '' : 'no full stop'}`];
}

function politeRule(answer: string, lang: 'en' | 'zh'): [number, string] {
  const rude = lang === 'zh' ? RUDE_ZH : RUDE_EN;
  const polite = lang === 'zh' ? POLITE_ZH : POLITE_EN;
  const r = rude.exec(answer);
  if (r) return [-1, `rude: "${r[0]}"`];
  const p = polite.exec(answer);
  return p ? [1, `courteous: "${p[0]}"`] : [0, 'neutral'];
}

function repetitionRule(answer: string, lang: 'en' | 'zh'): [number, string] {
  const u = units(answer, lang);
  const n = lang === 'zh' ? 3 : 2;
  if (u.length < n + 1) return [0, 'too short to repeat'];
  const seen = new Set<string>();
  let repeated = 0;
  let total = 0;
  for (let i = 0; i + n <= u.length; i++) {
    const g = u.slice(i, i + n).join(' ');
    if (seen.has(g)) repeated++;
    seen.add(g);
    total++;
  }
  const v = repeated / total;
  return [v, repeated ? `${repeated} of ${total} ${lang === 'zh' ? 'character trigrams' : 'word pairs'} repeat` : 'no repetition'];
}

function ramblingRule(answer: string, lang: 'en' | 'zh', labeler: Labeler, ctx: LabelContext): [number, string] {
  const refLen = ctx.pair ? units(answerOf(ctx.pair), lang).length : 0;
  const budget = Math.max(lang === 'zh' ? 4 : 3, labeler.lengthBudget * (refLen || (lang === 'zh' ? 16 : 10)));
  const len = units(answer, lang).length;
  const v = Math.min(1, Math.max(0, len / budget - 1));
  return [v, `${len} ${lang === 'zh' ? 'characters' : 'words'} (budget ${Math.round(budget)})`];
}

/** The labeler's score of one answer, with every rule's value and contribution. */
export function labelAnswer(labeler: Labeler, prompt: string, answer: string, ctx: LabelContext = {}): LabelScore {
  const lang = ctx.pair?.lang ?? guessLang(prompt + answer);
  const values: Record<RuleId, [number, string]> = {
    correct: correctRule(answer, ctx),
    sentence: sentenceRule(answer, lang),
    polite: politeRule(answer, lang),
    repetition: repetitionRule(answer, lang),
    rambling: ramblingRule(answer, lang, labeler, ctx),
  };
  const rules = RULES.map((rule) => {
    const [value, note] = values[rule];
    const weight = labeler.weights[rule];
    return { rule, value, weight, contribution: weight * value, note };
  });
  // rounded so equal answers tie exactly (no float noise) and rankings are reproducible
  const total = Math.round(rules.reduce((s, r) => s + r.contribution, 0) * 1e9) / 1e9;
  return { total, rules };
}

/** The labeler's ranking of K answers to one prompt: by score, ties broken by answer order. */
export function labelRanking(labeler: Labeler, prompt: string, answers: string[], ctx: LabelContext = {}, extra: Partial<Ranking> = {}): Ranking {
  const scores = answers.map((a) => labelAnswer(labeler, prompt, a, ctx).total);
  const meta: Partial<Ranking> = { ...extra, labeler: labeler.name };
  if (ctx.pair?.fact) meta.fact = ctx.pair.fact;
  if (ctx.pair) meta.lang = ctx.pair.lang;
  return rankByScore(prompt, answers, scores, meta);
}
