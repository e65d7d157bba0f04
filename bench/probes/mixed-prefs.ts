// Iterated RLHF's data step (InstructGPT collected comparisons from SFT and from PPO policies): for N trained
// prompts (+ a quarter held out), PER answers from each policy in POLICIES, all ranked together by the labeler,
// written as rankings JSONL (held-out prompts last: rm --prefs FILE holds out the last tenth).
// Usage: npx tsx --import ./scripts/wgsl-loader.mjs bench/probes/mixed-prefs.ts with POLICIES=a.safetensors,b.safetensors OUT=mix.jsonl [PER=2 N=120 SEED=4242 LABELER=terse]
import { writeFile } from 'node:fs/promises';
import { Gpt } from '../../src/model/gpt.ts';
import { tokenizerFromJSON } from '../../src/model/tokenizer/index.ts';
import { getLabeler, labelRanking } from '../../src/model/rlhf/labeler.ts';
import { factsWorldOf, rewardPromptSplit, rlhfPrompts } from '../../src/model/rlhf/prompts.ts';
import { answerPrompts } from '../../src/model/rlhf/collect.ts';
import { rankingsToJsonl, tokenizerFingerprint } from '../../src/model/rlhf/prefs.ts';
import { questionOf } from '../../src/model/sft/types.ts';
import { loadCheckpoint, openGpu } from '../../src/cli/common.ts';

const env = process.env;
const PER = Number(env.PER ?? 2), N = Number(env.N ?? 120), SEED = Number(env.SEED ?? 4242);
const labeler = getLabeler(env.LABELER ?? 'terse');
const gpu = await openGpu();
const cks = await Promise.all(env.POLICIES!.split(',').map((p) => loadCheckpoint(p)));
const world = factsWorldOf(cks[0])!;
const tok = tokenizerFromJSON(cks[0].meta.tokenizer as never);
const split = rewardPromptSplit(rlhfPrompts(world).train, N, SEED);
const prompts = [...split.train, ...split.heldOut];
const sampler = { temperature: 1, topK: 0, topP: 1 };
const answers: string[][] = prompts.map(() => []);
for (const [i, ck] of cks.entries()) {
  const model = new Gpt(gpu, ck.config, ck.params);
  const a = await answerPrompts(model, tok, prompts, PER, { sampler, maxTokens: 24, seed: SEED + 17 * i });
  a.forEach((xs, p) => answers[p].push(...xs));
  model.release();
}
const fp = tokenizerFingerprint(tok);
const rankings = prompts
  .map((p, i) => labelRanking(labeler, questionOf(p), answers[i], { pair: p, world }, { sampler, tokenizer: fp }))
  .filter((r) => r.answers.some((a) => a !== r.answers[0]));
await writeFile(env.OUT!, rankingsToJsonl(rankings));
console.log(`${rankings.length} rankings of ${PER}×${cks.length} answers → ${env.OUT}`);
