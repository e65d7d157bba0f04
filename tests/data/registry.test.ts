import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ASSETS, ASSET_DIR } from '../../src/data/assets.ts';
import { factsCorpus, makeFactsWorld } from '../../src/data/facts/index.ts';
import { loadCorpusNode, nodeFetchAsset, PUBLIC_DIR } from '../../src/data/node.ts';
import { parsePoems } from '../../src/data/poetry.ts';
import { browserFetchAsset, gunzipIfNeeded, listCorpora, loadCorpus } from '../../src/data/registry.ts';
import { corpusStats } from '../../src/data/stats.ts';

describe('corpus registry', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists the built-in corpora with bilingual names and sizes', () => {
    const list = listCorpora();
    expect(list.map((c) => c.id)).toEqual(['builtin:facts', 'builtin:brown', 'builtin:poetry']);
    for (const c of list) {
      expect(c.name.en && c.name.zh && c.description.en && c.description.zh).toBeTruthy();
      expect(c.approxBytes).toBeGreaterThan(100_000);
      expect(c.approxChars).toBeGreaterThan(100_000);
    }
    expect(list.find((c) => c.id === 'builtin:facts')!.downloadBytes).toBe(0);
  });

  it('loads the Brown corpus from the committed asset, tags stripped, sizes as listed', async () => {
    const text = await loadCorpusNode('builtin:brown');
    expect(text.startsWith('The Fulton County Grand Jury said Friday an investigation of')).toBe(true);
    expect(text).not.toMatch(/\w\/(at|nn|vbd|in|np)\b/);
    expect(text).toContain('\n\n');
    const s = corpusStats(text);
    expect(s.bytes).toBe(ASSETS['builtin:brown'].bytes);
    expect(s.chars).toBe(ASSETS['builtin:brown'].chars);
    const gz = readFileSync(join(PUBLIC_DIR, ASSET_DIR, ASSETS['builtin:brown'].file));
    expect(gz.length).toBe(ASSETS['builtin:brown'].gzipBytes);
    expect(gz.length).toBeLessThan(3_000_000);
  });

  it('loads the Tang poetry asset: simplified characters, one poem per block', async () => {
    const text = await loadCorpusNode('builtin:poetry');
    const s = corpusStats(text);
    expect(s.bytes).toBe(ASSETS['builtin:poetry'].bytes);
    expect(s.chars).toBe(ASSETS['builtin:poetry'].chars);
    const poems = parsePoems(text);
    expect(poems.length).toBeGreaterThan(10_000);
    expect(text.split(/\n\n/).length).toBe(poems.length);
    expect(poems.some((p) => p.title === '静夜思' && p.author === '李白')).toBe(true);
    expect(text.includes('白日依山尽，黄河入海流。')).toBe(true);
    // Traditional forms that simplified text never has.
    expect(text).not.toMatch(/[們說國龍長門風馬書]/u);
    for (const p of poems.slice(0, 500)) expect(p.lines.length).toBeGreaterThanOrEqual(2);
  });

  it('generates the facts corpus (no asset) with its options; the listed size matches', async () => {
    const text = await loadCorpus('builtin:facts', { fetchAsset: () => Promise.reject(new Error('no fetch')) });
    expect(text).toBe(factsCorpus(makeFactsWorld()));
    const info = listCorpora().find((c) => c.id === 'builtin:facts')!;
    const s = corpusStats(text);
    expect(Math.abs(s.bytes / info.approxBytes - 1)).toBeLessThan(0.1);
    expect(Math.abs(s.chars / info.approxChars - 1)).toBeLessThan(0.1);
    const en = await loadCorpus('builtin:facts', { facts: { seed: 3, languages: ['en'], mentionsPerFact: 5 } });
    expect(en).toBe(factsCorpus(makeFactsWorld({ seed: 3, languages: ['en'] }), { mentionsPerFact: 5 }));
  });

  it('uses an injected fetchAsset, and accepts bytes that are already decompressed', async () => {
    const seen: string[] = [];
    const gz = await loadCorpus('builtin:brown', {
      fetchAsset: async (p) => (seen.push(p), new Uint8Array(gzipSync(Buffer.from('plain text')))),
    });
    expect(gz).toBe('plain text');
    expect(seen).toEqual(['corpora/brown.txt.gz']);
    const plain = await loadCorpus('builtin:poetry', { fetchAsset: async () => new TextEncoder().encode('《诗》\n某\n一。\n二。\n') });
    expect(plain).toBe('《诗》\n某\n一。\n二。\n');
    expect(await gunzipIfNeeded(new Uint8Array([1, 2]))).toEqual(new Uint8Array([1, 2]));
  });

  it('fetches assets relative to the base URL in the browser', async () => {
    const fetchMock = vi.fn(async (url: string) => new Response(new Uint8Array(gzipSync(Buffer.from(`from ${url}`)))));
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('location', { href: 'https://example.test/app/page?x=1' });
    expect(await loadCorpus('builtin:brown', { fetchAsset: browserFetchAsset('/playground/') })).toBe(
      'from https://example.test/playground/corpora/brown.txt.gz',
    );
    expect(await loadCorpus('builtin:brown', { fetchAsset: browserFetchAsset('./') })).toBe(
      'from https://example.test/app/corpora/brown.txt.gz',
    );
    fetchMock.mockImplementationOnce(async () => new Response('nope', { status: 404 }));
    await expect(loadCorpus('builtin:poetry')).rejects.toThrow(/builtin:poetry.*HTTP 404/);
  });

  it('rejects unknown ids and paths outside the asset root', async () => {
    await expect(loadCorpus('builtin:nope')).rejects.toThrow(/unknown corpus/);
    await expect(nodeFetchAsset()('../package.json')).rejects.toThrow(/escapes/);
  });
});
