// `sample`, `eval` and `tokenize`: use a saved checkpoint.
import { answerFromIds, promptIds, STOP_ID } from '../model/sft/chat.ts';
import { Gpt } from '../model/gpt.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHuggingFaceString, tokenizerFromJSON, type Tokenizer } from '../model/tokenizer/index.ts';
import { generate } from '../model/generate.ts';
import { hfConfigJson, stripOptimizerState, type Checkpoint } from '../model/checkpoint/index.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, num, openGpu, readUserText, required, saveCheckpoint } from './common.ts';

async function open(args: CliArgs): Promise<{ ckpt: Checkpoint; tokenizer: Tokenizer }> {
  const ckpt = await loadCheckpoint(required(args, 'ckpt'));
  if (!ckpt.meta.tokenizer) throw new Error(`${args.ckpt} has no tokenizer (not trained by the playground?)`);
  return { ckpt, tokenizer: tokenizerFromJSON(ckpt.meta.tokenizer as never) };
}

export async function sampleCommand(args: CliArgs): Promise<void> {
  const { ckpt, tokenizer } = await open(args);
  const prompt = required(args, 'prompt');
  // --chat wraps the prompt in the chat template (<|user|>prompt<|end|><|assistant|>) and stops at the
  // answer's <|end|>; the text printed is then the answer alone.
  const chat = Boolean(args.chat);
  const model = new Gpt(await openGpu(), ckpt.config, ckpt.params);
  const tokens: number[] = [];
  for await (const id of generate(model, chat ? promptIds(tokenizer, prompt) : tokenizer.encode(prompt), {
    maxTokens: int(args, 'max-tokens', 100, 1),
    temperature: num(args, 'temperature', 0.8),
    topK: int(args, 'top-k', 40),
    topP: num(args, 'top-p', 1),
    seed: int(args, 'seed', 1),
    stopIds: chat ? [STOP_ID] : undefined,
  })) {
    tokens.push(id);
    if (!args.json && !(chat && id === STOP_ID)) process.stdout.write(tokenizer.decode([id]));
  }
  const text = chat ? answerFromIds(tokenizer, tokens).text : tokenizer.decode(tokens);
  if (args.json) emit(args, { text, tokens });
  else process.stdout.write('\n');
}

/** Mean next-token loss over the text, in consecutive windows of the model's context. */
export async function evalCommand(args: CliArgs): Promise<void> {
  const { ckpt, tokenizer } = await open(args);
  const ids = tokenizer.encode(await readUserText(required(args, 'text')));
  if (ids.length < 2) throw new Error('the text has fewer than 2 tokens: nothing to predict');
  const model = new Gpt(await openGpu(), ckpt.config, ckpt.params);
  const ctx = ckpt.config.contextLength;
  let total = 0;
  let count = 0;
  for (let start = 0; start + 1 < ids.length; start += ctx) {
    const T = Math.min(ctx, ids.length - 1 - start);
    const acts = model.forwardLoss({ tokens: ids.slice(start, start + T), targets: ids.slice(start + 1, start + T + 1), B: 1, T });
    const losses = await acts.losses.read();
    for (let i = 0; i < T; i++) total += losses[i];
    count += T;
  }
  emit(args, { loss: total / count, tokens: count }, `loss ${(total / count).toFixed(4)} over ${count} predicted tokens`);
}

export async function tokenizeCommand(args: CliArgs): Promise<void> {
  const { tokenizer } = await open(args);
  const ids = tokenizer.encode(await readUserText(required(args, 'text')));
  emit(args, { ids }, ids.join(' '));
}

/** A folder Hugging Face loads: model.safetensors (no optimizer state), config.json, tokenizer.json. */
export async function exportHfCommand(args: CliArgs): Promise<void> {
  const { ckpt, tokenizer } = await open(args);
  const dir = required(args, 'out-dir');
  await mkdir(dir, { recursive: true });
  await saveCheckpoint(join(dir, 'model.safetensors'), stripOptimizerState(ckpt));
  await writeFile(join(dir, 'config.json'), JSON.stringify(hfConfigJson(ckpt.config), null, 2));
  await writeFile(join(dir, 'tokenizer.json'), toHuggingFaceString(tokenizer, true));
  emit(args, { done: true, dir, files: ['model.safetensors', 'config.json', 'tokenizer.json'] }, `wrote ${dir}/{model.safetensors,config.json,tokenizer.json}`);
}
