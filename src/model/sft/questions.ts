// Question phrasings of every relation of the facts world, 4 per relation and language (one of them held
// out per relation and language by default, so ≥ 3 train). Each names the entity, so it has one answer.
// Ids: `${relation}.${lang}.q${index}` (statement phrasings of the corpus are `${relation}.${lang}.${index}`).
import { article } from '../../data/facts/phrasings.ts';
import { ALL_RELATIONS, type Entity, type FactsLang, type Relation } from '../../data/facts/types.ts';
import { DataRng } from '../../data/rng.ts';

export interface QuestionPhrasing {
  id: string;
  relation: Relation;
  lang: FactsLang;
  index: number;
  /** Readable template (`{E}` the entity). */
  template: string;
  render(e: Entity): string;
}

type Q = [string, (e: Entity) => string];

const sing = (e: Entity): string => e.noun?.singular ?? e.name.en;
const plur = (e: Entity): string => e.noun?.plural ?? e.name.en;
const aNoun = (e: Entity): string => `${article(sing(e))} ${sing(e)}`;
const en = (e: Entity): string => e.name.en;
const zh = (e: Entity): string => e.name.zh;

const TABLE: Record<Relation, Record<FactsLang, Q[]>> = {
  colour: {
    en: [
      ['What colour is a {E}?', (e) => `What colour is ${aNoun(e)}?`],
      ['What is the colour of a {E}?', (e) => `What is the colour of ${aNoun(e)}?`],
      ['What colour are {Es}?', (e) => `What colour are ${plur(e)}?`],
      ['Which colour does a ripe {E} have?', (e) => `Which colour does a ripe ${sing(e)} have?`],
    ],
    zh: [
      ['{E}是什么颜色的？', (e) => `${zh(e)}是什么颜色的？`],
      ['{E}的颜色是什么？', (e) => `${zh(e)}的颜色是什么？`],
      ['成熟的{E}是什么颜色？', (e) => `成熟的${zh(e)}是什么颜色？`],
      ['{E}通常是什么颜色？', (e) => `${zh(e)}通常是什么颜色？`],
    ],
  },
  taste: {
    en: [
      ['What does a {E} taste like?', (e) => `What does ${aNoun(e)} taste like?`],
      ['How does a {E} taste?', (e) => `How does ${aNoun(e)} taste?`],
      ['What is the taste of a {E}?', (e) => `What is the taste of ${aNoun(e)}?`],
      ['What do {Es} taste like?', (e) => `What do ${plur(e)} taste like?`],
    ],
    zh: [
      ['{E}是什么味道的？', (e) => `${zh(e)}是什么味道的？`],
      ['{E}吃起来怎么样？', (e) => `${zh(e)}吃起来怎么样？`],
      ['{E}的味道如何？', (e) => `${zh(e)}的味道如何？`],
      ['{E}尝起来是什么味道？', (e) => `${zh(e)}尝起来是什么味道？`],
    ],
  },
  shape: {
    en: [
      ['What shape is a {E}?', (e) => `What shape is ${aNoun(e)}?`],
      ['What is the shape of a {E}?', (e) => `What is the shape of ${aNoun(e)}?`],
      ['What shape are {Es}?', (e) => `What shape are ${plur(e)}?`],
      ['Describe the shape of a {E}.', (e) => `Describe the shape of ${aNoun(e)}.`],
    ],
    zh: [
      ['{E}是什么形状的？', (e) => `${zh(e)}是什么形状的？`],
      ['{E}的形状是什么？', (e) => `${zh(e)}的形状是什么？`],
      ['{E}长什么形状？', (e) => `${zh(e)}长什么形状？`],
      ['{E}的外形是怎样的？', (e) => `${zh(e)}的外形是怎样的？`],
    ],
  },
  example: {
    en: [
      ['What is a good example of something {E}?', (e) => `What is a good example of something ${en(e)}?`],
      ['Name something that is {E}.', (e) => `Name something that is ${en(e)}.`],
      ['What is {E}?', (e) => `What is ${en(e)}?`],
      ['Give an example of something {E}.', (e) => `Give an example of something ${en(e)}.`],
    ],
    zh: [
      ['什么东西是{E}的？', (e) => `什么东西是${zh(e)}的？`],
      ['举一个{E}的东西的例子。', (e) => `举一个${zh(e)}的东西的例子。`],
      ['说到{E}，你会想到什么？', (e) => `说到${zh(e)}，你会想到什么？`],
      ['哪种东西是{E}的？', (e) => `哪种东西是${zh(e)}的？`],
    ],
  },
  mix: {
    en: [
      ['Which colours make {E}?', (e) => `Which colours make ${en(e)}?`],
      ['What do you mix to get {E}?', (e) => `What do you mix to get ${en(e)}?`],
      ['How do you make {E}?', (e) => `How do you make ${en(e)}?`],
      ['Which two colours mix into {E}?', (e) => `Which two colours mix into ${en(e)}?`],
    ],
    zh: [
      ['哪两种颜色混合成{E}？', (e) => `哪两种颜色混合成${zh(e)}？`],
      ['怎样调出{E}？', (e) => `怎样调出${zh(e)}？`],
      ['{E}是由什么颜色调出来的？', (e) => `${zh(e)}是由什么颜色调出来的？`],
      ['把什么颜色混在一起能得到{E}？', (e) => `把什么颜色混在一起能得到${zh(e)}？`],
    ],
  },
  eats: {
    en: [
      ['What does a {E} eat?', (e) => `What does ${aNoun(e)} eat?`],
      ['What do {Es} eat?', (e) => `What do ${plur(e)} eat?`],
      ['What is the food of the {E}?', (e) => `What is the food of the ${sing(e)}?`],
      ['What do {Es} like to eat?', (e) => `What do ${plur(e)} like to eat?`],
    ],
    zh: [
      ['{E}吃什么？', (e) => `${zh(e)}吃什么？`],
      ['{E}的食物是什么？', (e) => `${zh(e)}的食物是什么？`],
      ['{E}喜欢吃什么？', (e) => `${zh(e)}喜欢吃什么？`],
      ['{E}以什么为食？', (e) => `${zh(e)}以什么为食？`],
    ],
  },
  habitat: {
    en: [
      ['Where does a {E} live?', (e) => `Where does ${aNoun(e)} live?`],
      ['Where do {Es} live?', (e) => `Where do ${plur(e)} live?`],
      ['Where can you find {Es}?', (e) => `Where can you find ${plur(e)}?`],
      ['What is the home of the {E}?', (e) => `What is the home of the ${sing(e)}?`],
    ],
    zh: [
      ['{E}生活在哪里？', (e) => `${zh(e)}生活在哪里？`],
      ['{E}住在哪儿？', (e) => `${zh(e)}住在哪儿？`],
      ['在哪里可以找到{E}？', (e) => `在哪里可以找到${zh(e)}？`],
      ['{E}的家在哪里？', (e) => `${zh(e)}的家在哪里？`],
    ],
  },
  sound: {
    en: [
      ['What sound does a {E} make?', (e) => `What sound does ${aNoun(e)} make?`],
      ['What does a {E} say?', (e) => `What does ${aNoun(e)} say?`],
      ['What is the sound of the {E}?', (e) => `What is the sound of the ${sing(e)}?`],
      ['What noise do {Es} make?', (e) => `What noise do ${plur(e)} make?`],
    ],
    zh: [
      ['{E}怎么叫？', (e) => `${zh(e)}怎么叫？`],
      ['{E}的叫声是什么？', (e) => `${zh(e)}的叫声是什么？`],
      ['{E}发出什么声音？', (e) => `${zh(e)}发出什么声音？`],
      ['{E}是怎么叫的？', (e) => `${zh(e)}是怎么叫的？`],
    ],
  },
  capital: {
    en: [
      ["What's the capital of {E}?", (e) => `What's the capital of ${en(e)}?`],
      ['What is the capital city of {E}?', (e) => `What is the capital city of ${en(e)}?`],
      ["Which city is {E}'s capital?", (e) => `Which city is ${en(e)}'s capital?`],
      ["What is {E}'s capital?", (e) => `What is ${en(e)}'s capital?`],
    ],
    zh: [
      ['{E}的首都是哪里？', (e) => `${zh(e)}的首都是哪里？`],
      ['{E}的首都是什么？', (e) => `${zh(e)}的首都是什么？`],
      ['哪座城市是{E}的首都？', (e) => `哪座城市是${zh(e)}的首都？`],
      ['{E}的首都叫什么？', (e) => `${zh(e)}的首都叫什么？`],
    ],
  },
  continent: {
    en: [
      ['Which continent is {E} in?', (e) => `Which continent is ${en(e)} in?`],
      ['On which continent does {E} lie?', (e) => `On which continent does ${en(e)} lie?`],
      ['What continent is {E} part of?', (e) => `What continent is ${en(e)} part of?`],
      ['Where is {E}?', (e) => `Where is ${en(e)}?`],
    ],
    zh: [
      ['{E}在哪个洲？', (e) => `${zh(e)}在哪个洲？`],
      ['{E}位于哪个大洲？', (e) => `${zh(e)}位于哪个大洲？`],
      ['{E}属于哪个洲？', (e) => `${zh(e)}属于哪个洲？`],
      ['{E}是哪个洲的国家？', (e) => `${zh(e)}是哪个洲的国家？`],
    ],
  },
  language: {
    en: [
      ['What language do people speak in {E}?', (e) => `What language do people speak in ${en(e)}?`],
      ['What is the language of {E}?', (e) => `What is the language of ${en(e)}?`],
      ['Which language is spoken in {E}?', (e) => `Which language is spoken in ${en(e)}?`],
      ["What is {E}'s main language?", (e) => `What is ${en(e)}'s main language?`],
    ],
    zh: [
      ['{E}人说什么语言？', (e) => `${zh(e)}人说什么语言？`],
      ['{E}的语言是什么？', (e) => `${zh(e)}的语言是什么？`],
      ['在{E}，人们说什么语言？', (e) => `在${zh(e)}，人们说什么语言？`],
      ['{E}的主要语言是什么？', (e) => `${zh(e)}的主要语言是什么？`],
    ],
  },
  job: {
    en: [
      ['What does {E} do for a living?', (e) => `What does ${en(e)} do for a living?`],
      ["What is {E}'s job?", (e) => `What is ${en(e)}'s job?`],
      ['What does {E} work as?', (e) => `What does ${en(e)} work as?`],
      ["What is {E}'s profession?", (e) => `What is ${en(e)}'s profession?`],
    ],
    zh: [
      ['{E}是做什么的？', (e) => `${zh(e)}是做什么的？`],
      ['{E}的职业是什么？', (e) => `${zh(e)}的职业是什么？`],
      ['{E}的工作是什么？', (e) => `${zh(e)}的工作是什么？`],
      ['{E}做什么工作？', (e) => `${zh(e)}做什么工作？`],
    ],
  },
  age: {
    en: [
      ['How old is {E}?', (e) => `How old is ${en(e)}?`],
      ["What is {E}'s age?", (e) => `What is ${en(e)}'s age?`],
      ['What age is {E}?', (e) => `What age is ${en(e)}?`],
      ['How many years old is {E}?', (e) => `How many years old is ${en(e)}?`],
    ],
    zh: [
      ['{E}多大了？', (e) => `${zh(e)}多大了？`],
      ['{E}今年几岁？', (e) => `${zh(e)}今年几岁？`],
      ['{E}的年龄是多少？', (e) => `${zh(e)}的年龄是多少？`],
      ['{E}几岁了？', (e) => `${zh(e)}几岁了？`],
    ],
  },
  city: {
    en: [
      ['Where does {E} live?', (e) => `Where does ${en(e)} live?`],
      ['Which city does {E} live in?', (e) => `Which city does ${en(e)} live in?`],
      ["What is {E}'s home city?", (e) => `What is ${en(e)}'s home city?`],
      ["In which city is {E}'s home?", (e) => `In which city is ${en(e)}'s home?`],
    ],
    zh: [
      ['{E}住在哪里？', (e) => `${zh(e)}住在哪里？`],
      ['{E}住在哪个城市？', (e) => `${zh(e)}住在哪个城市？`],
      ['{E}的家在哪里？', (e) => `${zh(e)}的家在哪里？`],
      ['{E}生活在哪座城市？', (e) => `${zh(e)}生活在哪座城市？`],
    ],
  },
  plot: {
    en: [
      ['Summarize the plot of the movie {E}.', (e) => `Summarize the plot of the movie ${en(e)}.`],
      ['What is the movie {E} about?', (e) => `What is the movie ${en(e)} about?`],
      ['What is the story of {E}?', (e) => `What is the story of ${en(e)}?`],
      ['What happens in the movie {E}?', (e) => `What happens in the movie ${en(e)}?`],
    ],
    zh: [
      ['请概括电影《{E}》的剧情。', (e) => `请概括电影《${zh(e)}》的剧情。`],
      ['电影《{E}》讲的是什么？', (e) => `电影《${zh(e)}》讲的是什么？`],
      ['《{E}》的故事是关于什么的？', (e) => `《${zh(e)}》的故事是关于什么的？`],
      ['《{E}》这部电影讲了什么？', (e) => `《${zh(e)}》这部电影讲了什么？`],
    ],
  },
  year: {
    en: [
      ['When did {E} come out?', (e) => `When did ${en(e)} come out?`],
      ['What year was the movie {E} released?', (e) => `What year was the movie ${en(e)} released?`],
      ['In which year did {E} come out?', (e) => `In which year did ${en(e)} come out?`],
      ['When was {E} released?', (e) => `When was ${en(e)} released?`],
    ],
    zh: [
      ['《{E}》是哪一年上映的？', (e) => `《${zh(e)}》是哪一年上映的？`],
      ['电影《{E}》哪年上映？', (e) => `电影《${zh(e)}》哪年上映？`],
      ['《{E}》的上映年份是哪一年？', (e) => `《${zh(e)}》的上映年份是哪一年？`],
      ['《{E}》是什么时候上映的？', (e) => `《${zh(e)}》是什么时候上映的？`],
    ],
  },
};

const build = (relation: Relation, lang: FactsLang): QuestionPhrasing[] =>
  TABLE[relation][lang].map(([template, render], index) => ({ id: `${relation}.${lang}.q${index}`, relation, lang, index, template, render }));

const QUESTIONS = Object.fromEntries(
  ALL_RELATIONS.map((relation) => [relation, { en: build(relation, 'en'), zh: build(relation, 'zh') }]),
) as Record<Relation, Record<FactsLang, QuestionPhrasing[]>>;

/** The question phrasings of a relation in a language, in index order. */
export function questionPhrasingsFor(relation: Relation, lang: FactsLang): readonly QuestionPhrasing[] {
  return QUESTIONS[relation][lang];
}

export function questionPhrasingById(id: string): QuestionPhrasing | undefined {
  const m = /^([a-z]+)\.([a-z]+)\.q(\d+)$/.exec(id);
  if (!m) return undefined;
  return (QUESTIONS as Record<string, Record<string, QuestionPhrasing[]> | undefined>)[m[1]]?.[m[2]]?.[Number(m[3])];
}

/** Question phrasings of the seed examples ("What's the capital of China?", "Summarize the plot of the movie
 *  Titanic.", 中国的首都是哪里？ …): always on the training side. */
export const PINNED_QUESTIONS: readonly string[] = ['capital.en.q0', 'capital.zh.q0', 'plot.en.q0', 'plot.zh.q0'];

export interface QuestionSplit {
  heldOut: string[];
  train: string[];
}

/**
 * Holds out `perRelation` question phrasings (default 1, never a pinned one, always leaving ≥ 1) per relation
 * and language, drawn from `seed` (pass the FactsSplit's seed so a split is reproducible from it).
 */
export function splitQuestions(seed: number, languages: readonly FactsLang[], perRelation = 1): QuestionSplit {
  const rng = new DataRng(seed).fork('sft-question-split');
  const heldOut: string[] = [];
  const train: string[] = [];
  for (const relation of ALL_RELATIONS) {
    for (const lang of languages) {
      const ids = questionPhrasingsFor(relation, lang).map((q) => q.id);
      const candidates = rng.shuffle(ids.filter((id) => !PINNED_QUESTIONS.includes(id)));
      const held = new Set(candidates.slice(0, Math.max(0, Math.min(perRelation, ids.length - 1))));
      for (const id of ids) (held.has(id) ? heldOut : train).push(id);
    }
  }
  return { heldOut, train };
}
