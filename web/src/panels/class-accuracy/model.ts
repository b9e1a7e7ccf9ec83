/**
 * Pure helpers of the per-class accuracy panel: the chart's geometry and what the legend says.
 * No DOM here, so Vitest covers them directly.
 */
import type { RouteBody } from '../../api';

/** `GET /api/v1/class_accuracy`: accuracy[c][t] of true class c at steps[t] (null: no example). */
export type ClassAccuracy = RouteBody<'class_accuracy'>;

export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Maps a step to an x pixel: one step alone sits in the middle. */
export function xScale(steps: readonly number[], box: Box): (step: number) => number {
  const lo = steps[0] ?? 0;
  const hi = steps[steps.length - 1] ?? lo;
  const w = box.width - box.left - box.right;
  if (hi === lo) return () => box.left + w / 2;
  return (s) => box.left + ((s - lo) / (hi - lo)) * w;
}

/** Maps an accuracy in [0, 1] to a y pixel (1 at the top). */
export function yScale(box: Box): (v: number) => number {
  const h = box.height - box.top - box.bottom;
  return (v) => box.top + (1 - Math.min(1, Math.max(0, v))) * h;
}

/**
 * SVG path data for one line: segments break where a value is missing (a class with no example
 * at that step), so a gap is never drawn as a straight jump.
 */
export function linePath(steps: readonly number[], values: readonly (number | null)[], box: Box): string {
  const x = xScale(steps, box);
  const y = yScale(box);
  let d = '';
  let pen = false;
  steps.forEach((s, i) => {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(s).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/** The last known accuracy of a class (its latest step with an example), or null. */
export function lastValue(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}

/**
 * Class indices from worst to best final accuracy (classes with no value last): the legend lists
 * the classes that need attention first.
 */
export function worstFirst(d: ClassAccuracy): number[] {
  const last = d.accuracy.map(lastValue);
  return d.class_names
    .map((_, i) => i)
    .sort((a, b) => (last[a] ?? Infinity) - (last[b] ?? Infinity) || a - b);
}

/** The change of a class's accuracy between its first and last known values, or null. */
export function change(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length < 2) return null;
  return known[known.length - 1]! - known[0]!;
}

/** The step index nearest to pixel `px` (for the hover readout). */
export function nearestStep(steps: readonly number[], box: Box, px: number): number {
  if (steps.length === 0) return -1;
  const x = xScale(steps, box);
  let best = 0;
  for (let i = 1; i < steps.length; i++) if (Math.abs(x(steps[i]!) - px) < Math.abs(x(steps[best]!) - px)) best = i;
  return best;
}
