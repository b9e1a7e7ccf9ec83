/**
 * The embedding projector: a WebGL scatter of one logged embedding (PCA at once; t-SNE and UMAP
 * computed by the server in the background, with progress), 2-D or 3-D, coloured by label,
 * prediction, correctness or a metadata column. Hover shows the thumbnail, lasso/box selection
 * opens a gallery, a click shows the point, its nearest neighbours in the original space and a link
 * to its prediction. A step slider replays the embedding over training.
 *
 * This file only wires: the pure state (`state.ts`) decides, the views (`controls.ts`, `stage.ts`,
 * `side.ts`) render it and turn user events into actions, and the requests the state asks for go
 * out here, their answers coming back as actions.
 *
 * `reveal({ run, tag?, step?, id? | index? })` focuses a point (the way back from other panels).
 */
import { h, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { ProjectorApi, type Where } from './api';
import { controls } from './controls';
import { side } from './side';
import { stage, type Stage } from './stage';
import { columnOf } from './selectors';
import { type Action, initialState, newRequests, type ProjectorState, reduce, type Request, type Reveal, type Slot } from './state';
import './projector.css';

let mounts = 0;

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = new ProjectorApi(ctx.api);
  const aborts = new AbortController();
  const timers = new Map<Slot, { id: number; handle: number }>();
  let state: ProjectorState = initialState();
  let destroyed = false;
  const queue: Action[] = [];
  let dispatching = false;

  // Actions dispatched while one is applied (a view reacting to a render) wait their turn.
  const dispatch = (a: Action): void => {
    if (destroyed) return;
    queue.push(a);
    if (dispatching) return;
    dispatching = true;
    try {
      while (queue.length && !destroyed) {
        const prev = state;
        state = reduce(prev, queue.shift()!);
        if (state === prev) continue;
        render(state, prev);
        send(prev, state);
      }
    } finally {
      dispatching = false;
    }
  };

  const runName = (id: string): string => ctx.state.get().runs.find((r) => r.id === id)?.name ?? id;
  const openPrediction = (w: Where, p: { label?: number; predicted?: number; id: number; predictions_tag?: string; predictions_step?: number | null }): void => {
    void ctx.open('examples', { run: w.run, split: p.predictions_tag ?? state.info?.split, step: p.predictions_step ?? null, target: p.label, predicted: p.predicted, id: p.id });
  };

  const hintId = `pj-hint-${++mounts}`;
  const ctrls = controls(dispatch, runName);
  let stageView: Stage;
  try {
    stageView = stage(dispatch, api, hintId);
  } catch (err) {
    ctx.reportError(err, 'projector');
    stageView = { el: h('div', { class: 'pj-stage', 'data-testid': 'projector-stage' }), render: () => undefined, projectionSent: () => undefined, restyle: () => undefined, destroy: () => undefined };
  }
  const sideView = side(dispatch, api, hintId, openPrediction);
  const empty = h('div', { class: 'empty', 'data-testid': 'projector-empty' });
  const layout = h('div', { class: 'pj-layout', hidden: true }, stageView.el, sideView.el);
  root.append(ctrls.toolbar, ctrls.stepRow, empty, layout);

  const render = (s: ProjectorState, prev: ProjectorState | null): void => {
    if (s.message !== prev?.message) {
      empty.hidden = s.message === null;
      layout.hidden = s.message !== null;
      if (s.message !== null) setText(empty, s.message);
    }
    ctrls.render(s, prev);
    stageView.render(s, prev);
    sideView.render(s, prev);
  };

  // -- requests ----------------------------------------------------------------------------
  const fetchColumn = async (w: Where, colorBy: string, n: number): Promise<Pick<Extract<Action, { type: 'columnLoaded' }>, 'column' | 'desc'>> => {
    if (!colorBy) return { column: { kind: 'none', n }, desc: null };
    const desc = await api.column(w, colorBy);
    return { column: columnOf(desc, await api.columnValues(w, desc, aborts.signal)), desc };
  };

  const answer = async (r: Request): Promise<Action> => {
    switch (r.kind) {
      case 'tags': {
        const res = await api.tags(r.runs);
        ctx.clearError('projector');
        return { type: 'tagsLoaded', id: r.id, tags: res.tags };
      }
      case 'info':
        return { type: 'infoLoaded', id: r.id, info: await api.info(r.where) };
      case 'projection': {
        stageView.projectionSent();
        const [result, col] = await Promise.all([api.projection(r.where, r.method, r.dims, aborts.signal), fetchColumn(r.where, r.colorBy, r.n)]);
        ctx.clearError('projector');
        return { type: 'projectionLoaded', id: r.id, result, ...col };
      }
      case 'column':
        return { type: 'columnLoaded', id: r.id, ...(await fetchColumn(r.where, r.colorBy, r.n)) };
      case 'point':
        return { type: 'pointLoaded', id: r.id, point: await api.point(r.where, r.index) };
      case 'neighbors':
        return { type: 'neighborsLoaded', id: r.id, neighbors: (await api.neighbors(r.where, r.index)).neighbors };
      case 'search': {
        const res = await api.search(r.where, r.q);
        return { type: 'searchLoaded', id: r.id, count: res.count, indices: res.indices };
      }
    }
  };

  const go = (r: Request): void => {
    answer(r).then(dispatch, (err: unknown) => {
      if (destroyed) return;
      ctx.reportError(err, 'projector');
      dispatch({ type: 'requestFailed', id: r.id });
    });
  };

  const send = (prev: ProjectorState, next: ProjectorState): void => {
    // A waiting request that was replaced or dropped does not go out.
    for (const [slot, t] of timers) {
      if (next.requests[slot]?.id !== t.id) {
        window.clearTimeout(t.handle);
        timers.delete(slot);
      }
    }
    for (const [slot, r] of newRequests(prev, next)) {
      const delay = 'delayMs' in r ? r.delayMs : 0;
      if (delay <= 0) {
        go(r);
        continue;
      }
      const handle = window.setTimeout(() => {
        timers.delete(slot);
        go(r);
      }, delay);
      timers.set(slot, { id: r.id, handle });
    }
  };

  render(state, null);
  dispatch({ type: 'runsSelected', runs: [...ctx.state.get().selected] });

  return {
    update(change) {
      if (change.changed.has('selected')) dispatch({ type: 'runsSelected', runs: [...ctx.state.get().selected] });
      if (change.changed.has('theme')) stageView.restyle(state);
    },
    reveal(detail) {
      const d = (detail ?? {}) as Record<string, unknown>;
      const reveal: Reveal = {
        run: typeof d.run === 'string' ? d.run : undefined,
        tag: typeof d.tag === 'string' ? d.tag : undefined,
        step: typeof d.step === 'number' ? d.step : undefined,
        id: typeof d.id === 'number' ? d.id : undefined,
        index: typeof d.index === 'number' ? d.index : undefined,
      };
      dispatch({ type: 'reveal', reveal });
    },
    destroy() {
      destroyed = true;
      queue.length = 0;
      for (const t of timers.values()) window.clearTimeout(t.handle);
      timers.clear();
      aborts.abort();
      stageView.destroy();
    },
  };
}

export const projectorPanel: Panel = {
  name: 'projector',
  title: 'Projector',
  mount,
};
