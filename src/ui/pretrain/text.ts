// Small helpers the Pretrain components share: the translate function's type, messages in the current
// language, and number, size and duration formatting.
import { LANG_TAGS, formatBytes, type Lang, type MessageKey } from '../i18n.ts';
import type { Msg } from './controller.svelte.ts';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** A message in the current language (bilingual text picks its half; keys are translated). */
export function msgText(t: Translate, lang: Lang, m: Msg): string {
  if ('key' in m) return t(m.key, m.params);
  return lang === 'zh' ? m.zh : m.en;
}

export function fmtInt(n: number, lang: Lang): string {
  return Math.round(n).toLocaleString(LANG_TAGS[lang]);
}

/** 1234567 → "1.23 M", 12345 → "12.3 k" (parameter and token counts). */
export function fmtCount(n: number, lang: Lang): string {
  const tag = LANG_TAGS[lang];
  const f = (v: number, unit: string) => `${v.toLocaleString(tag, { maximumSignificantDigits: 3 })} ${unit}`;
  if (n >= 1e9) return f(n / 1e9, 'B');
  if (n >= 1e6) return f(n / 1e6, 'M');
  if (n >= 1e4) return f(n / 1e3, 'k');
  return fmtInt(n, lang);
}

export { formatBytes };

export function fmtDuration(seconds: number, t: Translate): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('pt.time.s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('pt.time.ms', { m, s: s % 60 });
  return t('pt.time.hm', { h: Math.floor(m / 60), m: m % 60 });
}

export function fmtDate(iso: string, lang: Lang): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(LANG_TAGS[lang], { dateStyle: 'medium', timeStyle: 'short' });
}

/** A number for a chart label: compact, readable at a glance. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

/** A prompt as one editable line: newlines and tabs as \n and \t (and a backslash as \\). */
export function escapePrompt(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

export function unescapePrompt(s: string): string {
  return s.replace(/\\(\\|n|t)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}
