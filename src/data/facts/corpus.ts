// factsCorpus: the pretraining text of a facts world. Encyclopedia-style entries: a title line with the
// entity's name, then one sentence per fact, each naming the entity again. The corpus is `mentionsPerFact`
// rounds; each round has one entry per entity and language, with freshly drawn phrasings and sentence
// order, and the round's entries shuffled. So every fact is stated exactly `mentionsPerFact` times, every
// phrasing of it about equally often (knowledge that is to be extracted into Q&A later needs ~100
// repetitions in varied wording).
import { DataRng, seedOf } from '../rng.ts';
import { PINNED_PHRASINGS, phrasingsFor } from './phrasings.ts';
import type { Entity, Fact, FactsLang, FactsWorld } from './types.ts';

export const DEFAULT_MENTIONS_PER_FACT = 100;

export interface FactsCorpusOptions {
  /** Shuffling and phrasing choice; default the world's seed. */
  seed?: number | string;
  /** Times each fact is stated (= rounds over the world). Default 100. */
  mentionsPerFact?: number;
  /** Subset of the world's languages. Default all of them. */
  languages?: readonly FactsLang[];
  /** Start each entry with a line holding the entity's name. Default true. */
  titles?: boolean;
  /** Keep the languages in separate rounds' halves instead of mixing entries of both. Default false. */
  separateLanguages?: boolean;
}

export interface FactsEntry {
  entity: string;
  lang: FactsLang;
  round: number;
  text: string;
  /** For each sentence: the fact id and the phrasing index used. */
  mentions: { fact: string; phrasing: number }[];
}

/**
 * The title line of an entity's entry: Banana / 香蕉, China / 中国, Titanic / 《泰坦尼克号》, and for colours
 * "The colour orange" (so it cannot be taken for the fruit) / 橙色. Unique within a world and language.
 */
export function entryTitle(e: Entity, lang: FactsLang): string {
  if (lang === 'zh') return e.kind === 'movie' ? `《${e.name.zh}》` : e.name.zh;
  if (e.kind === 'colour') return `The colour ${e.name.en}`;
  return e.name.en[0].toUpperCase() + e.name.en.slice(1);
}

/** A balanced, shuffled sequence of phrasing indices (pinned ones first in the cycle, so short corpora have them). */
function schedule(rng: DataRng, fact: Fact, n: number): number[] {
  const count = phrasingsFor(fact.relation, fact.lang).length;
  const order = Array.from({ length: count }, (_, i) => i);
  const pinned = (i: number) => PINNED_PHRASINGS.includes(`${fact.relation}.${fact.lang}.${i}`);
  order.sort((a, b) => Number(pinned(b)) - Number(pinned(a)) || a - b);
  const seq: number[] = [];
  while (seq.length < n) {
    const block = order.slice();
    // Within each full cycle the order is random; the first cycle keeps pinned phrasings in it.
    seq.push(...(seq.length === 0 && n < count ? block : rng.shuffle(block)));
  }
  return rng.shuffle(seq.slice(0, n));
}

/** The corpus as structured entries, in corpus order (the text is their `text` joined by blank lines). */
export function factsCorpusEntries(world: FactsWorld, opts: FactsCorpusOptions = {}): FactsEntry[] {
  const seed = seedOf(opts.seed, world.seed);
  const rounds = opts.mentionsPerFact ?? DEFAULT_MENTIONS_PER_FACT;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('facts corpus: mentionsPerFact must be a positive integer');
  const languages = world.languages.filter((l) => (opts.languages ?? world.languages).includes(l));
  const titles = opts.titles ?? true;
  const rng = new DataRng(seed).fork('facts-corpus');

  const byEntity = new Map<string, Fact[]>();
  for (const f of world.facts) {
    if (!languages.includes(f.lang)) continue;
    const k = `${f.entity}|${f.lang}`;
    const list = byEntity.get(k);
    if (list) list.push(f);
    else byEntity.set(k, [f]);
  }
  const plans = new Map<string, number[]>();
  const pr = rng.fork('phrasings');
  for (const f of world.facts) if (languages.includes(f.lang)) plans.set(f.id, schedule(pr, f, rounds));

  const out: FactsEntry[] = [];
  for (let round = 0; round < rounds; round++) {
    const entries: FactsEntry[] = [];
    for (const e of world.entities) {
      for (const lang of languages) {
        const facts = byEntity.get(`${e.id}|${lang}`);
        if (!facts || facts.length === 0) continue;
        const order = rng.shuffle(facts.map((_, i) => i));
        const mentions = order.map((i) => ({ fact: facts[i].id, phrasing: plans.get(facts[i].id)![round] }));
        const sentences = order.map((i, k) => {
          const f = facts[i];
          return phrasingsFor(f.relation, lang)[mentions[k].phrasing].render(e, e.attrs[f.relation]!);
        });
        const body = sentences.join(lang === 'zh' ? '' : ' ');
        entries.push({ entity: e.id, lang, round, text: titles ? `${entryTitle(e, lang)}\n${body}` : body, mentions });
      }
    }
    if (opts.separateLanguages) {
      for (const lang of languages) out.push(...rng.shuffle(entries.filter((x) => x.lang === lang)));
    } else {
      out.push(...rng.shuffle(entries));
    }
  }
  return out;
}

/** The pretraining text: entries separated by a blank line, ending with a newline. */
export function factsCorpus(world: FactsWorld, opts: FactsCorpusOptions = {}): string {
  return factsCorpusEntries(world, opts)
    .map((x) => x.text)
    .join('\n\n')
    .concat('\n');
}
