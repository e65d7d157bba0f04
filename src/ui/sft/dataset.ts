// The SFT data set the page starts from and what a run is sent: builtin:facts-qa generated from the facts
// world the base model was pretrained on (its corpus key 'builtin:facts?size=…&lang=…'; else the default
// world),
// as table rows; and the held-out and trained questions a run is evaluated on. Pure; Node-tested.
import { DEFAULT_FACTS_SIZE, factsCorpusKey, factsWorldOfKey, parseFactsCorpusKey, splitFacts } from '../../data/index.ts';
import { FACTS_QA_ID, factsQa, samplePairs, trainedSample } from '../../model/sft/facts-qa.ts';
import type { QaPair } from '../../model/sft/types.ts';
import type { LineageEntry } from '../../model/checkpoint/index.ts';
import { toRows, type Row } from './table.ts';


/** The canonical key of a facts corpus key ('builtin:facts?size=small' → itself, with its languages), else null. */
export function factsWorldKey(key: unknown): string | null {
  const k = parseFactsCorpusKey(key);
  return k ? factsCorpusKey(k.size, k.languages) : null;
}

/** The pretraining corpus of a checkpoint, from its lineage (the 'base' entry records it). */
export function corpusOfLineage(lineage: readonly LineageEntry[]): string | null {
  const base = lineage.find((e) => e.stage === 'base' && typeof e.corpus === 'string');
  return base ? (base.corpus as string) : null;
}

/** The world builtin:facts-qa uses for a base model (as a facts corpus key): its corpus's, else the default. */
export function worldKeyFor(lineage: readonly LineageEntry[]): string {
  return factsWorldKey(corpusOfLineage(lineage)) ?? factsCorpusKey(DEFAULT_FACTS_SIZE);
}

/** A world key for people: 'tiny (en)', 'small (en, zh)'. */
export function describeWorld(key: string): string {
  const k = parseFactsCorpusKey(key);
  return k ? `${k.size} (${k.languages.join(', ')})` : key;
}

export interface FactsDataset {
  /** The world's facts corpus key. */
  world: string;
  rows: Row[];
  /** The key after the last row's. */
  nextKey: number;
}

/** builtin:facts-qa of a world (a facts corpus key) as rows: train, then held-out facts, then held-out phrasings. */
export function factsDataset(key: string): FactsDataset {
  const world = factsWorldOfKey(key);
  if (!world) throw new Error(`factsDataset: '${key}' is not a facts corpus key`);
  const qa = factsQa(world, splitFacts(world));
  const train = toRows(qa.train, 'train', 0);
  const held = toRows(qa.heldOut, 'heldOut', train.length);
  const phr = toRows(qa.heldOutPhrasing, 'heldOutPhrasing', train.length + held.length);
  const rows = [...train, ...held, ...phr];
  return { world: factsCorpusKey(world.size, world.languages), rows, nextKey: rows.length };
}

export interface EvalSets {
  train: QaPair[];
  heldOut: QaPair[];
  trainedProbe: QaPair[];
  /** Two held-out and two trained questions, shown with the answers before and after. */
  examples: QaPair[];
}

/**
 * What a run trains on and is judged by: the train rows; up to `probe` held-out questions (both held-out
 * kinds, distinct questions first) and `probe` trained ones, drawn with a fixed seed so before and after
 * are asked the same questions.
 */
export function evalSets(rows: readonly Row[], probe: number, seed = 1): EvalSets {
  const train = rows.filter((r) => r.split === 'train').map((r) => r.pair);
  const held = rows.filter((r) => r.split !== 'train').map((r) => r.pair);
  const heldOut = samplePairs(held, probe, seed);
  // Pairs without a fact (imported, edited) are trained questions too: sample among all when none has one.
  const withFact = trainedSample(train, probe, seed);
  const trainedProbe = withFact.length ? withFact : samplePairs(train, probe, seed);
  const examples = [...heldOut.slice(0, 2), ...trainedProbe.slice(0, 2)];
  return { train, heldOut, trainedProbe, examples };
}

export { FACTS_QA_ID };
