// Layout and summaries for the attention heatmap (pure, so the arithmetic is tested in Node): cell size for
// a sequence length, which axis labels fit, and each row's most attended token.

export interface HeatLayout {
  cell: number;
  /** Room for the token labels on the left and on top (px). */
  margin: number;
  size: number;
  /** Draw every n-th label (1: all). */
  labelEvery: number;
}

export function heatLayout(T: number, maxPx = 560): HeatLayout {
  const cell = Math.max(2, Math.min(22, Math.floor(maxPx / Math.max(1, T))));
  const margin = 64;
  const labelEvery = cell >= 10 ? 1 : Math.ceil(10 / cell);
  return { cell, margin, size: margin + cell * T, labelEvery };
}

/** For each row t of a [T, T] attention map: the position it attends to most and the weight there. */
export function rowArgmax(att: ArrayLike<number>, T: number): { to: number; w: number }[] {
  const out: { to: number; w: number }[] = [];
  for (let t = 0; t < T; t++) {
    let to = 0;
    let w = -Infinity;
    for (let s = 0; s <= t; s++) {
      if (att[t * T + s] > w) {
        w = att[t * T + s];
        to = s;
      }
    }
    out.push({ to, w });
  }
  return out;
}

/** The row (query) and column (key) under a point of the map, or null outside the cells. */
export function cellAt(x: number, y: number, layout: HeatLayout, T: number): { row: number; col: number } | null {
  const col = Math.floor((x - layout.margin) / layout.cell);
  const row = Math.floor((y - layout.margin) / layout.cell);
  if (row < 0 || col < 0 || row >= T || col >= T) return null;
  return { row, col };
}
