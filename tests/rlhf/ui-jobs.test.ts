// The RLHF page's worker jobs (src/model/worker/rlhf-*.ts) in Node on Dawn, with a tiny untrained SFT model
// and an in-memory checkpoint store: the reward model trains and is stored as 'reward' with its lineage;
// stop keeps the model so far, pause holds the steps until resume; bad rankings are refused before any
// GPU work; the simulated labeler ranks sampled answers with per-rule scores; PPO (labeler reward) and DPO
// store their checkpoints. Real GPU, no mocks; tiny sizes for SwiftShader.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/model/checkpoint/index.ts';
import type { CheckpointStore, StoredCheckpointInfo } from '../../src/model/checkpoint/store.ts';
import type { Gpu } from '../../src/model/gpu/runtime.ts';
import { expandRanking, type Ranking } from '../../src/model/rlhf/prefs.ts';
import type { EngineEvent } from '../../src/model/worker/protocol.ts';
import { labelPrompts } from '../../src/model/worker/rlhf-collect.ts';
import { RlhfJob } from '../../src/model/worker/rlhf-job.ts';
import { trainPpo } from '../../src/model/worker/rlhf-ppo-job.ts';
import type { PairTrainSettings, RlhfTrainResult } from '../../src/model/worker/rlhf-protocol.ts';
import { trainDpo, trainRewardModel } from '../../src/model/worker/rlhf-train.ts';
import { Sampler } from '../../src/model/worker/sampler.ts';
import { batchedTestGpu } from '../helpers/gpu.ts';
import { tinySftCheckpoint } from './ui-fixture.ts';

const seed = Date.now() % 100_000;
console.log(`ui-jobs seed ${seed}`);

/** The part of the CheckpointStore the jobs use, in memory. */
class MemoryStore {
  readonly saved = new Map<string, Checkpoint>();
  private n = 0;
  constructor(sft: Checkpoint) {
    this.saved.set('sft', sft);
  }
  async load(id: string): Promise<Checkpoint> {
    const c = this.saved.get(id);
    if (!c) throw new Error(`no checkpoint ${id}`);
    return c;
  }
  async get(id: string): Promise<Partial<StoredCheckpointInfo> | null> {
    const c = this.saved.get(id);
    return c ? { id, name: c.meta.name, updatedAt: 'v1' } : null;
  }
  async save(ckpt: Checkpoint): Promise<Partial<StoredCheckpointInfo>> {
    const id = `ck${++this.n}`;
    this.saved.set(id, ckpt);
    return { id, name: ckpt.meta.name, stage: ckpt.meta.stage };
  }
}

let gpu: Gpu;
let sft: Checkpoint;
let fingerprint: string;

beforeAll(async () => {
  gpu = await batchedTestGpu();
  ({ ckpt: sft, fingerprint } = tinySftCheckpoint(seed));
});

function job(kind: 'rm' | 'dpo' | 'ppo' | 'label', onEvent: (e: EngineEvent, j: RlhfJob) => void = () => {}) {
  const store = new MemoryStore(sft);
  const events: EngineEvent[] = [];
  const sampler = new Sampler();
  // eslint-disable-next-line prefer-const
  let j: RlhfJob;
  j = new RlhfJob(`run-${kind}`, kind, {
    gpu,
    store: store as unknown as CheckpointStore,
    sampler,
    post: (e) => {
      events.push(e);
      onEvent(e, j);
    },
    gpuIdle: () => sampler.whenIdle(),
  });
  return { j, store, events, sampler };
}

/** Three prompts, three distinct answers each, ranked; made with the model's tokenizer. */
function rankings(fp = fingerprint): Ranking[] {
  return ['What is the capital of Reku?', 'Who wrote the song?', 'Where is the river?'].map((prompt, i) => ({
    prompt,
    answers: [`The answer is ${i}.`, `no ${i}`, `${i} ${i} ${i}`],
    order: [0, 2, 1],
    tokenizer: fp,
  }));
}

const settings = (steps: number): PairTrainSettings => ({ steps, pairsPerStep: 3, lr: 1e-3, evalEvery: 2, heldOutFraction: 0.34, seed });

function checkpointOf(r: RlhfTrainResult): Partial<StoredCheckpointInfo> {
  expect(r.status === 'done' || r.status === 'stopped').toBe(true);
  if (r.status === 'diverged' || !r.checkpoint) throw new Error('no checkpoint');
  return r.checkpoint;
}

describe('RLHF worker jobs', () => {
  it('trains a reward model: a step event per step, held-out evaluations, a reward checkpoint with lineage', async () => {
    const { j, store, events } = job('rm');
    const r = await j.run((jj) => trainRewardModel(jj, { sftId: 'sft', name: 'rm', prefs: 'test', rankings: rankings(), settings: settings(3) }));
    expect(r.status).toBe('done');
    const info = checkpointOf(r);
    const saved = store.saved.get(info.id!)!;
    expect(saved.meta.stage).toBe('reward');
    expect(saved.meta.lineage.map((l) => l.stage)).toEqual(['base', 'sft', 'reward']);
    expect(saved.extraTensors?.has('score.weight')).toBe(true);
    const steps = events.filter((e) => e.type === 'rlhf-rm' && e.event.type === 'step');
    expect(steps.length).toBe(3);
    const evals = events.filter((e) => e.type === 'rlhf-rm' && e.event.type === 'eval');
    expect(evals.length).toBe(2); // at step 2 and at the end
    const ready = events.find((e) => e.type === 'rlhf-ready');
    // One of the three prompts is held out: its 3 pairs, the other 6 train.
    expect(ready).toMatchObject({ trainPairs: 6, heldOutPairs: 3 });
    expect(rankings().flatMap(expandRanking).length).toBe(9);
  });

  it('a head-only reward model (the reward-hacking experiment) stores α = λ = 0; the default learns α', async () => {
    const scalars = async (headOnly: boolean) => {
      const { j, store } = job('rm');
      const r = await j.run((jj) => trainRewardModel(jj, { sftId: 'sft', name: 'rm', prefs: 'test', rankings: rankings(), settings: settings(2), headOnly }));
      const saved = store.saved.get(checkpointOf(r).id!)!;
      return { alpha: saved.extraTensors!.get('score.likelihood_scale')![0], lambda: saved.extraTensors!.get('score.length_weight')![0] };
    };
    expect(await scalars(true)).toEqual({ alpha: 0, lambda: 0 });
    const learned = await scalars(false);
    expect(learned.alpha).toBeGreaterThan(0);
    expect(learned.alpha).not.toBe(1); // it moved from its start
  });

  it('stop keeps the model so far; pause holds the steps until resume', async () => {
    const stopped = job('rm', (e, j) => {
      if (e.type === 'rlhf-rm' && e.event.type === 'step' && e.event.step === 1) j.stop();
    });
    const r = await stopped.j.run((jj) => trainRewardModel(jj, { sftId: 'sft', name: 'rm', prefs: 'test', rankings: rankings(), settings: settings(50) }));
    expect(r.status).toBe('stopped');
    expect(r.step).toBe(1);
    expect(store(stopped).size).toBe(2);

    let pausedAt = 0;
    let trainedWhilePaused = -1;
    const paused = job('rm', (e, j) => {
      if (e.type === 'rlhf-rm' && e.event.type === 'step' && e.event.step === 1) {
        j.pause();
        pausedAt = paused.events.length;
        setTimeout(() => {
          trainedWhilePaused = paused.events.slice(pausedAt).filter((x) => x.type === 'rlhf-rm').length;
          j.resume();
        }, 400);
      }
    });
    const r2 = await paused.j.run((jj) => trainRewardModel(jj, { sftId: 'sft', name: 'rm', prefs: 'test', rankings: rankings(), settings: settings(2) }));
    expect(r2.status).toBe('done');
    expect(trainedWhilePaused).toBe(0);
    expect(paused.events.filter((e) => e.type === 'rlhf-state').map((e) => (e as { state: string }).state)).toEqual(['running', 'paused', 'running']);
  });

  it('refuses rankings made with another tokenizer, and a bad ranking, with the reason', async () => {
    const { j } = job('rm');
    await expect(j.run((jj) => trainRewardModel(jj, { sftId: 'sft', name: 'rm', prefs: 'test', rankings: rankings('char-00000000'), settings: settings(2) }))).rejects.toThrow(/another tokenizer/);
    const bad = rankings();
    bad[1] = { ...bad[1], answers: ['same', 'same', 'same'] };
    await expect(j.run((jj) => trainRewardModel(jj, { sftId: 'sft', name: 'rm', prefs: 'test', rankings: bad, settings: settings(2) }))).rejects.toThrow(/Ranking 2.*identical/);
  });

  it('the simulated labeler ranks N prompts × K sampled answers, with every rule’s score', async () => {
    const { j, events, sampler } = job('label');
    const out = await sampler.whenIdle().then(() =>
      j.run((jj) => labelPrompts(jj, { checkpointId: 'sft', labeler: 'terse', prompts: 3, k: 3, sampling: { temperature: 1, topK: 0, topP: 1, maxTokens: 6, seed } })),
    );
    expect(out.status).toBe('done');
    expect(out.rankings.length).toBe(3);
    for (const r of out.rankings) {
      expect(r.answers.length).toBe(3);
      expect(r.labeler).toBe('terse');
      expect(r.tokenizer).toBe(fingerprint);
      expect(r.details.map((d) => d.rules.length)).toEqual([5, 5, 5]);
      // The order follows the labeler's totals.
      const totals = r.order.map((i) => r.details[i].total);
      for (let k = 1; k < totals.length; k++) expect(totals[k]).toBeLessThanOrEqual(totals[k - 1]);
    }
    expect(events.filter((e) => e.type === 'rlhf-label').map((e) => (e as { done: number }).done)).toEqual([1, 2, 3]);
    sampler.release();
  });

  it('PPO with a labeler reward stores an rlhf checkpoint and answers held-out questions before and after', async () => {
    const { j, store, events } = job('ppo');
    const r = await j.run((jj) =>
      trainPpo(jj, { policyId: 'sft', reward: { kind: 'labeler', name: 'default' }, name: 'ppo', steps: 2, batch: 2, klBeta: 0.05, lr: 1e-4, maxTokens: 5, seed, judge: 'default', examples: 2 }),
    );
    expect(r.status).toBe('done');
    const saved = store.saved.get(checkpointOf(r).id!)!;
    expect(saved.meta.stage).toBe('rlhf');
    expect(saved.meta.lineage.at(-1)).toMatchObject({ stage: 'rlhf', parent: 'tiny sft', reward: 'labeler:default' });
    if (r.status === 'diverged') throw new Error('diverged');
    expect(r.examples?.length).toBe(2);
    for (const ex of r.examples ?? []) expect(Number.isFinite(ex.scoreBefore) && Number.isFinite(ex.scoreAfter)).toBe(true);
    const steps = events.filter((e) => e.type === 'rlhf-ppo');
    expect(steps.length).toBe(2);
    for (const e of steps) if (e.type === 'rlhf-ppo') expect([e.event.reward, e.event.kl, e.event.entropy, e.event.valueLoss].every(Number.isFinite)).toBe(true);
    // the judge (labeler:default) scored each step's answers; the reward is that same labeler, so it agrees
    for (const e of steps) if (e.type === 'rlhf-ppo') expect(e.event.judge).toBeCloseTo(e.event.reward, 12);
  });

  it('DPO stores a dpo checkpoint with β and the NLL weight in its lineage; a negative NLL weight is refused', async () => {
    const { j, store } = job('dpo');
    const r = await j.run((jj) => trainDpo(jj, { sftId: 'sft', name: 'dpo', prefs: 'test', rankings: rankings(), settings: settings(2), beta: 0.2, nllWeight: 0.5 }));
    const saved = store.saved.get(checkpointOf(r).id!)!;
    expect(saved.meta.stage).toBe('dpo');
    expect(saved.meta.lineage.at(-1)).toMatchObject({ stage: 'dpo', beta: 0.2, nllWeight: 0.5 });
    await expect(j.run((jj) => trainDpo(jj, { sftId: 'sft', name: 'dpo', prefs: 'test', rankings: rankings(), settings: settings(2), beta: 0.2, nllWeight: -1 }))).rejects.toThrow(/NLL weight must be ≥ 0/);
  });
});

function store(x: { store: MemoryStore }): Map<string, Checkpoint> {
  return x.store.saved;
}
