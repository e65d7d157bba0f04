export * from './types.ts';
export { phrasingsFor, phrasingById, PINNED_PHRASINGS, type Phrasing } from './phrasings.ts';
export {
  makeFactsWorld,
  getEntity,
  factsOf,
  renderFact,
  renderAll,
  answerMentions,
  SIZE_SPECS,
  DEFAULT_FACTS_SIZE,
  DEFAULT_FACTS_SEED,
  PINNED_ENTITIES,
  PINNED_FACT_KEYS,
  VERBATIM_SENTENCES,
  type FactsWorldOptions,
  type SizeSpec,
} from './world.ts';
export {
  factsCorpus,
  factsCorpusEntries,
  entryTitle,
  DEFAULT_MENTIONS_PER_FACT,
  type FactsCorpusOptions,
  type FactsEntry,
} from './corpus.ts';
export {
  splitFacts,
  isHeldOut,
  isHeldOutPhrasing,
  partitionFacts,
  type FactsSplit,
  type FactsSplitOptions,
} from './split.ts';
export { factsCorpusKey, parseFactsCorpusKey, factsWorldOfKey, type FactsKey } from './key.ts';
