// Classical Chinese poems (the chinese-poetry package's JSON) as a plain-text corpus: one poem per block,
//   《静夜思》
//   李白
//   床前明月光，疑是地上霜。
//   举头望明月，低头思故乡。
// blocks separated by a blank line.

export interface Poem {
  title: string;
  author: string;
  /** One entry per line of the source (usually a couplet ending in 。！？；). */
  lines: string[];
}

export interface ExtractPoemsOptions {
  /** Applied to title, author and every line, e.g. a traditional → simplified converter. */
  convert?: (s: string) => string;
  /** Keep only clean poems (see isCleanPoem). Default true. */
  cleanOnly?: boolean;
}

/** Characters that mark editorial notes, lacunae or markup in the source rather than poem text. */
const NOISE = /[□■○●◎△▲\[\]【】{}()（）<>〈〉《》「」『』\uFFFDA-Za-z0-9０-９]/u;

/**
 * A poem worth training on: 2–24 non-empty lines, each ending in sentence punctuation, no editorial marks, no
 * characters outside the Basic Multilingual Plane (rare glyphs that fonts lack and that bloat a vocabulary).
 */
export function isCleanPoem(p: Poem): boolean {
  if (p.title.trim() === '' || p.author.trim() === '') return false;
  if (p.lines.length < 2 || p.lines.length > 24) return false;
  const all = [p.title, p.author, ...p.lines];
  for (const s of all) {
    if (NOISE.test(s)) return false;
    for (const ch of s) if (ch.codePointAt(0)! > 0xffff || (ch >= '\ue000' && ch <= '\uf8ff')) return false;
  }
  if (/[\n\r]/.test(p.title + p.author)) return false;
  return p.lines.every((l) => l.length >= 2 && /[。！？；]$/.test(l) && !/\s/.test(l));
}

/**
 * A regular (近体) poem: every line is two halves of 5 or 7 characters, `xxxxx，xxxxx。`; 绝句 and 律诗.
 * These are the easiest shape for a small model to learn, so the built-in corpus prefers them.
 */
export function isRegularPoem(p: Poem): boolean {
  if (p.lines.length !== 2 && p.lines.length !== 4) return false;
  const n = [...p.lines[0]].length;
  if (n !== 12 && n !== 16) return false;
  const half = (n - 2) / 2;
  const re = new RegExp(`^[^，。！？；]{${half}}，[^，。！？；]{${half}}[。！？]$`, 'u');
  return p.lines.every((l) => re.test(l));
}

/** Reads a chinese-poetry JSON array (`[{ title, author, paragraphs }]`); malformed entries are skipped. */
export function extractPoems(raw: unknown, opts: ExtractPoemsOptions = {}): Poem[] {
  if (!Array.isArray(raw)) throw new Error('chinese-poetry data: expected a JSON array of poems');
  const convert = opts.convert ?? ((s: string) => s);
  const cleanOnly = opts.cleanOnly ?? true;
  const out: Poem[] = [];
  for (const item of raw) {
    if (item === null || typeof item !== 'object') continue;
    const r = item as Record<string, unknown>;
    const paragraphs = r.paragraphs;
    if (typeof r.title !== 'string' || typeof r.author !== 'string' || !Array.isArray(paragraphs)) continue;
    if (!paragraphs.every((l): l is string => typeof l === 'string')) continue;
    const poem: Poem = {
      title: convert(r.title.trim().replace(/\s+/g, ' ')),
      author: convert(r.author.trim()),
      lines: paragraphs.map((l) => convert(l.trim())).filter((l) => l !== ''),
    };
    if (!cleanOnly || isCleanPoem(poem)) out.push(poem);
  }
  return out;
}

export function formatPoem(p: Poem): string {
  return [`《${p.title}》`, p.author, ...p.lines].join('\n');
}

/** Poems → corpus text: blocks separated by one blank line, ending with a newline. */
export function formatPoems(poems: readonly Poem[]): string {
  return poems.length === 0 ? '' : poems.map(formatPoem).join('\n\n') + '\n';
}

/** The inverse of formatPoems (for previews and tests). */
export function parsePoems(text: string): Poem[] {
  const poems: Poem[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const lines = block.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (lines.length < 3) continue;
    const m = /^《(.*)》$/.exec(lines[0]);
    if (!m) continue;
    poems.push({ title: m[1], author: lines[1], lines: lines.slice(2) });
  }
  return poems;
}

/** A key that identifies a poem across editions (after conversion): author, title and first line. */
export function poemKey(p: Poem): string {
  return `${p.author}|${p.title}|${p.lines[0] ?? ''}`;
}
