/**
 * The projector's state: everything the panel decides, as one immutable value, and a pure reducer
 * `reduce(state, action) -> state`. No DOM, no fetch: the views render what `selectors.ts`
 * derives from it, and `index.ts` sends the requests the state asks for.
 *
 * Requests: the reducer files what it wants in `state.requests`, one slot per kind, each with a
 * fresh `id`; `newRequests(prev, next)` lists the ones to send. Every answer carries its request's
 * `id` and is dropped unless its slot still holds that id, so an answer to a request that a newer
 * one replaced (a run switched mid-job, the step slider dragged on) never lands. A request with
 * `delayMs` waits that long before it goes out (the job poll, the hover fetch); replacing or
 * dropping it cancels the wait.
 */
import type { ColumnDesc, EmbeddingInfo, JobState, PointInfo, Where } from './api';
import { type ColumnValues, pointSize } from './colors';
import { normalize } from './geometry';

export type Method = 'pca' | 'tsne' | 'umap';
export type Dims = 2 | 3;
export type Mode = 'pan' | 'lasso' | 'box';

export const METHODS: readonly (readonly [Method, string])[] = [['pca', 'PCA'], ['tsne', 't-SNE'], ['umap', 'UMAP']];
/** How long a running job waits before its next poll, and a hovered point before its fetch. */
export const POLL_MS = 600;
export const HOVER_MS = 60;
/** Point details kept; past it the cache starts again (details are cheap to refetch). */
export const POINT_CACHE_MAX = 2000;
/** Legend entries shown for a categorical column. */
export const LEGEND_MAX = 40;

/** What another panel asks the projector to show (`ctx.open('projector', …)`). */
export interface Reveal {
  run?: string;
  tag?: string;
  step?: number | null;
  id?: number;
  index?: number;
}

/** The coordinates on screen and what they are. */
export interface Points {
  xyz: Float32Array;
  n: number;
  dim: number;
  method: Method;
  dims: Dims;
  step: number | null;
  size: number;
}

/** The side list: a selection, a point's nearest neighbours, or a search that matched nothing. */
export interface Gallery {
  kind: 'selection' | 'neighbors' | 'no-match';
  title: string;
  indices: readonly number[];
  distances?: readonly number[];
}

export interface TagsRequest { kind: 'tags'; id: number; runs: readonly string[] }
export interface InfoRequest { kind: 'info'; id: number; where: Where }
/** The coordinates (or the job's state) and, with them, the colour column. */
export interface ProjectionRequest { kind: 'projection'; id: number; where: Where; method: Method; dims: Dims; colorBy: string; n: number; delayMs: number }
export interface ColumnRequest { kind: 'column'; id: number; where: Where; colorBy: string; n: number }
export interface PointRequest { kind: 'point'; id: number; where: Where; index: number; delayMs: number }
export interface NeighborsRequest { kind: 'neighbors'; id: number; where: Where; index: number }
export interface SearchRequest { kind: 'search'; id: number; where: Where; q: string; purpose: 'select' | 'reveal' }
export type Request = TagsRequest | InfoRequest | ProjectionRequest | ColumnRequest | PointRequest | NeighborsRequest | SearchRequest;

export interface Requests {
  tags?: TagsRequest;
  info?: InfoRequest;
  projection?: ProjectionRequest;
  column?: ColumnRequest;
  hoverPoint?: PointRequest;
  focusPoint?: PointRequest;
  neighbors?: NeighborsRequest;
  search?: SearchRequest;
}
export type Slot = keyof Requests;

export interface ProjectorState {
  /** The embedding tags of the selected runs, each with the runs that logged it. */
  readonly tagRuns: ReadonlyMap<string, readonly string[]>;
  /** Shown instead of the scatter (no run, no embedding, loading); null once points are shown. */
  readonly message: string | null;
  /** The choices in the selectors; `where` is what is loaded. */
  readonly tag: string;
  readonly run: string;
  readonly where: Where | null;
  readonly info: EmbeddingInfo | null;
  readonly method: Method;
  readonly dims: Dims;
  readonly mode: Mode;
  readonly colorBy: string;
  readonly column: ColumnValues;
  readonly desc: ColumnDesc | null;
  /** The t-SNE/UMAP job while it computes (or after it failed). */
  readonly job: (JobState & { method: Method }) | null;
  readonly points: Points | null;
  /** `loading` from a projection request until new points are set, `drawing` until a complete frame shows them. */
  readonly frame: 'loading' | 'drawing' | 'ready';
  /** Mask of the selected points (the rest are dimmed), or null. */
  readonly selected: Uint8Array | null;
  readonly gallery: Gallery | null;
  /** The clicked point (-1: none) and its nearest neighbours once asked for. */
  readonly focus: number;
  readonly neighbors: readonly number[];
  readonly hover: { index: number; x: number; y: number } | null;
  /** Point details by `pointKey`. */
  readonly cache: ReadonlyMap<string, PointInfo>;
  readonly reveal: Reveal | null;
  readonly requests: Requests;
  readonly nextId: number;
}

export type Action =
  | { type: 'runsSelected'; runs: readonly string[] }
  | { type: 'tagsLoaded'; id: number; tags: readonly { tag: string; runs: readonly string[] }[] }
  | { type: 'chooseTag'; tag: string }
  | { type: 'chooseRun'; run: string }
  | { type: 'infoLoaded'; id: number; info: EmbeddingInfo }
  | { type: 'setMethod'; method: Method }
  | { type: 'setDims'; dims: Dims }
  | { type: 'setMode'; mode: Mode }
  | { type: 'setColor'; colorBy: string }
  | { type: 'setStep'; index: number }
  | { type: 'projectionLoaded'; id: number; result: Float32Array | JobState; column: ColumnValues; desc: ColumnDesc | null }
  | { type: 'columnLoaded'; id: number; column: ColumnValues; desc: ColumnDesc | null }
  | { type: 'requestFailed'; id: number }
  | { type: 'frameDrawn'; complete: boolean }
  | { type: 'hover'; index: number; x: number; y: number }
  | { type: 'pointLoaded'; id: number; point: PointInfo }
  | { type: 'focus'; index: number }
  | { type: 'askNeighbors' }
  | { type: 'neighborsLoaded'; id: number; neighbors: readonly { index: number; distance: number }[] }
  | { type: 'lassoed'; indices: readonly number[] }
  | { type: 'selectCategory'; code: number }
  | { type: 'clearSelection' }
  | { type: 'search'; q: string }
  | { type: 'searchLoaded'; id: number; count: number; indices: readonly number[] }
  | { type: 'reveal'; reveal: Reveal };

/**
 * The state before anything loaded.
 *
 * @example reduce(initialState(), { type: 'runsSelected', runs: ['r1'] }).requests.tags // { kind: 'tags', runs: ['r1'], … }
 */
export function initialState(): ProjectorState {
  return {
    tagRuns: new Map(),
    message: 'Loading embeddings…',
    tag: '',
    run: '',
    where: null,
    info: null,
    method: 'pca',
    dims: 2,
    mode: 'pan',
    colorBy: '',
    column: { kind: 'none', n: 0 },
    desc: null,
    job: null,
    points: null,
    frame: 'loading',
    selected: null,
    gallery: null,
    focus: -1,
    neighbors: [],
    hover: null,
    cache: new Map(),
    reveal: null,
    requests: {},
    nextId: 1,
  };
}

type S = ProjectorState;
type Want<T extends Request> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The next state after `action`; the same object when nothing changed.
 *
 * @example reduce(state, { type: 'setMethod', method: 'tsne' }).requests.projection?.method // 'tsne'
 */
export function reduce(s: S, a: Action): S {
  switch (a.type) {
    case 'runsSelected':
      if (!a.runs.length) return drop({ ...s, message: 'Select a run to see its embeddings.' }, 'tags');
      return want(s, 'tags', { kind: 'tags', runs: [...a.runs] });
    case 'tagsLoaded': {
      if (!holds(s, 'tags', a.id)) return s;
      const next = drop({ ...s, tagRuns: new Map(a.tags.map((t) => [t.tag, [...t.runs]])) }, 'tags');
      if (!next.tagRuns.size) return { ...next, message: 'No embeddings in the selected runs. Record one with run.log_embedding("penultimate", features, labels=…).' };
      // Points already loaded show again while the chosen embedding loads (or stays).
      return fill(next.points ? { ...next, message: null } : next);
    }
    case 'chooseTag':
      return fill({ ...s, tag: a.tag });
    case 'chooseRun':
      return want({ ...s, run: a.run }, 'info', { kind: 'info', where: { run: a.run, tag: s.tag, step: null } });
    case 'infoLoaded':
      return infoLoaded(s, a.id, a.info);
    case 'setMethod':
      return a.method === s.method ? s : project({ ...s, method: a.method });
    case 'setDims':
      return a.dims === s.dims ? s : project({ ...s, dims: a.dims });
    case 'setMode':
      return { ...s, mode: a.mode };
    case 'setColor': {
      const next = { ...s, colorBy: a.colorBy };
      if (!next.where || !next.info) return next;
      return want(next, 'column', { kind: 'column', where: next.where, colorBy: a.colorBy, n: next.info.n });
    }
    case 'setStep': {
      if (!s.info || !s.where) return s;
      const step = s.info.steps[a.index] ?? null;
      return project({ ...s, where: { ...s.where, step }, info: { ...s.info, step }, cache: new Map() });
    }
    case 'projectionLoaded':
      return projectionLoaded(s, a);
    case 'columnLoaded': {
      const req = s.requests.column;
      if (!req || req.id !== a.id) return s;
      return drop({ ...s, column: a.column, desc: a.desc }, 'column');
    }
    case 'requestFailed': {
      const slot = slotOf(s, a.id);
      return slot ? drop(s, slot) : s;
    }
    case 'frameDrawn':
      return a.complete && s.frame === 'drawing' ? { ...s, frame: 'ready' } : s;
    case 'hover':
      return hover(s, a.index, a.x, a.y);
    case 'pointLoaded': {
      const slot = slotOf(s, a.id);
      if (slot !== 'hoverPoint' && slot !== 'focusPoint') return s;
      const req = s.requests[slot]!;
      const cache = new Map(s.cache.size >= POINT_CACHE_MAX ? [] : s.cache);
      cache.set(pointKey(req.where, req.index), a.point);
      return drop({ ...s, cache }, slot);
    }
    case 'focus':
      return focus(s, a.index);
    case 'askNeighbors':
      if (s.focus < 0 || !s.where) return s;
      return want(s, 'neighbors', { kind: 'neighbors', where: s.where, index: s.focus });
    case 'neighborsLoaded': {
      const req = s.requests.neighbors;
      if (!req || req.id !== a.id) return s;
      // Clicking another point dropped this request, so its point is still the clicked one.
      const next = drop(s, 'neighbors');
      const neighbors = a.neighbors.map((n) => n.index);
      const id = next.cache.get(pointKey(req.where, req.index))?.id ?? req.index;
      const title = `${neighbors.length} nearest neighbours of id ${id} (original space)`;
      return { ...next, neighbors, gallery: { kind: 'neighbors', title, indices: neighbors, distances: a.neighbors.map((n) => n.distance) } };
    }
    case 'lassoed':
      return select(s, a.indices, s.mode === 'box' ? 'box' : 'lasso');
    case 'selectCategory': {
      if (s.column.kind !== 'category' || s.desc?.kind !== 'category') return s;
      const indices: number[] = [];
      s.column.codes.forEach((c, i) => c === a.code && indices.push(i));
      return select(s, indices, `${s.desc.name} = ${s.desc.categories[a.code] ?? a.code}`);
    }
    case 'clearSelection':
      return clearSelection(s);
    case 'search': {
      if (!s.where) return s;
      const q = a.q.trim();
      if (!q) return drop(clearSelection(s), 'search');
      return want(s, 'search', { kind: 'search', where: s.where, q, purpose: 'select' });
    }
    case 'searchLoaded':
      return searchLoaded(s, a.id, a.count, a.indices);
    case 'reveal': {
      const next = { ...s, reveal: a.reveal };
      return next.tagRuns.size ? fill(next) : next;
    }
  }
}

// -- requests ---------------------------------------------------------------------------------

function want<K extends Slot>(s: S, slot: K, req: Want<NonNullable<Requests[K]>>): S {
  return { ...s, nextId: s.nextId + 1, requests: { ...s.requests, [slot]: { ...req, id: s.nextId } } };
}

function drop(s: S, slot: Slot): S {
  if (!s.requests[slot]) return s;
  const requests = { ...s.requests };
  delete requests[slot];
  return { ...s, requests };
}

function holds(s: S, slot: Slot, id: number): boolean {
  return s.requests[slot]?.id === id;
}

function slotOf(s: S, id: number): Slot | undefined {
  return (Object.keys(s.requests) as Slot[]).find((k) => s.requests[k]?.id === id);
}

/**
 * The requests `next` holds that `prev` did not (new or replaced), each with its slot, to send now.
 *
 * @example newRequests(s, reduce(s, { type: 'search', q: 'id:7' })) // [['search', { kind: 'search', q: 'id:7', … }]]
 */
export function newRequests(prev: S, next: S): [Slot, Request][] {
  if (prev.requests === next.requests) return [];
  const out: [Slot, Request][] = [];
  for (const slot of Object.keys(next.requests) as Slot[]) {
    const r = next.requests[slot];
    if (r && prev.requests[slot]?.id !== r.id) out.push([slot, r]);
  }
  return out;
}

/** The key of a point's details in the cache: the same index at another step is another point. */
export function pointKey(w: Where, index: number): string {
  return `${w.run}/${w.tag}/${w.step}/${index}`;
}

// -- transitions ------------------------------------------------------------------------------

/** Picks the tag and run (a pending reveal's first, then the current ones) and loads them. */
function fill(s: S): S {
  const tags = [...s.tagRuns.keys()];
  if (!tags.length) return s;
  const r = s.reveal;
  const tag = r?.tag && s.tagRuns.has(r.tag) ? r.tag : tags.includes(s.tag) ? s.tag : tags[0]!;
  const runs = s.tagRuns.get(tag) ?? [];
  const run = r?.run && runs.includes(r.run) ? r.run : runs.includes(s.run) ? s.run : (runs[0] ?? '');
  const next = { ...s, tag, run };
  if (!next.where || next.where.run !== run || next.where.tag !== tag) {
    return want(next, 'info', { kind: 'info', where: { run, tag, step: r?.step ?? null } });
  }
  return applyReveal(drop(next, 'info'));
}

function infoLoaded(s: S, id: number, info: EmbeddingInfo): S {
  const req = s.requests.info;
  if (!req || req.id !== id) return s;
  const names = ['', ...info.columns.map((c) => c.name)];
  const colorBy = s.colorBy && names.includes(s.colorBy) ? s.colorBy : info.columns.some((c) => c.name === 'label') ? 'label' : '';
  const where = { run: req.where.run, tag: req.where.tag, step: info.step };
  return project(clearSelection(drop({ ...s, info, where, colorBy }, 'info')));
}

/** Asks for the coordinates of the current embedding, method and dimensions. */
function project(s: S, delayMs = 0): S {
  if (!s.where || !s.info) return s;
  const req = { kind: 'projection', where: s.where, method: s.method, dims: s.dims, colorBy: s.colorBy, n: s.info.n, delayMs } as const;
  return { ...want(s, 'projection', req), frame: 'loading' };
}

function projectionLoaded(s: S, a: Extract<Action, { type: 'projectionLoaded' }>): S {
  const req = s.requests.projection;
  if (!req || req.id !== a.id) return s;
  let next = drop(s, 'projection');
  // A colour chosen while this request was out has its own request; this column is older.
  if (req.colorBy === next.colorBy && !next.requests.column) next = { ...next, column: a.column, desc: a.desc };
  if (!(a.result instanceof Float32Array)) {
    next = { ...next, job: { ...a.result, method: req.method } };
    return a.result.state === 'error' ? next : project(next, POLL_MS);
  }
  const n = req.n;
  const points: Points = { xyz: normalize(a.result, n, req.dims), n, dim: next.info?.dim ?? 0, method: req.method, dims: req.dims, step: req.where.step, size: pointSize(n) };
  next = { ...next, job: null, message: null, points, frame: 'drawing' };
  if (next.reveal) return applyReveal(next);
  return next.focus >= 0 ? focus(next, next.focus) : next;
}

function applyReveal(s: S): S {
  const r = s.reveal;
  if (!r || !s.where || !s.info) return s;
  const next = { ...s, reveal: null };
  if (typeof r.index === 'number') return focus(next, r.index);
  if (typeof r.id === 'number') return want(next, 'search', { kind: 'search', where: next.where!, q: `id:${r.id}`, purpose: 'reveal' });
  return next;
}

function hover(s: S, index: number, x: number, y: number): S {
  if (index < 0 || !s.where || !s.info) return s.hover || s.requests.hoverPoint ? drop({ ...s, hover: null }, 'hoverPoint') : s;
  const next = { ...s, hover: { index, x, y } };
  if (next.cache.has(pointKey(next.where!, index))) return drop(next, 'hoverPoint');
  if (next.requests.hoverPoint?.index === index) return next;
  return want(next, 'hoverPoint', { kind: 'point', where: next.where!, index, delayMs: HOVER_MS });
}

function focus(s: S, index: number): S {
  const next = drop({ ...s, focus: index, neighbors: [] }, 'neighbors');
  if (index < 0 || !next.where) return drop({ ...next, focus: -1 }, 'focusPoint');
  if (next.cache.has(pointKey(next.where, index))) return drop(next, 'focusPoint');
  return want(next, 'focusPoint', { kind: 'point', where: next.where, index, delayMs: 0 });
}

function select(s: S, indices: readonly number[], what: string): S {
  if (!s.info) return s;
  if (!indices.length) return clearSelection(s);
  const selected = new Uint8Array(s.info.n);
  for (const i of indices) if (i >= 0 && i < selected.length) selected[i] = 1;
  return { ...s, selected, gallery: { kind: 'selection', title: `${indices.length.toLocaleString()} selected · ${what}`, indices: [...indices] } };
}

function clearSelection(s: S): S {
  return s.selected || s.gallery ? { ...s, selected: null, gallery: null } : s;
}

function searchLoaded(s: S, id: number, count: number, indices: readonly number[]): S {
  const req = s.requests.search;
  if (!req || req.id !== id) return s;
  const next = drop(s, 'search');
  if (req.purpose === 'reveal') return indices[0] === undefined ? next : focus(next, indices[0]);
  if (count === 0) return { ...next, selected: null, gallery: { kind: 'no-match', title: `No example matches “${req.q}”.`, indices: [] } };
  return select(next, indices, `search “${req.q}”`);
}
