/** Number, duration and time formatting for tables, axes and tooltips. */

const DASH = '–';

/** Trims trailing zeros of a fixed or exponential representation: "0.98000" → "0.98". */
function trimZeros(s: string): string {
  const [mant, exp] = s.split('e');
  let m = mant ?? s;
  if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
  if (exp === undefined) return m;
  return `${m}e${exp.replace('+', '')}`;
}

/** A compact, precise-enough rendering of a scalar: 5 significant digits, exponent when tiny or huge. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e6) return String(v);
  if (a >= 1e6 || a < 1e-3) return trimZeros(v.toExponential(3));
  return trimZeros(v.toPrecision(5));
}

/** Integers with thousands separators, e.g. point counts: 12000 → "12,000". */
export function formatCount(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/** A duration in seconds as its two leading units: "45s", "3m 05s", "2h 03m", "3d 4h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s < 10 && s !== Math.floor(s)) return `${sign}${trimZeros(s.toFixed(1))}s`;
  s = Math.floor(s);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  if (m > 0) return `${sign}${m}m ${pad(sec)}s`;
  return `${sign}${sec}s`;
}

/** An axis tick for relative time: the shortest exact form, "0", "30s", "1m30s", "2h", "1d6h". */
export function formatAxisDuration(seconds: number): string {
  if (seconds === 0) return '0';
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s < 1) return `${sign}${trimZeros(s.toPrecision(2))}s`;
  const parts: string[] = [];
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  for (const [unit, size] of units) {
    const n = Math.floor(s / size + 1e-9);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      s -= n * size;
    }
    if (parts.length === 2) break;
  }
  return sign + parts.join('');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Unix seconds as local "YYYY-MM-DD HH:MM". */
export function formatTimestamp(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined || !Number.isFinite(unixSeconds)) return DASH;
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Unix seconds as local "HH:MM:SS", for the wall-time tooltip. */
export function formatClock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Any config or summary value as table text. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return DASH;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/** Axis ticks for large counts: 950, 12k, 1.5M. */
export function formatCompact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trimZeros((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${trimZeros((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${trimZeros((v / 1e3).toPrecision(3))}k`;
  return formatNumber(v);
}

/** A wall-clock axis tick in local time, as precise as the visible span needs. */
export function formatWallTick(unixSeconds: number, spanSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (spanSeconds < 600) return `${hm}:${pad2(d.getSeconds())}`;
  if (spanSeconds < 86400) return hm;
  return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hm}`;
}
