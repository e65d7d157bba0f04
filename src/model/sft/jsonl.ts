// SFT data as JSONL, one conversation per line, in the common chat form:
//   {"messages":[{"role":"user","content":"…"},{"role":"assistant","content":"…"}]}
// Optional "system" message first; more turns alternate user/assistant and end with the assistant. Other
// fields are ignored on import, except this project's own optional "fact" (a fact key) and "lang" ("en"/"zh")
// which toSftJsonl writes with { meta: true }.
//
// Parsing is line by line and never throws: each bad line gives { line (1-based), message } and is skipped.
// A UTF-8 BOM at the start is dropped, CRLF and CR-less lines both work, blank lines are skipped.
import { FACTS_LANGS, type FactsLang } from '../../data/facts/types.ts';
import { conversationProblem, type ChatMessage } from './chat.ts';
import { guessLang, type QaPair } from './types.ts';

export interface SftJsonlError {
  line: number;
  message: string;
}

export interface ParseSftJsonlOptions {
  /** Longest accepted line, in UTF-16 code units (default 65 536). Longer lines are reported, not parsed. */
  maxLineLength?: number;
  /** Stop collecting errors after this many (default 1000); a last entry says how many more there were. */
  maxErrors?: number;
  /** Reject messages whose content is empty or only whitespace (default true). */
  rejectEmptyContent?: boolean;
}

export const DEFAULT_MAX_LINE_LENGTH = 65_536;

export function parseSftJsonl(text: string, opts: ParseSftJsonlOptions = {}): { pairs: QaPair[]; errors: SftJsonlError[] } {
  const maxLine = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const maxErrors = opts.maxErrors ?? 1000;
  const rejectEmpty = opts.rejectEmptyContent ?? true;
  const pairs: QaPair[] = [];
  const errors: SftJsonlError[] = [];
  let extraErrors = 0;
  const fail = (line: number, message: string) => {
    if (errors.length < maxErrors) errors.push({ line, message });
    else extraErrors++;
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    if (line.length > maxLine) {
      fail(lineNo, `line is too long (${line.length} characters; at most ${maxLine})`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      fail(lineNo, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      fail(lineNo, `not a JSON object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`);
      continue;
    }
    const problem = conversationProblem(value, 'train');
    if (problem) {
      fail(lineNo, problem);
      continue;
    }
    const raw = (value as { messages: ChatMessage[] }).messages;
    if (rejectEmpty) {
      const k = raw.findIndex((m) => m.content.trim() === '');
      if (k >= 0) {
        fail(lineNo, `message ${k + 1} (${raw[k].role}) has empty content`);
        continue;
      }
    }
    const messages: ChatMessage[] = raw.map((m) => ({ role: m.role, content: m.content }));
    const meta = value as { fact?: unknown; lang?: unknown };
    const user = messages.find((m) => m.role === 'user')?.content ?? '';
    const lang: FactsLang =
      typeof meta.lang === 'string' && (FACTS_LANGS as readonly string[]).includes(meta.lang) ? (meta.lang as FactsLang) : guessLang(user);
    const pair: QaPair = { messages, lang };
    if (typeof meta.fact === 'string' && meta.fact !== '') pair.fact = meta.fact;
    pairs.push(pair);
  }
  if (extraErrors > 0) errors.push({ line: 0, message: `… and ${extraErrors} more errors` });
  return { pairs, errors };
}

export interface ToSftJsonlOptions {
  /** Also write "fact" and "lang" (ignored by other tools; read back by parseSftJsonl). Default false. */
  meta?: boolean;
}

/** One line per pair ({"messages":[…]}), '\n'-separated, ending with a newline (empty string for none). */
export function toSftJsonl(pairs: readonly Pick<QaPair, 'messages' | 'fact' | 'lang'>[], opts: ToSftJsonlOptions = {}): string {
  return pairs
    .map((p) => {
      const o: { messages: ChatMessage[]; fact?: string; lang?: string } = {
        messages: p.messages.map((m) => ({ role: m.role, content: m.content })),
      };
      if (opts.meta) {
        if (p.fact !== undefined) o.fact = p.fact;
        if (p.lang !== undefined) o.lang = p.lang;
      }
      return JSON.stringify(o) + '\n';
    })
    .join('');
}
