// The playground's command line: the same engine as the page, on Dawn in Node. With --json every stdout
// line is one JSON object; human-readable progress goes to stderr.
//   npm run cli -- pretrain --corpus builtin:facts --preset tiny --out base.safetensors --json
//   npm run cli -- sample --ckpt base.safetensors --prompt "A banana is" --temperature 0
//   npm run cli -- eval --ckpt base.safetensors --text file.txt
//   npm run cli -- tokenize --ckpt base.safetensors --text file.txt
//   npm run cli -- export-hf --ckpt base.safetensors --out-dir hf/
import { parseArgs } from 'node:util';
import { pretrainCommand } from './pretrain.ts';
import { evalCommand, exportHfCommand, sampleCommand, tokenizeCommand } from './inspect.ts';
import { sftCommand } from './sft.ts';
import { pipelineCommand } from './pipeline.ts';
import { ppoCommand } from './ppo.ts';
import { rmCommand } from './rm.ts';
import { dpoCommand } from './dpo.ts';
import { scoreCommand } from './score.ts';

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  pretrain  --corpus PATH|builtin:NAME --preset tiny|baby-cpu|baby --out FILE.safetensors
            [--layers N --heads N --dim N --context N --batch N --steps N --lr X --min-lr X --warmup N
             --grad-accum N --eval-every N --eval-batches N --sample-every N --seed N
             --tokenizer char|bpe:VOCAB --resume FILE --json]
  sft       --from FILE --data builtin:facts-qa|PATH.jsonl --out FILE
            [--steps N --lr X --batch N --seed N --eval-every N --eval-questions N --json]
  pipeline  --preset facts-tiny|facts --out-dir DIR [--pretrain-steps N --sft-steps N --eval-questions N --seed N --json]
            [--tokenizer char|bpe:VOCAB --layers N --heads N --dim N --context N --batch N --mentions N]
            [--rlhf labeler:NAME --rm-steps N --ppo-steps N --kl-beta X --samples N]  (then reward model, PPO, labeler score)
  rm        --from SFT.safetensors --prefs PATH.jsonl|labeler:NAME --out FILE
            [--prompts N --k N --temperature X --max-tokens N --save-prefs PATH --steps N --batch N --lr X --seed N --json]
            [--likelihood-scale X (α at the start: r = head + α·mean answer log-likelihood + λ·answer tokens; 0: no likelihood term)
             --head-lr-scale X (the head learns X× faster than the trunk) --scalar-lr X (α's and λ's peak lr) --fixed-length (λ stays 0)]
  dpo       --policy SFT.safetensors --prefs PATH.jsonl|labeler:NAME --out FILE
            [--steps N --beta X --nll-weight X (RPO: + X·the chosen answers' per-token NLL; default 1, 0: plain DPO) --batch N --lr X --prompts N --k N --save-prefs PATH --seed N --json]
  score     --ckpt FILE --labeler NAME [--prompts N --samples N (answers per prompt) --split heldout|facts|train --temperature X --seed N
             --vs FILE (score FILE on the same prompts too: the paired difference ± its standard error) --json]
  ppo       --policy SFT.safetensors --reward RM.safetensors|labeler:NAME --steps N --out FILE
            [--kl-beta X (0: no KL leash, reward hacking) --batch N (answers per step) --samples-per-prompt N --mini-batch N --epochs N --lr X
             --max-tokens N --seed N --judge labeler:NAME (also report that labeler's score of each step's answers)
             --terminal-reward (the whole reward-model score at the last token, as InstructGPT; default: its per-token
             likelihood and length parts at their tokens) --json]
  sample    --ckpt FILE --prompt TEXT [--max-tokens N --temperature X --top-k N --top-p X --seed N --chat --json]  (--chat: wrap in the chat template, print the answer)
  eval      --ckpt FILE --text PATH [--json]
  tokenize  --ckpt FILE --text PATH [--json]
  export-hf --ckpt FILE --out-dir DIR [--json]   (model.safetensors + config.json + tokenizer.json)
`;

const OPTIONS = {
  json: { type: 'boolean' },
  chat: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  corpus: { type: 'string' },
  preset: { type: 'string' },
  out: { type: 'string' },
  layers: { type: 'string' },
  heads: { type: 'string' },
  dim: { type: 'string' },
  context: { type: 'string' },
  batch: { type: 'string' },
  steps: { type: 'string' },
  lr: { type: 'string' },
  'min-lr': { type: 'string' },
  warmup: { type: 'string' },
  'grad-accum': { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-batches': { type: 'string' },
  'sample-every': { type: 'string' },
  seed: { type: 'string' },
  tokenizer: { type: 'string' },
  resume: { type: 'string' },
  ckpt: { type: 'string' },
  prompt: { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  text: { type: 'string' },
  'out-dir': { type: 'string' },
  from: { type: 'string' },
  data: { type: 'string' },
  'eval-questions': { type: 'string' },
  'pretrain-steps': { type: 'string' },
  'sft-steps': { type: 'string' },
  languages: { type: 'string' },
  'autosave-every': { type: 'string' },
  mentions: { type: 'string' },
  'sft-batch': { type: 'string' },
  'sft-lr': { type: 'string' },
  'pretrain-lr': { type: 'string' },
  policy: { type: 'string' },
  reward: { type: 'string' },
  judge: { type: 'string' },
  'kl-beta': { type: 'string' },
  'mini-batch': { type: 'string' },
  'samples-per-prompt': { type: 'string' },
  epochs: { type: 'string' },
  rlhf: { type: 'string' },
  'rm-steps': { type: 'string' },
  'ppo-steps': { type: 'string' },
  prefs: { type: 'string' },
  prompts: { type: 'string' },
  k: { type: 'string' },
  beta: { type: 'string' },
  labeler: { type: 'string' },
  split: { type: 'string' },
  'save-prefs': { type: 'string' },
  'likelihood-scale': { type: 'string' },
  'head-lr-scale': { type: 'string' },
  'scalar-lr': { type: 'string' },
  'nll-weight': { type: 'string' },
  'fixed-length': { type: 'boolean' },
  'terminal-reward': { type: 'boolean' },
  samples: { type: 'string' },
  vs: { type: 'string' },
} as const;

export type CliArgs = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command] = parsed.positionals;
  const args = parsed.values;
  if (args.help || !command) {
    process.stderr.write(USAGE);
    return command ? 0 : 2;
  }
  const commands: Record<string, (a: CliArgs) => Promise<void>> = {
    pretrain: pretrainCommand,
    sample: sampleCommand,
    eval: evalCommand,
    tokenize: tokenizeCommand,
    'export-hf': exportHfCommand,
    sft: sftCommand,
    pipeline: pipelineCommand,
    ppo: ppoCommand,
    rm: rmCommand,
    dpo: dpoCommand,
    score: scoreCommand,
  };
  const run = commands[command];
  if (!run) {
    process.stderr.write(`unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  try {
    await run(args);
    return 0;
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (args.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

// Dawn keeps the event loop alive, so the CLI exits explicitly.
main().then((code) => process.exit(code));
