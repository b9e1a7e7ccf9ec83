/** Stable run colours from a categorical palette. */

/**
 * Observable 10 with its grey (a grey run reads as disabled) swapped for Tableau's olive: ten hues
 * far enough apart to tell apart in both themes. Near-duplicates are left out on purpose, since
 * two similar browns on one chart are worse than a repeated colour further down a long run list.
 */
export const PALETTE: readonly string[] = [
  '#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951',
  '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#bcbd22',
];

/** 32-bit FNV-1a: a fast, well-spread string hash. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The colour a run gets when it is alone: a pure function of its id. */
export function preferredColor(id: string, palette: readonly string[] = PALETTE): string {
  return palette[hashString(id) % palette.length] ?? '#888888';
}

/**
 * Colours for a set of runs, oldest first. Each run takes its hashed slot, or the next free one
 * when an older run holds it, so a new run never repaints the ones already on screen. Past the
 * palette's size colours repeat.
 */
export function assignColors(idsOldestFirst: readonly string[], palette: readonly string[] = PALETTE): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<number>();
  for (const id of idsOldestFirst) {
    if (out.has(id)) continue;
    const start = hashString(id) % palette.length;
    let slot = start;
    if (taken.size < palette.length) {
      while (taken.has(slot)) slot = (slot + 1) % palette.length;
    }
    taken.add(slot);
    out.set(id, palette[slot] ?? '#888888');
  }
  return out;
}

/** "#rrggbb" with an alpha, as rgba() for canvas strokes. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m || m[1] === undefined) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
