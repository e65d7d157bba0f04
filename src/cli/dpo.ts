// `dpo`: Direct Preference Optimization of an SFT policy on preferences (a JSONL file or labeler:NAME,
// sampled and ranked as `rm` does), with β as the dial; writes a `dpo` checkpoint.
import type { Gpu } from '../model/gpu/runtime.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import { DEFAULT_NLL_WEIGHT, DpoRun } from '../model/rlhf/dpo.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, nonNegative, num, openGpu, progress, required, saveCheckpoint, runName } from './common.ts';
import { loadPreferences } from './rm.ts';

export async function dpoCommand(args: CliArgs): Promise<void> {
  const policyFile = required(args, 'policy');
  const out = required(args, 'out');
  required(args, 'prefs');
  const policy = await loadCheckpoint(policyFile);
  const seed = int(args, 'seed', 1337);
  const beta = num(args, 'beta', 0.1);
  if (!(beta > 0)) throw new Error(`--beta must be > 0, got ${beta}`);
  const nllWeight = nonNegative(num(args, 'nll-weight', DEFAULT_NLL_WEIGHT), '--nll-weight');
  let gpu: Gpu | undefined;
  const getGpu = async () => (gpu ??= await openGpu());
  const started = Date.now();
  const prefs = await loadPreferences(args, policy, getGpu);
  const steps = int(args, 'steps', 100, 1);
  const run = new DpoRun(
    await getGpu(),
    {
      policy,
      name: runName(out),
      prefs: prefs.source,
      train: prefs.train,
      heldOut: prefs.heldOut,
      settings: {
        steps,
        pairsPerStep: int(args, 'batch', 8, 1),
        beta,
        nllWeight,
        maxLr: num(args, 'lr', 1e-4),
        minLr: num(args, 'min-lr', num(args, 'lr', 1e-4) / 10),
        warmupSteps: int(args, 'warmup', Math.min(10, Math.floor(steps / 10))),
        decaySteps: steps,
        evalEvery: int(args, 'eval-every', 0),
        seed,
        optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      },
    },
    (e) => {
      if (e.type === 'step') {
        if (args.json) emit(args, { step: e.step, loss: e.loss, reward_accuracy: e.rewardAccuracy, margin: e.margin, chosen_nll: e.nll, lr: e.lr });
        if (!args.json || e.step % 10 === 0) progress(`step ${e.step}/${steps}  loss ${e.loss.toFixed(4)}  implicit-reward accuracy ${e.rewardAccuracy.toFixed(2)}  margin ${e.margin.toFixed(3)}`);
      } else {
        if (args.json) emit(args, { step: e.step, heldout_loss: e.heldoutLoss, heldout_reward_accuracy: e.heldoutRewardAccuracy });
        progress(`step ${e.step}: held-out DPO loss ${e.heldoutLoss.toFixed(4)}, implicit-reward accuracy ${e.heldoutRewardAccuracy.toFixed(3)}`);
      }
    },
  );
  progress(`DPO (β = ${beta}${nllWeight ? `, NLL weight ${nllWeight}` : ''}) on ${prefs.train.length} pairs (${prefs.heldOut.length} held out${run.dropped ? `, ${run.dropped} too long for the context` : ''})`);
  const ckpt = await run.run();
  await saveCheckpoint(out, ckpt);
  const last = run.history.evals.at(-1)!;
  const lastStep = run.history.steps.at(-1)!;
  run.release();
  emit(
    args,
    {
      done: true, loss: lastStep.loss, heldout_loss: last.heldoutLoss, heldout_reward_accuracy: last.heldoutRewardAccuracy, beta, nll_weight: nllWeight,
      checkpoint: out, seconds: (Date.now() - started) / 1000,
    },
    `saved ${out}: held-out DPO loss ${last.heldoutLoss.toFixed(4)}, implicit-reward accuracy ${last.heldoutRewardAccuracy.toFixed(3)}`,
  );
}
