import { describe, expect, it } from 'vitest';
import type { ColumnDesc, EmbeddingInfo, JobState, PointInfo } from './api';
import { CORRECTNESS_COLORS } from './colors';
import { canvasLabel, colorOptions, colorsOf, columnOf, fmt, legendOf, pointOf, pointRows, progressOf, ringsOf, runsOf, stageStateOf, statusOf, stepOf } from './selectors';
import { type Action, HOVER_MS, initialState, newRequests, pointKey, POINT_CACHE_MAX, POLL_MS, type ProjectorState, reduce } from './state';

function info(over: Partial<EmbeddingInfo> = {}): EmbeddingInfo {
  return {
    run: 'r1', tag: 'emb', step: 2, steps: [0, 1, 2], n: 4, dim: 32, has_labels: true, has_images: true,
    class_names: ['a', 'b'], split: 'test', columns: [{ name: 'label', kind: 'category' }, { name: 'brightness', kind: 'number' }],
    predictions: false, ...over,
  };
}

const LABEL: ColumnDesc = { name: 'label', kind: 'category', categories: ['a', 'b'] };
const LABEL_COLUMN = { kind: 'category' as const, codes: new Int32Array([0, 1, 0, 1]) };
const COORDS = new Float32Array([0, 0, 2, 0, 0, 2, 2, 2]);

function point(index: number, over: Partial<PointInfo> = {}): PointInfo {
  return { index, id: 100 + index, metadata: {}, ...over };
}

function job(over: Partial<JobState> = {}): JobState {
  return { state: 'running', progress: 0.25, message: 'iteration 100 of 750', error: null, seconds: 3, ...over };
}

/** Applies actions in turn. */
function run(s: ProjectorState, ...actions: Action[]): ProjectorState {
  return actions.reduce(reduce, s);
}

/** Runs selected, tags and info loaded: the projection request is out. */
function withInfo(i: EmbeddingInfo = info(), tags = [{ tag: 'emb', runs: ['r1', 'r2'] }]): ProjectorState {
  let s = reduce(initialState(), { type: 'runsSelected', runs: ['r1', 'r2'] });
  s = reduce(s, { type: 'tagsLoaded', id: s.requests.tags!.id, tags });
  return reduce(s, { type: 'infoLoaded', id: s.requests.info!.id, info: i });
}

/** Everything loaded and the points set. */
function loaded(i: EmbeddingInfo = info()): ProjectorState {
  const s = withInfo(i);
  return reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: COORDS.slice(0, i.n * 2), column: LABEL_COLUMN, desc: LABEL });
}

/** Loaded with no colour column. */
function uncoloured(): ProjectorState {
  const s = withInfo(info({ columns: [] }));
  return reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: COORDS, column: { kind: 'none', n: 4 }, desc: null });
}

describe('initialState', () => {
  it('shows the loading message and asks for nothing', () => {
    const s = initialState();
    expect(s.message).toBe('Loading embeddings…');
    expect(s.requests).toEqual({});
    expect(s.frame).toBe('loading');
    expect(s.focus).toBe(-1);
  });
});

describe('runs and tags', () => {
  it('asks for nothing and says so when no run is selected', () => {
    const s = reduce(initialState(), { type: 'runsSelected', runs: [] });
    expect(s.message).toBe('Select a run to see its embeddings.');
    expect(s.requests.tags).toBeUndefined();
  });

  it('deselecting every run drops a pending tags request', () => {
    const s = run(initialState(), { type: 'runsSelected', runs: ['r1'] }, { type: 'runsSelected', runs: [] });
    expect(s.requests.tags).toBeUndefined();
  });

  it('asks for the tags of the selected runs', () => {
    const s0 = initialState();
    const s = reduce(s0, { type: 'runsSelected', runs: ['r1', 'r2'] });
    expect(s.requests.tags).toMatchObject({ kind: 'tags', runs: ['r1', 'r2'] });
    expect(newRequests(s0, s)).toEqual([['tags', s.requests.tags]]);
  });

  it('says how to record one when the runs have no embedding', () => {
    const s = reduce(initialState(), { type: 'runsSelected', runs: ['r1'] });
    const next = reduce(s, { type: 'tagsLoaded', id: s.requests.tags!.id, tags: [] });
    expect(next.message).toContain('run.log_embedding');
    expect(next.requests.tags).toBeUndefined();
    expect(next.requests.info).toBeUndefined();
  });

  it('ignores the tags of a replaced request', () => {
    const s1 = reduce(initialState(), { type: 'runsSelected', runs: ['r1'] });
    const s2 = reduce(s1, { type: 'runsSelected', runs: ['r2'] });
    expect(reduce(s2, { type: 'tagsLoaded', id: s1.requests.tags!.id, tags: [{ tag: 'x', runs: ['r1'] }] })).toBe(s2);
  });

  it('picks the first tag and run and asks for the info at the latest step', () => {
    const s = reduce(initialState(), { type: 'runsSelected', runs: ['r1', 'r2'] });
    const next = reduce(s, { type: 'tagsLoaded', id: s.requests.tags!.id, tags: [{ tag: 'emb', runs: ['r2', 'r1'] }, { tag: 'other', runs: ['r1'] }] });
    expect(next.tag).toBe('emb');
    expect(next.run).toBe('r2');
    expect(runsOf(next)).toEqual(['r2', 'r1']);
    expect(next.requests.info).toMatchObject({ where: { run: 'r2', tag: 'emb', step: null } });
  });

  it('choosing a tag keeps the run when it logged that tag, else takes the first', () => {
    const s = withInfo(info(), [{ tag: 'emb', runs: ['r1', 'r2'] }, { tag: 'b', runs: ['r2'] }, { tag: 'c', runs: ['r1'] }]);
    const b = reduce(s, { type: 'chooseTag', tag: 'b' });
    expect([b.tag, b.run]).toEqual(['b', 'r2']);
    expect(b.requests.info).toMatchObject({ where: { run: 'r2', tag: 'b', step: null } });
    const c = reduce(s, { type: 'chooseTag', tag: 'c' });
    expect([c.tag, c.run]).toEqual(['c', 'r1']);
  });

  it('choosing the loaded tag again asks for nothing', () => {
    const s = loaded();
    const next = reduce(s, { type: 'chooseTag', tag: 'emb' });
    expect(newRequests(s, next)).toEqual([]);
  });

  it('choosing a run asks for its info at the latest step', () => {
    const s = loaded();
    const next = reduce(s, { type: 'chooseRun', run: 'r2' });
    expect(next.run).toBe('r2');
    expect(next.requests.info).toMatchObject({ where: { run: 'r2', tag: 'emb', step: null } });
  });

  it('loaded points show again when the same runs come back', () => {
    const s = run(loaded(), { type: 'runsSelected', runs: [] });
    expect(s.message).not.toBeNull();
    const again = reduce(s, { type: 'runsSelected', runs: ['r1'] });
    const next = reduce(again, { type: 'tagsLoaded', id: again.requests.tags!.id, tags: [{ tag: 'emb', runs: ['r1'] }] });
    expect(next.message).toBeNull();
    expect(next.requests.info).toBeUndefined();
  });
});

describe('info', () => {
  it('sets where at the info step, colours by label, clears the selection and asks for the projection', () => {
    let s = run(loaded(), { type: 'lassoed', indices: [1] });
    expect(s.selected).not.toBeNull();
    s = reduce(s, { type: 'chooseRun', run: 'r2' });
    const next = reduce(s, { type: 'infoLoaded', id: s.requests.info!.id, info: info({ run: 'r2', step: 1 }) });
    expect(next.where).toEqual({ run: 'r2', tag: 'emb', step: 1 });
    expect(next.colorBy).toBe('label');
    expect(next.selected).toBeNull();
    expect(next.gallery).toBeNull();
    expect(next.frame).toBe('loading');
    expect(next.requests.projection).toMatchObject({ where: { run: 'r2', step: 1 }, method: 'pca', dims: 2, colorBy: 'label', n: 4, delayMs: 0 });
  });

  it('keeps a chosen colour column the new embedding has, and drops one it lacks', () => {
    let s = run(loaded(), { type: 'setColor', colorBy: 'brightness' }, { type: 'chooseRun', run: 'r2' });
    expect(reduce(s, { type: 'infoLoaded', id: s.requests.info!.id, info: info() }).colorBy).toBe('brightness');
    s = reduce(s, { type: 'chooseRun', run: 'r1' });
    expect(reduce(s, { type: 'infoLoaded', id: s.requests.info!.id, info: info({ columns: [{ name: 'label', kind: 'category' }] }) }).colorBy).toBe('label');
  });

  it('colours by nothing when there is no label column', () => {
    const s = withInfo(info({ columns: [] }));
    expect(s.colorBy).toBe('');
    expect(colorOptions(s)).toEqual([['', 'None']]);
  });

  it('ignores the info of a replaced request (the run switched again)', () => {
    const s = loaded();
    const a = reduce(s, { type: 'chooseRun', run: 'r2' });
    const b = reduce(a, { type: 'chooseRun', run: 'r1' });
    expect(reduce(b, { type: 'infoLoaded', id: a.requests.info!.id, info: info({ run: 'r2' }) })).toBe(b);
  });
});

describe('projection', () => {
  it('sets normalized points, the column and legend, and waits for the frame', () => {
    const s = loaded();
    expect(s.message).toBeNull();
    expect(s.frame).toBe('drawing');
    expect(s.points).toMatchObject({ n: 4, dim: 32, method: 'pca', dims: 2, step: 2, size: 6 });
    expect([...s.points!.xyz]).toEqual([-1, -1, 0, 1, -1, 0, -1, 1, 0, 1, 1, 0]);
    expect(s.column).toBe(LABEL_COLUMN);
    expect(s.requests.projection).toBeUndefined();
    expect(statusOf(s)).toBe('4 points · 32 dims · PCA');
    expect(canvasLabel(s)).toBe('Embedding scatter of 4 points, PCA 2-D at step 2, coloured by label');
  });

  it('an empty embedding loads as zero points', () => {
    const w = withInfo(info({ n: 0 }));
    const s = reduce(w, { type: 'projectionLoaded', id: w.requests.projection!.id, result: new Float32Array(0), column: { kind: 'category', codes: new Int32Array(0) }, desc: LABEL });
    expect(legendOf(s)).toMatchObject({ items: [{ count: 0 }, { count: 0 }] });
    expect(s.points).toMatchObject({ n: 0 });
    expect(s.points!.xyz.length).toBe(0);
    expect(colorsOf(s).length).toBe(0);
    expect(statusOf(s)).toBe('0 points · 32 dims · PCA');
    expect(reduce(s, { type: 'lassoed', indices: [] }).gallery).toBeNull();
  });

  it('the frame turns ready only when a complete frame drew the new points', () => {
    const s = loaded();
    expect(reduce(s, { type: 'frameDrawn', complete: false })).toBe(s);
    const ready = reduce(s, { type: 'frameDrawn', complete: true });
    expect(ready.frame).toBe('ready');
    expect(reduce(ready, { type: 'frameDrawn', complete: true })).toBe(ready);
    const asking = reduce(ready, { type: 'setDims', dims: 3 });
    expect(asking.frame).toBe('loading');
    expect(reduce(asking, { type: 'frameDrawn', complete: true })).toBe(asking);
  });

  it('method and dimensions ask for a new projection; the same value asks for nothing', () => {
    const s = loaded();
    const t = reduce(s, { type: 'setMethod', method: 'tsne' });
    expect(t.requests.projection).toMatchObject({ method: 'tsne', dims: 2 });
    expect(newRequests(s, t).map(([slot]) => slot)).toEqual(['projection']);
    expect(reduce(t, { type: 'setDims', dims: 3 }).requests.projection).toMatchObject({ method: 'tsne', dims: 3 });
    expect(reduce(s, { type: 'setMethod', method: 'pca' })).toBe(s);
    expect(reduce(s, { type: 'setDims', dims: 2 })).toBe(s);
  });

  it('before any info, the method changes but nothing is asked', () => {
    const s = reduce(initialState(), { type: 'setMethod', method: 'umap' });
    expect(s.method).toBe('umap');
    expect(s.requests).toEqual({});
  });

  it('a running job shows its progress and polls again after a pause', () => {
    const s = reduce(loaded(), { type: 'setMethod', method: 'tsne' });
    const next = reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: job(), column: LABEL_COLUMN, desc: LABEL });
    expect(progressOf(next)).toEqual({ state: 'running', percent: 25, text: 't-SNE: iteration 100 of 750 · 25% · 3 s' });
    expect(next.requests.projection).toMatchObject({ method: 'tsne', delayMs: POLL_MS });
    expect(next.requests.projection!.id).not.toBe(s.requests.projection!.id);
    expect(next.points!.method).toBe('pca');
    expect(next.frame).toBe('loading');
    // The coordinates end the job.
    const done = reduce(next, { type: 'projectionLoaded', id: next.requests.projection!.id, result: COORDS, column: LABEL_COLUMN, desc: LABEL });
    expect(done.job).toBeNull();
    expect(progressOf(done)).toBeNull();
    expect(done.points!.method).toBe('tsne');
  });

  it('a queued job with no message shows its state', () => {
    const s = reduce(loaded(), { type: 'setMethod', method: 'umap' });
    const next = reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: job({ state: 'queued', message: '', progress: 0, seconds: 0 }), column: LABEL_COLUMN, desc: LABEL });
    expect(progressOf(next)!.text).toBe('UMAP: queued · 0% · 0 s');
  });

  it('a failed job says why and stops polling', () => {
    const s = reduce(loaded(), { type: 'setMethod', method: 'umap' });
    const next = reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: job({ state: 'error', error: 'out of memory' }), column: LABEL_COLUMN, desc: LABEL });
    expect(progressOf(next)).toMatchObject({ state: 'error', text: 'UMAP failed: out of memory' });
    expect(next.requests.projection).toBeUndefined();
  });

  it('switching run mid-job drops the poll and ignores the old job', () => {
    let s = reduce(loaded(), { type: 'setMethod', method: 'tsne' });
    s = reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: job(), column: LABEL_COLUMN, desc: LABEL });
    const poll = s.requests.projection!;
    s = reduce(s, { type: 'chooseRun', run: 'r2' });
    s = reduce(s, { type: 'infoLoaded', id: s.requests.info!.id, info: info({ run: 'r2' }) });
    expect(s.requests.projection!.id).not.toBe(poll.id);
    expect(s.requests.projection!.where.run).toBe('r2');
    expect(reduce(s, { type: 'projectionLoaded', id: poll.id, result: job({ progress: 0.9 }), column: LABEL_COLUMN, desc: LABEL })).toBe(s);
    expect(reduce(s, { type: 'projectionLoaded', id: poll.id, result: COORDS, column: LABEL_COLUMN, desc: LABEL })).toBe(s);
  });

  it('a failed projection drops the request and leaves the frame loading', () => {
    const s = reduce(loaded(), { type: 'setDims', dims: 3 });
    const next = reduce(s, { type: 'requestFailed', id: s.requests.projection!.id });
    expect(next.requests.projection).toBeUndefined();
    expect(next.frame).toBe('loading');
    expect(next.points!.dims).toBe(2);
  });

  it('an unknown failed request changes nothing', () => {
    const s = loaded();
    expect(reduce(s, { type: 'requestFailed', id: 9999 })).toBe(s);
  });

  it('a colour chosen while the projection was out wins over the column it brings', () => {
    let s = withInfo();
    const proj = s.requests.projection!;
    s = reduce(s, { type: 'setColor', colorBy: 'brightness' });
    const next = reduce(s, { type: 'projectionLoaded', id: proj.id, result: COORDS, column: LABEL_COLUMN, desc: LABEL });
    expect(next.desc).toBeNull();
    expect(next.requests.column).toMatchObject({ colorBy: 'brightness' });
  });

  it('refetches the clicked point after a new projection at another step', () => {
    let s = run(loaded(), { type: 'focus', index: 2 });
    s = reduce(s, { type: 'pointLoaded', id: s.requests.focusPoint!.id, point: point(2) });
    s = reduce(s, { type: 'setStep', index: 0 });
    const next = reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: COORDS, column: LABEL_COLUMN, desc: LABEL });
    expect(next.focus).toBe(2);
    expect(next.requests.focusPoint).toMatchObject({ index: 2, where: { step: 0 } });
  });
});

describe('step', () => {
  it('moves where and info to the step, forgets cached points and asks for the projection', () => {
    let s = run(loaded(), { type: 'hover', index: 1, x: 5, y: 5 });
    s = reduce(s, { type: 'pointLoaded', id: s.requests.hoverPoint!.id, point: point(1) });
    expect(s.cache.size).toBe(1);
    const next = reduce(s, { type: 'setStep', index: 0 });
    expect(next.where!.step).toBe(0);
    expect(next.info!.step).toBe(0);
    expect(next.cache.size).toBe(0);
    expect(next.requests.projection).toMatchObject({ where: { step: 0 } });
    expect(stepOf(next)).toEqual({ max: 2, value: 0, disabled: false, label: '0' });
  });

  it('an index past the steps means the latest (null) step', () => {
    const next = reduce(loaded(), { type: 'setStep', index: 7 });
    expect(next.where!.step).toBeNull();
    expect(stepOf(next).label).toBe('–');
  });

  it('is ignored before the info, and the slider is off with one step', () => {
    const s = initialState();
    expect(reduce(s, { type: 'setStep', index: 1 })).toBe(s);
    expect(stepOf(s)).toEqual({ max: 0, value: 0, disabled: true, label: '–' });
    expect(stepOf(loaded(info({ steps: [5], step: 5 })))).toEqual({ max: 0, value: 0, disabled: true, label: '5' });
  });
});

describe('colour', () => {
  it('asks for the column and applies only its own answer', () => {
    const s = loaded();
    const a = reduce(s, { type: 'setColor', colorBy: 'brightness' });
    expect(a.requests.column).toMatchObject({ colorBy: 'brightness', n: 4, where: s.where });
    const b = reduce(a, { type: 'setColor', colorBy: '' });
    const numDesc: ColumnDesc = { name: 'brightness', kind: 'number', range: [0, 1] };
    const numCol = { kind: 'number' as const, values: new Float32Array([0, 0.5, 1, NaN]), range: [0, 1] as [number, number] };
    expect(reduce(b, { type: 'columnLoaded', id: a.requests.column!.id, column: numCol, desc: numDesc })).toBe(b);
    const none = reduce(b, { type: 'columnLoaded', id: b.requests.column!.id, column: { kind: 'none', n: 4 }, desc: null });
    expect(none.desc).toBeNull();
    expect(legendOf(none)).toBeNull();
    expect(none.requests.column).toBeUndefined();
  });

  it('before any info, only the choice changes', () => {
    const s = reduce(initialState(), { type: 'setColor', colorBy: 'label' });
    expect(s.colorBy).toBe('label');
    expect(s.requests).toEqual({});
  });
});

describe('hover', () => {
  it('asks for the point after a pause, once per point', () => {
    const s = loaded();
    const a = reduce(s, { type: 'hover', index: 1, x: 10, y: 20 });
    expect(a.hover).toEqual({ index: 1, x: 10, y: 20 });
    expect(a.requests.hoverPoint).toMatchObject({ index: 1, delayMs: HOVER_MS });
    const b = reduce(a, { type: 'hover', index: 1, x: 11, y: 21 });
    expect(newRequests(a, b)).toEqual([]);
    const c = reduce(b, { type: 'hover', index: 2, x: 11, y: 21 });
    expect(c.requests.hoverPoint!.index).toBe(2);
    expect(ringsOf(c)).toEqual([2]);
  });

  it('a cached point is shown at once, and leaving drops the pending fetch', () => {
    let s = run(loaded(), { type: 'hover', index: 1, x: 0, y: 0 });
    s = reduce(s, { type: 'pointLoaded', id: s.requests.hoverPoint!.id, point: point(1, { label_name: 'b' }) });
    expect(pointOf(s, 1)!.label_name).toBe('b');
    const again = run(s, { type: 'hover', index: -1, x: 0, y: 0 }, { type: 'hover', index: 1, x: 3, y: 3 });
    expect(again.requests.hoverPoint).toBeUndefined();
    const pending = reduce(s, { type: 'hover', index: 3, x: 0, y: 0 });
    const left = reduce(pending, { type: 'hover', index: -1, x: 0, y: 0 });
    expect(left.hover).toBeNull();
    expect(left.requests.hoverPoint).toBeUndefined();
    expect(reduce(left, { type: 'hover', index: -1, x: 0, y: 0 })).toBe(left);
  });

  it('is ignored before points load', () => {
    const s = initialState();
    expect(reduce(s, { type: 'hover', index: 3, x: 0, y: 0 })).toBe(s);
  });

  it('a late answer for a point no longer hovered is dropped', () => {
    const a = reduce(loaded(), { type: 'hover', index: 1, x: 0, y: 0 });
    const b = reduce(a, { type: 'hover', index: 2, x: 0, y: 0 });
    expect(reduce(b, { type: 'pointLoaded', id: a.requests.hoverPoint!.id, point: point(1) })).toBe(b);
  });

  it('the cache starts again when full', () => {
    let s = loaded();
    const cache = new Map<string, PointInfo>();
    for (let i = 0; i < POINT_CACHE_MAX; i++) cache.set(`x/${i}`, point(i));
    s = reduce({ ...s, cache }, { type: 'hover', index: 1, x: 0, y: 0 });
    s = reduce(s, { type: 'pointLoaded', id: s.requests.hoverPoint!.id, point: point(1) });
    expect(s.cache.size).toBe(1);
    expect(s.cache.has(pointKey(s.where!, 1))).toBe(true);
  });
});

describe('focus and neighbours', () => {
  it('clicking a point asks for it; a cached one needs nothing; -1 closes', () => {
    const s = loaded();
    const a = reduce(s, { type: 'focus', index: 3 });
    expect(a.focus).toBe(3);
    expect(a.requests.focusPoint).toMatchObject({ index: 3, delayMs: 0 });
    const b = reduce(a, { type: 'pointLoaded', id: a.requests.focusPoint!.id, point: point(3) });
    expect(pointOf(b, 3)!.id).toBe(103);
    expect(ringsOf(b)).toEqual([3]);
    const c = run(b, { type: 'focus', index: 0 }, { type: 'focus', index: 3 });
    expect(c.requests.focusPoint).toBeUndefined();
    const closed = reduce(c, { type: 'focus', index: -1 });
    expect(closed.focus).toBe(-1);
    expect(ringsOf(closed)).toEqual([]);
  });

  it('hover rings the hovered point and the clicked one', () => {
    const s = run(loaded(), { type: 'focus', index: 3 }, { type: 'hover', index: 1, x: 0, y: 0 });
    expect(ringsOf(s)).toEqual([1, 3]);
  });

  it('neighbours of the clicked point fill the gallery and the rings', () => {
    let s = run(loaded(), { type: 'focus', index: 0 });
    s = reduce(s, { type: 'pointLoaded', id: s.requests.focusPoint!.id, point: point(0) });
    s = reduce(s, { type: 'askNeighbors' });
    expect(s.requests.neighbors).toMatchObject({ index: 0 });
    const next = reduce(s, { type: 'neighborsLoaded', id: s.requests.neighbors!.id, neighbors: [{ index: 2, distance: 0.5 }, { index: 1, distance: 1.25 }] });
    expect(next.neighbors).toEqual([2, 1]);
    expect(next.gallery).toEqual({ kind: 'neighbors', title: '2 nearest neighbours of id 100 (original space)', indices: [2, 1], distances: [0.5, 1.25] });
    expect(next.selected).toBeNull();
    expect(ringsOf(next)).toEqual([0, 2, 1]);
  });

  it('neighbours that arrive after another point was clicked are dropped', () => {
    let s = run(loaded(), { type: 'focus', index: 0 }, { type: 'askNeighbors' });
    const id = s.requests.neighbors!.id;
    s = reduce(s, { type: 'focus', index: 1 });
    expect(s.requests.neighbors).toBeUndefined();
    expect(reduce(s, { type: 'neighborsLoaded', id, neighbors: [{ index: 2, distance: 1 }] })).toBe(s);
  });

  it('asking for neighbours with no clicked point does nothing', () => {
    const s = loaded();
    expect(reduce(s, { type: 'askNeighbors' })).toBe(s);
  });
});

describe('selection', () => {
  it('a lasso selects and dims the rest; the mode names it', () => {
    const s = loaded();
    const a = reduce(s, { type: 'lassoed', indices: [0, 2] });
    expect([...a.selected!]).toEqual([1, 0, 1, 0]);
    expect(a.gallery).toEqual({ kind: 'selection', title: '2 selected · lasso', indices: [0, 2] });
    const alpha = colorsOf(a).filter((_, i) => i % 4 === 3);
    expect(alpha[0]).toBeGreaterThan(alpha[1]!);
    const box = run(s, { type: 'setMode', mode: 'box' }, { type: 'lassoed', indices: [1] });
    expect(box.mode).toBe('box');
    expect(box.gallery!.title).toBe('1 selected · box');
  });

  it('an empty lasso clears the selection', () => {
    const s = run(loaded(), { type: 'lassoed', indices: [1] }, { type: 'lassoed', indices: [] });
    expect(s.selected).toBeNull();
    expect(s.gallery).toBeNull();
  });

  it('indices out of range are left out of the mask', () => {
    const s = reduce(loaded(), { type: 'lassoed', indices: [1, 99, -1] });
    expect([...s.selected!]).toEqual([0, 1, 0, 0]);
  });

  it('is ignored before the info', () => {
    const s = initialState();
    expect(reduce(s, { type: 'lassoed', indices: [1] })).toBe(s);
  });

  it('a legend entry selects its class', () => {
    const s = reduce(loaded(), { type: 'selectCategory', code: 1 });
    expect(s.gallery).toMatchObject({ title: '2 selected · label = b', indices: [1, 3] });
  });

  it('a legend entry is ignored for a numeric or absent column', () => {
    const s = uncoloured();
    expect(reduce(s, { type: 'selectCategory', code: 0 })).toBe(s);
  });

  it('Clear empties the selection and the gallery', () => {
    const s = run(loaded(), { type: 'lassoed', indices: [1] }, { type: 'clearSelection' });
    expect(s.selected).toBeNull();
    expect(s.gallery).toBeNull();
    expect(reduce(s, { type: 'clearSelection' })).toBe(s);
  });
});

describe('search', () => {
  it('selects the matches', () => {
    const s = reduce(loaded(), { type: 'search', q: '  source:scan ' });
    expect(s.requests.search).toMatchObject({ q: 'source:scan', purpose: 'select' });
    const next = reduce(s, { type: 'searchLoaded', id: s.requests.search!.id, count: 2, indices: [0, 2] });
    expect(next.gallery!.title).toBe('2 selected · search “source:scan”');
    expect([...next.selected!]).toEqual([1, 0, 1, 0]);
  });

  it('says when nothing matches, with an empty gallery', () => {
    let s = run(loaded(), { type: 'lassoed', indices: [1] }, { type: 'search', q: 'id:99' });
    s = reduce(s, { type: 'searchLoaded', id: s.requests.search!.id, count: 0, indices: [] });
    expect(s.selected).toBeNull();
    expect(s.gallery).toEqual({ kind: 'no-match', title: 'No example matches “id:99”.', indices: [] });
  });

  it('an empty query clears the selection and asks nothing', () => {
    const s = run(loaded(), { type: 'lassoed', indices: [1] }, { type: 'search', q: '   ' });
    expect(s.selected).toBeNull();
    expect(s.requests.search).toBeUndefined();
  });

  it('the answer to an older search is dropped', () => {
    const a = reduce(loaded(), { type: 'search', q: 'a' });
    const b = reduce(a, { type: 'search', q: 'b' });
    expect(reduce(b, { type: 'searchLoaded', id: a.requests.search!.id, count: 1, indices: [1] })).toBe(b);
  });

  it('is ignored before anything loaded', () => {
    const s = initialState();
    expect(reduce(s, { type: 'search', q: 'id:1' })).toBe(s);
  });
});

describe('reveal', () => {
  it('waits for the tags, then loads the asked run, tag and step and focuses the index', () => {
    let s = reduce(initialState(), { type: 'reveal', reveal: { run: 'r2', tag: 'b', step: 1, index: 3 } });
    expect(s.requests).toEqual({});
    s = reduce(s, { type: 'runsSelected', runs: ['r1', 'r2'] });
    s = reduce(s, { type: 'tagsLoaded', id: s.requests.tags!.id, tags: [{ tag: 'a', runs: ['r1'] }, { tag: 'b', runs: ['r1', 'r2'] }] });
    expect(s.requests.info).toMatchObject({ where: { run: 'r2', tag: 'b', step: 1 } });
    s = reduce(s, { type: 'infoLoaded', id: s.requests.info!.id, info: info({ run: 'r2', tag: 'b', step: 1 }) });
    expect(s.focus).toBe(-1);
    s = reduce(s, { type: 'projectionLoaded', id: s.requests.projection!.id, result: COORDS, column: LABEL_COLUMN, desc: LABEL });
    expect(s.reveal).toBeNull();
    expect(s.focus).toBe(3);
    expect(s.requests.focusPoint).toMatchObject({ index: 3, where: { run: 'r2', tag: 'b', step: 1 } });
  });

  it('on the loaded embedding, an id is looked up and its point focused', () => {
    let s = reduce(loaded(), { type: 'reveal', reveal: { run: 'r1', tag: 'emb', id: 102 } });
    expect(s.reveal).toBeNull();
    expect(s.requests.search).toMatchObject({ q: 'id:102', purpose: 'reveal' });
    s = reduce(s, { type: 'searchLoaded', id: s.requests.search!.id, count: 1, indices: [2] });
    expect(s.focus).toBe(2);
    expect(s.gallery).toBeNull();
  });

  it('an id that matches nothing changes nothing more', () => {
    let s = reduce(loaded(), { type: 'reveal', reveal: { id: 5 } });
    const before = s;
    s = reduce(s, { type: 'searchLoaded', id: s.requests.search!.id, count: 0, indices: [] });
    expect(s.focus).toBe(-1);
    expect(s.gallery).toBe(before.gallery);
  });

  it('an unknown run or tag falls back to the current choice', () => {
    const s = reduce(loaded(), { type: 'reveal', reveal: { run: 'nope', tag: 'nope', index: 1 } });
    expect([s.tag, s.run]).toEqual(['emb', 'r1']);
    expect(s.focus).toBe(1);
  });
});

describe('newRequests', () => {
  it('lists new and replaced requests, not kept or dropped ones', () => {
    const s = run(loaded(), { type: 'focus', index: 1 });
    const next = run(s, { type: 'search', q: 'x' }, { type: 'setMethod', method: 'tsne' });
    expect(newRequests(s, next).map(([slot]) => slot).sort()).toEqual(['projection', 'search']);
    expect(newRequests(next, next)).toEqual([]);
    expect(newRequests(next, reduce(next, { type: 'focus', index: -1 }))).toEqual([]);
  });
});

describe('selectors', () => {
  it('the stage is empty with nothing on its way, loading while points come, ready once drawn', () => {
    expect(stageStateOf(initialState())).toBe('empty');
    expect(stageStateOf({ ...loaded(), frame: 'ready' })).toBe('ready');
    expect(stageStateOf({ ...loaded(), frame: 'drawing' })).toBe('loading');
    const asking = reduce(initialState(), { type: 'runsSelected', runs: ['r1'] });
    expect(stageStateOf(asking)).toBe('loading');
  });

  it('the legend counts each class and caps the entries', () => {
    expect(legendOf(loaded())).toEqual({
      title: 'label', kind: 'categories',
      items: [{ code: 0, name: 'a', color: '#4e79a7', count: 2 }, { code: 1, name: 'b', color: '#f28e2b', count: 2 }],
    });
    const many: ColumnDesc = { name: 'label', kind: 'category', categories: Array.from({ length: 60 }, (_, i) => `c${i}`) };
    expect((legendOf({ ...loaded(), desc: many }) as { items: unknown[] }).items).toHaveLength(40);
  });

  it('correctness uses red and green; a number column shows a ramp with its range', () => {
    const correct: ColumnDesc = { name: 'correct', kind: 'category', categories: ['wrong', 'right'] };
    const lg = legendOf({ ...loaded(), desc: correct }) as { items: { color: string }[] };
    expect(lg.items.map((i) => i.color)).toEqual([...CORRECTNESS_COLORS]);
    const num: ColumnDesc = { name: 'brightness', kind: 'number', range: [0.0001, 250000] };
    expect(legendOf({ ...loaded(), desc: num })).toMatchObject({ kind: 'ramp', range: ['1.00e-4', '2.50e+5'], stops: { length: 5 } });
  });

  it('columnOf reads the binary values by kind', () => {
    const codes = new Int32Array([1, 0]);
    expect(columnOf(LABEL, codes)).toEqual({ kind: 'category', codes });
    expect(columnOf({ name: 'correct', kind: 'category', categories: ['wrong', 'right'] }, codes)).toMatchObject({ palette: CORRECTNESS_COLORS, faded: 1 });
    const values = new Float32Array([0.5]);
    expect(columnOf({ name: 'x', kind: 'number', range: [0, 1] }, values)).toEqual({ kind: 'number', values, range: [0, 1] });
  });

  it('point rows: label, prediction marked right or wrong, metadata formatted', () => {
    const p = point(1, { label_name: 'cat', predicted_name: 'dog', correct: false, metadata: { brightness: 0.123456, source: 'scan', flag: null } });
    expect(pointRows(p)).toEqual([['label', 'cat'], ['predicted', 'dog', 'pj-bad'], ['brightness', '0.123'], ['source', 'scan'], ['flag', 'null']]);
    expect(pointRows(point(1, { predicted_name: 'cat', correct: true }))[0]).toEqual(['predicted', 'cat', 'pj-ok']);
  });

  it('fmt rounds, switches to exponents at the extremes, and keeps non-finite values', () => {
    expect(fmt(1.23456)).toBe('1.235');
    expect(fmt(0)).toBe('0');
    expect(fmt(0.00001234)).toBe('1.23e-5');
    expect(fmt(NaN)).toBe('NaN');
  });

  it('the scatter label says it is loading before points', () => {
    expect(canvasLabel(initialState())).toBe('Embedding scatter (loading)');
    expect(statusOf(initialState())).toBe('');
  });

  it('colours without a column are the base colour for every point', () => {
    const s = uncoloured();
    expect(colorsOf(s).length).toBe(16);
  });
});
