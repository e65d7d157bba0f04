// A safetensors reader and writer (pure TypeScript, browser and Node).
//
// Format: 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON header, then the data section.
// The header maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
// the start of the data section, end exclusive) plus an optional "__metadata__" object of string → string.
// Data is little-endian, C order, packed. The reader enforces what the reference implementation does:
// header ≤ 100 MB, end − begin = product(shape) × dtype size, tensors sorted by offset tile the data
// section exactly (no overlaps, no gaps, nothing after the last tensor). The writer pads the header
// with spaces to a multiple of 8 bytes so, with F32 tensors, every tensor starts 4-byte aligned and the
// reader can hand out Float32Array views instead of copies.

import { CheckpointError, describeFile } from './errors.ts';
import { CONVERTIBLE_DTYPES, DTYPE_BYTES, LITTLE_ENDIAN, decodeToF32, isDtype, type Dtype } from './dtype.ts';

/** The reference implementation's limit on the JSON header. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte offsets relative to the start of the data section; `end` is exclusive. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** The whole file. */
  bytes: Uint8Array;
  /** Offset of the data section within `bytes` (8 + header length). */
  dataStart: number;
  /** N, the JSON header's length in bytes (padding included). */
  headerLength: number;
  /** Tensors in header order (JSON key order). */
  tensors: TensorInfo[];
  byName: Map<string, TensorInfo>;
  /** `__metadata__`, or null when the file has none. */
  metadata: Record<string, string> | null;
  fileName?: string;
}

export interface TensorToWrite {
  shape: readonly number[];
  data: Float32Array;
}

function asBytes(input: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return new Uint8Array(input);
}

function startsWith(bytes: Uint8Array, sig: number[]): boolean {
  return bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
}

/** A friendlier message for files that are recognisably not safetensors. */
function sniffForeign(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    return 'it is a ZIP archive — probably a PyTorch .bin/.pt checkpoint (pickle). Only .safetensors files can be loaded; convert it with the safetensors library first';
  }
  if (startsWith(bytes, [0x80]) && bytes.length > 1 && bytes[1] >= 2 && bytes[1] <= 5) {
    return 'it looks like a Python pickle (an old PyTorch checkpoint). Only .safetensors files can be loaded';
  }
  if (startsWith(bytes, [0x47, 0x47, 0x55, 0x46])) return 'it is a GGUF file (llama.cpp). Only .safetensors files can be loaded';
  if (startsWith(bytes, [0x89, 0x48, 0x44, 0x46])) return 'it is an HDF5 file (Keras .h5). Only .safetensors files can be loaded';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'it is gzip-compressed. Decompress it first';
  let i = 0;
  while (i < bytes.length && i < 64 && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b || bytes[i] === 0x5b) {
    return 'it is a JSON text file (a config.json or tokenizer.json?), not the .safetensors weights file';
  }
  return null;
}

function isNonNegInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Parses and fully validates a safetensors file's header and layout. Copies nothing: the returned
 * object refers to `input`'s memory. Throws CheckpointError with a user-facing message.
 */
export function parseSafetensors(input: ArrayBufferLike | ArrayBufferView, fileName?: string): SafetensorsFile {
  const bytes = asBytes(input);
  const file = describeFile(fileName);
  const fail = (code: ConstructorParameters<typeof CheckpointError>[0], msg: string): never => {
    throw new CheckpointError(code, msg, fileName);
  };

  if (bytes.length < 8) {
    if (bytes.length === 0) fail('too-short', `${file} is empty (0 bytes) — not a safetensors file.`);
    fail('too-short', `${file} is not a safetensors file: it is only ${bytes.length} bytes long.`);
  }
  const head = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const lo = head.getUint32(0, true);
  const hi = head.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact below 2^53; anything with hi ≠ 0 is absurd anyway
  if (hi !== 0 || n > MAX_HEADER_BYTES) {
    const sniff = sniffForeign(bytes);
    if (sniff) fail('not-safetensors', `${file} is not a safetensors file: ${sniff}.`);
    fail(
      'header-length',
      `${file} is not a valid safetensors file: its first 8 bytes give a header length of ${hi !== 0 ? 'more than 4 GB' : `${n} bytes`}, over the 100 MB limit.`,
    );
  }
  if (n > bytes.length - 8) {
    const sniff = sniffForeign(bytes);
    if (sniff) fail('not-safetensors', `${file} is not a safetensors file: ${sniff}.`);
    fail(
      'header-length',
      `${file} is not a valid safetensors file (or is truncated): its header length is ${n} bytes but the whole file is only ${bytes.length} bytes.`,
    );
  }
  const dataStart = 8 + n;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    const sniff = sniffForeign(bytes);
    if (sniff) fail('not-safetensors', `${file} is not a safetensors file: ${sniff}.`);
    return fail('header-json', `${file} is not a valid safetensors file: its header is not UTF-8 text.`);
  }
  if (!text.startsWith('{')) {
    const sniff = sniffForeign(bytes);
    if (sniff) fail('not-safetensors', `${file} is not a safetensors file: ${sniff}.`);
    fail('header-json', `${file} is not a valid safetensors file: its header does not start with "{" (a JSON object).`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail('header-json', `${file} is not a valid safetensors file: its header is not valid JSON (${(e as Error).message}).`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail('header-json', `${file} is not a valid safetensors file: its header is JSON but not an object.`);
  }

  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  const byName = new Map<string, TensorInfo>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        fail('metadata', `${file}: "__metadata__" in the header must be an object of strings.`);
      }
      metadata = {};
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail('metadata', `${file}: metadata value "${k}" is a ${v === null ? 'null' : typeof v}, but safetensors metadata values must be strings.`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `${file}: tensor "${name}"`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail('header-entry', `${where} is not described by an object in the header.`);
    const e = entry as Record<string, unknown>;
    if (typeof e.dtype !== 'string') fail('header-entry', `${where} has no "dtype".`);
    if (!isDtype(e.dtype)) {
      fail('dtype', `${where} has unknown dtype "${String(e.dtype)}" (known: ${Object.keys(DTYPE_BYTES).join(', ')}).`);
    }
    const dtype = e.dtype as Dtype;
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegInt)) fail('header-entry', `${where} has an invalid "shape" (${JSON.stringify(e.shape)}): it must be a list of non-negative integers.`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isNonNegInt)) {
      fail('header-entry', `${where} has invalid "data_offsets" (${JSON.stringify(off)}): it must be [begin, end], two non-negative integers.`);
    }
    const [begin, end] = off as [number, number];
    if (end < begin) fail('offsets', `${where} has data_offsets [${begin}, ${end}] that end before they begin.`);
    let count = 1;
    for (const d of shape) {
      count *= d;
      if (!Number.isSafeInteger(count * DTYPE_BYTES[dtype])) fail('offsets', `${where} has an impossibly large shape ${fmtShape(shape)}.`);
    }
    const expected = count * DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      fail(
        'offsets',
        `${where} is ${dtype} ${fmtShape(shape)}, which takes ${expected} bytes, but its data_offsets [${begin}, ${end}] cover ${end - begin} bytes.`,
      );
    }
    const info: TensorInfo = { name, dtype, shape, begin, end };
    tensors.push(info);
    byName.set(name, info);
  }

  // Sorted by offset, the tensors must tile [0, data length) exactly.
  const dataLength = bytes.length - dataStart;
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const t of sorted) {
    if (t.begin < pos) {
      const prev = sorted.find((u) => u !== t && u.begin <= t.begin && u.end > t.begin);
      fail('offsets', `${file}: tensor "${t.name}" (bytes ${t.begin}–${t.end}) overlaps ${prev ? `tensor "${prev.name}" (bytes ${prev.begin}–${prev.end})` : 'another tensor'}.`);
    }
    if (t.begin > pos) fail('offsets', `${file}: there is a gap of ${t.begin - pos} unused bytes before tensor "${t.name}" (the data section must be packed).`);
    pos = t.end;
  }
  if (pos > dataLength) {
    fail(
      'truncated',
      `${file} is truncated: its header describes ${pos} bytes of tensor data but only ${dataLength} are there (${bytes.length} of ${dataStart + pos} bytes). Was the download or save interrupted?`,
    );
  }
  if (pos < dataLength) fail('trailing-bytes', `${file} has ${dataLength - pos} unexpected bytes after its last tensor — it is corrupt or not a safetensors file.`);

  return { bytes, dataStart, headerLength: n, tensors, byName, metadata, fileName };
}

/**
 * A tensor's values as f32. For F32 data at a 4-byte-aligned address (little-endian machine) this is a
 * view into the file's memory, not a copy — writes to it change the file buffer. Unaligned F32 data and
 * every other convertible dtype are copied/converted. Throws CheckpointError for F8 types.
 */
export function tensorAsF32(file: SafetensorsFile, info: TensorInfo): Float32Array {
  const count = info.shape.reduce((a, b) => a * b, 1);
  const at = file.bytes.byteOffset + file.dataStart + info.begin;
  if (info.dtype === 'F32' && LITTLE_ENDIAN && at % 4 === 0) return new Float32Array(file.bytes.buffer, at, count);
  const out = decodeToF32(file.bytes, file.dataStart + info.begin, count, info.dtype);
  if (!out) {
    throw new CheckpointError(
      'dtype',
      `${describeFile(file.fileName)}: tensor "${info.name}" is ${info.dtype}, which cannot be converted (supported: ${CONVERTIBLE_DTYPES.join(', ')}).`,
      file.fileName,
    );
  }
  return out;
}

/** The JSON header text, padded with spaces so its length is a multiple of 8. */
function headerText(entries: { name: string; shape: readonly number[]; begin: number; end: number }[], metadata?: Record<string, string>): string {
  // Built by hand so the key order is exactly the data order (JSON.stringify would move integer-like keys first).
  const parts: string[] = [];
  if (metadata) {
    const kv = Object.entries(metadata).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    parts.push(`"__metadata__":{${kv.join(',')}}`);
  }
  for (const e of entries) {
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"F32","shape":[${e.shape.join(',')}],"data_offsets":[${e.begin},${e.end}]}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Serialises F32 tensors (in the given order, packed) and string metadata as one safetensors file.
 * Throws CheckpointError('invalid-checkpoint') for a duplicate or reserved name, a shape that does not
 * match the data length, a non-string metadata value, or a header over 100 MB.
 */
export function encodeSafetensors(tensors: Iterable<readonly [string, TensorToWrite]>, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  const bad = (msg: string): never => {
    throw new CheckpointError('invalid-checkpoint', `cannot write safetensors: ${msg}`);
  };
  const list: { name: string; shape: readonly number[]; data: Float32Array; begin: number; end: number }[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__' || name === '') bad(`"${name}" is not a usable tensor name`);
    if (seen.has(name)) bad(`tensor "${name}" is listed twice`);
    seen.add(name);
    if (!(t.data instanceof Float32Array)) bad(`tensor "${name}" is not a Float32Array`);
    if (!t.shape.every(isNonNegInt)) bad(`tensor "${name}" has an invalid shape ${fmtShape(t.shape)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) bad(`tensor "${name}" has shape ${fmtShape(t.shape)} (${count} values) but ${t.data.length} values`);
    list.push({ name, shape: t.shape, data: t.data, begin: offset, end: offset + 4 * count });
    offset += 4 * count;
  }
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') bad(`metadata "${k}" is not a string`);
  }
  let headerBytes = new TextEncoder().encode(headerText(list, metadata));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded > MAX_HEADER_BYTES) bad(`the header would be ${headerBytes.length} bytes, over the 100 MB limit (is the tokenizer or history metadata huge?)`);
  if (padded !== headerBytes.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(headerBytes);
    headerBytes = p;
  }

  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded, true);
  dv.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  const base = 8 + padded;
  for (const t of list) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), base + t.begin);
    } else {
      for (let i = 0; i < t.data.length; i++) dv.setFloat32(base + t.begin + 4 * i, t.data[i], true);
    }
  }
  return out;
}
