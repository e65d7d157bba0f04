// Checkpoint file format: safetensors with Hugging Face GPT2LMHeadModel names. See FORMAT.md.
export { CheckpointError, type CheckpointErrorCode } from './errors.ts';
export { DTYPE_BYTES, CONVERTIBLE_DTYPES, f16ToNumber, bf16ToNumber, decodeToF32, type Dtype } from './dtype.ts';
export {
  MAX_HEADER_BYTES,
  parseSafetensors,
  tensorAsF32,
  encodeSafetensors,
  type SafetensorsFile,
  type TensorInfo,
  type TensorToWrite,
} from './safetensors.ts';
export { hfConfigJson, configFromHf, type HfConfigOptions } from './hf.ts';
export {
  STAGES,
  PLAYGROUND_MARKER,
  FORMAT_VERSION,
  OPTIMIZER_M_PREFIX,
  OPTIMIZER_V_PREFIX,
  optimizerKey,
  stripOptimizerState,
  checkpointFileName,
  writeCheckpoint,
  readCheckpoint,
  readCheckpointBlob,
  type Stage,
  type LineageEntry,
  type TrainState,
  type CheckpointMeta,
  type Checkpoint,
  type WriteOptions,
  type ReadOptions,
} from './checkpoint.ts';
