// The facts pipeline's stages (src/model/train/facts-pipeline.ts) end to end at the tests' tiny preset, a
// few steps each: every stage hands back a checkpoint with its stage label and the lineage of the stages
// before it, reports its steps through the callback, and returns finite final numbers; a stop (abort)
// ends a stage early with the steps taken so far.
import { factsCorpusKey, factsWorldOfKey } from '../../src/data/index.ts';
import { describe, it, expect, beforeAll } from 'vitest';
import { batchedTestGpu } from '../helpers/gpu.ts';
import type { Gpu } from '../../src/model/gpu/runtime.ts';
import type { Checkpoint } from '../../src/model/checkpoint/index.ts';
import { readCheckpoint, writeCheckpoint } from '../../src/model/checkpoint/index.ts';
import { factsWorldOf } from '../../src/model/rlhf/prompts.ts';
import { pairedDifference } from '../../src/model/rlhf/collect.ts';
import { TEST_PIPELINES } from '../../src/model/train/pipeline-presets.ts';
import {
  factsSetup, labelerPreferences, labelerVerdict, pipelinePpoSettings, ppoStage, pretrainStage, rewardStage, sftStage, type FactsSetup,
} from '../../src/model/train/facts-pipeline.ts';

/** The tour's test preset, fewer steps still (this runs on a software GPU next to other work). */
const PRESET = { ...TEST_PIPELINES['tour-test'], pretrainSteps: 4, sftSteps: 3, evalQuestions: 3 };
PRESET.rlhf = { ...PRESET.rlhf, rmPrompts: 4, rmSteps: 2, ppoSteps: 1, ppoBatch: 2, maxAnswerTokens: 12 };

const stages = (c: Checkpoint) => c.meta.lineage.map((l) => l.stage);
/** The checkpoint as it would be written and read back (a file, or the page's store). */
const roundTrip = (c: Checkpoint) => readCheckpoint(writeCheckpoint(c));

describe('facts pipeline stages', () => {
  let gpu: Gpu;
  let s: FactsSetup;
  beforeAll(async () => {
    gpu = await batchedTestGpu();
    s = factsSetup('test', PRESET, { seed: 1 + Math.floor(Math.random() * 1000) });
  });

  it('setup: the char tokenizer covers the corpus and every question', () => {
    expect(s.tokenizer.kind).toBe('char');
    const unk = s.tokenizer.encode('<|unk|>')[0];
    for (const p of [...s.qa.train.slice(0, 50), ...s.qa.heldOut]) {
      for (const m of p.messages) expect(s.tokenizer.encode(m.content).filter((id) => id === unk)).toEqual([]);
    }
    // the key names the world exactly, languages included, so later stages rebuild the same one
    expect(s.corpus).toBe(factsCorpusKey('tiny', s.world.languages));
    expect(factsWorldOfKey(s.corpus)!.facts.length).toBe(s.world.facts.length);
  });

  it('pretrain → SFT → reward model → PPO: each stage labelled, lineage growing', { timeout: 600_000 }, async () => {
    const steps: Record<string, number[]> = { pretrain: [], sft: [], reward: [], ppo: [] };

    const pre = await pretrainStage(gpu, s, {}, (e) => e.type === 'step' && steps.pretrain.push(e.step));
    expect(pre.steps).toBe(PRESET.pretrainSteps);
    expect(steps.pretrain).toEqual([1, 2, 3, 4]);
    expect(Number.isFinite(pre.valLoss) && pre.valLoss > 0).toBe(true);
    const base = roundTrip(pre.ckpt);
    expect(base.meta.stage).toBe('base');
    expect(stages(base)).toEqual(['base']);
    // Later stages find the facts world by the corpus the base model names.
    expect(factsWorldOf(base)?.size).toBe('tiny');

    let baseEvalCalled = false;
    const sft = await sftStage(gpu, s, base, { onBaseEval: () => (baseEvalCalled = true) }, (e) => e.type === 'step' && steps.sft.push(e.step));
    expect(baseEvalCalled).toBe(true);
    expect(steps.sft).toEqual([1, 2, 3]);
    const sftCk = roundTrip(sft.ckpt);
    expect(sftCk.meta.stage).toBe('sft');
    expect(stages(sftCk)).toEqual(['base', 'sft']);
    expect(sftCk.meta.lineage[1].parent).toBe(base.meta.name);
    for (const v of [sft.before.heldoutAccuracy, sft.after.heldoutAccuracy, sft.before.trainedAccuracy, sft.after.trainedAccuracy]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(Number.isFinite(sft.after.valLoss)).toBe(true);

    const prefs = await labelerPreferences(gpu, sftCk, s.tokenizer, s.world, {
      labeler: 'labeler:default', prompts: PRESET.rlhf.rmPrompts, k: 3, maxTokens: PRESET.rlhf.maxAnswerTokens, temperature: 1.5, seed: 3,
    });
    // Pairs only come from rankings whose answers differ; each pair prefers one answer of its prompt.
    for (const r of prefs.rankings) expect(new Set(r.answers).size).toBeGreaterThan(1);
    for (const p of [...prefs.train, ...prefs.heldOut]) expect(p.chosen).not.toBe(p.rejected);
    expect(prefs.train.length).toBeGreaterThan(0);

    const rm = await rewardStage(gpu, s, sftCk, { ...prefs, source: 'labeler:default' }, {}, (e) => e.type === 'step' && steps.reward.push(e.step));
    expect(steps.reward).toEqual([1, 2]);
    const rmCk = roundTrip(rm.ckpt);
    expect(rmCk.meta.stage).toBe('reward');
    expect(stages(rmCk)).toEqual(['base', 'sft', 'reward']);
    expect(rm.pairs).toBeGreaterThan(0);

    const ppo = await ppoStage(gpu, s, sftCk, rmCk, { settings: pipelinePpoSettings(s) }, (r) => steps.ppo.push(r.step));
    expect(steps.ppo).toEqual([1]);
    const rl = roundTrip(ppo.ckpt);
    expect(rl.meta.stage).toBe('rlhf');
    expect(stages(rl)).toEqual(['base', 'sft', 'rlhf']);
    expect(Number.isFinite(ppo.reward) && Number.isFinite(ppo.kl)).toBe(true);
    // The policy moved (PPO took a step), from the SFT weights it started at.
    const w = 'transformer.h.0.mlp.c_fc.weight';
    expect(rl.params.get(w)!.some((x, i) => x !== sftCk.params.get(w)![i])).toBe(true);

    // The labeler's verdict scores both models on the same held-out prompts, so their difference pairs up.
    const verdict = await labelerVerdict(gpu, sftCk, rl, { labeler: 'labeler:terse', prompts: 3, per: 2, maxTokens: 8, temperature: 1, seed: 5 });
    expect(verdict.prompts).toBe(3);
    for (const v of [verdict.sft, verdict.rlhf]) {
      expect(v.perPrompt).toHaveLength(3);
      expect(v.answers).toBe(6);
    }
    const d = pairedDifference(verdict.rlhf, verdict.sft);
    expect(d.mean).toBeCloseTo(verdict.rlhf.mean - verdict.sft.mean, 9);
  });

  it('an aborted stage stops between steps', { timeout: 300_000 }, async () => {
    const ctl = new AbortController();
    const seen: number[] = [];
    const pre = await pretrainStage(gpu, s, { signal: ctl.signal, steps: 50 }, (e) => {
      if (e.type !== 'step') return;
      seen.push(e.step);
      if (e.step === 2) ctl.abort();
    });
    expect(seen).toEqual([1, 2]);
    expect(pre.steps).toBe(2);
    expect(pre.ckpt.meta.stage).toBe('base');
  });
});
