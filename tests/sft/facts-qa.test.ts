import { describe, expect, it } from 'vitest';
import {
  ALL_RELATIONS,
  answerMentions,
  factsCorpus,
  makeFactsWorld,
  phrasingById,
  renderAll,
  renderFact,
  splitFacts,
  type FactsLang,
} from '../../src/data/facts/index.ts';
import { Rng } from '../../src/model/reference/random.ts';
import { trainBpe, buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import {
  encodeChat,
  exactMatch,
  factOf,
  factsQa,
  fitAll,
  isCorrect,
  normalizeAnswer,
  makeSftBatch,
  questionOf,
  questionPhrasingsFor,
  scoreAnswer,
  sftText,
  trainedSample,
  answerOf,
  type QaPair,
} from '../../src/model/sft/index.ts';

const full = makeFactsWorld({ seed: 3, size: 'full' });
const fullSplit = splitFacts(full);
const fullQa = factsQa(full, fullSplit);
const tiny = makeFactsWorld({ seed: 1, size: 'tiny' });
const tinySplit = splitFacts(tiny);
const tinyQa = factsQa(tiny, tinySplit);

const has = (pairs: QaPair[], q: string, a: string) => pairs.some((p) => p.messages[0].content === q && p.messages[1].content === a && p.messages.length === 2);

describe('builtin:facts-qa', () => {
  it('contains the seed examples verbatim', () => {
    for (const { train } of [fullQa, tinyQa]) {
      expect(has(train, 'What is your name?', 'My name is John.')).toBe(true);
      expect(has(train, "What's the capital of China?", "China's capital is Beijing.")).toBe(true);
      expect(has(train, 'Summarize the plot of the movie Titanic.', 'The movie Titanic is about a ship that sinks in the ocean.')).toBe(true);
      expect(has(train, 'Who are you?', 'I am John, a small language model.')).toBe(true);
      expect(has(train, '你是谁？', '我是约翰，一个小型语言模型。')).toBe(true);
      expect(has(train, '中国的首都是哪里？', '中国的首都是北京。')).toBe(true);
      // a seed question appears once (its generated twin is replaced, not duplicated)
      expect(train.filter((p) => p.messages[0].content === "What's the capital of China?").length).toBe(1);
    }
  });

  it('has thousands of pairs at size full, hundreds at tiny', () => {
    expect(fullQa.train.length).toBeGreaterThan(2000);
    expect(tinyQa.train.length).toBeGreaterThan(300);
    expect(fullQa.heldOut.length).toBeGreaterThan(300);
    expect(fullQa.heldOutPhrasing.length).toBeGreaterThan(300);
    expect(tinyQa.heldOut.length).toBeGreaterThan(0);
    expect(tinyQa.heldOutPhrasing.length).toBeGreaterThan(0);
  });

  it('asks every relation with ≥ 3 train question phrasings per language', () => {
    for (const relation of ALL_RELATIONS) {
      for (const lang of ['en', 'zh'] as FactsLang[]) {
        expect(questionPhrasingsFor(relation, lang).length).toBeGreaterThanOrEqual(4);
        const used = new Set(fullQa.train.filter((p) => p.question?.startsWith(`${relation}.${lang}.`)).map((p) => p.question));
        expect(used.size, `${relation}.${lang}`).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('puts held-out facts in no training pair', () => {
    for (const [world, split, qa] of [[full, fullSplit, fullQa], [tiny, tinySplit, tinyQa]] as const) {
      const held = new Set(split.heldOutKeys);
      expect(held.size).toBeGreaterThan(0);
      for (const p of qa.train) if (p.fact) expect(held.has(p.fact)).toBe(false);
      // not even as text: no training question or answer names a held-out fact's entity with its value
      const trainQuestions = new Set(qa.train.map(questionOf));
      for (const p of qa.heldOut) {
        expect(held.has(p.fact!)).toBe(true);
        expect(trainQuestions.has(questionOf(p))).toBe(false);
      }
      const heldFacts = world.facts.filter((f) => held.has(f.key));
      const heldSentences = new Set(heldFacts.flatMap((f) => renderAll(world, f)));
      for (const p of qa.train) expect(heldSentences.has(answerOf(p))).toBe(false);
      // every held-out fact is asked
      const asked = new Set(qa.heldOut.map((p) => `${p.fact}|${p.lang}`));
      for (const f of heldFacts) expect(asked.has(`${f.key}|${f.lang}`)).toBe(true);
    }
  });

  it('puts held-out question phrasings and held-out corpus phrasings in no training pair', () => {
    for (const [world, split, qa] of [[full, fullSplit, fullQa], [tiny, tinySplit, tinyQa]] as const) {
      const heldQ = new Set(qa.questions.heldOut);
      expect(heldQ.size).toBe(ALL_RELATIONS.length * 2);
      for (const p of qa.train) {
        if (p.question) expect(heldQ.has(p.question)).toBe(false);
        if (p.answer) expect(split.heldOutPhrasings.includes(p.answer)).toBe(false);
      }
      const trainQuestions = new Set(qa.train.map(questionOf));
      for (const p of qa.heldOutPhrasing) {
        expect(heldQ.has(p.question!)).toBe(true);
        expect(split.heldOutKeys.includes(p.fact!)).toBe(false);
        expect(trainQuestions.has(questionOf(p))).toBe(false);
      }
      // as text: no training answer is a fact rendered with a held-out corpus phrasing
      for (const p of qa.train) {
        const fact = factOf(world, p);
        if (!fact) continue;
        for (const id of split.heldOutPhrasings) {
          const ph = phrasingById(id)!;
          if (ph.relation === fact.relation && ph.lang === fact.lang) expect(answerOf(p)).not.toBe(renderFact(world, fact, id));
        }
      }
    }
  });

  it('states each fact in its answer, and isCorrect accepts every reference answer', () => {
    for (const [world, qa] of [[full, fullQa], [tiny, tinyQa]] as const) {
      for (const p of [...qa.train, ...qa.heldOut, ...qa.heldOutPhrasing]) {
        const fact = factOf(world, p);
        if (p.fact) {
          expect(fact).toBeDefined();
          expect(answerMentions(answerOf(p), fact!)).toBe(true);
        }
        const s = scoreAnswer(answerOf(p), p, world);
        expect(s, `${questionOf(p)} → ${answerOf(p)}`).toMatchObject({ correct: true, exact: true, competing: [] });
      }
    }
  });

  it('is deterministic and honours languages and answersPerQuestion', () => {
    expect(factsQa(tiny, tinySplit)).toEqual(tinyQa);
    const en = factsQa(makeFactsWorld({ seed: 1, size: 'tiny', languages: ['en'] }), tinySplit);
    expect(en.train.every((p) => p.lang === 'en')).toBe(true);
    expect(has(en.train, 'What is your name?', 'My name is John.')).toBe(true);
    const two = factsQa(tiny, tinySplit, { answersPerQuestion: 2, seeds: false });
    const byQ = new Map<string, Set<string>>();
    for (const p of two.train) byQ.set(questionOf(p), (byQ.get(questionOf(p)) ?? new Set()).add(answerOf(p)));
    expect([...byQ.values()].every((s) => s.size === 2)).toBe(true);
    const canon = factsQa(tiny, tinySplit, { answerStyle: 'canonical', seeds: false });
    for (const p of canon.train) {
      const ref = canon.heldOutPhrasing.find((h) => h.fact === p.fact && h.lang === p.lang);
      expect(ref).toBeDefined();
      expect(p.answer).toBe(ref!.answer); // the first train phrasing, as the evaluation references use
    }
  });

  it('trainedSample picks training questions of trained facts, distinct facts first', () => {
    const s = trainedSample(tinyQa.train, 40, 9);
    expect(s.length).toBe(40);
    const trainedKeys = new Set(tinyQa.train.map((p) => p.fact));
    const keys = new Set<string>();
    for (const p of s) {
      expect(p.fact).toBeDefined();
      expect(trainedKeys.has(p.fact)).toBe(true);
      expect(tinySplit.heldOutKeys.includes(p.fact!)).toBe(false);
      keys.add(`${p.fact}|${p.lang}`);
    }
    expect(keys.size).toBe(40);
    expect(trainedSample(tinyQa.train, 40, 9)).toEqual(s);
  });

  it('encodes and batches with a BPE tokenizer trained on the facts corpus', () => {
    const corpus = factsCorpus(tiny, { mentionsPerFact: 3 });
    const tok = trainBpe(corpus, { vocabSize: 400 });
    const encoded = tinyQa.train.map((p) => encodeChat(tok, p));
    const { examples, dropped } = fitAll(encoded, 64);
    expect(dropped).toBe(0);
    const b = makeSftBatch(examples, 4, 64, new Rng(1));
    expect(b.trainedTokens).toBeGreaterThan(0);
    for (const id of b.tokens) expect(id).toBeLessThan(tok.vocabSize);
    // char level: the SFT text joins the vocabulary so questions have no <|unk|>
    const char = buildCharTokenizer([corpus, sftText(tinyQa.train)]);
    for (const p of tinyQa.train) expect(encodeChat(char, p).ids).not.toContain(5);
  });
});

describe('isCorrect / exactMatch', () => {
  const pairOf = (key: string, lang: FactsLang): QaPair => {
    const p = [...fullQa.train, ...fullQa.heldOut, ...fullQa.heldOutPhrasing].find((x) => x.fact === key && x.lang === lang);
    if (!p) throw new Error(`no pair for ${key} ${lang}`);
    return p;
  };

  it('checks the value and rejects competing values', () => {
    const china = pairOf('country:china.capital', 'en');
    expect(isCorrect("It's Beijing.", china, full)).toBe(true);
    expect(isCorrect('beijing', china, full)).toBe(true);
    expect(isCorrect('The capital of China is Beijing!', china, full)).toBe(true);
    expect(isCorrect('Paris.', china, full)).toBe(false);
    expect(isCorrect('Beijing or Paris.', china, full)).toBe(false);
    expect(isCorrect('Beijingese', china, full)).toBe(false);
    const zh = pairOf('country:china.capital', 'zh');
    expect(isCorrect('北京', zh, full)).toBe(true);
    expect(isCorrect('中国的首都是 北京 。', zh, full)).toBe(true);
    expect(isCorrect('中国的首都是巴黎。', zh, full)).toBe(false);
    expect(isCorrect('北京和东京', zh, full)).toBe(false);
  });

  it('judges the first line only: a rambling continuation naming the value later does not count', () => {
    const china = pairOf('country:china.capital', 'en');
    expect(isCorrect('\n\nThe capital of China is Beijing.\nThe capital of France is Paris.', china, full)).toBe(true);
    expect(isCorrect('. The food of the duck is water plants.\n\nChina\nThe capital of China is Beijing.', china, full)).toBe(false);
    expect(exactMatch('China’s capital is Beijing.\nMore text.', "China's capital is Beijing.")).toBe(false);
    expect(scoreAnswer(" China's capital is Beijing.\n\nMore", china, full).exact).toBe(true);
  });

  it('rejects the right value said about another entity of the same kind', () => {
    const china = pairOf('country:china.capital', 'en');
    const other = full.entities.find((e) => e.kind === 'country' && e.id !== 'country:china')!;
    expect(isCorrect(`The capital of ${other.name.en} is Beijing.`, china, full)).toBe(false);
    expect(scoreAnswer(`${other.name.en}'s capital is Beijing.`, china, full).competing).toContain(normalizeAnswer(other.name.en));
    expect(isCorrect("China's capital is Beijing.", china, full)).toBe(true);
  });

  it('does not mistake a value inside the right one, or the entity name, for a competitor', () => {
    const star = pairOf('fruit:starfruit.taste', 'en');
    expect(isCorrect('Starfruits taste sweet and sour.', star, full)).toBe(true);
    expect(isCorrect('Starfruits taste sweet.', star, full)).toBe(false);
    expect(isCorrect('杨桃吃起来很酸甜。', pairOf('fruit:starfruit.taste', 'zh'), full)).toBe(true);
    expect(isCorrect('老鼠吃奶酪。', pairOf('animal:mouse.eats', 'zh'), full)).toBe(true);
    expect(isCorrect('马吃干草。', pairOf('animal:horse.eats', 'zh'), full)).toBe(true);
    expect(isCorrect('Oranges are orange.', pairOf('fruit:orange.colour', 'en'), full)).toBe(true);
    expect(isCorrect('An orange is yellow.', pairOf('fruit:orange.colour', 'en'), full)).toBe(false);
  });

  it('falls back to exact match for pairs without a fact', () => {
    const name = fullQa.train.find((p) => questionOf(p) === 'What is your name?')!;
    expect(isCorrect('my name is john', name, full)).toBe(true);
    expect(isCorrect('My name is Bob.', name, full)).toBe(false);
    expect(exactMatch("China's capital is Beijing.", "china's capital is beijing")).toBe(true);
    expect(exactMatch('The capital of China is Beijing.', "China's capital is Beijing.")).toBe(false);
  });
});
