/** Number and shape formatting for the model-insight panels (pure). */

/** 1234567 → "1.23M"; 0 → "0". */
export function compact(n: number): string {
  const a = Math.abs(n);
  for (const [f, p] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (a >= f) return `${(n / f).toPrecision(3).replace(/\.?0+$/, '')}${p}`;
  }
  return String(Math.round(n));
}

export function bytes(n: number): string {
  for (const [f, p] of [[2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']] as const) {
    if (n >= f) return `${(n / f).toPrecision(3)} ${p}`;
  }
  return `${n} B`;
}

export function shape(s: number[] | null | undefined): string {
  return s ? s.join('×') : '';
}

/** 0.000123 → "1.23e-4"; 12.5 → "12.5". */
export function sci(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(3);
}
