/** What the projector's views show, derived from its state: pure functions, no DOM. */
import type { ColumnDesc, JobState, PointInfo } from './api';
import { categoryColor, CORRECTNESS_COLORS, pointColors, rampColor, type ColumnValues } from './colors';
import { LEGEND_MAX, METHODS, type Method, pointKey, type ProjectorState } from './state';

type S = ProjectorState;

/** The label of a projection method ('t-SNE'). */
export function methodLabel(m: Method): string {
  return METHODS.find(([v]) => v === m)?.[1] ?? m;
}

/** A number for people: three decimals, or exponent form when tiny or huge. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Math.round(v * 1000) / 1000);
}

/** The colour column from the server's description and binary values. */
export function columnOf(desc: ColumnDesc, values: Int32Array | Float32Array): ColumnValues {
  if (desc.kind === 'number') return { kind: 'number', values: values as Float32Array, range: desc.range };
  if (desc.name === 'correct') return { kind: 'category', codes: values as Int32Array, palette: CORRECTNESS_COLORS, faded: 1 };
  return { kind: 'category', codes: values as Int32Array };
}

/** RGBA bytes per point: the colour column, the unselected points dimmed. */
export function colorsOf(s: S): Uint8Array {
  const col = s.column.kind === 'none' ? { kind: 'none' as const, n: s.points?.n ?? s.info?.n ?? 0 } : s.column;
  return pointColors(col, s.selected);
}

export type Legend =
  | { title: string; kind: 'ramp'; stops: string[]; range: [string, string] }
  | { title: string; kind: 'categories'; items: { code: number; name: string; color: string; count: number }[] };

/** The legend of the colour column (null when points are not coloured). */
export function legendOf(s: S): Legend | null {
  const d = s.desc;
  if (!d) return null;
  if (d.kind === 'number') {
    const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `rgb(${rampColor(t).join(',')})`);
    return { title: d.name, kind: 'ramp', stops, range: [fmt(d.range[0]), fmt(d.range[1])] };
  }
  const palette = d.name === 'correct' ? CORRECTNESS_COLORS : undefined;
  const counts = new Map<number, number>();
  if (s.column.kind === 'category') for (const c of s.column.codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  const items = d.categories.slice(0, LEGEND_MAX).map((name, code) => ({ code, name, color: categoryColor(code, palette), count: counts.get(code) ?? 0 }));
  return { title: d.name, kind: 'categories', items };
}

/** Rows of (name, value, css class) that describe a point. */
export function pointRows(p: PointInfo): [string, string, string?][] {
  const rows: [string, string, string?][] = [];
  if (p.label_name !== undefined) rows.push(['label', p.label_name]);
  if (p.predicted_name !== undefined) rows.push(['predicted', p.predicted_name, p.correct ? 'pj-ok' : 'pj-bad']);
  for (const [k, v] of Object.entries(p.metadata)) rows.push([k, typeof v === 'number' ? fmt(v) : String(v)]);
  return rows;
}

/** A cached point's details at the loaded step, or null while they load. */
export function pointOf(s: S, index: number): PointInfo | null {
  return s.where ? (s.cache.get(pointKey(s.where, index)) ?? null) : null;
}

/** The points drawn with a ring: the hovered one (and the clicked one), else the clicked one and its neighbours. */
export function ringsOf(s: S): number[] {
  if (s.hover) return [s.hover.index, ...(s.focus >= 0 ? [s.focus] : [])];
  return s.focus >= 0 ? [s.focus, ...s.neighbors] : [];
}

/**
 * The stage's `data-state`: `ready` once a complete frame shows the points, `loading` while points
 * are being fetched or drawn, `empty` when nothing is on its way (no run, no embedding, a failure).
 */
export function stageStateOf(s: S): 'ready' | 'loading' | 'empty' {
  if (s.frame === 'ready' && s.points) return 'ready';
  const pending = s.requests.tags || s.requests.info || s.requests.projection;
  return pending || (s.points && s.frame === 'drawing') ? 'loading' : 'empty';
}

/** The line under the toolbar: what is shown. */
export function statusOf(s: S): string {
  const p = s.points;
  return p ? `${p.n.toLocaleString()} points · ${p.dim} dims · ${methodLabel(p.method)}` : '';
}

/** The job's progress bar and text, or null when no job is shown. */
export function progressOf(s: S): { state: JobState['state']; percent: number; text: string } | null {
  const j = s.job;
  if (!j) return null;
  const percent = Math.round(j.progress * 100);
  const label = methodLabel(j.method);
  const text = j.state === 'error' ? `${label} failed: ${j.error ?? ''}` : `${label}: ${j.message || j.state} · ${percent}% · ${j.seconds.toFixed(0)} s`;
  return { state: j.state, percent, text };
}

/** The step slider: its range, position and label. */
export function stepOf(s: S): { max: number; value: number; disabled: boolean; label: string } {
  const steps = s.info?.steps ?? [];
  const step = s.info?.step ?? null;
  return { max: Math.max(0, steps.length - 1), value: Math.max(0, steps.indexOf(step ?? -1)), disabled: steps.length < 2, label: step === null ? '–' : String(step) };
}

/** The colour menu: (value, label) pairs, 'None' first. */
export function colorOptions(s: S): [string, string][] {
  return [['', 'None'], ...(s.info?.columns ?? []).map((c) => [c.name, c.name] as [string, string])];
}

/** The runs that logged the chosen tag. */
export function runsOf(s: S): readonly string[] {
  return s.tagRuns.get(s.tag) ?? [];
}

/** The scatter's accessible name: what it shows. */
export function canvasLabel(s: S): string {
  const p = s.points;
  if (!p) return 'Embedding scatter (loading)';
  const colour = s.desc ? `, coloured by ${s.desc.name}` : '';
  return `Embedding scatter of ${p.n.toLocaleString()} points, ${methodLabel(p.method)} ${p.dims}-D${p.step === null ? '' : ` at step ${p.step}`}${colour}`;
}
