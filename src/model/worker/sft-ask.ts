// Asking a stored checkpoint a question through the chat template, inside the engine worker:
// <|user|>{question}<|end|><|assistant|> is encoded, then the model writes greedily until it closes its turn
// with <|end|>; the answer so far is posted after every token. It runs through the Sampler (`track`, `load`),
// so the loaded models are shared with sampling and Compare, `sampler.stop(askId)` ends it early, and
// training waits for it like for any other generation.
import type { Gpu } from '../gpu/runtime.ts';
import { generate } from '../generate.ts';
import { answerFromIds, promptIds, STOP_ID } from '../sft/chat.ts';
import type { EngineEvent } from './protocol.ts';
import type { CheckpointSource, Sampler } from './sampler.ts';
import type { SftAskRequest, SftAskResult } from './sft-protocol.ts';

export function askQuestion(
  sampler: Sampler,
  gpu: Gpu,
  store: CheckpointSource,
  req: SftAskRequest,
  post: (e: EngineEvent) => void,
): Promise<SftAskResult> {
  const question = req.question.trim();
  if (question === '') return Promise.reject(new Error('The question is empty.'));
  return sampler.track(req.askId, async (signal) => {
    const { model, tokenizer } = await sampler.load(gpu, store, req.checkpointId);
    const ids: number[] = [];
    const opts = { maxTokens: req.maxTokens, temperature: 0, topK: 0, topP: 1, seed: 1, stopIds: [STOP_ID], signal };
    for await (const id of generate(model, promptIds(tokenizer, question), opts)) {
      ids.push(id);
      post({ type: 'sft-ask-token', askId: req.askId, text: answerFromIds(tokenizer, ids).text, tokens: ids.length });
    }
    const { text, stopped } = answerFromIds(tokenizer, ids);
    return { text, tokens: ids.length, ended: stopped };
  });
}
