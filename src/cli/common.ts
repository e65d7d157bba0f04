// Shared pieces of the CLI commands: the GPU, argument parsing, output, checkpoint files.
import { readFile, writeFile, rename } from 'node:fs/promises';
import { Gpu } from '../model/gpu/runtime.ts';
import { nodeGpu } from '../model/gpu/node.ts';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../model/checkpoint/index.ts';
import { validateUserText } from '../data/index.ts';
import type { CliArgs } from './main.ts';

export async function openGpu(): Promise<Gpu> {
  return Gpu.create(await nodeGpu(), {
    onDeviceLost: (reason) => process.stderr.write(`GPU device lost: ${reason}\n`),
  });
}

/** A checkpoint's run name from its output path: runs/base.safetensors → base. */
export function runName(out: string): string {
  return out.replace(/^.*\//, '').replace(/\.safetensors$/, '');
}

/** A numeric option, or the fallback when absent; a malformed value is an error naming the option. */
export function num(args: CliArgs, name: keyof CliArgs, fallback: number): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v)) throw new Error(`--${name} must be a number, got '${raw}'`);
  return v;
}

/** A number that must not be negative (a learning rate or weight: negative would un-learn); `flag` names it. */
export function nonNegative(x: number, flag: string): number {
  if (!(x >= 0)) throw new Error(`${flag} must be ≥ 0, got ${x}`);
  return x;
}

export function int(args: CliArgs, name: keyof CliArgs, fallback: number, min = 0): number {
  const v = num(args, name, fallback);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

export function required(args: CliArgs, name: keyof CliArgs): string {
  const v = args[name];
  if (typeof v !== 'string' || v === '') throw new Error(`--${name} is required`);
  return v;
}

/** Writes a result: one JSON line with --json, else a readable line. */
export function emit(args: CliArgs, obj: Record<string, unknown>, human?: string): void {
  if (args.json) process.stdout.write(`${JSON.stringify(obj)}\n`);
  else process.stdout.write(`${human ?? JSON.stringify(obj)}\n`);
}

export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  return readCheckpoint(bytes, { fileName: path, onWarning: (m) => progress(`warning: ${m}`) });
}

/** Writes atomically (temp file, then rename) so an interrupted save never corrupts the previous file. */
export async function saveCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, writeCheckpoint(ckpt));
  await rename(tmp, path);
}

/** A user's text file, validated (empty, binary, not UTF-8 → a clear error). */
export async function readUserText(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
  const r = validateUserText(bytes, path);
  if (!r.ok) throw new Error(r.message);
  return r.text;
}
