/** The projector's stage: the WebGL scatter with its mode switch, legend and hover tooltip. */
import { h, icon, ICONS } from '../../dom';
import type { ProjectorApi } from './api';
import { segmented } from './controls';
import { Scatter } from './scatter';
import { canvasLabel, colorsOf, legendOf, pointOf, pointRows, ringsOf, stageStateOf } from './selectors';
import type { Action, Mode, ProjectorState } from './state';

type Dispatch = (a: Action) => void;

export interface Stage {
  el: HTMLElement;
  render(s: ProjectorState, prev: ProjectorState | null): void;
  /** A projection request went out: the first-draw time counts from now. */
  projectionSent(): void;
  /** Redraws the rings (their colours follow the theme). */
  restyle(s: ProjectorState): void;
  destroy(): void;
}

/** Builds the stage; throws when the browser has no WebGL. `describedBy` names the hint element. */
export function stage(dispatch: Dispatch, api: ProjectorApi, describedBy: string): Stage {
  const el = h('div', { class: 'pj-stage', 'data-testid': 'projector-stage', 'data-state': 'loading' });
  const modeSeg = segmented<Mode>('mode', 'Selection mode', [['pan', 'Pan'], ['lasso', 'Lasso'], ['box', 'Box']], (mode) => dispatch({ type: 'setMode', mode }));
  const reset = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', title: 'Reset the view', 'aria-label': 'Reset the view' }, icon(ICONS.reset, 14));
  const legend = h('div', { class: 'pj-legend', 'data-testid': 'projector-legend', hidden: true });
  const tipImg = h('img', { class: 'pj-tip-img', alt: '', 'data-testid': 'projector-thumb', hidden: true });
  const tipText = h('div', { class: 'pj-tip-text' });
  const tooltip = h('div', { class: 'pj-tip', hidden: true, 'data-testid': 'projector-tooltip' }, tipImg, tipText);
  el.append(h('div', { class: 'pj-tools' }, modeSeg.el, reset), legend, tooltip);

  const scatter = new Scatter(el, {
    hover: (index, x, y) => dispatch({ type: 'hover', index, x, y }),
    click: (index) => dispatch({ type: 'focus', index }),
    select: (indices) => dispatch({ type: 'lassoed', indices }),
  });
  const canvas = scatter.canvas;
  canvas.setAttribute('data-testid', 'projector-canvas');
  scatter.overlay.setAttribute('aria-describedby', describedBy);
  reset.addEventListener('click', () => scatter.resetView());

  let loadStarted = performance.now();
  let firstDraw = true;
  scatter.onDrawn = (ms, complete) => {
    canvas.dataset.points = String(scatter.count);
    canvas.dataset.frameMs = ms.toFixed(1);
    if (complete) canvas.dataset.fullFrameMs = ms.toFixed(1);
    if (firstDraw && scatter.count > 0) {
      firstDraw = false;
      canvas.dataset.firstDrawMs = (performance.now() - loadStarted).toFixed(1);
      canvas.dataset.firstDrawAt = performance.now().toFixed(1);
    }
    dispatch({ type: 'frameDrawn', complete });
  };
  (window as unknown as Record<string, unknown>).__loupeProjector = { screenOf: (i: number) => scatter.screenOf(i) };

  let rings: number[] = [];
  const setRings = (next: number[], force = false): void => {
    if (!force && next.length === rings.length && next.every((v, i) => v === rings[i])) return;
    rings = next;
    scatter.setFocus(next);
  };

  const renderLegend = (s: ProjectorState): void => {
    const lg = legendOf(s);
    legend.hidden = !lg;
    if (!lg) {
      legend.replaceChildren();
      return;
    }
    const title = h('div', { class: 'pj-legend-title' }, lg.title);
    if (lg.kind === 'ramp') {
      const ramp = h('div', { class: 'pj-ramp', role: 'img', 'aria-label': `${lg.title} from ${lg.range[0]} to ${lg.range[1]}` });
      ramp.style.background = `linear-gradient(90deg, ${lg.stops.join(',')})`;
      legend.replaceChildren(title, ramp, h('div', { class: 'pj-ramp-labels small muted', 'aria-hidden': 'true' }, h('span', {}, lg.range[0]), h('span', {}, lg.range[1])));
      return;
    }
    const items = lg.items.map((it) => {
      const dot = h('span', { class: 'pj-dot', 'aria-hidden': 'true' });
      dot.style.background = it.color;
      const b = h('button', { type: 'button', class: 'pj-legend-item', title: `Select ${it.name}`, 'data-testid': 'legend-item' },
        dot, h('span', { class: 'pj-legend-name' }, it.name), h('span', { class: 'muted' }, String(it.count)));
      b.addEventListener('click', () => dispatch({ type: 'selectCategory', code: it.code }));
      return b;
    });
    legend.replaceChildren(title, ...items);
  };

  const renderTip = (s: ProjectorState): void => {
    const hv = s.hover;
    if (!hv || !s.where || !s.info) {
      tooltip.hidden = true;
      return;
    }
    tooltip.hidden = false;
    const left = hv.x + 16 + 180 > el.clientWidth ? hv.x - 196 : hv.x + 16;
    tooltip.style.left = `${Math.max(4, left)}px`;
    tooltip.style.top = `${Math.max(4, Math.min(hv.y - 20, el.clientHeight - 150))}px`;
    tooltip.dataset.index = String(hv.index);
    const p = pointOf(s, hv.index);
    const rows: HTMLElement[] = [h('div', { class: 'pj-tip-title' }, p ? `id ${p.id}` : `#${hv.index}`)];
    if (p) rows.push(...pointRows(p).slice(0, 6).map(([k, v, cls]) => h('div', { class: 'pj-tip-row' }, h('span', { class: 'muted' }, k), h('span', { class: cls ?? '' }, v))));
    tipText.replaceChildren(...rows);
    if (s.info.has_images) {
      // Thumbnails load lazily: only for the point the pointer rests on.
      tipImg.hidden = false;
      const src = api.thumb(s.where, hv.index);
      if (tipImg.getAttribute('src') !== src) tipImg.src = src;
    }
  };

  const render = (s: ProjectorState, prev: ProjectorState | null): void => {
    if (s.points && s.points !== prev?.points) {
      const p = s.points;
      scatter.setDims(p.dims);
      scatter.setPoints(p.xyz, colorsOf(s), p.size);
      el.dataset.method = p.method;
      el.dataset.dims = String(p.dims);
      el.dataset.step = p.step === null ? '' : String(p.step);
    } else if (s.points && (s.column !== prev?.column || s.selected !== prev?.selected)) {
      scatter.setColors(colorsOf(s));
    }
    el.dataset.state = stageStateOf(s);
    if (s.mode !== prev?.mode) {
      modeSeg.set(s.mode);
      scatter.setMode(s.mode);
    }
    setRings(ringsOf(s));
    if (s.desc !== prev?.desc || s.column !== prev?.column) renderLegend(s);
    if (s.hover !== prev?.hover || s.cache !== prev?.cache || s.info !== prev?.info) renderTip(s);
    if (s.points !== prev?.points || s.desc !== prev?.desc) scatter.overlay.setAttribute('aria-label', canvasLabel(s));
  };

  return {
    el,
    render,
    projectionSent: () => {
      loadStarted = performance.now();
    },
    restyle: (s) => setRings(ringsOf(s), true),
    destroy: () => {
      scatter.destroy();
      delete (window as unknown as Record<string, unknown>).__loupeProjector;
    },
  };
}
