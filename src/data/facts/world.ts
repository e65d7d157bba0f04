// makeFactsWorld: a deterministic (per seed) bilingual world. Real fruits, colours, animals, countries and
// movies are drawn from the catalogue (always including banana, China and Titanic, which carry the seed
// sentences); invented countries, their capitals and people are made up per seed, with SHORT names (tiny
// models mis-copy long invented names).
import { DataRng, seedOf } from '../rng.ts';
import {
  ANIMALS,
  COLOUR_ENTITIES,
  COLOURS,
  CONTINENTS,
  COUNTRIES,
  FRUITS,
  HABITATS,
  JOBS,
  LANGUAGES,
  MOVIES,
  NAME_DENYLIST,
  PERSON_NAMES,
  SHAPES,
  SYLLABLES,
  TASTES,
  slugify,
} from './catalog.ts';
import { phrasingById, phrasingsFor, type Phrasing } from './phrasings.ts';
import {
  FACTS_LANGS,
  RELATIONS,
  type AttrValue,
  type Entity,
  type Fact,
  type FactsLang,
  type FactsSize,
  type FactsWorld,
  type Relation,
} from './types.ts';

export interface SizeSpec {
  fruits: number;
  colours: number;
  animals: number;
  realCountries: number;
  inventedCountries: number;
  people: number;
  movies: number;
}

/** Entities per category for each size. */
export const SIZE_SPECS: Record<FactsSize, SizeSpec> = {
  tiny: { fruits: 5, colours: 3, animals: 5, realCountries: 4, inventedCountries: 3, people: 8, movies: 3 },
  small: { fruits: 12, colours: 8, animals: 14, realCountries: 16, inventedCountries: 8, people: 24, movies: 8 },
  full: {
    fruits: FRUITS.length,
    colours: COLOUR_ENTITIES.length,
    animals: ANIMALS.length,
    realCountries: COUNTRIES.length,
    inventedCountries: 20,
    people: 60,
    movies: MOVIES.length,
  },
};

export const DEFAULT_FACTS_SIZE: FactsSize = 'tiny';
export const DEFAULT_FACTS_SEED = 1;

/** Catalogue entries that every world contains (seed sentences and SFT seed examples depend on them). */
export const PINNED_ENTITIES: readonly string[] = ['fruit:banana', 'country:china', 'movie:titanic'];
/** Facts that every world contains and that stay on the SFT training side of the split. */
export const PINNED_FACT_KEYS: readonly string[] = ['fruit:banana.shape', 'country:china.capital', 'movie:titanic.plot'];

/** Sentences that every corpus of a world with these languages contains verbatim. */
export const VERBATIM_SENTENCES: Record<FactsLang, readonly string[]> = {
  en: [
    'A banana is an elongated, edible fruit.',
    'The capital of China is Beijing.',
    "China's capital is Beijing.",
    'The movie Titanic is about a ship that sinks in the ocean.',
  ],
  zh: ['香蕉是一种长形的可食用水果。', '中国的首都是北京。', '电影《泰坦尼克号》讲的是一艘在大海中沉没的船。'],
};

export interface FactsWorldOptions {
  seed?: number | string;
  size?: FactsSize;
  /** Languages of the facts (entities always carry both names). Default both. */
  languages?: readonly FactsLang[];
}

/** Picks k of the catalogue (those listed first in `pinned` always), keeping catalogue order. */
function choose<T>(rng: DataRng, items: readonly T[], k: number, pinnedCount: number): T[] {
  const n = Math.min(k, items.length);
  const idx = items.map((_, i) => i);
  const rest = rng.sample(idx.slice(pinnedCount), Math.max(0, n - pinnedCount));
  return [...idx.slice(0, Math.min(pinnedCount, n)), ...rest].sort((a, b) => a - b).map((i) => items[i]);
}

const SYLLABLE_KEYS = Object.keys(SYLLABLES);

/** A name of `syllables` CV syllables (optionally ending in -n) and its Chinese transliteration. */
function inventName(rng: DataRng, coda: boolean): [string, string] {
  const a = rng.pick(SYLLABLE_KEYS);
  let b = rng.pick(SYLLABLE_KEYS);
  while (b === a) b = rng.pick(SYLLABLE_KEYS);
  const en = a + b + (coda ? 'n' : '');
  const zh = SYLLABLES[a] + SYLLABLES[b] + (coda ? '恩' : '');
  return [en[0].toUpperCase() + en.slice(1), zh];
}

export function makeFactsWorld(opts: FactsWorldOptions = {}): FactsWorld {
  const seed = seedOf(opts.seed, DEFAULT_FACTS_SEED);
  const size = opts.size ?? DEFAULT_FACTS_SIZE;
  const spec = SIZE_SPECS[size];
  if (!spec) throw new Error(`facts world: unknown size ${String(size)}`);
  const languages = FACTS_LANGS.filter((l) => (opts.languages ?? FACTS_LANGS).includes(l));
  if (languages.length === 0) throw new Error('facts world: no language selected (en, zh)');
  const root = new DataRng(seed);
  const entities: Entity[] = [];

  for (const f of choose(root.fork('fruits'), FRUITS, spec.fruits, 1)) {
    entities.push({
      id: `fruit:${f.slug}`,
      kind: 'fruit',
      name: { en: f.singular[0].toUpperCase() + f.singular.slice(1), zh: f.zh },
      invented: false,
      noun: { singular: f.singular, plural: f.plural },
      attrs: { colour: COLOURS[f.colour], taste: TASTES[f.taste], shape: SHAPES[f.shape] },
    });
  }
  for (const c of choose(root.fork('colours'), COLOUR_ENTITIES, spec.colours, 0)) {
    const colour = COLOURS[c.colour];
    const attrs: Entity['attrs'] = { example: c.example };
    if (c.mix) attrs.mix = c.mix;
    entities.push({ id: `colour:${colour.id}`, kind: 'colour', name: { en: colour.en, zh: colour.zh }, invented: false, attrs });
  }
  for (const a of choose(root.fork('animals'), ANIMALS, spec.animals, 0)) {
    const attrs: Entity['attrs'] = { eats: a.eats, habitat: HABITATS[a.habitat] };
    if (a.sound) attrs.sound = a.sound;
    entities.push({
      id: `animal:${a.slug}`,
      kind: 'animal',
      name: { en: a.singular[0].toUpperCase() + a.singular.slice(1), zh: a.zh },
      invented: false,
      noun: { singular: a.singular, plural: a.plural },
      attrs,
    });
  }

  // Countries: real ones, then invented ones with invented capitals.
  const capitals: AttrValue[] = [];
  for (const c of choose(root.fork('countries'), COUNTRIES, spec.realCountries, 1)) {
    capitals.push(c.capital);
    entities.push({
      id: `country:${c.name.id}`,
      kind: 'country',
      name: { en: c.name.en, zh: c.name.zh },
      invented: false,
      attrs: { capital: c.capital, continent: CONTINENTS[c.continent], language: LANGUAGES[c.language] },
    });
  }
  const taken = new Set<string>();
  const takenZh = new Set<string>();
  const reserve = (en: string, zh: string) => {
    taken.add(en.toLowerCase());
    takenZh.add(zh);
  };
  for (const c of COUNTRIES) {
    reserve(c.name.en, c.name.zh);
    reserve(c.capital.en, c.capital.zh);
  }
  for (const [en, zh] of PERSON_NAMES) reserve(en, zh);
  for (const x of [...FRUITS, ...ANIMALS]) reserve(x.singular, x.zh);
  for (const m of MOVIES) reserve(m.title.en, m.title.zh);
  const fresh = (rng: DataRng, coda: boolean): [string, string] => {
    for (;;) {
      const [en, zh] = inventName(rng, coda);
      const low = en.toLowerCase();
      if (taken.has(low) || takenZh.has(zh) || NAME_DENYLIST.has(low)) continue;
      reserve(en, zh);
      return [en, zh];
    }
  };
  const inv = root.fork('invented-countries');
  const continentList = Object.values(CONTINENTS);
  const languageList = Object.values(LANGUAGES);
  for (let i = 0; i < spec.inventedCountries; i++) {
    const [en, zh] = fresh(inv, false);
    const [capEn, capZh] = fresh(inv, inv.next() < 0.4);
    const capital: AttrValue = { id: slugify(capEn), en: capEn, zh: capZh };
    capitals.push(capital);
    entities.push({
      id: `country:${slugify(en)}`,
      kind: 'country',
      name: { en, zh },
      invented: true,
      attrs: { capital, continent: inv.pick(continentList), language: inv.pick(languageList) },
    });
  }

  // People: short names, a job, an age, and a city that is one of this world's capitals.
  const ppl = root.fork('people');
  for (const [en, zh] of ppl.sample(PERSON_NAMES, spec.people)) {
    const age = String(ppl.range(20, 70));
    entities.push({
      id: `person:${slugify(en)}`,
      kind: 'person',
      name: { en, zh },
      invented: true,
      attrs: { job: ppl.pick(JOBS), age: { id: age, en: age, zh: age }, city: ppl.pick(capitals) },
    });
  }

  for (const m of choose(root.fork('movies'), MOVIES, spec.movies, 1)) {
    const year = String(m.year);
    entities.push({
      id: `movie:${m.title.id}`,
      kind: 'movie',
      name: { en: m.title.en, zh: m.title.zh },
      invented: false,
      attrs: { plot: m.plot, year: { id: year, en: year, zh: year } },
    });
  }

  const facts: Fact[] = [];
  for (const e of entities) {
    for (const relation of RELATIONS[e.kind] as readonly Relation[]) {
      const value = e.attrs[relation];
      if (!value) continue;
      for (const lang of languages) {
        facts.push({
          id: `${e.id}.${relation}.${lang}`,
          key: `${e.id}.${relation}`,
          entity: e.id,
          relation,
          value: value[lang],
          lang,
        });
      }
    }
  }
  return { seed, size, languages, entities, facts };
}

export function getEntity(world: FactsWorld, id: string): Entity {
  const e = world.entities.find((x) => x.id === id);
  if (!e) throw new Error(`facts world: no entity ${id}`);
  return e;
}

/** The facts of one entity (optionally in one language). */
export function factsOf(world: FactsWorld, entityId: string, lang?: FactsLang): Fact[] {
  return world.facts.filter((f) => f.entity === entityId && (lang === undefined || f.lang === lang));
}

/**
 * One sentence stating a fact: with phrasing `phrasing` (an index into phrasingsFor(relation, lang), or an
 * id such as `capital.en.1`); phrasing 0 by default.
 */
export function renderFact(world: FactsWorld, fact: Fact, phrasing: number | string = 0): string {
  const e = getEntity(world, fact.entity);
  const value = e.attrs[fact.relation];
  if (!value) throw new Error(`facts world: ${e.id} has no ${fact.relation}`);
  let p: Phrasing | undefined;
  if (typeof phrasing === 'number') p = phrasingsFor(fact.relation, fact.lang)[phrasing];
  else p = phrasingById(phrasing);
  if (!p || p.relation !== fact.relation || p.lang !== fact.lang) {
    throw new Error(`facts world: phrasing ${String(phrasing)} does not fit ${fact.id}`);
  }
  return p.render(e, value);
}

/** Every rendering of a fact, one per phrasing. */
export function renderAll(world: FactsWorld, fact: Fact): string[] {
  return phrasingsFor(fact.relation, fact.lang).map((_, i) => renderFact(world, fact, i));
}

/**
 * Whether a free-text answer states the fact's value: case-insensitive, on word boundaries in English
 * (so "Paris" does not match "Parisian"), as a substring in Chinese. A checker for SFT evaluation and the
 * simulated labeler, not a judge of the whole answer.
 */
export function answerMentions(answer: string, fact: Pick<Fact, 'value' | 'lang'>): boolean {
  if (fact.lang === 'zh') return answer.includes(fact.value);
  const esc = fact.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9])${esc}($|[^A-Za-z0-9])`, 'i').test(answer);
}
