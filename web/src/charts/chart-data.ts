/**
 * Shaping API series into what the line chart draws: x shifted for relative time, smoothing,
 * log-scale filtering, alignment onto one x array, and non-finite marker placement. Pure.
 */
import type { NonFinite, Series } from '../api';
import { smoothBuckets } from '../smoothing';

/** One run's drawable data on a chart. `sx`/`sy` (the smoothed line) are empty when smoothing is off. */
export interface RunLine {
  id: string;
  label: string;
  color: string;
  x: number[];
  y: (number | null)[];
  sx: number[];
  sy: (number | null)[];
  nonfinite: NonFinite[];
}

export interface PrepareOptions {
  /** Subtracted from every x: the run's start for relative time, else 0. */
  offset: number;
  smoothing: number;
  logY: boolean;
}

/** A log axis cannot show zero or negative values; they become gaps. */
function forLog(y: readonly (number | null)[], logY: boolean): (number | null)[] {
  return logY ? y.map((v) => (v !== null && v > 0 ? v : null)) : [...y];
}

export function prepareRun(series: Series, meta: { id: string; label: string; color: string }, opts: PrepareOptions): RunLine {
  const shift = (xs: readonly number[]): number[] => (opts.offset === 0 ? [...xs] : xs.map((x) => x - opts.offset));
  const smooth = opts.smoothing > 0 && series.buckets.x.length > 0;
  return {
    ...meta,
    x: shift(series.x),
    y: forLog(series.y, opts.logY),
    sx: smooth ? shift(series.buckets.x) : [],
    sy: smooth ? forLog(smoothBuckets(series.buckets.mean, series.buckets.count, opts.smoothing), opts.logY) : [],
    nonfinite: series.nonfinite.map((p) => ({ ...p, x: p.x - opts.offset })),
  };
}

/** Which line of which run each aligned column (after x) holds. */
export interface ColumnRef {
  run: number;
  kind: 'raw' | 'smooth';
}

/**
 * Puts every line on one sorted, de-duplicated x array, as uPlot wants. A line's missing x
 * becomes `undefined` (uPlot draws across it) and its own nulls stay `null` (a gap).
 */
export function alignLines(lines: readonly RunLine[]): { data: [number[], ...(number | null | undefined)[][]]; columns: ColumnRef[] } {
  const all: number[] = [];
  for (const l of lines) {
    for (const x of l.x) all.push(x);
    for (const x of l.sx) all.push(x);
  }
  all.sort((a, b) => a - b);
  const xs: number[] = [];
  for (const x of all) if (xs.length === 0 || xs[xs.length - 1] !== x) xs.push(x);

  const place = (lx: readonly number[], ly: readonly (number | null)[]): (number | null | undefined)[] => {
    const col = new Array<number | null | undefined>(xs.length).fill(undefined);
    let j = 0;
    for (let i = 0; i < lx.length; i++) {
      const x = lx[i] as number;
      while (j < xs.length && (xs[j] as number) < x) j++;
      col[j] = ly[i] ?? null;
    }
    return col;
  };

  const data: [number[], ...(number | null | undefined)[][]] = [xs];
  const columns: ColumnRef[] = [];
  lines.forEach((l, run) => {
    data.push(place(l.x, l.y));
    columns.push({ run, kind: 'raw' });
    if (l.sx.length > 0) {
      data.push(place(l.sx, l.sy));
      columns.push({ run, kind: 'smooth' });
    }
  });
  return { data, columns };
}

/** The largest x on the chart, non-finite points included; null when there is none. */
export function lastX(lines: readonly RunLine[]): number | null {
  let max = -Infinity;
  for (const l of lines) {
    const last = l.x[l.x.length - 1];
    if (last !== undefined && last > max) max = last;
    for (const p of l.nonfinite) if (p.x > max) max = p.x;
  }
  return max === -Infinity ? null : max;
}

/** The index of the x closest to `x` in an ascending array, or -1 when it is empty. */
export function nearestIndex(xs: readonly number[], x: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs((xs[lo - 1] as number) - x) <= Math.abs((xs[lo] as number) - x)) return lo - 1;
  return lo;
}

export interface Marker {
  /** Horizontal position in the same pixels as `toPx` returns. */
  px: number;
  /** NaN and +Inf are marked at the top of the plot, -Inf at the bottom. */
  side: 'top' | 'bottom';
  run: number;
  count: number;
}

/** Markers for every non-finite bucket that falls inside [left, right] once mapped by `toPx`. */
export function placeMarkers(lines: readonly RunLine[], toPx: (x: number) => number, left: number, right: number): Marker[] {
  const out: Marker[] = [];
  lines.forEach((l, run) => {
    for (const p of l.nonfinite) {
      const px = toPx(p.x);
      if (!Number.isFinite(px) || px < left - 0.5 || px > right + 0.5) continue;
      if (p.nan + p.posinf > 0) out.push({ px, side: 'top', run, count: p.nan + p.posinf });
      if (p.neginf > 0) out.push({ px, side: 'bottom', run, count: p.neginf });
    }
  });
  return out;
}

export interface NonFiniteCount {
  nan: number;
  posinf: number;
  neginf: number;
}

/** Per run, the non-finite values whose buckets lie within `radius` of x (for the tooltip). */
export function nonFiniteNear(lines: readonly RunLine[], x: number, radius: number): Map<number, NonFiniteCount> {
  const out = new Map<number, NonFiniteCount>();
  lines.forEach((l, run) => {
    for (const p of l.nonfinite) {
      if (Math.abs(p.x - x) > radius) continue;
      const c = out.get(run) ?? { nan: 0, posinf: 0, neginf: 0 };
      c.nan += p.nan;
      c.posinf += p.posinf;
      c.neginf += p.neginf;
      out.set(run, c);
    }
  });
  return out;
}
