/// <reference lib="webworker" />
// The engine worker: it owns the WebGPU device (created here, in the worker, from the worker's own
// navigator.gpu) so training never blocks the page. The UI talks to it through src/ui/engine-client.ts.
// It also holds the loaded corpus, runs tokenizer training and pretraining (pretrain-job.ts), and samples
// from stored checkpoints (sampler.ts); checkpoints are saved from here through the CheckpointStore.
import { CheckpointStore } from '../checkpoint/store.ts';
import { Gpu, GpuError } from '../gpu/runtime.ts';
import { CorpusHolder } from './corpus.ts';
import { CodedError, codeError } from './errors.ts';
import { PretrainJob } from './pretrain-job.ts';
import type { AdapterReport, Command, EngineEvent, RequestMessage, SerializedError, WorkerMessage } from './protocol.ts';
import { Sampler } from './sampler.ts';
import { attentionMap, runCompare, scoreSequence } from './compare-job.ts';
import { askQuestion } from './sft-ask.ts';
import { SftJob } from './sft-job.ts';
import { isRlhfCommand, RlhfWorker } from './rlhf-commands.ts';
import { TourJob } from './tour-job.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Limits shown in the UI (the ones that bound model size and kernel tiling). */
const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

let gpu: Promise<Gpu> | null = null;
const corpus = new CorpusHolder();
const sampler = new Sampler();
let store: CheckpointStore | null = null;
let job: PretrainJob | null = null;
/** The fine-tuning run (one training job at a time across stages: `job` and `sftJob` exclude each other). */
let sftJob: SftJob | null = null;
/** The guided tour (tour-job.ts): a training job like the others, excluding them. */
let tourJob: TourJob | null = null;
/** A training job is opening the device (so a second start is refused before its slot is set). */
let starting = false;

/** The RLHF stage's commands and its one job (rlhf-commands.ts). */
const rlhf = new RlhfWorker({
  device: () => device(),
  store: () => checkpoints(),
  sampler,
  post: (e) => event(e),
  otherJob: () => job !== null || sftJob !== null || tourJob !== null || starting,
  otherTraining: () => trainingOutsideRlhf(),
});

/** A pretraining, fine-tuning or tour run is using the GPU (a paused one is not). */
function trainingOutsideRlhf(): boolean {
  return (job !== null && !job.paused) || (sftJob !== null && !sftJob.paused) || tourJob !== null;
}

/** Refused while any stage trains: the sampler shares the device with the training jobs. */
function refuseWhileTraining(what: string): void {
  if (trainingOutsideRlhf() || rlhf.training) throw codeError('busy', `The GPU is training; pause the run to ${what}.`);
}

/**
 * Starts one training job, the only one in the tab: refused while another exists (or is starting), the
 * sampler's models released first (training needs the memory more), and the job's slot cleared when its run
 * ends. `slot` reads and writes the job's variable.
 */
async function runExclusive<J>(make: (deps: { gpu: Gpu; store: CheckpointStore; post: typeof event; gpuIdle: () => Promise<void> }) => J, slot: { get(): J | null; set(j: J | null): void }, run: (j: J) => Promise<unknown>): Promise<unknown> {
  if (job || sftJob || tourJob || starting || rlhf.busy) throw codeError('busy', 'A training run is already going on in this tab.');
  starting = true;
  let j: J;
  try {
    const g = await device();
    await sampler.whenIdle();
    sampler.release();
    j = make({ gpu: g, store: checkpoints(), post: event, gpuIdle: () => sampler.whenIdle() });
    slot.set(j);
  } finally {
    starting = false;
  }
  try {
    return await run(j);
  } finally {
    if (slot.get() === j) slot.set(null);
  }
}

function post(msg: WorkerMessage): void {
  scope.postMessage(msg);
}

function event(e: EngineEvent): void {
  post({ kind: 'event', event: e });
}

function checkpoints(): CheckpointStore {
  store ??= new CheckpointStore();
  return store;
}

/** The worker's device, opened on first use; after a loss the next command opens a fresh one. */
function device(): Promise<Gpu> {
  if (!gpu) {
    if (!('gpu' in navigator) || !navigator.gpu) {
      return Promise.reject(codeError('no-webgpu', 'navigator.gpu is undefined in the worker: this browser has no WebGPU.'));
    }
    const opening = Gpu.create(navigator.gpu, {
      onDeviceLost: (reason) => {
        gpu = null;
        sampler.forget();
        job?.deviceLost(reason);
        sftJob?.deviceLost(reason);
        tourJob?.deviceLost(reason);
        rlhf.deviceLost(reason);
        post({ kind: 'event', event: { type: 'device-lost', reason } });
      },
    });
    gpu = opening;
    opening.catch(() => {
      if (gpu === opening) gpu = null;
    });
  }
  return gpu;
}

function report(g: Gpu): AdapterReport {
  const limits: Record<string, number> = {};
  for (const k of REPORTED_LIMITS) limits[k] = Number(g.limits[k]);
  return { ...g.adapterInfo, limits, features: [...g.device.features].map(String).sort() };
}

function serialize(e: unknown): SerializedError {
  if (e instanceof CodedError) return { name: e.name, message: e.message, code: e.code, stack: e.stack, detail: e.detail };
  if (e instanceof GpuError) {
    const code = e.kind === 'internal' && /requestAdapter returned null|No WebGPU adapter/.test(e.message) ? 'no-adapter' : e.kind;
    return { name: e.name, message: e.message, code, stack: e.stack };
  }
  if (e instanceof Error) return { name: e.name, message: e.message, code: 'error', stack: e.stack };
  return { name: 'Error', message: String(e), code: 'error' };
}

async function handle(cmd: Command): Promise<unknown> {
  switch (cmd.type) {
    case 'hello':
      return report(await device());
    case 'lose-device': {
      const g = await device();
      g.device.destroy();
      return { ok: true };
    }
    case 'corpus-load':
      return corpus.load(cmd.source, cmd.contextLength);
    case 'tokenizer-build':
      return corpus.buildTokenizer(cmd.choice, (progress) => event({ type: 'tokenizer-progress', progress }));
    case 'pretrain-start':
      return runExclusive((d) => new PretrainJob(cmd.runId, { ...d, corpus }), { get: () => job, set: (j) => (job = j) }, (j) => j.run(cmd.spec));
    case 'pretrain-control': {
      if (!job) throw codeError('no-run', 'No training run is going on.');
      if (cmd.action === 'pause') job.pause();
      else if (cmd.action === 'resume') job.resume();
      else job.stop();
      return { ok: true };
    }
    case 'sft-start':
      return runExclusive((d) => new SftJob(cmd.runId, d), { get: () => sftJob, set: (j) => (sftJob = j) }, (j) => j.run(cmd.spec));
    case 'tour-start':
      return runExclusive((d) => new TourJob(cmd.runId, d), { get: () => tourJob, set: (j) => (tourJob = j) }, (j) => j.run(cmd.preset));
    case 'tour-stop':
      tourJob?.stop();
      return { ok: true };
    case 'sft-control': {
      if (!sftJob) throw codeError('no-run', 'No fine-tuning run is going on.');
      if (cmd.action === 'pause') sftJob.pause();
      else if (cmd.action === 'resume') sftJob.resume();
      else sftJob.stop();
      return { ok: true };
    }
    case 'sft-ask': {
      refuseWhileTraining('ask');
      if (sampler.busy) throw codeError('busy', 'Another answer is being generated.');
      const { type: _type, ...req } = cmd;
      return askQuestion(sampler, await device(), checkpoints(), req, event);
    }
    case 'sft-ask-stop':
      sampler.stop(cmd.askId);
      return { ok: true };
    case 'generate': {
      refuseWhileTraining('sample');
      if (sampler.busy) throw codeError('busy', 'Another sample is being generated.');
      const { type: _type, ...req } = cmd;
      return sampler.generate(await device(), checkpoints(), req, event);
    }
    case 'generate-stop':
      sampler.stop(cmd.genId);
      return { ok: true };
    case 'compare-generate':
    case 'compare-score':
    case 'compare-attention': {
      refuseWhileTraining('compare');
      if (sampler.busy) throw codeError('busy', 'Another generation is running.'); // SFT answers run through the sampler too
      const d = { gpu: await device(), store: checkpoints(), sampler, post: event };
      if (cmd.type === 'compare-generate') return runCompare(d, cmd);
      return cmd.type === 'compare-score' ? scoreSequence(d, `score-${Date.now()}`, cmd) : attentionMap(d, `attention-${Date.now()}`, cmd);
    }
    case 'compare-stop':
      sampler.stop(cmd.runId);
      return { ok: true };
    default:
      if (isRlhfCommand(cmd)) return rlhf.handle(cmd);
      throw codeError('bad-command', `unknown command ${JSON.stringify((cmd as { type?: unknown }).type)}`);
  }
}

scope.addEventListener('message', (ev: MessageEvent<RequestMessage>) => {
  const { id, cmd } = ev.data;
  handle(cmd).then(
    (result) => post({ kind: 'response', id, ok: true, result }),
    (e: unknown) => post({ kind: 'response', id, ok: false, error: serialize(e) }),
  );
});

post({ kind: 'event', event: { type: 'ready' } });
