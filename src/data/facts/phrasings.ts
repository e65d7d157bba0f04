// Every relation in several phrasings per language (≥ 4; the first few are the seed sentences' shapes).
// A phrasing renders one fact as one sentence that always names the entity, so a corpus entry repeats the
// entity's name in every sentence.
import type { AttrValue, Entity, FactsLang, Relation } from './types.ts';

export interface Phrasing {
  /** `${relation}.${lang}.${index}`, e.g. `capital.en.1`. */
  id: string;
  relation: Relation;
  lang: FactsLang;
  index: number;
  /** A readable template, for display (`{E}` the entity, `{V}` the value). */
  template: string;
  render(e: Entity, v: AttrValue): string;
}

type Render = (e: Entity, v: AttrValue) => string;

export const cap = (s: string): string => (s === '' ? s : s[0].toUpperCase() + s.slice(1));
/** "a" or "an" for the word that follows. */
export const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

const sing = (e: Entity): string => e.noun?.singular ?? e.name.en;
const plur = (e: Entity): string => e.noun?.plural ?? e.name.en;
/** "a banana", "an apple". */
const aNoun = (e: Entity): string => `${article(sing(e))} ${sing(e)}`;
const en = (e: Entity): string => e.name.en;
const zh = (e: Entity): string => e.name.zh;
const loc = (v: AttrValue): string => v.zh + (v.zhLoc ?? '');
const prep = (v: AttrValue): string => `${v.enPrep ?? 'in'} ${v.en}`;
const aJob = (v: AttrValue): string => `${article(v.en)} ${v.en}`;

type Table = Record<Relation, Record<FactsLang, [string, Render][]>>;

const TABLE: Table = {
  // ── fruits ──
  colour: {
    en: [
      ['{Es} are {V}.', (e, v) => `${cap(plur(e))} are ${v.en}.`],
      ['The colour of a {E} is {V}.', (e, v) => `The colour of ${aNoun(e)} is ${v.en}.`],
      ['A ripe {E} is {V}.', (e, v) => `A ripe ${sing(e)} is ${v.en}.`],
      ['A {E} has a {V} colour.', (e, v) => `${cap(aNoun(e))} has ${article(v.en)} ${v.en} colour.`],
      ['Most {Es} are {V} in colour.', (e, v) => `Most ${plur(e)} are ${v.en} in colour.`],
    ],
    zh: [
      ['{E}是{V}的。', (e, v) => `${zh(e)}是${v.zh}的。`],
      ['{E}的颜色是{V}。', (e, v) => `${zh(e)}的颜色是${v.zh}。`],
      ['成熟的{E}是{V}的。', (e, v) => `成熟的${zh(e)}是${v.zh}的。`],
      ['{E}通常是{V}的。', (e, v) => `${zh(e)}通常是${v.zh}的。`],
      ['说到颜色，{E}是{V}的。', (e, v) => `说到颜色，${zh(e)}是${v.zh}的。`],
    ],
  },
  taste: {
    en: [
      ['A {E} tastes {V}.', (e, v) => `${cap(aNoun(e))} tastes ${v.en}.`],
      ['{Es} taste {V}.', (e, v) => `${cap(plur(e))} taste ${v.en}.`],
      ['The taste of a {E} is {V}.', (e, v) => `The taste of ${aNoun(e)} is ${v.en}.`],
      ['A {E} has a {V} taste.', (e, v) => `${cap(aNoun(e))} has ${article(v.en)} ${v.en} taste.`],
      ['If you eat a {E}, it tastes {V}.', (e, v) => `If you eat ${aNoun(e)}, it tastes ${v.en}.`],
    ],
    zh: [
      ['{E}的味道是{V}的。', (e, v) => `${zh(e)}的味道是${v.zh}的。`],
      ['{E}吃起来很{V}。', (e, v) => `${zh(e)}吃起来很${v.zh}。`],
      ['{E}尝起来是{V}的。', (e, v) => `${zh(e)}尝起来是${v.zh}的。`],
      ['说到味道，{E}是{V}的。', (e, v) => `说到味道，${zh(e)}是${v.zh}的。`],
      ['{E}是一种{V}的水果。', (e, v) => `${zh(e)}是一种${v.zh}的水果。`],
    ],
  },
  shape: {
    en: [
      ['A {E} is a {V}, edible fruit.', (e, v) => `${cap(aNoun(e))} is ${article(v.en)} ${v.en}, edible fruit.`],
      ['The shape of a {E} is {V}.', (e, v) => `The shape of ${aNoun(e)} is ${v.en}.`],
      ['{Es} are {V}.', (e, v) => `${cap(plur(e))} are ${v.en}.`],
      ['Look at a {E} and you will see that it is {V}.', (e, v) => `Look at ${aNoun(e)} and you will see that it is ${v.en}.`],
      ['In shape, a {E} is {V}.', (e, v) => `In shape, ${aNoun(e)} is ${v.en}.`],
    ],
    zh: [
      ['{E}是一种{V}的可食用水果。', (e, v) => `${zh(e)}是一种${v.zh}的可食用水果。`],
      ['{E}的形状是{V}的。', (e, v) => `${zh(e)}的形状是${v.zh}的。`],
      ['从外形看，{E}是{V}的。', (e, v) => `从外形看，${zh(e)}是${v.zh}的。`],
      ['{E}的外形呈{V}。', (e, v) => `${zh(e)}的外形呈${v.zh}。`],
      ['说到形状，{E}是{V}的。', (e, v) => `说到形状，${zh(e)}是${v.zh}的。`],
    ],
  },
  // ── colours ──
  example: {
    en: [
      ['{V} is {E}.', (e, v) => `${cap(v.en)} is ${en(e)}.`],
      ['{E} is the colour of {V}.', (e, v) => `${cap(en(e))} is the colour of ${v.en}.`],
      ['The colour of {V} is {E}.', (e, v) => `The colour of ${v.en} is ${en(e)}.`],
      ['A good example of something {E} is {V}.', (e, v) => `A good example of something ${en(e)} is ${v.en}.`],
      ['{V} has a {E} colour.', (e, v) => `${cap(v.en)} has ${article(en(e))} ${en(e)} colour.`],
    ],
    zh: [
      ['{V}是{E}的。', (e, v) => `${v.zh}是${zh(e)}的。`],
      ['{E}是{V}的颜色。', (e, v) => `${zh(e)}是${v.zh}的颜色。`],
      ['{V}的颜色是{E}。', (e, v) => `${v.zh}的颜色是${zh(e)}。`],
      ['说到{E}，人们会想到{V}。', (e, v) => `说到${zh(e)}，人们会想到${v.zh}。`],
      ['{V}呈{E}。', (e, v) => `${v.zh}呈${zh(e)}。`],
    ],
  },
  mix: {
    en: [
      ['{V} make {E}.', (e, v) => `${cap(v.en)} make ${en(e)}.`],
      ['Mixing {V} gives {E}.', (e, v) => `Mixing ${v.en} gives ${en(e)}.`],
      ['{E} is made by mixing {V}.', (e, v) => `${cap(en(e))} is made by mixing ${v.en}.`],
      ['If you mix {V}, you get {E}.', (e, v) => `If you mix ${v.en}, you get ${en(e)}.`],
    ],
    zh: [
      ['{V}混合成{E}。', (e, v) => `${v.zh}混合成${zh(e)}。`],
      ['把{V}混在一起就得到{E}。', (e, v) => `把${v.zh}混在一起就得到${zh(e)}。`],
      ['{E}是由{V}调出来的。', (e, v) => `${zh(e)}是由${v.zh}调出来的。`],
      ['用{V}可以调出{E}。', (e, v) => `用${v.zh}可以调出${zh(e)}。`],
    ],
  },
  // ── animals ──
  eats: {
    en: [
      ['A {E} eats {V}.', (e, v) => `${cap(aNoun(e))} eats ${v.en}.`],
      ['{Es} eat {V}.', (e, v) => `${cap(plur(e))} eat ${v.en}.`],
      ['The food of the {E} is {V}.', (e, v) => `The food of the ${sing(e)} is ${v.en}.`],
      ['{Es} like to eat {V}.', (e, v) => `${cap(plur(e))} like to eat ${v.en}.`],
      ['What a {E} eats is {V}.', (e, v) => `What ${aNoun(e)} eats is ${v.en}.`],
    ],
    zh: [
      ['{E}吃{V}。', (e, v) => `${zh(e)}吃${v.zh}。`],
      ['{E}以{V}为食。', (e, v) => `${zh(e)}以${v.zh}为食。`],
      ['{E}的食物是{V}。', (e, v) => `${zh(e)}的食物是${v.zh}。`],
      ['{E}喜欢吃{V}。', (e, v) => `${zh(e)}喜欢吃${v.zh}。`],
      ['{V}是{E}的食物。', (e, v) => `${v.zh}是${zh(e)}的食物。`],
    ],
  },
  habitat: {
    en: [
      ['A {E} lives in {V}.', (e, v) => `${cap(aNoun(e))} lives ${prep(v)}.`],
      ['{Es} live in {V}.', (e, v) => `${cap(plur(e))} live ${prep(v)}.`],
      ['The home of the {E} is {V}.', (e, v) => `The home of the ${sing(e)} is ${v.en}.`],
      ['You can find {Es} in {V}.', (e, v) => `You can find ${plur(e)} ${prep(v)}.`],
      ['A {E} makes its home in {V}.', (e, v) => `${cap(aNoun(e))} makes its home ${prep(v)}.`],
    ],
    zh: [
      ['{E}生活在{V}里。', (e, v) => `${zh(e)}生活在${loc(v)}。`],
      ['{E}住在{V}里。', (e, v) => `${zh(e)}住在${loc(v)}。`],
      ['{E}的家在{V}里。', (e, v) => `${zh(e)}的家在${loc(v)}。`],
      ['在{V}里可以找到{E}。', (e, v) => `在${loc(v)}可以找到${zh(e)}。`],
      ['{V}是{E}的家。', (e, v) => `${v.zh}是${zh(e)}的家。`],
    ],
  },
  sound: {
    en: [
      ['A {E} says {V}.', (e, v) => `${cap(aNoun(e))} says ${v.en}.`],
      ['{Es} go {V}.', (e, v) => `${cap(plur(e))} go ${v.en}.`],
      ['The sound of the {E} is {V}.', (e, v) => `The sound of the ${sing(e)} is ${v.en}.`],
      ['A {E} makes the sound {V}.', (e, v) => `${cap(aNoun(e))} makes the sound ${v.en}.`],
      ['You can hear a {E} say {V}.', (e, v) => `You can hear ${aNoun(e)} say ${v.en}.`],
    ],
    zh: [
      ['{E}的叫声是{V}。', (e, v) => `${zh(e)}的叫声是${v.zh}。`],
      ['{E}会{V}叫。', (e, v) => `${zh(e)}会${v.zh}叫。`],
      ['{E}叫起来{V}的。', (e, v) => `${zh(e)}叫起来${v.zh}的。`],
      ['{E}发出{V}的声音。', (e, v) => `${zh(e)}发出${v.zh}的声音。`],
      ['听，{E}在{V}地叫。', (e, v) => `听，${zh(e)}在${v.zh}地叫。`],
    ],
  },
  // ── countries ──
  capital: {
    en: [
      ['The capital of {E} is {V}.', (e, v) => `The capital of ${en(e)} is ${v.en}.`],
      ["{E}'s capital is {V}.", (e, v) => `${en(e)}'s capital is ${v.en}.`],
      ['{V} is the capital of {E}.', (e, v) => `${v.en} is the capital of ${en(e)}.`],
      ['{E} has {V} as its capital city.', (e, v) => `${en(e)} has ${v.en} as its capital city.`],
      ['The capital city of {E} is {V}.', (e, v) => `The capital city of ${en(e)} is ${v.en}.`],
    ],
    zh: [
      ['{E}的首都是{V}。', (e, v) => `${zh(e)}的首都是${v.zh}。`],
      ['{V}是{E}的首都。', (e, v) => `${v.zh}是${zh(e)}的首都。`],
      ['{E}的首都叫{V}。', (e, v) => `${zh(e)}的首都叫${v.zh}。`],
      ['{E}以{V}为首都。', (e, v) => `${zh(e)}以${v.zh}为首都。`],
      ['说到{E}的首都，那就是{V}。', (e, v) => `说到${zh(e)}的首都，那就是${v.zh}。`],
    ],
  },
  continent: {
    en: [
      ['{E} is in {V}.', (e, v) => `${en(e)} is in ${v.en}.`],
      ['{E} is a country in {V}.', (e, v) => `${en(e)} is a country in ${v.en}.`],
      ['{E} lies on the continent of {V}.', (e, v) => `${en(e)} lies on the continent of ${v.en}.`],
      ['You will find {E} in {V}.', (e, v) => `You will find ${en(e)} in ${v.en}.`],
      ['{E} is one of the countries of {V}.', (e, v) => `${en(e)} is one of the countries of ${v.en}.`],
    ],
    zh: [
      ['{E}位于{V}。', (e, v) => `${zh(e)}位于${v.zh}。`],
      ['{E}是{V}的一个国家。', (e, v) => `${zh(e)}是${v.zh}的一个国家。`],
      ['{E}在{V}。', (e, v) => `${zh(e)}在${v.zh}。`],
      ['{E}属于{V}。', (e, v) => `${zh(e)}属于${v.zh}。`],
      ['{V}有一个国家叫{E}。', (e, v) => `${v.zh}有一个国家叫${zh(e)}。`],
    ],
  },
  language: {
    en: [
      ['People in {E} speak {V}.', (e, v) => `People in ${en(e)} speak ${v.en}.`],
      ['The language of {E} is {V}.', (e, v) => `The language of ${en(e)} is ${v.en}.`],
      ['In {E}, people speak {V}.', (e, v) => `In ${en(e)}, people speak ${v.en}.`],
      ["{E}'s main language is {V}.", (e, v) => `${en(e)}'s main language is ${v.en}.`],
      ['{V} is spoken in {E}.', (e, v) => `${v.en} is spoken in ${en(e)}.`],
    ],
    zh: [
      ['{E}人说{V}。', (e, v) => `${zh(e)}人说${v.zh}。`],
      ['{E}的语言是{V}。', (e, v) => `${zh(e)}的语言是${v.zh}。`],
      ['在{E}，人们说{V}。', (e, v) => `在${zh(e)}，人们说${v.zh}。`],
      ['{E}的主要语言是{V}。', (e, v) => `${zh(e)}的主要语言是${v.zh}。`],
      ['{V}是{E}的语言。', (e, v) => `${v.zh}是${zh(e)}的语言。`],
    ],
  },
  // ── people ──
  job: {
    en: [
      ['{E} is a {V}.', (e, v) => `${en(e)} is ${aJob(v)}.`],
      ['{E} works as a {V}.', (e, v) => `${en(e)} works as ${aJob(v)}.`],
      ['By profession, {E} is a {V}.', (e, v) => `By profession, ${en(e)} is ${aJob(v)}.`],
      ['{E} has a job as a {V}.', (e, v) => `${en(e)} has a job as ${aJob(v)}.`],
      ['{E} earns a living as a {V}.', (e, v) => `${en(e)} earns a living as ${aJob(v)}.`],
    ],
    zh: [
      ['{E}是一名{V}。', (e, v) => `${zh(e)}是一名${v.zh}。`],
      ['{E}的职业是{V}。', (e, v) => `${zh(e)}的职业是${v.zh}。`],
      ['{E}的工作是{V}。', (e, v) => `${zh(e)}的工作是${v.zh}。`],
      ['{E}在当{V}。', (e, v) => `${zh(e)}在当${v.zh}。`],
      ['{E}以当{V}为生。', (e, v) => `${zh(e)}以当${v.zh}为生。`],
    ],
  },
  age: {
    en: [
      ['{E} is {V} years old.', (e, v) => `${en(e)} is ${v.en} years old.`],
      ["{E}'s age is {V}.", (e, v) => `${en(e)}'s age is ${v.en}.`],
      ['The age of {E} is {V}.', (e, v) => `The age of ${en(e)} is ${v.en}.`],
      ['{E} has lived for {V} years.', (e, v) => `${en(e)} has lived for ${v.en} years.`],
      ['{E} turned {V} this year.', (e, v) => `${en(e)} turned ${v.en} this year.`],
    ],
    zh: [
      ['{E}今年{V}岁。', (e, v) => `${zh(e)}今年${v.zh}岁。`],
      ['{E}的年龄是{V}岁。', (e, v) => `${zh(e)}的年龄是${v.zh}岁。`],
      ['{E}已经{V}岁了。', (e, v) => `${zh(e)}已经${v.zh}岁了。`],
      ['{E}的岁数是{V}。', (e, v) => `${zh(e)}的岁数是${v.zh}。`],
      ['{E}{V}岁。', (e, v) => `${zh(e)}${v.zh}岁。`],
    ],
  },
  city: {
    en: [
      ['{E} lives in {V}.', (e, v) => `${en(e)} lives in ${v.en}.`],
      ["{E}'s home is in {V}.", (e, v) => `${en(e)}'s home is in ${v.en}.`],
      ['{V} is where {E} lives.', (e, v) => `${v.en} is where ${en(e)} lives.`],
      ["{E}'s home city is {V}.", (e, v) => `${en(e)}'s home city is ${v.en}.`],
      ['{E} has a house in {V}.', (e, v) => `${en(e)} has a house in ${v.en}.`],
    ],
    zh: [
      ['{E}住在{V}。', (e, v) => `${zh(e)}住在${v.zh}。`],
      ['{E}的家在{V}。', (e, v) => `${zh(e)}的家在${v.zh}。`],
      ['{V}是{E}住的城市。', (e, v) => `${v.zh}是${zh(e)}住的城市。`],
      ['{E}生活在{V}。', (e, v) => `${zh(e)}生活在${v.zh}。`],
      ['{E}家住{V}。', (e, v) => `${zh(e)}家住${v.zh}。`],
    ],
  },
  // ── movies ──
  plot: {
    en: [
      ['The movie {E} is about {V}.', (e, v) => `The movie ${en(e)} is about ${v.en}.`],
      ['{E} is a film about {V}.', (e, v) => `${en(e)} is a film about ${v.en}.`],
      ['{E} tells the story of {V}.', (e, v) => `${en(e)} tells the story of ${v.en}.`],
      ['The story of the movie {E} is about {V}.', (e, v) => `The story of the movie ${en(e)} is about ${v.en}.`],
      ['If you watch {E}, you will see a story about {V}.', (e, v) => `If you watch ${en(e)}, you will see a story about ${v.en}.`],
    ],
    zh: [
      ['电影《{E}》讲的是{V}。', (e, v) => `电影《${zh(e)}》讲的是${v.zh}。`],
      ['《{E}》这部电影讲的是{V}。', (e, v) => `《${zh(e)}》这部电影讲的是${v.zh}。`],
      ['《{E}》的故事是关于{V}的。', (e, v) => `《${zh(e)}》的故事是关于${v.zh}的。`],
      ['电影《{E}》讲述了{V}的故事。', (e, v) => `电影《${zh(e)}》讲述了${v.zh}的故事。`],
      ['看过《{E}》的人都知道，它讲的是{V}。', (e, v) => `看过《${zh(e)}》的人都知道，它讲的是${v.zh}。`],
    ],
  },
  year: {
    en: [
      ['{E} came out in {V}.', (e, v) => `${en(e)} came out in ${v.en}.`],
      ['The movie {E} was released in {V}.', (e, v) => `The movie ${en(e)} was released in ${v.en}.`],
      ['{E} is a movie from {V}.', (e, v) => `${en(e)} is a movie from ${v.en}.`],
      ['In {V}, the movie {E} came out.', (e, v) => `In ${v.en}, the movie ${en(e)} came out.`],
      ['The release year of {E} is {V}.', (e, v) => `The release year of ${en(e)} is ${v.en}.`],
    ],
    zh: [
      ['《{E}》于{V}年上映。', (e, v) => `《${zh(e)}》于${v.zh}年上映。`],
      ['电影《{E}》是{V}年上映的。', (e, v) => `电影《${zh(e)}》是${v.zh}年上映的。`],
      ['《{E}》是一部{V}年的电影。', (e, v) => `《${zh(e)}》是一部${v.zh}年的电影。`],
      ['{V}年，电影《{E}》上映了。', (e, v) => `${v.zh}年，电影《${zh(e)}》上映了。`],
      ['《{E}》的上映年份是{V}年。', (e, v) => `《${zh(e)}》的上映年份是${v.zh}年。`],
    ],
  },
};

const PHRASINGS: Record<Relation, Record<FactsLang, Phrasing[]>> = Object.fromEntries(
  Object.entries(TABLE).map(([relation, byLang]) => [
    relation,
    Object.fromEntries(
      Object.entries(byLang).map(([lang, list]) => [
        lang,
        list.map(([template, render], index) => ({
          id: `${relation}.${lang}.${index}`,
          relation: relation as Relation,
          lang: lang as FactsLang,
          index,
          template,
          render,
        })),
      ]),
    ),
  ]),
) as Record<Relation, Record<FactsLang, Phrasing[]>>;

/** The phrasings of a relation in a language, in index order. */
export function phrasingsFor(relation: Relation, lang: FactsLang): readonly Phrasing[] {
  return PHRASINGS[relation][lang];
}

/** Looks a phrasing up by id (`capital.en.1`). */
export function phrasingById(id: string): Phrasing | undefined {
  const [relation, lang, index] = id.split('.');
  return (PHRASINGS as Record<string, Record<string, Phrasing[]> | undefined>)[relation]?.[lang]?.[Number(index)];
}

/**
 * Phrasings that carry the SFT seed examples and the verbatim sentences ("China's capital is Beijing.",
 * "The movie Titanic is about …", "A banana is an elongated, edible fruit.", 中国的首都是北京。 …): always
 * on the training side of the split.
 */
export const PINNED_PHRASINGS: readonly string[] = [
  'capital.en.0',
  'capital.en.1',
  'capital.zh.0',
  'plot.en.0',
  'plot.zh.0',
  'shape.en.0',
  'shape.zh.0',
];
