// The built-in corpora and corpus utilities (browser-safe; the Node asset reader is in ./node.ts).
export * from './facts/index.ts';
export {
  listCorpora,
  loadCorpus,
  isBuiltinCorpusId,
  browserFetchAsset,
  gunzipIfNeeded,
  isGzip,
  type BuiltinCorpusId,
  type CorpusInfo,
  type FetchAsset,
  type LoadCorpusOptions,
} from './registry.ts';
export { ASSETS, ASSET_DIR, type AssetInfo } from './assets.ts';
export { corpusStats, SAMPLE_CHARS, type CorpusStats } from './stats.ts';
export {
  validateUserText,
  firstInvalidUtf8,
  type ValidateOptions,
  type ValidateResult,
  type TextErrorCode,
} from './validate.ts';
export { stripBrownTags, detokenize, brownWord, brownFileNames } from './brown.ts';
export {
  extractPoems,
  formatPoem,
  formatPoems,
  parsePoems,
  isCleanPoem,
  isRegularPoem,
  poemKey,
  type Poem,
  type ExtractPoemsOptions,
} from './poetry.ts';
export { DataRng, hashString, seedOf } from './rng.ts';
