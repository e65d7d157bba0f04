// The SFT data set the page starts from and what a run is sent: builtin:facts-qa generated from the facts
// world the base model was pretrained on (its corpus key 'builtin:facts?size=…'; else the default world),
// as table rows; and the held-out and trained questions a run is evaluated on. Pure; Node-tested.
import { DEFAULT_FACTS_SIZE, FACTS_SIZES, makeFactsWorld, splitFacts, type FactsSize } from '../../data/index.ts';
import { FACTS_QA_ID, factsQa, samplePairs, trainedSample } from '../../model/sft/facts-qa.ts';
import type { QaPair } from '../../model/sft/types.ts';
import type { LineageEntry } from '../../model/checkpoint/index.ts';
import { toRows, type Row } from './table.ts';


/** The facts world size of a corpus key ('builtin:facts?size=small' → 'small'), else null. */
export function factsSizeOfCorpus(key: unknown): FactsSize | null {
  if (typeof key !== 'string') return null;
  const [id, query] = key.split('?');
  if (id !== 'builtin:facts') return null;
  const size = new URLSearchParams(query ?? '').get('size') ?? DEFAULT_FACTS_SIZE;
  return (FACTS_SIZES as readonly string[]).includes(size) ? (size as FactsSize) : DEFAULT_FACTS_SIZE;
}

/** The pretraining corpus of a checkpoint, from its lineage (the 'base' entry records it). */
export function corpusOfLineage(lineage: readonly LineageEntry[]): string | null {
  const base = lineage.find((e) => e.stage === 'base' && typeof e.corpus === 'string');
  return base ? (base.corpus as string) : null;
}

/** The world builtin:facts-qa uses for a base model: its corpus's, else the default size. */
export function worldSizeFor(lineage: readonly LineageEntry[]): FactsSize {
  return factsSizeOfCorpus(corpusOfLineage(lineage)) ?? DEFAULT_FACTS_SIZE;
}

export interface FactsDataset {
  size: FactsSize;
  rows: Row[];
  /** The key after the last row's. */
  nextKey: number;
}

/** builtin:facts-qa of a world size as rows: train, then held-out facts, then held-out question phrasings. */
export function factsDataset(size: FactsSize): FactsDataset {
  const world = makeFactsWorld({ size });
  const qa = factsQa(world, splitFacts(world));
  const train = toRows(qa.train, 'train', 0);
  const held = toRows(qa.heldOut, 'heldOut', train.length);
  const phr = toRows(qa.heldOutPhrasing, 'heldOutPhrasing', train.length + held.length);
  const rows = [...train, ...held, ...phr];
  return { size, rows, nextKey: rows.length };
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
