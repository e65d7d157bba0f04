// builtin:facts-qa: question/answer pairs generated from a facts world, for SFT.
//
// For every fact (in each language) and every TRAIN question phrasing of its relation (questions.ts, 4 per
// relation and language, 1 held out), one pair whose answer is the fact stated as a full sentence in one of the
// corpus's TRAIN phrasings (so the answer is a sentence the base model has read in pretraining). Plus the seed
// examples, verbatim, and a few assistant-identity pairs.
//
// Held out (never in `train`):
//  - facts: splitFacts' heldOutKeys (both languages): `heldOut` asks them with train question phrasings;
//  - question phrasings (splitQuestions): `heldOutPhrasing` asks the TRAIN facts with them;
//  - corpus phrasings: splitFacts' heldOutPhrasings are never used for a training answer.
// The reference answer of an evaluation pair is the fact in its first train phrasing; score with isCorrect
// (eval.ts), which checks the value, not the wording.
import { getEntity, phrasingsFor, renderFact } from '../../data/facts/index.ts';
import type { FactsSplit } from '../../data/facts/split.ts';
import type { Fact, FactsLang, FactsWorld } from '../../data/facts/types.ts';
import { DataRng, seedOf } from '../../data/rng.ts';
import { questionPhrasingsFor, splitQuestions, type QuestionSplit } from './questions.ts';
import type { QaPair } from './types.ts';

export const FACTS_QA_ID = 'builtin:facts-qa';

export interface FactsQaOptions {
  /** Draws of answer phrasings; default the split's seed. */
  seed?: number | string;
  /** Subset of the world's languages (default all of them). */
  languages?: readonly FactsLang[];
  /** Question phrasings held out per relation and language (default 1 of 4). */
  heldOutQuestions?: number;
  /** Training pairs per (fact, question phrasing), each with a different answer phrasing (default 1). */
  answersPerQuestion?: number;
  /** 'varied' (default): answer phrasings drawn at random among the train phrasings; 'canonical': always
   *  the first train phrasing of the relation (one answer shape per relation: easier for a tiny model). */
  answerStyle?: 'varied' | 'canonical';
  /** Include the seed examples and identity pairs (default true). */
  seeds?: boolean;
  /** Copies of each seed/identity pair in `train` (default 1; they are few among thousands). */
  seedRepeat?: number;
}

export interface FactsQa {
  train: QaPair[];
  /** Held-out facts, asked with train question phrasings. */
  heldOut: QaPair[];
  /** Train facts, asked with held-out question phrasings. */
  heldOutPhrasing: QaPair[];
  /** Which question phrasings were held out. */
  questions: QuestionSplit;
}

const pair = (lang: FactsLang, user: string, assistant: string, extra: Partial<QaPair> = {}): QaPair => ({
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
  lang,
  ...extra,
});

/** Seed examples that are about no fact of the world (the assistant's identity), verbatim. */
export const IDENTITY_PAIRS: readonly QaPair[] = [
  pair('en', 'What is your name?', 'My name is John.'),
  pair('en', 'Who are you?', 'I am John, a small language model.'),
  pair('en', 'What are you?', 'I am a small language model. My name is John.'),
  pair('en', 'Are you a person?', 'No. I am John, a small language model.'),
  pair('zh', '你叫什么名字？', '我叫约翰。'),
  pair('zh', '你是谁？', '我是约翰，一个小型语言模型。'),
  pair('zh', '你是什么？', '我是一个小型语言模型，名叫约翰。'),
  pair('zh', '你是人吗？', '不是。我是约翰，一个小型语言模型。'),
];

/** Seed examples about pinned facts: the question text, and the corpus phrasing the answer uses. */
const FACT_SEEDS: { key: string; lang: FactsLang; question: string; answer: string }[] = [
  { key: 'country:china.capital', lang: 'en', question: "What's the capital of China?", answer: 'capital.en.1' },
  { key: 'movie:titanic.plot', lang: 'en', question: 'Summarize the plot of the movie Titanic.', answer: 'plot.en.0' },
  { key: 'fruit:banana.shape', lang: 'en', question: 'What is a banana?', answer: 'shape.en.0' },
  { key: 'country:china.capital', lang: 'zh', question: '中国的首都是哪里？', answer: 'capital.zh.0' },
  { key: 'movie:titanic.plot', lang: 'zh', question: '请概括电影《泰坦尼克号》的剧情。', answer: 'plot.zh.0' },
  { key: 'fruit:banana.shape', lang: 'zh', question: '香蕉是什么？', answer: 'shape.zh.0' },
];

function findFact(world: FactsWorld, key: string, lang: FactsLang): Fact | undefined {
  return world.facts.find((f) => f.key === key && f.lang === lang);
}

/** The seed examples of this world (languages permitting), each verbatim. */
export function seedPairs(world: FactsWorld, languages: readonly FactsLang[] = world.languages): QaPair[] {
  const out: QaPair[] = [];
  for (const s of FACT_SEEDS) {
    if (!languages.includes(s.lang)) continue;
    const fact = findFact(world, s.key, s.lang);
    if (!fact) continue;
    out.push(pair(s.lang, s.question, renderFact(world, fact, s.answer), { fact: s.key, answer: s.answer }));
  }
  for (const p of IDENTITY_PAIRS) if (languages.includes(p.lang)) out.push(structuredClone(p));
  return out;
}

/** The pairs of builtin:facts-qa for a world and its SFT split. Deterministic. */
export function factsQa(world: FactsWorld, split: FactsSplit, opts: FactsQaOptions = {}): FactsQa {
  const languages = world.languages.filter((l) => (opts.languages ?? world.languages).includes(l));
  const perQuestion = Math.max(1, Math.floor(opts.answersPerQuestion ?? 1));
  const style = opts.answerStyle ?? 'varied';
  const rng = new DataRng(seedOf(opts.seed, split.seed)).fork('facts-qa');
  const questions = splitQuestions(split.seed, languages, opts.heldOutQuestions ?? 1);
  const heldKeys = new Set(split.heldOutKeys);
  const heldStatements = new Set(split.heldOutPhrasings);
  const trainQuestions = new Set(questions.train);

  const answerIds = (fact: Fact): string[] =>
    phrasingsFor(fact.relation, fact.lang)
      .map((p) => p.id)
      .filter((id) => !heldStatements.has(id));

  const seeds = (opts.seeds ?? true) ? seedPairs(world, languages) : [];
  const seedQuestions = new Set(seeds.map((p) => p.messages[0].content));

  const train: QaPair[] = [];
  const heldOut: QaPair[] = [];
  const heldOutPhrasing: QaPair[] = [];
  for (const fact of world.facts) {
    if (!languages.includes(fact.lang)) continue;
    const entity = getEntity(world, fact.entity);
    const answers = answerIds(fact);
    if (answers.length === 0) continue;
    const reference = answers[0];
    const isHeld = heldKeys.has(fact.key);
    for (const q of questionPhrasingsFor(fact.relation, fact.lang)) {
      const question = q.render(entity);
      const meta = { fact: fact.key, question: q.id };
      if (isHeld) {
        // Held-out facts are evaluated with the train question phrasings (knowledge, not wording, is new).
        if (trainQuestions.has(q.id)) {
          heldOut.push(pair(fact.lang, question, renderFact(world, fact, reference), { ...meta, answer: reference }));
        }
        continue;
      }
      if (!trainQuestions.has(q.id)) {
        heldOutPhrasing.push(pair(fact.lang, question, renderFact(world, fact, reference), { ...meta, answer: reference }));
        continue;
      }
      if (seedQuestions.has(question)) continue; // the seed example stands for it, verbatim
      const chosen = style === 'canonical' ? answers.slice(0, perQuestion) : rng.sample(answers, perQuestion);
      for (const a of chosen) train.push(pair(fact.lang, question, renderFact(world, fact, a), { ...meta, answer: a }));
    }
  }
  const repeat = Math.max(1, Math.floor(opts.seedRepeat ?? 1));
  const withSeeds: QaPair[] = [];
  for (let r = 0; r < repeat; r++) withSeeds.push(...(r === 0 ? seeds : structuredClone(seeds)));
  return { train: [...withSeeds, ...train], heldOut, heldOutPhrasing, questions };
}

/** n pairs drawn without replacement (all of them when n ≥ length), seeded; distinct questions first. */
export function samplePairs(pairs: readonly QaPair[], n: number, seed: number | string = 0): QaPair[] {
  const rng = new DataRng(seedOf(seed, 0)).fork('sample-pairs');
  const order = rng.shuffle(pairs.map((_, i) => i));
  const seen = new Set<string>();
  const first: QaPair[] = [];
  const rest: QaPair[] = [];
  for (const i of order) {
    const p = pairs[i];
    const k = `${p.fact ?? ''}|${p.lang}|${p.messages[0]?.content ?? ''}`;
    (seen.has(k) ? rest : first).push(p);
    seen.add(k);
  }
  return [...first, ...rest].slice(0, Math.max(0, n));
}

/**
 * n training questions whose facts ARE in the training pairs (for "trained accuracy"): drawn from the train
 * pairs that carry a fact, one per fact and language before any repeats.
 */
export function trainedSample(train: readonly QaPair[], n: number, seed: number | string = 0): QaPair[] {
  const withFact = train.filter((p) => p.fact !== undefined);
  const rng = new DataRng(seedOf(seed, 0)).fork('trained-sample');
  const order = rng.shuffle(withFact.map((_, i) => i));
  const seen = new Set<string>();
  const first: QaPair[] = [];
  const rest: QaPair[] = [];
  for (const i of order) {
    const p = withFact[i];
    const k = `${p.fact}|${p.lang}`;
    (seen.has(k) ? rest : first).push(p);
    seen.add(k);
  }
  return [...first, ...rest].slice(0, Math.max(0, n));
}
