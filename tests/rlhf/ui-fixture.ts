// A tiny untrained 'sft' checkpoint of the tiny facts world for the RLHF page's tests (Node jobs and e2e):
// a char tokenizer that covers the facts questions, a 1-layer model, and a lineage naming the facts world
// (so the RLHF code finds its questions). Its answers are noise, but every step of the loop runs for real.
import { makeFactsWorld, splitFacts } from '../../src/data/index.ts';
import type { Checkpoint } from '../../src/model/checkpoint/index.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { tokenizerFingerprint } from '../../src/model/rlhf/prefs.ts';
import { factsQa } from '../../src/model/sft/facts-qa.ts';
import { sftText } from '../../src/model/sft/types.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';

export function tinySftCheckpoint(seed: number, name = 'tiny sft'): { ckpt: Checkpoint; fingerprint: string } {
  const world = makeFactsWorld({ size: 'tiny' });
  const qa = factsQa(world, splitFacts(world));
  const tokenizer = buildCharTokenizer([sftText([...qa.train, ...qa.heldOut, ...qa.heldOutPhrasing])]);
  const config: GptConfig = { vocabSize: tokenizer.vocabSize, contextLength: 64, layers: 1, heads: 2, channels: 32 };
  const createdAt = new Date().toISOString();
  const ckpt: Checkpoint = {
    config,
    params: initParams(config, seed),
    meta: {
      stage: 'sft',
      name,
      createdAt,
      lineage: [
        { stage: 'base', name: `${name} base`, createdAt, corpus: 'builtin:facts?size=tiny' },
        { stage: 'sft', name, parent: `${name} base`, createdAt },
      ],
      tokenizer: tokenizer.toJSON(),
      history: null,
    },
  };
  return { ckpt, fingerprint: tokenizerFingerprint(tokenizer) };
}
