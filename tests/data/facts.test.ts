import { describe, expect, it } from 'vitest';
import {
  ALL_RELATIONS,
  FACTS_LANGS,
  PINNED_FACT_KEYS,
  PINNED_PHRASINGS,
  SIZE_SPECS,
  VERBATIM_SENTENCES,
  answerMentions,
  entryTitle,
  factsCorpus,
  factsCorpusEntries,
  getEntity,
  makeFactsWorld,
  partitionFacts,
  phrasingsFor,
  renderAll,
  renderFact,
  splitFacts,
  type Fact,
  type FactsWorld,
} from '../../src/data/facts/index.ts';

const SEED = 7;
const bytes = (s: string) => new TextEncoder().encode(s).length;

/** Sentence → occurrences, splitting after . ! ? (English) and 。 (Chinese). */
function sentenceCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    for (const s of line.split(/(?<=[.!?])\s+|(?<=。)/u)) {
      const t = s.trim();
      if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  return counts;
}

function mentionCount(world: FactsWorld, counts: Map<string, number>, f: Fact): number {
  return [...new Set(renderAll(world, f))].reduce((n, s) => n + (counts.get(s) ?? 0), 0);
}

describe('facts world', () => {
  const world = makeFactsWorld({ seed: SEED });
  const text = factsCorpus(world);

  it('is deterministic per seed and differs between seeds', () => {
    expect(makeFactsWorld({ seed: SEED })).toEqual(world);
    expect(factsCorpus(makeFactsWorld({ seed: SEED }))).toBe(text);
    const other = makeFactsWorld({ seed: SEED + 1 });
    expect(other.entities.map((e) => e.id)).not.toEqual(world.entities.map((e) => e.id));
    expect(factsCorpus(world, { seed: 99 })).not.toBe(text);
    expect(makeFactsWorld({ seed: 'abc' })).toEqual(makeFactsWorld({ seed: 'abc' }));
  });

  it('has the tiny size the CPU run needs (30–60 entities, 300–600 KB of text)', () => {
    expect(world.size).toBe('tiny');
    expect(world.entities.length).toBeGreaterThanOrEqual(30);
    expect(world.entities.length).toBeLessThanOrEqual(60);
    expect(bytes(text)).toBeGreaterThanOrEqual(300_000);
    expect(bytes(text)).toBeLessThanOrEqual(600_000);
    const small = makeFactsWorld({ seed: SEED, size: 'small' });
    const full = makeFactsWorld({ seed: SEED, size: 'full' });
    expect(small.entities.length).toBeGreaterThan(world.entities.length);
    expect(full.entities.length).toBeGreaterThan(small.entities.length);
    expect(full.entities.filter((e) => e.kind === 'person').length).toBe(SIZE_SPECS.full.people);
  });

  it('contains the seed sentences verbatim, for any seed', () => {
    for (const seed of [SEED, 1, 12345]) {
      const t = seed === SEED ? text : factsCorpus(makeFactsWorld({ seed }));
      for (const lang of FACTS_LANGS) for (const s of VERBATIM_SENTENCES[lang]) expect(t).toContain(s);
    }
    expect(text).toContain('香蕉是一种长形的可食用水果。');
    expect(text).toContain('中国的首都是北京。');
    const china = world.facts.find((f) => f.key === 'country:china.capital' && f.lang === 'en')!;
    expect(renderFact(world, china, 'capital.en.1')).toBe("China's capital is Beijing.");
    const titanic = world.facts.find((f) => f.key === 'movie:titanic.plot' && f.lang === 'en')!;
    expect(titanic.value).toBe('a ship that sinks in the ocean');
    expect(renderFact(world, titanic)).toBe('The movie Titanic is about a ship that sinks in the ocean.');
    expect(world.entities.some((e) => /^john$/i.test(e.name.en))).toBe(false);
  });

  it('has at least 4 distinct phrasings per relation and language, all naming the entity', () => {
    const full = makeFactsWorld({ seed: SEED, size: 'full' });
    for (const relation of ALL_RELATIONS) {
      for (const lang of FACTS_LANGS) {
        expect(phrasingsFor(relation, lang).length, `${relation}/${lang}`).toBeGreaterThanOrEqual(4);
      }
    }
    for (const f of full.facts) {
      const e = getEntity(full, f.entity);
      const all = renderAll(full, f);
      expect(new Set(all).size, f.id).toBe(all.length);
      for (const s of all) {
        expect(answerMentions(s, f), `${s} states ${f.value}`).toBe(true);
        const names = f.lang === 'zh' ? [e.name.zh] : [e.name.en, e.noun?.singular ?? '', e.noun?.plural ?? ''];
        expect(names.some((n) => n && s.toLowerCase().includes(n.toLowerCase())), `${s} names ${e.id}`).toBe(true);
      }
    }
  });

  it('states every fact 100 times at the default size, in every phrasing', () => {
    const counts = sentenceCounts(text);
    for (const f of world.facts) {
      expect(mentionCount(world, counts, f), f.id).toBeGreaterThanOrEqual(100);
      for (const s of renderAll(world, f)) expect(counts.get(s) ?? 0, s).toBeGreaterThanOrEqual(10);
    }
    const entries = factsCorpusEntries(world);
    const perFact = new Map<string, number>();
    for (const x of entries) for (const m of x.mentions) perFact.set(m.fact, (perFact.get(m.fact) ?? 0) + 1);
    expect(perFact.size).toBe(world.facts.length);
    for (const n of perFact.values()) expect(n).toBe(100);
  });

  it('writes encyclopedia entries: a title line with the name, then sentences naming it; shuffled rounds', () => {
    const entries = factsCorpusEntries(world, { mentionsPerFact: 3 });
    const perRound = entries.filter((x) => x.round === 0);
    expect(perRound.length).toBe(world.entities.length * world.languages.length);
    for (const x of entries) {
      const e = getEntity(world, x.entity);
      const [title, body] = x.text.split('\n');
      expect(title).toBe(entryTitle(e, x.lang));
      expect(title.toLowerCase()).toContain((x.lang === 'en' ? e.name.en : e.name.zh).toLowerCase());
      expect(body.length).toBeGreaterThan(0);
    }
    // Rounds are shuffled independently: the entity order differs from round to round.
    const order = (r: number) => entries.filter((x) => x.round === r).map((x) => `${x.entity}|${x.lang}`);
    expect(order(0)).not.toEqual(order(1));
    expect([...order(0)].sort()).toEqual([...order(1)].sort());
  });

  it('uses short invented names', () => {
    const full = makeFactsWorld({ seed: SEED, size: 'full' });
    const invented = full.entities.filter((e) => e.invented);
    expect(invented.length).toBeGreaterThan(50);
    for (const e of invented) {
      expect(e.name.en.length, e.name.en).toBeLessThanOrEqual(9);
      expect([...e.name.zh].length, e.name.zh).toBeLessThanOrEqual(4);
    }
    for (const e of full.entities.filter((x) => x.kind === 'country' && x.invented)) {
      expect(e.name.en).toMatch(/^[A-Z][a-z]{3}$/);
      expect(e.attrs.capital!.en).toMatch(/^[A-Z][a-z]{3,4}$/);
    }
    for (const lang of FACTS_LANGS) {
      const titles = full.entities.map((e) => entryTitle(e, lang).toLowerCase());
      expect(new Set(titles).size, lang).toBe(titles.length);
    }
  });

  it('people live in capitals of the same world', () => {
    const capitals = new Set(world.entities.filter((e) => e.kind === 'country').map((e) => e.attrs.capital!.en));
    for (const p of world.entities.filter((e) => e.kind === 'person')) expect(capitals.has(p.attrs.city!.en)).toBe(true);
  });

  it('limits facts to the chosen languages', () => {
    const en = makeFactsWorld({ seed: SEED, languages: ['en'] });
    expect(en.facts.every((f) => f.lang === 'en')).toBe(true);
    const t = factsCorpus(en);
    expect(t).not.toMatch(/\p{Script=Han}/u);
    expect(() => makeFactsWorld({ languages: [] })).toThrow(/language/);
  });
});

describe('facts split for SFT', () => {
  const world = makeFactsWorld({ seed: SEED, size: 'small' });
  const split = splitFacts(world);

  it('holds out facts by key, disjoint from training, deterministic', () => {
    const keys = new Set(world.facts.map((f) => f.key));
    const held = new Set(split.heldOutKeys);
    const train = new Set(split.trainKeys);
    expect(held.size).toBeGreaterThan(0);
    expect([...held].filter((k) => train.has(k))).toEqual([]);
    expect(new Set([...held, ...train])).toEqual(keys);
    expect(held.size / keys.size).toBeGreaterThan(0.1);
    expect(held.size / keys.size).toBeLessThan(0.35);
    for (const k of PINNED_FACT_KEYS) expect(train.has(k)).toBe(true);
    expect(splitFacts(world)).toEqual(split);
    expect(JSON.parse(JSON.stringify(split))).toEqual(split);
    const { train: tr, heldOut } = partitionFacts(world, split);
    expect(tr.length + heldOut.length).toBe(world.facts.length);
    // A held-out fact is held out in both languages.
    for (const f of heldOut) expect(heldOut.some((g) => g.key === f.key && g.lang !== f.lang)).toBe(true);
  });

  it('holds out phrasings, keeping at least 3 per relation and language for training', () => {
    const held = new Set(split.heldOutPhrasings);
    expect(split.trainPhrasings.filter((p) => held.has(p))).toEqual([]);
    for (const p of PINNED_PHRASINGS) expect(held.has(p)).toBe(false);
    for (const relation of ALL_RELATIONS) {
      for (const lang of world.languages) {
        const ids = phrasingsFor(relation, lang).map((p) => p.id);
        expect(ids.filter((id) => held.has(id)).length).toBe(1);
        expect(ids.filter((id) => !held.has(id)).length).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('keeps held-out facts and phrasings in the pretraining corpus', () => {
    const tiny = makeFactsWorld({ seed: SEED });
    const s = splitFacts(tiny);
    const text = factsCorpus(tiny);
    const counts = sentenceCounts(text);
    const heldFacts = tiny.facts.filter((f) => s.heldOutKeys.includes(f.key));
    expect(heldFacts.length).toBeGreaterThan(0);
    for (const f of heldFacts) expect(mentionCount(tiny, counts, f)).toBeGreaterThanOrEqual(100);
    for (const f of tiny.facts) {
      for (const id of s.heldOutPhrasings.filter((p) => p.startsWith(`${f.relation}.${f.lang}.`))) {
        expect(counts.get(renderFact(tiny, f, id)) ?? 0).toBeGreaterThan(0);
      }
    }
  });
});

describe('answerMentions', () => {
  it('checks values on word boundaries in English and as substrings in Chinese', () => {
    expect(answerMentions("China's capital is Beijing.", { value: 'Beijing', lang: 'en' })).toBe(true);
    expect(answerMentions('beijing', { value: 'Beijing', lang: 'en' })).toBe(true);
    expect(answerMentions('It is Parisian.', { value: 'Paris', lang: 'en' })).toBe(false);
    expect(answerMentions('中国的首都是北京。', { value: '北京', lang: 'zh' })).toBe(true);
  });
});
