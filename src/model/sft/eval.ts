// Scoring generated answers.
//
//  - exactMatch(generated, expected): the normalised strings are equal (case, punctuation incl. Chinese
//    punctuation, whitespace ignored). Strict: "The capital of China is Beijing." ≠ "China's capital is Beijing."
//  - isCorrect(generated, pair, world): the answer states the fact's value (answerMentions, on normalised
//    text), states no competing value of the same relation (another capital, say) and names no other entity
//    of the asked one's kind ("Ireland speaks English." is not an answer about Reku, though Reku speaks
//    English too). Pairs without a fact (identity questions) fall back to exactMatch against the pair's answer.
//
// Both judge the answer's first line (leading blank lines skipped). An answer is one paragraph; a base model
// that never closes its turn goes on to recite further corpus entries ("…\n\nIan\nIan has lived for 42
// years.") and, over 64 tokens of them, would often name the asked value by chance (a base model scored 10 %
// that way, every hit a coincidence in a later entry; bench/NOTES-facts.md).
//
// The pipeline's headline "exact-answer accuracy" should be isCorrect: the exact answer (the value, normalised
// for case and punctuation) must be in the greedy answer and no other candidate may be. A fact is trained
// with several sentence shapes, so exactMatch against one reference sentence mostly measures which wording the
// model picked; report it beside, as "verbatim".
import { answerMentions } from '../../data/facts/world.ts';
import type { Entity, Fact, FactsLang, FactsWorld, Relation } from '../../data/facts/types.ts';
import { answerOf, type QaPair } from './types.ts';

/**
 * Lower case (NFKC first, so full-width letters, digits and ？！， become ASCII), apostrophes dropped
 * ("China's" → "chinas"), every other punctuation mark or symbol (。，、《》“”…, hyphens) a space, runs of
 * whitespace one space, no space next to a Han character, trimmed.
 */
export function normalizeAnswer(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’‘`´]/g, '')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .replace(/ ?(\p{Script=Han}) ?/gu, '$1')
    .trim();
}

export function exactMatch(generated: string, expected: string): boolean {
  return normalizeAnswer(generated) === normalizeAnswer(expected);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every mention of `value` (as answerMentions finds it) replaced by a space. */
function removeMentions(text: string, value: string, lang: FactsLang): string {
  if (value === '') return text;
  if (lang === 'zh') return text.split(value).join(' ');
  return text.replace(new RegExp(`(^|[^A-Za-z0-9])${esc(value)}(?=$|[^A-Za-z0-9])`, 'gi'), '$1 ');
}

/** Normalised values of each relation and language in a world (the competitors of a fact). */
const valueCache = new WeakMap<FactsWorld, Map<string, string[]>>();
function valuesOf(world: FactsWorld, relation: Relation, lang: FactsLang): string[] {
  let m = valueCache.get(world);
  if (!m) {
    m = new Map();
    for (const f of world.facts) {
      const k = `${f.relation}|${f.lang}`;
      const list = m.get(k) ?? [];
      const v = normalizeAnswer(f.value);
      if (!list.includes(v)) list.push(v);
      m.set(k, list);
    }
    valueCache.set(world, m);
  }
  return m.get(`${relation}|${lang}`) ?? [];
}

function entityNames(e: Entity, lang: FactsLang): string[] {
  const names = lang === 'zh' ? [e.name.zh] : [e.name.en, e.noun?.singular ?? '', e.noun?.plural ?? ''];
  return names.filter((x) => x !== '').map(normalizeAnswer);
}

export interface AnswerScore {
  /** States the value and no competitor (or, without a fact: exactMatch). The number to report. */
  correct: boolean;
  /** exactMatch against the pair's reference answer. */
  exact: boolean;
  /** States the fact's value. */
  mentions: boolean;
  /** Competing values it also states, and other entities of the asked one's kind it names (normalised):
   *  "Ireland speaks English." names the right language for Reku, but about another country. */
  competing: string[];
}

/** The fact a pair asks about, in the pair's language. */
const factCache = new WeakMap<FactsWorld, Map<string, Fact>>();
export function factOf(world: FactsWorld, pair: Pick<QaPair, 'fact' | 'lang'>): Fact | undefined {
  if (pair.fact === undefined) return undefined;
  let m = factCache.get(world);
  if (!m) {
    m = new Map(world.facts.map((f) => [`${f.key}|${f.lang}`, f]));
    factCache.set(world, m);
  }
  return m.get(`${pair.fact}|${pair.lang}`);
}

/** The part of a generated answer that is judged: its first non-empty line. */
export function judgedAnswer(generated: string): string {
  return generated.replace(/^\s+/u, '').split('\n', 1)[0];
}

export function scoreAnswer(full: string, pair: QaPair, world: FactsWorld): AnswerScore {
  const generated = judgedAnswer(full);
  const exact = exactMatch(generated, answerOf(pair));
  const fact = factOf(world, pair);
  if (!fact) return { correct: exact, exact, mentions: exact, competing: [] };
  const text = normalizeAnswer(generated);
  const value = normalizeAnswer(fact.value);
  const mentions = answerMentions(text, { value, lang: fact.lang });
  // What is left once the value itself and the entity's own name are taken out must name no other value:
  // "sweet and sour" contains "sweet", and 老鼠吃奶酪 names 老鼠 (mice, another animal's food) as its subject.
  let rest = removeMentions(text, value, fact.lang);
  const entity = world.entities.find((e) => e.id === fact.entity);
  if (entity) for (const n of entityNames(entity, fact.lang)) rest = removeMentions(rest, n, fact.lang);
  const competing = valuesOf(world, fact.relation, fact.lang).filter(
    (v) => v !== value && answerMentions(rest, { value: v, lang: fact.lang }),
  );
  if (entity) {
    for (const other of world.entities) {
      if (other.kind !== entity.kind || other.id === entity.id) continue;
      // normalizeAnswer turns "Ireland's" into "irelands": a name with an s counts too.
      const names = (n: string) => answerMentions(rest, { value: n, lang: fact.lang }) || (fact.lang === 'en' && answerMentions(rest, { value: `${n}s`, lang: 'en' }));
      const named = entityNames(other, fact.lang).find((n) => n !== value && names(n));
      if (named && !competing.includes(named)) competing.push(named);
    }
  }
  return { correct: mentions && competing.length === 0, exact, mentions, competing };
}

/** Correct: states the fact's value and no competing value of the same relation (see scoreAnswer). */
export function isCorrect(generated: string, pair: QaPair, world: FactsWorld): boolean {
  return scoreAnswer(generated, pair, world).correct;
}

export interface AccuracySummary {
  n: number;
  /** Fraction isCorrect: the headline accuracy. */
  accuracy: number;
  /** Fraction exactMatch with the reference sentence. */
  verbatim: number;
}

/** Accuracy over (generated answer, pair) results. */
export function summarize(results: readonly { generated: string; pair: QaPair }[], world: FactsWorld): AccuracySummary {
  let correct = 0;
  let exact = 0;
  for (const r of results) {
    const s = scoreAnswer(r.generated, r.pair, world);
    if (s.correct) correct++;
    if (s.exact) exact++;
  }
  const n = results.length;
  return { n, accuracy: n ? correct / n : 0, verbatim: n ? exact / n : 0 };
}
