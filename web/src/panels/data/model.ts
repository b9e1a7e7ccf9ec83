/** Pure shaping of the data panel's JSON (docs/http-api.md, "Data"). */
import type { Schemas } from '../../api';

export type Histogram = Schemas['Histogram'];
export type SplitView = Schemas['SplitOut'];
export type BalanceClass = Schemas['ClassBalance'];
export type Overview = Schemas['OverviewOut'];

/** "+3.2 pp" / "−1.0 pp" / "" for the reference split; pp = percentage points. */
export function formatDiff(diff: number, isReference: boolean): string {
  if (isReference) return '';
  const pp = diff * 100;
  if (Math.abs(pp) < 0.05) return '±0 pp';
  return `${pp > 0 ? '+' : '−'}${Math.abs(pp).toFixed(1)} pp`;
}

/** How far a split's share is from the reference, as a severity for colouring. */
export function diffLevel(diff: number): 'none' | 'minor' | 'major' {
  const pp = Math.abs(diff) * 100;
  return pp >= 5 ? 'major' : pp >= 2 ? 'minor' : 'none';
}

/** A sample count, e.g. "60,000"; "?" when the record does not say (one written before counts were kept). */
export function countText(n: number | null): string {
  return n === null ? '?' : n.toLocaleString('en-US');
}

/** The sentence stating what was analysed, e.g. "test: a random 10,000 of 60,000 samples". */
export function samplingNote(s: SplitView): string {
  const n = countText(s.n_analysed);
  const total = countText(s.n_total);
  if (!s.sampled) return `${s.split}: all ${total} samples analysed`;
  const counts = s.counts_from === 'all' ? '; class counts cover every sample' : '; class counts are from the sample';
  return `${s.split}: statistics from a random ${n} of ${total} samples${counts}`;
}

/** The name of class `k`, falling back to its index. */
export function className(names: readonly string[], k: number): string {
  return k >= 0 && k < names.length ? names[k]! : String(k);
}

/** Shape text, e.g. "1×28×28" for an image, "64" for a vector. */
export function shapeText(shape: readonly number[], kind: 'image' | 'vector'): string {
  return kind === 'vector' ? String(shape[2] ?? shape[shape.length - 1]) : shape.join('×');
}
