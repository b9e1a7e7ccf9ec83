/** Point colours of the projector: categorical palette, a continuous ramp, and dimming. */

/** Twenty distinguishable colours (Tableau 10 and its light variants). */
export const CATEGORY_COLORS: readonly string[] = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];
/** Correctness reads best as red / green. */
export const CORRECTNESS_COLORS: readonly string[] = ['#e5484d', '#30a46c'];
export const MISSING = '#9aa1ab';
const RAMP = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The colour of category `c` (-1 = missing). */
export function categoryColor(c: number, palette: readonly string[] = CATEGORY_COLORS): string {
  return c < 0 ? MISSING : palette[c % palette.length]!;
}

/** A viridis-like colour for t in [0, 1]. */
export function rampColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const a = hexToRgb(RAMP[i]!), b = hexToRgb(RAMP[i + 1]!);
  const f = x - i;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f].map(Math.round) as [number, number, number];
}

export type ColumnValues =
  | { kind: 'category'; codes: Int32Array; palette?: readonly string[]; faded?: number }
  | { kind: 'number'; values: Float32Array; range: [number, number] }
  | { kind: 'none'; n: number };

/**
 * RGBA bytes per point. With a `selected` mask, points outside it are dimmed to `dimAlpha`.
 */
export function pointColors(col: ColumnValues, selected: Uint8Array | null, dimAlpha = 28, base = '#4f6bed'): Uint8Array {
  const n = col.kind === 'category' ? col.codes.length : col.kind === 'number' ? col.values.length : col.n;
  const out = new Uint8Array(n * 4);
  const cache = new Map<number, [number, number, number]>();
  const baseRgb = hexToRgb(base);
  const missing = hexToRgb(MISSING);
  for (let i = 0; i < n; i++) {
    let rgb: [number, number, number];
    if (col.kind === 'category') {
      const c = col.codes[i]!;
      let hit = cache.get(c);
      if (!hit) {
        hit = hexToRgb(categoryColor(c, col.palette));
        cache.set(c, hit);
      }
      rgb = hit;
    } else if (col.kind === 'number') {
      const v = col.values[i]!;
      const [lo, hi] = col.range;
      rgb = Number.isFinite(v) ? rampColor(hi > lo ? (v - lo) / (hi - lo) : 0.5) : missing;
    } else {
      rgb = baseRgb;
    }
    out[i * 4] = rgb[0];
    out[i * 4 + 1] = rgb[1];
    out[i * 4 + 2] = rgb[2];
    // A faded category (the correct predictions) lets the rarer ones show through.
    const faded = col.kind === 'category' && col.codes[i] === col.faded;
    out[i * 4 + 3] = selected && !selected[i] ? dimAlpha : faded ? 90 : 220;
  }
  return out;
}

/** Point size in CSS pixels: large for a few points, about 1.5 px for a million. */
export function pointSize(n: number): number {
  if (n <= 2_000) return 6;
  if (n <= 20_000) return 4;
  if (n <= 200_000) return 2.5;
  return 1.5;
}
