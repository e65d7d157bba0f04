// How the token view colours a token: by the probability the model gave it (red: it was a long shot, green:
// the model was sure), or by how much more likely another column's model finds it (blue: more likely there,
// orange: less). Probabilities are spread on a log scale, since most sampled tokens sit between 0.1% and 100%.
// Colours are translucent so they read on light and dark backgrounds alike.

/** Probabilities below this share the reddest colour (10^-3). */
export const PROB_FLOOR_LOG10 = -3;
/** Log-probability differences beyond this many nats share the strongest colour. */
export const DIFF_SATURATION = 3;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Where p sits between the floor (0) and certainty (1), on a log scale. */
export function probPosition(p: number): number {
  if (!(p > 0)) return 0;
  return clamp01((Math.log10(p) - PROB_FLOOR_LOG10) / -PROB_FLOOR_LOG10);
}

/** The background of a token the model gave probability p: hue 0 (red) … 120 (green). */
export function probColor(p: number): string {
  const x = probPosition(p);
  return `hsla(${Math.round(120 * x)}, 75%, 45%, 0.3)`;
}

/** The background for a log-probability difference d = log p_other − log p_this (null: not scored). */
export function diffColor(d: number | null): string {
  if (d === null || !Number.isFinite(d)) return 'transparent';
  const a = clamp01(Math.abs(d) / DIFF_SATURATION);
  const hue = d >= 0 ? 215 : 28;
  return `hsla(${hue}, 80%, 50%, ${(0.06 + 0.5 * a).toFixed(3)})`;
}

/** log p_other − log p_this per token (null where the other model could not score it). */
export function logprobDiff(other: readonly (number | null)[], own: readonly number[]): (number | null)[] {
  return own.map((lp, i) => {
    const o = other[i];
    return o === null || o === undefined ? null : o - lp;
  });
}

/** A probability as a percentage for people: 3 significant digits, "<0.01%" for tiny ones. */
export function fmtProb(p: number, locale: string): string {
  if (p > 0 && p < 1e-4) return `<${(0.01).toLocaleString(locale)}%`;
  return `${(p * 100).toLocaleString(locale, { maximumSignificantDigits: 3 })}%`;
}

/** A signed difference in nats, e.g. "+1.25" / "−0.40". */
export function fmtDiff(d: number, locale: string): string {
  const s = Math.abs(d).toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${d >= 0 ? '+' : '−'}${s}`;
}
