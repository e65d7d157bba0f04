// How a token's text is drawn in the token views: line breaks and tabs made visible (↵, →), with the real
// line breaks put after the token so the text keeps its lines.

export function visiblePiece(piece: string): string {
  return piece.replace(/\t/g, '→').replace(/\n/g, '↵');
}

export function breaksAfter(piece: string): string {
  return '\n'.repeat(piece.split('\n').length - 1);
}

/** A short label for a token on a chart axis: visible, at most `max` characters. */
export function axisLabel(piece: string, max = 6): string {
  const v = [...visiblePiece(piece)];
  return v.length > max ? `${v.slice(0, max - 1).join('')}…` : v.join('');
}
