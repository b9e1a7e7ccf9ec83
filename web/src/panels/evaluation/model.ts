/** Pure helpers of the evaluation panels (tested with Vitest). */

/** The step to show: the chosen one if the run has it, else the latest at or before it, else the first. */
export function stepAtOrBefore(steps: readonly number[], step: number | null): number | null {
  if (!steps.length) return null;
  if (step === null) return steps[steps.length - 1] ?? null;
  let best: number | null = null;
  for (const s of steps) if (s <= step && (best === null || s > best)) best = s;
  return best ?? steps[0] ?? null;
}

/** Row-normalized rates of a confusion matrix (0 for empty rows). */
export function rowRates(cm: readonly (readonly number[])[]): number[][] {
  return cm.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total ? v / total : 0));
  });
}

export type SortKey = 'class' | 'name' | 'precision' | 'recall' | 'f1' | 'support';

/** Rows sorted by `key`; ties keep class order. */
export function sortRows<T extends Record<SortKey, number | string>>(rows: readonly T[], key: SortKey, descending: boolean): T[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? sign * c : Number(a.class) - Number(b.class);
  });
}

/** `0.9234` → `92.3%`. */
export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`;
}

/** A polyline's points attribute, mapping data in [0, 1]² onto a w×h box (y up). */
export function polyline(xs: readonly number[], ys: readonly number[], w: number, h: number): string {
  const out: string[] = [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    out.push(`${((xs[i] ?? 0) * w).toFixed(1)},${((1 - (ys[i] ?? 0)) * h).toFixed(1)}`);
  }
  return out.join(' ');
}
