// The corpus key a facts world is recorded under in checkpoints (meta.train.corpus, lineage): it names the
// world exactly, so later stages (SFT data, RLHF prompts, char vocabulary) rebuild the same one.
//   builtin:facts?size=tiny           both languages
//   builtin:facts?size=tiny&lang=en   one language (e.g. the facts-tiny pipeline)
import { FACTS_LANGS, FACTS_SIZES, type FactsLang, type FactsSize } from './types.ts';
import { DEFAULT_FACTS_SIZE, makeFactsWorld } from './world.ts';
import type { FactsWorld } from './types.ts';

export interface FactsKey {
  size: FactsSize;
  languages: FactsLang[];
}

export function factsCorpusKey(size: FactsSize, languages: readonly FactsLang[] = FACTS_LANGS): string {
  const langs = FACTS_LANGS.filter((l) => languages.includes(l));
  return `builtin:facts?size=${size}` + (langs.length === FACTS_LANGS.length ? '' : `&lang=${langs.join(',')}`);
}

/** The world a key names, or null when it is not a facts key. Unknown sizes or languages fall back to the defaults. */
export function parseFactsCorpusKey(key: unknown): FactsKey | null {
  if (typeof key !== 'string') return null;
  const [id, query] = key.split('?');
  if (id !== 'builtin:facts') return null;
  const q = new URLSearchParams(query ?? '');
  const s = q.get('size') ?? DEFAULT_FACTS_SIZE;
  const size = (FACTS_SIZES as readonly string[]).includes(s) ? (s as FactsSize) : DEFAULT_FACTS_SIZE;
  const asked = (q.get('lang') ?? '').split(',');
  const languages = FACTS_LANGS.filter((l) => asked.includes(l));
  return { size, languages: languages.length ? languages : [...FACTS_LANGS] };
}

export function factsWorldOfKey(key: unknown): FactsWorld | null {
  const k = parseFactsCorpusKey(key);
  return k ? makeFactsWorld({ size: k.size, languages: k.languages }) : null;
}
