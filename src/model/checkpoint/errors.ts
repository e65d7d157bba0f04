// The one error type of the checkpoint reader and writer: a stable `code` for the program and a
// `message` written for the person who picked the file (it names the file when a name was given).

export type CheckpointErrorCode =
  /** Fewer than 8 bytes: there is not even a header length. */
  | 'too-short'
  /** The bytes are recognisably something else (a PyTorch zip/pickle, GGUF, JSON text, …). */
  | 'not-safetensors'
  /** The 8-byte header length is absurd: over 100 MB, or longer than the file. */
  | 'header-length'
  /** The header is not UTF-8 JSON, or not a JSON object. */
  | 'header-json'
  /** A tensor entry in the header is malformed (missing dtype/shape/data_offsets, bad numbers). */
  | 'header-entry'
  /** A dtype this reader does not know, or knows but cannot convert to f32. */
  | 'dtype'
  /** data_offsets that overlap, leave a gap, or disagree with shape × dtype size. */
  | 'offsets'
  /** The file ends before the data the header describes. */
  | 'truncated'
  /** Bytes after the last tensor (the spec requires the data section to be fully used). */
  | 'trailing-bytes'
  /** `__metadata__` is malformed, or one of our metadata keys is missing or unreadable. */
  | 'metadata'
  /** A valid safetensors file, but not written by the playground (and no config was given to load it anyway). */
  | 'not-playground'
  /** The model config is invalid or unsupported. */
  | 'config'
  /** A tensor's shape contradicts the config. */
  | 'shape'
  /** Tensors the config requires are not in the file. */
  | 'missing-tensor'
  /** writeCheckpoint was handed an inconsistent checkpoint (a programming error, not a user one). */
  | 'invalid-checkpoint'
  /** Anything unexpected, wrapped so callers only ever see a CheckpointError. */
  | 'internal';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly code: CheckpointErrorCode;
  readonly fileName: string | undefined;

  constructor(code: CheckpointErrorCode, message: string, fileName?: string) {
    super(message);
    this.code = code;
    this.fileName = fileName;
  }
}

/** `"name.safetensors"` when a file name is known, otherwise `the file` — for the start of messages. */
export function describeFile(fileName?: string): string {
  return fileName ? `"${fileName}"` : 'the file';
}
