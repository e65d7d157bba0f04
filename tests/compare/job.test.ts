// The Compare job on the GPU (Dawn in Node) with tiny random models: interleaved columns give exactly the
// tokens each model gives alone with the same seed; each token's probability and candidates come from its
// own logits; scoring and the attention map match the float64 reference GPT; a missing checkpoint, a
// prompt longer than the context and a cancelled run are reported per column.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng } from '../helpers/compare.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import type { Checkpoint } from '../../src/model/checkpoint/index.ts';
import { generateSteps } from '../../src/model/generate.ts';
import { Gpt } from '../../src/model/gpt.ts';
import * as ref from '../../src/model/reference/gpt.ts';
import type { Rng } from '../../src/model/reference/random.ts';
import { promptIds } from '../../src/model/sft/chat.ts';
import { buildCharTokenizer, type Tokenizer } from '../../src/model/tokenizer/index.ts';
import { attentionMap, runCompare, scoreSequence, type CompareDeps } from '../../src/model/worker/compare-job.ts';
import { logSoftmaxAt, softmax64, tokenizerFingerprint } from '../../src/model/worker/compare-math.ts';
import type { CompareEvent, CompareSettings } from '../../src/model/worker/compare-protocol.ts';
import { Sampler, type CheckpointSource } from '../../src/model/worker/sampler.ts';

const TEXT = 'The sky is blue. A banana is yellow. What is the capital of China? Beijing.\n';

function makeCheckpoint(tok: Tokenizer, seed: number, rng: Rng, cfg: Partial<GptConfig> = {}): Checkpoint {
  const config: GptConfig = { vocabSize: tok.vocabSize, contextLength: 24, layers: 2, heads: 2, channels: 16, ...cfg };
  const params = initParams(config, seed);
  // Larger embeddings than GPT-2's init so the random model has a peaked, seed-dependent distribution.
  for (const [k, v] of params) if (k.endsWith('wte.weight') || k.includes('c_attn.weight')) v.set(rng.normals(v.length, 0.5));
  return { config, params, meta: { stage: 'base', name: `m${seed}`, createdAt: new Date().toISOString(), lineage: [], tokenizer: tok.toJSON(), history: null } };
}

/** The CheckpointStore calls the job makes, over a Map. */
function fakeStore(ckpts: Map<string, Checkpoint>): CheckpointSource {
  return {
    get: async (id: string) => (ckpts.has(id) ? ({ id, name: id, updatedAt: 'v1' } as Awaited<ReturnType<CheckpointSource['get']>>) : null),
    load: async (id: string) => ckpts.get(id)!,
  };
}

async function setUp() {
  const { rng, seed } = freshRng();
  const gpu = await testGpu();
  const tok = buildCharTokenizer(TEXT);
  const ckpts = new Map([
    ['a', makeCheckpoint(tok, seed, rng)],
    ['b', makeCheckpoint(tok, seed + 1, rng)],
  ]);
  const events: CompareEvent[] = [];
  const d: CompareDeps = { gpu, store: fakeStore(ckpts), sampler: new Sampler(), post: (e) => events.push(e) };
  return { rng, seed, gpu, tok, ckpts, events, d };
}

const SETTINGS: CompareSettings = { temperature: 1, topK: 0, topP: 1, maxTokens: 9, seed: 1234, stopAtEnd: false };

describe('compare job', () => {
  it('interleaves columns without changing them; each token carries its own probability and top candidates', async () => {
    const { gpu, tok, ckpts, events, d, seed } = await setUp();
    const columns = [
      { colId: 'c1', checkpointId: 'a', chat: false },
      { colId: 'c2', checkpointId: 'b', chat: true },
      { colId: 'c3', checkpointId: 'a', chat: true },
    ];
    const res = await runCompare(d, { runId: 'r1', prompt: 'The sky is', columns, settings: SETTINGS });
    expect(res.stopped).toBe(false);
    expect(res.columns.map((c) => [c.colId, c.tokens, c.reason])).toEqual(columns.map((c) => [c.colId, 9, 'max']));

    for (const c of columns) {
      const start = events.find((e) => e.type === 'compare-column-start' && e.colId === c.colId);
      const want = c.chat ? promptIds(tok, 'The sky is') : tok.encode('The sky is');
      expect(start && start.type === 'compare-column-start' && start.promptIds).toEqual(want);
      // The same model alone, same prompt and seed.
      const model = new Gpt(gpu, ckpts.get(c.checkpointId)!.config, ckpts.get(c.checkpointId)!.params);
      const solo: { id: number; logits: Float32Array }[] = [];
      for await (const s of generateSteps(model, want, { ...SETTINGS })) solo.push({ id: s.id, logits: Float32Array.from(s.logits) });
      model.release();
      const toks = events.filter((e) => e.type === 'compare-token' && e.colId === c.colId);
      expect(toks.map((e) => e.type === 'compare-token' && e.id), `column ${c.colId}, TEST_SEED=${seed}`).toEqual(solo.map((s) => s.id));
      toks.forEach((e, i) => {
        if (e.type !== 'compare-token') return;
        expectClose([e.logp], [logSoftmaxAt(solo[i].logits, solo[i].id)], { rtol: 1e-5, atol: 1e-5, seed });
        const p = softmax64(solo[i].logits);
        expect(e.top).toHaveLength(10);
        for (let j = 1; j < e.top.length; j++) expect(e.top[j].p).toBeLessThanOrEqual(e.top[j - 1].p);
        expect(e.top.reduce((a, x) => a + x.p, 0)).toBeLessThanOrEqual(1 + 1e-9);
        expectClose(e.top.map((x) => x.p), e.top.map((x) => p[x.id]), { rtol: 1e-4, atol: 1e-6, seed });
        expect(e.top[0].p).toBeCloseTo(Math.max(...p), 4);
        expect(e.piece).toBe(tok.tokenToString(e.id));
      });
    }
    // Tokens of the columns alternate (round robin), not one column after another.
    const order = events.filter((e) => e.type === 'compare-token').map((e) => e.type === 'compare-token' && e.colId);
    expect(order.slice(0, 6)).toEqual(['c1', 'c2', 'c3', 'c1', 'c2', 'c3']);
  });

  it('reports a missing checkpoint per column, keeps the rest, and truncates a long prompt to the context', async () => {
    const { events, d, tok } = await setUp();
    const long = TEXT.repeat(2); // > 24 tokens
    const res = await runCompare(d, {
      runId: 'r2',
      prompt: long,
      columns: [
        { colId: 'x', checkpointId: 'gone', chat: false },
        { colId: 'y', checkpointId: 'a', chat: false },
      ],
      settings: { ...SETTINGS, maxTokens: 3 },
    });
    expect(res.columns).toEqual([
      { colId: 'x', tokens: 0, reason: 'missing' },
      { colId: 'y', tokens: 3, reason: 'max' },
    ]);
    const end = events.find((e) => e.type === 'compare-column-end' && e.colId === 'x');
    expect(end?.type === 'compare-column-end' && end.message).toMatch(/No stored checkpoint/);
    const start = events.find((e) => e.type === 'compare-column-start' && e.colId === 'y');
    if (start?.type !== 'compare-column-start') throw new Error('no start event');
    const all = tok.encode(long);
    expect(start.dropped).toBe(all.length - 24);
    expect(start.promptIds).toEqual(all.slice(-24));
  });

  it('stops every column when cancelled', async () => {
    const { d, events } = await setUp();
    const post = d.post;
    let n = 0;
    d.post = (e) => {
      post(e);
      if (e.type === 'compare-token' && ++n === 3) d.sampler.stop('r3');
    };
    const res = await runCompare(d, {
      runId: 'r3',
      prompt: 'A banana',
      columns: [
        { colId: 'p', checkpointId: 'a', chat: false },
        { colId: 'q', checkpointId: 'b', chat: false },
      ],
      settings: { ...SETTINGS, maxTokens: 50 },
    });
    expect(res.stopped).toBe(true);
    expect(res.columns.map((c) => c.reason)).toEqual(['stopped', 'stopped']);
    expect(res.columns.reduce((a, c) => a + c.tokens, 0)).toBe(3);
    expect(events.filter((e) => e.type === 'compare-column-end')).toHaveLength(2);
    expect(d.sampler.busy).toBe(false);
  });

  it('scores a sequence and draws attention as the float64 reference does (also past the context)', async () => {
    const { d, ckpts, rng, seed, tok } = await setUp();
    const ck = ckpts.get('b')!;
    const cfg = ck.config;
    const p64 = new Map([...ck.params].map(([k, v]) => [k, Float64Array.from(v)]));
    for (const len of [5, 24, 31]) {
      const ids = Array.from({ length: len }, () => rng.int(cfg.vocabSize));
      const offset = Math.max(0, len - cfg.contextLength);
      const window = ids.slice(offset);
      const T = window.length;
      const fwd = ref.forward(cfg, p64, { tokens: window, targets: window, B: 1, T });
      const from = Math.min(3, len - 1);
      const { logprobs } = await scoreSequence(d, 's', { checkpointId: 'b', ids, from, fingerprint: tokenizerFingerprint(tok.toJSON()) });
      expect(logprobs).toHaveLength(len - from);
      logprobs.forEach((lp, i) => {
        const w = from + i - offset;
        if (w < 1) expect(lp).toBeNull();
        else expectClose([lp!], [logSoftmaxAt(fwd.logits, ids[from + i], (w - 1) * cfg.vocabSize, cfg.vocabSize)], { rtol: 1e-4, atol: 1e-4, seed, label: `len ${len} j ${from + i}` });
      });
      for (const [layer, head] of [[0, 1], [1, 0]]) {
        const r = await attentionMap(d, 'att', { checkpointId: 'b', ids, layer, head });
        expect([r.offset, r.T, r.pieces.length]).toEqual([offset, T, T]);
        const want = fwd.acts.layers[layer].att.att.subarray(head * T * T, (head + 1) * T * T);
        expectClose(r.att, want, { rtol: 1e-4, atol: 1e-5, seed, label: `attention len ${len} layer ${layer} head ${head}` });
      }
    }
    await expect(scoreSequence(d, 's', { checkpointId: 'b', ids: [1, 2], from: 1, fingerprint: 'other' })).rejects.toMatchObject({ code: 'tokenizer-mismatch' });
    await expect(attentionMap(d, 'att', { checkpointId: 'b', ids: [1, 2], layer: 2, head: 0 })).rejects.toMatchObject({ code: 'bad-command' });
  });
});
