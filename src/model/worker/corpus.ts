// The worker's corpus: loaded once (a built-in one, or the person's own .txt), kept here for building the
// tokenizer and for training, so the page never holds or re-encodes megabytes of text.
import { charTokenizerFor } from '../sft/char-coverage.ts';
import { FACTS_SIZES, corpusStats, listCorpora, loadCorpus, validateUserText, type BuiltinCorpusId, type FactsSize } from '../../data/index.ts';
import { trainTokenizer, type Tokenizer } from '../tokenizer/index.ts';
import type { TokenizerChoice } from '../train/pretrain.ts';
import type { CorpusLoadResult, CorpusSource, TokenizerBuilt } from './protocol.ts';

export interface LoadedCorpus {
  key: string;
  name: string;
  text: string;
}


/** The key a built-in corpus is stored under in checkpoints (meta.train.corpus). */
export function builtinKey(id: BuiltinCorpusId, factsSize?: FactsSize): string {
  return id === 'builtin:facts' ? `builtin:facts?size=${factsSize ?? 'tiny'}` : id;
}

/** The built-in corpus a key names, or null for a file ('file:…') or anything unknown. */
export function parseBuiltinKey(key: string): { id: BuiltinCorpusId; factsSize?: FactsSize } | null {
  const [id, query] = key.split('?');
  const known = listCorpora().find((c) => c.id === id);
  if (!known) return null;
  if (known.id !== 'builtin:facts') return { id: known.id };
  const size = new URLSearchParams(query ?? '').get('size') ?? 'tiny';
  return { id: known.id, factsSize: (FACTS_SIZES as readonly string[]).includes(size) ? (size as FactsSize) : 'tiny' };
}

export async function loadBuiltin(id: BuiltinCorpusId, factsSize?: FactsSize): Promise<LoadedCorpus> {
  const info = listCorpora().find((c) => c.id === id);
  const text = await loadCorpus(id, id === 'builtin:facts' ? { facts: { size: factsSize ?? 'tiny' } } : {});
  return { key: builtinKey(id, factsSize), name: info?.name.en ?? id, text };
}

export class CorpusHolder {
  current: LoadedCorpus | null = null;
  tokenizer: Tokenizer | null = null;

  async load(source: CorpusSource, contextLength?: number): Promise<CorpusLoadResult> {
    let loaded: LoadedCorpus;
    if (source.kind === 'builtin') {
      loaded = await loadBuiltin(source.id, source.factsSize);
    } else {
      const r = validateUserText(new Uint8Array(source.bytes), source.name, contextLength ? { contextLength } : {});
      if (!r.ok) return { ok: false, message: r.message, messageZh: r.messageZh };
      loaded = { key: `file:${source.name}`, name: source.name, text: r.text };
    }
    this.current = loaded;
    this.tokenizer = null;
    return { ok: true, key: loaded.key, name: loaded.name, stats: corpusStats(loaded.text) };
  }

  buildTokenizer(choice: TokenizerChoice, onProgress: (f: number) => void): TokenizerBuilt {
    const c = this.require();
    const t0 = performance.now();
    // The same vocabulary the pretraining run will build (pretrain-job.ts): for a facts corpus it covers the SFT questions too.
    const tok = choice.kind === 'char' ? charTokenizerFor(c.text, c.key) : trainTokenizer(c.text, { kind: 'bpe', vocabSize: choice.vocabSize, onProgress });
    const tokens = tok.encodeToInt32(c.text).length;
    this.tokenizer = tok;
    return { state: tok.toJSON(), vocabSize: tok.vocabSize, tokens, ms: performance.now() - t0 };
  }

  /** The text a run needs: the loaded corpus when the key matches, else a built-in one (loaded for the run
   *  only: the page's corpus stays the loaded one), else null (a file that is not loaded). */
  async textFor(key: string): Promise<string | null> {
    if (this.current?.key === key) return this.current.text;
    const b = parseBuiltinKey(key);
    if (!b) return null;
    return (await loadBuiltin(b.id, b.factsSize)).text;
  }

  require(): LoadedCorpus {
    if (!this.current) throw new Error('no corpus is loaded: pick one first');
    return this.current;
  }
}
