// Node entry point of the corpus registry (CLI, tests, scripts): assets are read from public/ on disk.
// Not imported by the app (it uses node:fs).
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, type FetchAsset, type LoadCorpusOptions } from './registry.ts';

/** The repository's public/ directory (where Vite serves assets from). */
export const PUBLIC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public');

/** Reads assets from a directory (default public/) instead of fetching them. */
export function nodeFetchAsset(root: string = PUBLIC_DIR): FetchAsset {
  return async (path) => {
    if (path.split(/[\\/]/).includes('..')) throw new Error(`asset path escapes the asset root: ${path}`);
    return new Uint8Array(await readFile(join(root, path)));
  };
}

/** loadCorpus with assets read from disk. */
export function loadCorpusNode(id: string, opts: Omit<LoadCorpusOptions, 'fetchAsset'> & { root?: string } = {}): Promise<string> {
  const { root, ...rest } = opts;
  return loadCorpus(id, { ...rest, fetchAsset: nodeFetchAsset(root) });
}
