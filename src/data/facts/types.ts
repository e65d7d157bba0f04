// Types of the "facts world": a small bilingual world of entities with attributes, every attribute a fact
// that the corpus states in several phrasings and that SFT/RLHF later turn into checkable questions.

export type FactsLang = 'en' | 'zh';
export const FACTS_LANGS: readonly FactsLang[] = ['en', 'zh'];

export type FactsSize = 'tiny' | 'small' | 'full';
export const FACTS_SIZES: readonly FactsSize[] = ['tiny', 'small', 'full'];

export type EntityKind = 'fruit' | 'colour' | 'animal' | 'country' | 'person' | 'movie';
export const ENTITY_KINDS: readonly EntityKind[] = ['fruit', 'colour', 'animal', 'country', 'person', 'movie'];

/** Relations by entity kind (a relation belongs to exactly one kind). */
export const RELATIONS = {
  fruit: ['colour', 'taste', 'shape'],
  colour: ['example', 'mix'],
  animal: ['eats', 'habitat', 'sound'],
  country: ['capital', 'continent', 'language'],
  person: ['job', 'age', 'city'],
  movie: ['plot', 'year'],
} as const satisfies Record<EntityKind, readonly string[]>;

export type Relation = (typeof RELATIONS)[EntityKind][number];
export const ALL_RELATIONS: readonly Relation[] = ENTITY_KINDS.flatMap((k) => RELATIONS[k] as readonly Relation[]);

export interface Bilingual {
  en: string;
  zh: string;
}

/** An attribute value; `en`/`zh` are the answers a question about it checks for. */
export interface AttrValue extends Bilingual {
  id: string;
  /** Habitats: the English preposition ("in the jungle", "on the farm"). */
  enPrep?: string;
  /** Habitats: the Chinese locative suffix (丛林 + 里, 草原 + 上). */
  zhLoc?: string;
}

/** English noun forms of a common-noun entity (fruits, animals): "a banana", "bananas". */
export interface NounForms {
  singular: string;
  plural: string;
}

export interface Entity {
  /** `kind:slug`, e.g. `fruit:banana`, `country:china`, `person:ana`. */
  id: string;
  kind: EntityKind;
  /** Display name, as in the entry's title line: Banana / 香蕉, China / 中国, Titanic / 泰坦尼克号. */
  name: Bilingual;
  /** Made up for this world (invented countries and their capitals; people) rather than real. */
  invented: boolean;
  /** Fruits and animals. */
  noun?: NounForms;
  attrs: Partial<Record<Relation, AttrValue>>;
}

export interface Fact {
  /** `${entity}.${relation}.${lang}`, e.g. `country:china.capital.en`. */
  id: string;
  /** `${entity}.${relation}`: the same fact in every language. */
  key: string;
  entity: string;
  relation: Relation;
  /** The answer in this language: `Beijing` / `北京`. */
  value: string;
  lang: FactsLang;
}

export interface FactsWorld {
  seed: number;
  size: FactsSize;
  languages: FactsLang[];
  entities: Entity[];
  /** Every fact, in entity order, then relation order, then language order. */
  facts: Fact[];
}
