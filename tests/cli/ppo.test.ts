// `ppo` end to end with tiny sizes: a random "SFT" model on the tiny facts world (so its facts-qa questions
// are the prompts), PPO against the labeler and against a reward-model checkpoint, JSON lines, the RLHF
// checkpoint's stage and lineage, and bad input.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../../src/model/checkpoint/index.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import { factsQa } from '../../src/model/sft/facts-qa.ts';
import { sftText } from '../../src/model/sft/types.ts';
import { makeFactsWorld, splitFacts } from '../../src/data/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), '--import', join(ROOT, 'scripts/wgsl-loader.mjs'), join(ROOT, 'src/cli/main.ts'), ...args],
      { cwd: ROOT, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const jsonLines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** A random-weight model with a facts-world lineage and tokenizer: what PPO needs of an SFT checkpoint. */
function tinyCheckpoint(stage: 'sft' | 'reward'): Checkpoint {
  const world = makeFactsWorld({ size: 'tiny' });
  const qa = factsQa(world, splitFacts(world));
  const tokenizer = buildCharTokenizer(sftText([...qa.train, ...qa.heldOut]));
  const config: GptConfig = { vocabSize: tokenizer.vocabSize, contextLength: 64, layers: 1, heads: 2, channels: 16 };
  const createdAt = new Date().toISOString();
  const lineage: Checkpoint['meta']['lineage'] = [
    { stage: 'base', name: 'tiny-base', corpus: 'builtin:facts?size=tiny' },
    { stage: 'sft', name: 'tiny-sft', parent: 'tiny-base' },
  ];
  if (stage === 'reward') lineage.push({ stage: 'reward', name: 'tiny-rm', parent: 'tiny-sft' });
  const ck: Checkpoint = {
    config,
    params: initParams(config, stage === 'sft' ? 1 : 2),
    meta: { stage, name: stage === 'sft' ? 'tiny-sft' : 'tiny-rm', createdAt, lineage, tokenizer: tokenizer.toJSON(), history: null },
  };
  if (stage === 'reward') {
    ck.extraTensors = new Map([['score.weight', Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + 1))]]);
    ck.extraShapes = new Map([['score.weight', [1, 16]]]);
  }
  return ck;
}

describe('CLI ppo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-ppo-'));
    await writeFile(join(dir, 'sft.safetensors'), writeCheckpoint(tinyCheckpoint('sft')));
    await writeFile(join(dir, 'rm.safetensors'), writeCheckpoint(tinyCheckpoint('reward')));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('trains against a reward model: JSON lines per step, an rlhf checkpoint with its lineage', async () => {
    const out = join(dir, 'rlhf.safetensors');
    const r = await cli(['ppo', '--policy', join(dir, 'sft.safetensors'), '--reward', join(dir, 'rm.safetensors'), '--steps', '2', '--batch', '2',
      '--max-tokens', '6', '--kl-beta', '0.1', '--judge', 'labeler:default', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const steps = lines.filter((l) => 'step' in l);
    expect(steps.map((l) => l.step)).toEqual([1, 2]);
    for (const s of steps) for (const k of ['reward', 'judge', 'kl', 'entropy', 'value_loss', 'clip_fraction']) expect(Number.isFinite(s[k]), k).toBe(true);
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ done: true, checkpoint: out });
    expect(typeof done.reward).toBe('number');
    expect(typeof done.kl).toBe('number');
    const ck = readCheckpoint(await readFile(out));
    expect(ck.meta.stage).toBe('rlhf');
    expect(ck.meta.lineage.map((l) => l.stage)).toEqual(['base', 'sft', 'rlhf']);
    expect(ck.meta.lineage.at(-1)).toMatchObject({ parent: 'tiny-sft', reward: 'tiny-rm', klBeta: 0.1 });
    expect(ck.extraTensors?.get('v_head.weight')?.length).toBe(16);
    expect(ck.extraTensors?.get('v_head.bias')?.length).toBe(1);
  });

  it('takes a labeler as the reward, and β = 0 with a warning; a judge that is the reward scores the same', async () => {
    const out = join(dir, 'rlhf-labeler.safetensors');
    const r = await cli(['ppo', '--policy', join(dir, 'sft.safetensors'), '--reward', 'labeler:terse', '--steps', '2', '--batch', '4',
      '--max-tokens', '4', '--kl-beta', '0', '--judge', 'labeler:terse', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reward hacking/);
    const lines = jsonLines(r.stdout);
    const steps = lines.filter((l) => 'step' in l);
    expect(steps.length).toBe(2);
    // the judge scores the very answers the reward scored: with the same labeler, the same mean
    for (const s of steps) expect(s.judge).toBeCloseTo(s.reward as number, 12);
    expect(lines.at(-1)).toMatchObject({ done: true });
  });

  it('bad input: a clear error, nothing written', async () => {
    const out = join(dir, 'never.safetensors');
    const notRm = await cli(['ppo', '--policy', join(dir, 'sft.safetensors'), '--reward', join(dir, 'sft.safetensors'), '--steps', '1', '--out', out, '--json']);
    expect(notRm.code).toBe(1);
    expect(jsonLines(notRm.stdout).at(-1)!.error).toMatch(/not a reward model/);
    const unknown = await cli(['ppo', '--policy', join(dir, 'sft.safetensors'), '--reward', 'labeler:nobody', '--steps', '1', '--out', out]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown labeler 'nobody'/);
    const badJudge = await cli(['ppo', '--policy', join(dir, 'sft.safetensors'), '--reward', 'labeler:default', '--judge', 'labeler:nobody', '--steps', '1', '--out', out]);
    expect(badJudge.code).toBe(1);
    expect(badJudge.stderr).toMatch(/unknown labeler 'nobody'/);
    const missing = await cli(['ppo', '--reward', 'labeler:default', '--out', out]);
    expect(missing.stderr).toMatch(/--policy is required/);
    await expect(readFile(out)).rejects.toThrow();
  });
});
