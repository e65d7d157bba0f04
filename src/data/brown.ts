// The Brown corpus (form C, tagged) as plain English: `The/at Fulton/np-tl County/nn-tl …` → `The Fulton
// County …`. A Brown file is paragraphs separated by blank lines, one sentence per line, tokens separated by
// whitespace, each token `word/tag` (the tag is everything after the LAST slash: `1-1/2/cd` is `1-1/2`).

/** The word of a `word/tag` token (the token itself when it has no slash). */
export function brownWord(token: string): string {
  const i = token.lastIndexOf('/');
  return i > 0 ? token.slice(0, i) : token;
}

const CLOSERS = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}', '%']);
const OPENERS = new Set(['(', '[', '{', '$']);

/**
 * Joins Brown word tokens with sensible spacing: no space before , . ; : ? ! ) and closing quotes, none after
 * ( and opening quotes, none around `--`. The corpus marks double quotes as `` (open) and '' (close); both
 * become a plain `"`. A lone `'` alternates open/close within the call. Inch marks (`10''`) become `10"`.
 */
export function detokenize(words: readonly string[]): string {
  let out = '';
  let glueNext = true; // no space before the next token (start of text, or after an opener)
  let singleOpen = false;
  let prev = '';
  for (const raw of words) {
    if (raw === '') continue;
    // Inches are written `10''` and followed by a stray `''` token in the corpus: 10" once.
    if (raw === "''" && prev.length > 2 && prev.endsWith("''")) continue;
    prev = raw;
    let w = raw.length > 2 && raw.endsWith("''") ? `${raw.slice(0, -2)}"` : raw;
    let glueBefore = false;
    let glueAfter = false;
    if (raw === '``') {
      w = '"';
      glueAfter = true;
    } else if (raw === "''") {
      w = '"';
      glueBefore = true;
    } else if (raw === "'") {
      if (singleOpen) glueBefore = true;
      else glueAfter = true;
      singleOpen = !singleOpen;
    } else if (raw === '--') {
      glueBefore = true;
      glueAfter = true;
    } else if (CLOSERS.has(raw)) {
      glueBefore = true;
      // "Jr. ." in the corpus: the abbreviation's period ends the sentence too.
      if (raw === '.' && out.endsWith('.')) continue;
    } else if (OPENERS.has(raw)) {
      glueAfter = true;
    }
    if (out !== '' && !glueNext && !glueBefore) out += ' ';
    out += w;
    glueNext = glueAfter;
  }
  return out;
}

function tagOf(token: string): string {
  const i = token.lastIndexOf('/');
  return i > 0 ? token.slice(i + 1) : '';
}

/**
 * A whole tagged Brown file → plain text: one paragraph per block, paragraphs separated by a blank line. A
 * headline line inside a block (every tag ends in `-hl`) becomes a paragraph of its own.
 */
export function stripBrownTags(tagged: string): string {
  const paragraphs: string[] = [];
  const flush = (tokens: string[]) => {
    const text = detokenize(tokens.map(brownWord)).trim();
    if (text !== '') paragraphs.push(text);
    tokens.length = 0;
  };
  for (const block of tagged.split(/\r?\n[ \t]*\r?\n/)) {
    const body: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      const tokens = line.split(/\s+/).filter((t) => t !== '');
      if (tokens.length === 0) continue;
      if (tokens.every((t) => tagOf(t).includes('-hl'))) {
        flush(body);
        flush(tokens);
      } else {
        body.push(...tokens);
      }
    }
    flush(body);
  }
  return paragraphs.join('\n\n');
}

/** Brown text file names in corpus order (`ca01` … `cr09`), from a directory listing. */
export function brownFileNames(names: readonly string[]): string[] {
  return names.filter((n) => /^c[a-r]\d\d$/.test(n)).sort();
}
