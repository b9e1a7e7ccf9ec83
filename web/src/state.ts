/** The page's shared state: one small observable store that every panel reads and writes. */
import type { Run } from './api';

export type Theme = 'light' | 'dark';
/** What the charts put on x: the step, seconds since the run started, or the wall clock. */
export type XAxis = 'step' | 'relative' | 'wall';

export interface AppState {
  /** True once the first run list arrived (until then panels show loading states). */
  loaded: boolean;
  /** All runs, newest first, as the server lists them. */
  runs: readonly Run[];
  /** The runs to compare. */
  selected: ReadonlySet<string>;
  /** True once the user picked runs by hand; until then the newest runs are selected as they appear. */
  selectionPinned: boolean;
  /** Run id → colour, stable while the run exists. */
  colors: ReadonlyMap<string, string>;
  theme: Theme;
  xAxis: XAxis;
  /** EMA weight in [0, 0.999]. */
  smoothing: number;
  logScale: boolean;
}

export interface StateChange<S> {
  readonly state: S;
  /** The keys whose values changed (by identity) in this update. */
  readonly changed: ReadonlySet<keyof S>;
}

export type Listener<S> = (change: StateChange<S>) => void;

/** An observable record. `set` notifies synchronously, once, with the keys that really changed. */
export class Store<S extends object> {
  private listeners = new Set<Listener<S>>();

  constructor(private state: S) {}

  get(): S {
    return this.state;
  }

  set(patch: Partial<S>): void {
    const changed = new Set<keyof S>();
    for (const key of Object.keys(patch) as Array<keyof S>) {
      if (!Object.is(patch[key], this.state[key])) changed.add(key);
    }
    if (changed.size === 0) return;
    this.state = { ...this.state, ...patch };
    const change: StateChange<S> = { state: this.state, changed };
    for (const fn of [...this.listeners]) fn(change);
  }

  /** Calls `fn` on every change until the returned function is called. */
  subscribe(fn: Listener<S>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** The newest `limit` runs, by start time. */
export function newestRuns(runs: readonly Run[], limit: number): Set<string> {
  return new Set([...runs].sort((a, b) => b.started - a.started).slice(0, limit).map((r) => r.id));
}

/**
 * The selection after the run list changed: the newest runs while the user has not chosen,
 * otherwise the user's choice minus the runs that disappeared.
 */
export function reconcileSelection(
  selected: ReadonlySet<string>,
  runs: readonly Run[],
  pinned: boolean,
  limit: number,
): ReadonlySet<string> {
  if (!pinned) {
    const next = newestRuns(runs, limit);
    return sameSet(next, selected) ? selected : next;
  }
  const ids = new Set(runs.map((r) => r.id));
  const next = new Set([...selected].filter((id) => ids.has(id)));
  return sameSet(next, selected) ? selected : next;
}

export function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}
