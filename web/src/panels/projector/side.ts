/** The projector's side column: the clicked point's details, the gallery (selection or neighbours) and the hint. */
import { h } from '../../dom';
import type { PointInfo, ProjectorApi, Where } from './api';
import { fmt, pointOf, pointRows } from './selectors';
import { type Action, pointKey, type ProjectorState } from './state';

type Dispatch = (a: Action) => void;

/** Gallery items drawn; the rest are counted. */
export const GALLERY_MAX = 240;

export interface Side {
  el: HTMLElement;
  render(s: ProjectorState, prev: ProjectorState | null): void;
}

/** Builds the side column; `openPrediction` follows a point to its prediction in the examples panel. */
export function side(dispatch: Dispatch, api: ProjectorApi, hintId: string, openPrediction: (w: Where, p: PointInfo) => void): Side {
  const details = h('section', { class: 'pj-details', 'data-testid': 'point-details', 'aria-label': 'Point details', hidden: true });
  const galleryHead = h('div', { class: 'pj-gallery-head' });
  const gallery = h('div', { class: 'pj-gallery', 'data-testid': 'projector-gallery' });
  const gallerySection = h('section', { class: 'pj-gallery-wrap', 'aria-label': 'Selected examples', hidden: true }, galleryHead, gallery);
  const hint = h('div', { class: 'pj-hint', id: hintId, 'data-testid': 'projector-hint' },
    h('strong', {}, 'Explore'),
    h('ul', {},
      h('li', {}, 'Hover a point for its thumbnail and metadata.'),
      h('li', {}, 'Click a point for its details, nearest neighbours in the original space and its prediction.'),
      h('li', {}, 'Lasso or Box (or Shift+drag) selects points into a gallery; click a legend entry to select a class.'),
      h('li', {}, 'Drag to pan (rotate in 3-D), scroll to zoom; the step slider replays training.'),
      h('li', {}, 'Keyboard: focus the scatter, then arrows pan (rotate in 3-D), + and − zoom, 0 resets.')));
  const el = h('div', { class: 'pj-side' }, details, gallerySection, hint);

  let shown = '';
  const renderDetails = (s: ProjectorState): void => {
    const i = s.focus;
    if (i < 0 || !s.where || !s.info) {
      details.hidden = true;
      shown = '';
      return;
    }
    details.hidden = false;
    const p = pointOf(s, i);
    const key = `${pointKey(s.where, i)}|${p ? 'loaded' : ''}`;
    if (key === shown) return;
    shown = key;
    details.dataset.index = String(i);
    // Until the point's details arrive, the previous ones stay.
    if (!p) return;
    const w = s.where;
    const img = s.info.has_images ? h('img', { class: 'pj-detail-img', src: api.thumb(w, p.index), alt: `example ${p.id}` }) : null;
    const table = h('dl', { class: 'pj-kv' });
    for (const [k, v, cls] of [['id', String(p.id)] as [string, string, string?], ...pointRows(p)]) table.append(h('dt', {}, k), h('dd', { class: cls ?? '' }, v));
    const nbBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'neighbors-btn' }, 'Nearest neighbours');
    nbBtn.addEventListener('click', () => dispatch({ type: 'askNeighbors' }));
    const actions = h('div', { class: 'pj-actions' }, nbBtn);
    if (p.predicted !== undefined) {
      const open = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'open-prediction' }, 'Open prediction');
      open.addEventListener('click', () => openPrediction(w, p));
      actions.append(open);
    }
    const close = h('button', { type: 'button', class: 'btn btn-ghost btn-xs pj-close', 'aria-label': 'Close the details' }, '✕');
    close.addEventListener('click', () => dispatch({ type: 'focus', index: -1 }));
    details.replaceChildren(h('div', { class: 'pj-details-head' }, h('strong', {}, `Example ${p.id}`), close), h('div', { class: 'pj-details-body' }, img, table), actions);
  };

  const renderGallery = (s: ProjectorState): void => {
    const g = s.gallery;
    if (!g || !s.where || !s.info) {
      gallerySection.hidden = true;
      return;
    }
    const title = h('span', { 'data-testid': 'gallery-title' }, g.title);
    if (g.kind === 'no-match') {
      galleryHead.replaceChildren(title);
      gallery.replaceChildren();
    } else {
      const clear = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', 'data-testid': 'gallery-clear' }, 'Clear');
      clear.addEventListener('click', () => dispatch({ type: 'clearSelection' }));
      galleryHead.replaceChildren(title, h('span', { class: 'spacer' }), clear);
      const w = s.where;
      const images = s.info.has_images;
      const items = g.indices.slice(0, GALLERY_MAX).map((i, k) => {
        const item = h('button', { type: 'button', class: 'pj-gallery-item', 'data-testid': 'gallery-item', 'data-index': i, title: `#${i}` });
        if (images) item.append(h('img', { src: api.thumb(w, i), alt: `example ${i}`, loading: 'lazy' }));
        else item.append(h('span', { class: 'mono small' }, `#${i}`));
        if (g.distances) item.append(h('span', { class: 'pj-dist small' }, fmt(g.distances[k] ?? 0)));
        item.addEventListener('click', () => dispatch({ type: 'focus', index: i }));
        return item;
      });
      gallery.replaceChildren(...items);
      if (g.indices.length > GALLERY_MAX) gallery.append(h('div', { class: 'muted small pj-more' }, `and ${(g.indices.length - GALLERY_MAX).toLocaleString()} more`));
    }
    gallerySection.hidden = false;
    gallerySection.dataset.count = String(g.indices.length);
  };

  const render = (s: ProjectorState, prev: ProjectorState | null): void => {
    if (s.focus !== prev?.focus || s.cache !== prev?.cache || s.where !== prev?.where || s.info !== prev?.info) renderDetails(s);
    if (s.gallery !== prev?.gallery) renderGallery(s);
  };
  return { el, render };
}
