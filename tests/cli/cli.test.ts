// The CLI end to end, as a user or a script runs it: JSON lines on stdout, progress on stderr.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readCheckpoint } from '../../src/model/checkpoint/index.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

describe('CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-cli-'));
    await writeFile(join(dir, 'corpus.txt'), 'A banana is an elongated, edible fruit. The capital of China is Beijing.\n'.repeat(30));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('pretrain → sample → eval → tokenize, every stdout line one JSON object', async () => {
    const ckpt = join(dir, 'base.safetensors');
    const p = await cli(['pretrain', '--corpus', join(dir, 'corpus.txt'), '--preset', 'tiny', '--layers', '1', '--dim', '32', '--context', '16',
      '--batch', '4', '--steps', '12', '--eval-every', '6', '--eval-batches', '2', '--out', ckpt, '--json']);
    expect(p.code, p.stderr).toBe(0);
    const lines = jsonLines(p.stdout);
    const steps = lines.filter((l) => 'loss' in l);
    expect(steps).toHaveLength(12);
    expect(Object.keys(steps[0]).sort()).toEqual(['loss', 'lr', 'step', 'tokens_per_s']);
    expect(lines.filter((l) => 'val_loss' in l && !('done' in l)).map((l) => l.step)).toEqual([6, 12]);
    const done = lines[lines.length - 1];
    expect(done).toMatchObject({ done: true, checkpoint: ckpt });
    expect(typeof done.val_loss).toBe('number');

    const s = await cli(['sample', '--ckpt', ckpt, '--prompt', 'A banana', '--max-tokens', '8', '--temperature', '0', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const [sample] = jsonLines(s.stdout);
    expect((sample.tokens as number[]).length).toBe(8);
    expect(typeof sample.text).toBe('string');
    const again = await cli(['sample', '--ckpt', ckpt, '--prompt', 'A banana', '--max-tokens', '8', '--temperature', '0', '--json']);
    expect(jsonLines(again.stdout)[0]).toEqual(sample); // greedy is deterministic

    // --chat: the prompt goes through the chat template and generation stops at <|end|> (id 3), which the
    // text leaves out.
    const c = await cli(['sample', '--ckpt', ckpt, '--prompt', 'What is a banana?', '--chat', '--max-tokens', '8', '--temperature', '0', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const [chat] = jsonLines(c.stdout);
    const chatTokens = chat.tokens as number[];
    expect(chatTokens.length).toBeGreaterThan(0);
    expect(chatTokens.length).toBeLessThanOrEqual(8);
    expect(chatTokens.slice(0, -1)).not.toContain(3);
    expect(chat.text).not.toContain('<|end|>');

    const e = await cli(['eval', '--ckpt', ckpt, '--text', join(dir, 'corpus.txt'), '--json']);
    expect(e.code, e.stderr).toBe(0);
    const [ev] = jsonLines(e.stdout);
    expect(ev.tokens).toBe('A banana is an elongated, edible fruit. The capital of China is Beijing.\n'.length * 30 - 1);
    expect(ev.loss as number).toBeGreaterThan(0);

    const t = await cli(['tokenize', '--ckpt', ckpt, '--text', join(dir, 'corpus.txt'), '--json']);
    expect(jsonLines(t.stdout)[0].ids).toHaveLength(ev.tokens as number + 1);

    const hf = await cli(['export-hf', '--ckpt', ckpt, '--out-dir', join(dir, 'hf'), '--json']);
    expect(hf.code, hf.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(dir, 'hf', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'gpt2', n_layer: 1, n_embd: 32, n_positions: 16 });
    const tokJson = JSON.parse(await readFile(join(dir, 'hf', 'tokenizer.json'), 'utf8'));
    expect(tokJson.added_tokens.map((a: { content: string }) => a.content)).toContain('<|end|>');

    // SFT on a JSONL file: the last line reports held-out loss and accuracies; the checkpoint is stage sft.
    const pairs = ['A banana is', 'The capital of China is', 'A banana', 'The capital', 'China', 'Beijing'].map((q, i) =>
      JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: i % 2 ? 'Beijing.' : 'an edible fruit.' }] }));
    await writeFile(join(dir, 'qa.jsonl'), `${pairs.join('\n')}\n`);
    const sftOut = join(dir, 'sft.safetensors');
    const f = await cli(['sft', '--from', ckpt, '--data', join(dir, 'qa.jsonl'), '--steps', '4', '--batch', '2', '--eval-questions', '2', '--max-tokens', '4', '--out', sftOut, '--json']);
    expect(f.code, f.stderr).toBe(0);
    const fin = jsonLines(f.stdout).at(-1)!;
    expect(fin).toMatchObject({ done: true, checkpoint: sftOut });
    for (const k of ['val_loss', 'heldout_accuracy', 'trained_accuracy']) expect(typeof fin[k]).toBe('number');
    const sft = readCheckpoint(await readFile(sftOut));
    expect(sft.meta.stage).toBe('sft');
    expect(sft.meta.lineage.map((l) => l.stage)).toEqual(['base', 'sft']);
  });

  it('bad input: a missing option, a corrupt checkpoint and an empty corpus give clear errors', async () => {
    const missing = await cli(['sample', '--prompt', 'x', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonLines(missing.stdout)[0].error).toMatch(/--ckpt is required/);
    await writeFile(join(dir, 'bad.safetensors'), 'not a checkpoint at all');
    const corrupt = await cli(['sample', '--ckpt', join(dir, 'bad.safetensors'), '--prompt', 'x']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/bad\.safetensors/);
    await writeFile(join(dir, 'empty.txt'), '');
    const empty = await cli(['pretrain', '--corpus', join(dir, 'empty.txt'), '--out', join(dir, 'x.safetensors')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty/);
    await writeFile(join(dir, 'bad.jsonl'), '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}\nnot json\n');
    const badJsonl = await cli(['sft', '--from', join(dir, 'bad.safetensors'), '--data', join(dir, 'bad.jsonl'), '--out', join(dir, 'y.safetensors')]);
    expect(badJsonl.code).toBe(1);
    expect(badJsonl.stderr).toMatch(/bad\.jsonl: line 2/);
  });
});
