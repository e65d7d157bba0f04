// The Compare stage inside the engine worker: one prompt to 2–4 stored checkpoints at once. The models are
// loaded through the Sampler (which keeps up to four on the GPU, and whose `track` makes training wait for
// us), each column gets its own generateSteps with the same settings and seed, and the columns take turns
// token by token on the one device, so all of them stream together. Each token goes out with its
// probability and top candidates at temperature 1 (what the model itself believes, before the sampling
// settings reshape it). Scoring a sequence under another model and one head's attention map are each one
// forward pass.
import { generateSteps, type GeneratedStep } from '../generate.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { promptIds as chatPromptIds, STOP_ID } from '../sft/chat.ts';
import { SPECIAL_IDS } from '../tokenizer/types.ts';
import {
  headAttention,
  logSoftmaxAt,
  sequenceLogprobs,
  softmax64,
  tokenizerFingerprint,
  topCandidates,
  truncatePrompt,
  windowStart,
} from './compare-math.ts';
import type {
  ColumnEndReason,
  CompareAttentionResult,
  CompareColumnSpec,
  CompareEvent,
  CompareGenerateResult,
  CompareScoreResult,
  CompareSettings,
} from './compare-protocol.ts';
import { CodedError, codeError } from './errors.ts';
import type { CheckpointSource, Loaded, Sampler } from './sampler.ts';

/** Candidates shown per token. */
export const TOP_CANDIDATES = 10;
export const MAX_COLUMNS = 4;

export interface CompareDeps {
  gpu: Gpu;
  store: CheckpointSource;
  sampler: Sampler;
  post: (e: CompareEvent) => void;
}

export interface CompareRequest {
  runId: string;
  prompt: string;
  columns: CompareColumnSpec[];
  settings: CompareSettings;
}

interface Column {
  spec: CompareColumnSpec;
  loaded: Loaded;
  steps: AsyncGenerator<GeneratedStep>;
  ids: number[];
  ended: ColumnEndReason | null;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The ids a column starts from: the chat template around the prompt, or the prompt as plain text (an empty
 *  one becomes <|bos|>, as generateSteps would start it). */
export function columnPrompt(loaded: Loaded, prompt: string, chat: boolean): number[] {
  const ids = chat ? chatPromptIds(loaded.tokenizer, prompt) : loaded.tokenizer.encode(prompt);
  return ids.length ? ids : [SPECIAL_IDS.bos];
}

function checkSettings(s: CompareSettings): void {
  const ok =
    Number.isFinite(s.temperature) && s.temperature >= 0 &&
    Number.isInteger(s.topK) && s.topK >= 0 &&
    Number.isFinite(s.topP) && s.topP > 0 && s.topP <= 1 &&
    Number.isInteger(s.maxTokens) && s.maxTokens >= 1 && s.maxTokens <= 4096 &&
    Number.isInteger(s.seed);
  if (!ok) throw codeError('bad-command', `compare: bad settings ${JSON.stringify(s)}`);
}

/** Generates in every column; resolves when all have ended (or the run was stopped). */
export function runCompare(d: CompareDeps, req: CompareRequest): Promise<CompareGenerateResult> {
  if (req.columns.length < 1 || req.columns.length > MAX_COLUMNS) throw codeError('bad-command', `compare: ${req.columns.length} columns (1–${MAX_COLUMNS})`);
  if (new Set(req.columns.map((c) => c.colId)).size !== req.columns.length) throw codeError('bad-command', 'compare: repeated column id');
  checkSettings(req.settings);
  return d.sampler.track(req.runId, async (signal) => {
    const s = req.settings;
    const cols: Column[] = [];
    const results = new Map<string, { tokens: number; reason: ColumnEndReason }>();
    const end = (colId: string, reason: ColumnEndReason, tokens: number, msg?: string) => {
      results.set(colId, { tokens, reason });
      d.post({ type: 'compare-column-end', runId: req.runId, colId, reason, tokens, message: msg });
    };
    try {
      for (const spec of req.columns) {
        try {
          const loaded = await d.sampler.load(d.gpu, d.store, spec.checkpointId);
          const { model, tokenizer } = loaded;
          const cfg = model.config;
          const { ids, dropped } = truncatePrompt(columnPrompt(loaded, req.prompt, spec.chat), cfg.contextLength);
          d.post({
            type: 'compare-column-start',
            runId: req.runId,
            colId: spec.colId,
            promptIds: ids,
            promptPieces: ids.map((id) => tokenizer.tokenToString(id)),
            dropped,
            contextLength: cfg.contextLength,
            layers: cfg.layers,
            heads: cfg.heads,
            vocabSize: cfg.vocabSize,
            tokenizerKind: tokenizer.kind,
            fingerprint: tokenizerFingerprint(loaded.tokenizerState),
          });
          const steps = generateSteps(model, ids, {
            temperature: s.temperature,
            topK: s.topK,
            topP: s.topP,
            maxTokens: s.maxTokens,
            seed: s.seed,
            stopIds: s.stopAtEnd ? [STOP_ID] : undefined,
            signal,
          });
          cols.push({ spec, loaded, steps, ids: [], ended: null });
        } catch (e) {
          end(spec.colId, e instanceof CodedError && e.code === 'missing' ? 'missing' : 'error', 0, message(e));
        }
      }
      // Round robin: one token per live column per turn, so every column streams at the same pace.
      let live = cols.filter((c) => !c.ended);
      while (live.length && !signal.aborted) {
        for (const c of live) {
          if (signal.aborted) break;
          try {
            const r = await c.steps.next();
            if (r.done) {
              const last = c.ids[c.ids.length - 1];
              c.ended = signal.aborted ? 'stopped' : s.stopAtEnd && last === STOP_ID ? 'end' : 'max';
              end(c.spec.colId, c.ended, c.ids.length);
              continue;
            }
            c.ids.push(r.value.id);
            postToken(d, req.runId, c, r.value);
          } catch (e) {
            c.ended = 'error';
            end(c.spec.colId, 'error', c.ids.length, message(e));
          }
        }
        live = live.filter((c) => !c.ended);
      }
      for (const c of live) {
        c.ended = 'stopped';
        end(c.spec.colId, 'stopped', c.ids.length);
      }
    } finally {
      // Lets each generator run its own cleanup (a KV cache frees its buffers there).
      await Promise.allSettled(cols.map((c) => c.steps.return(undefined)));
    }
    return {
      columns: req.columns.map((c) => ({ colId: c.colId, ...(results.get(c.colId) ?? { tokens: 0, reason: 'stopped' as const }) })),
      stopped: signal.aborted,
    };
  });
}

function postToken(d: CompareDeps, runId: string, c: Column, step: GeneratedStep): void {
  const tok = c.loaded.tokenizer;
  const top = topCandidates(softmax64(step.logits), TOP_CANDIDATES).map((x) => ({ id: x.id, piece: tok.tokenToString(x.id), p: x.p }));
  d.post({
    type: 'compare-token',
    runId,
    colId: c.spec.colId,
    id: step.id,
    piece: tok.tokenToString(step.id),
    special: tok.isSpecial(step.id),
    logp: logSoftmaxAt(step.logits, step.id),
    top,
    text: tok.decode(c.ids, { skipSpecial: true }),
  });
}

function checkIds(ids: readonly number[], V: number): void {
  if (!ids.length || !ids.every((x) => Number.isInteger(x) && x >= 0 && x < V)) {
    throw codeError('bad-command', `compare: ${ids.length} ids, each must be an integer in [0, ${V})`);
  }
}

/** Log-probabilities of ids[from…] under a checkpoint: one forward over the last ≤ context ids. */
export function scoreSequence(d: CompareDeps, id: string, req: { checkpointId: string; ids: number[]; from: number; fingerprint: string }): Promise<CompareScoreResult> {
  return d.sampler.track(id, async () => {
    const loaded = await d.sampler.load(d.gpu, d.store, req.checkpointId);
    if (tokenizerFingerprint(loaded.tokenizerState) !== req.fingerprint) {
      throw codeError('tokenizer-mismatch', 'The two checkpoints have different tokenizers, so the same ids mean different text.');
    }
    const { model } = loaded;
    const V = model.config.vocabSize;
    checkIds(req.ids, V);
    const offset = windowStart(req.ids.length, model.config.contextLength);
    const window = req.ids.slice(offset);
    const acts = model.forward(window, 1, window.length);
    const logits = await acts.logits.read(0, window.length * V);
    return { logprobs: sequenceLogprobs(logits, V, req.ids, Math.max(0, Math.floor(req.from)), offset) };
  });
}

/** One layer's and head's attention probabilities over the last ≤ context ids. */
export function attentionMap(d: CompareDeps, id: string, req: { checkpointId: string; ids: number[]; layer: number; head: number }): Promise<CompareAttentionResult> {
  return d.sampler.track(id, async () => {
    const { model, tokenizer } = await d.sampler.load(d.gpu, d.store, req.checkpointId);
    const cfg = model.config;
    checkIds(req.ids, cfg.vocabSize);
    if (!(Number.isInteger(req.layer) && req.layer >= 0 && req.layer < cfg.layers && Number.isInteger(req.head) && req.head >= 0 && req.head < cfg.heads)) {
      throw codeError('bad-command', `compare: layer ${req.layer} / head ${req.head} (the model has ${cfg.layers} layers, ${cfg.heads} heads)`);
    }
    const offset = windowStart(req.ids.length, cfg.contextLength);
    const window = req.ids.slice(offset);
    const T = window.length;
    const acts = model.forward(window, 1, T);
    const qkv = await acts.layers[req.layer].qkv.read(0, T * 3 * cfg.channels);
    const att = headAttention(qkv, T, cfg.channels, cfg.heads, req.head);
    return { offset, T, att: Array.from(att), pieces: window.map((x) => tokenizer.tokenToString(x)) };
  });
}
