/** The runs table's data: columns, flattened config, filtering and sorting. Pure functions. */
import type { Run } from '../../api';

export type SortDir = 'asc' | 'desc';

export interface SortSpec {
  key: string;
  dir: SortDir;
}

export interface Column {
  /** "name", "project", …, or a flattened key like "config.lr" / "summary.best_acc". */
  key: string;
  label: string;
  kind: 'fixed' | 'config' | 'summary';
}

export const FIXED_COLUMNS: readonly Column[] = [
  { key: 'name', label: 'Name', kind: 'fixed' },
  { key: 'project', label: 'Project', kind: 'fixed' },
  { key: 'status', label: 'Status', kind: 'fixed' },
  { key: 'started', label: 'Started', kind: 'fixed' },
  { key: 'duration', label: 'Duration', kind: 'fixed' },
];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Nested dictionaries as dotted keys: {optim: {lr: 1}} → {"optim.lr": 1}. Lists stay values. */
export function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && Object.keys(v).length > 0) Object.assign(out, flatten(v, key));
    else out[key] = v;
  }
  return out;
}

/** Flattened config and summary of a run, memoized per run object (runs are replaced, never mutated). */
const flatCache = new WeakMap<Run, Record<string, unknown>>();
export function flatRun(run: Run): Record<string, unknown> {
  let flat = flatCache.get(run);
  if (!flat) {
    flat = { ...flatten(run.config ?? {}, 'config'), ...flatten(run.summary ?? {}, 'summary') };
    flatCache.set(run, flat);
  }
  return flat;
}

/** The fixed columns, then every config key, then every summary key, each group sorted. */
export function runColumns(runs: readonly Run[]): Column[] {
  const config = new Set<string>();
  const summary = new Set<string>();
  for (const r of runs) {
    for (const key of Object.keys(flatRun(r))) (key.startsWith('config.') ? config : summary).add(key);
  }
  const extra = (keys: Set<string>, kind: 'config' | 'summary'): Column[] =>
    [...keys].sort().map((key) => ({ key, label: key, kind }));
  return [...FIXED_COLUMNS, ...extra(config, 'config'), ...extra(summary, 'summary')];
}

/** Seconds from start to end; to the last heartbeat for a crashed run; to now while running. */
export function runDuration(run: Run, nowSeconds: number): number | null {
  if (!Number.isFinite(run.started)) return null;
  const end = run.ended ?? (run.status === 'running' ? nowSeconds : run.heartbeat ?? null);
  return end === null ? null : Math.max(0, end - run.started);
}

export function columnValue(run: Run, key: string, nowSeconds: number): unknown {
  switch (key) {
    case 'name': return run.name;
    case 'project': return run.project;
    case 'status': return run.status;
    case 'started': return run.started;
    case 'duration': return runDuration(run, nowSeconds);
    default: return flatRun(run)[key];
  }
}

/**
 * Runs matching every whitespace-separated word of `query` (case-insensitive) in their name,
 * project, id, status or config/summary values.
 */
export function filterRuns(runs: readonly Run[], query: string): Run[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...runs];
  return runs.filter((r) => {
    const hay = [r.name, r.project, r.id, r.status, ...Object.values(flatRun(r)).map(valueText)]
      .join('\u0000')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Numbers numerically, text naturally ("run-2" before "run-10"), missing values last either way. */
export function compareValues(a: unknown, b: unknown): number {
  const missing = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return valueText(a).localeCompare(valueText(b), undefined, { numeric: true, sensitivity: 'base' });
}

/** A stable sort by one column; missing values stay at the bottom in both directions. */
export function sortRuns(runs: readonly Run[], sort: SortSpec | null, nowSeconds: number): Run[] {
  if (!sort) return [...runs];
  const sign = sort.dir === 'asc' ? 1 : -1;
  const missing = (v: unknown): boolean => v === null || v === undefined;
  return runs
    .map((run, i) => ({ run, i, v: columnValue(run, sort.key, nowSeconds) }))
    .sort((x, y) => {
      if (missing(x.v) !== missing(y.v)) return missing(x.v) ? 1 : -1;
      return sign * compareValues(x.v, y.v) || x.i - y.i;
    })
    .map((e) => e.run);
}

/** Header clicks cycle a column: descending for numbers and times first, ascending for text, then off. */
export function nextSort(current: SortSpec | null, key: string): SortSpec | null {
  const textual = key === 'name' || key === 'project' || key === 'status';
  const first: SortDir = textual ? 'asc' : 'desc';
  if (!current || current.key !== key) return { key, dir: first };
  if (current.dir === first) return { key, dir: first === 'asc' ? 'desc' : 'asc' };
  return null;
}
