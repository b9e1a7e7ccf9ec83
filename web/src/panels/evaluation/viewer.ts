/**
 * One example in a dialog: the input, its labels and scores, and its attribution maps, which the
 * server computes from the run's saved checkpoint (and caches).
 */
import { h } from '../../dom';
import { METHODS, type EvalApi, type Method } from './api';
import { pct } from './model';

export interface ExampleRef {
  run: string;
  split: string;
  id: string;
  target: number;
  predicted?: number;
  confidence?: number;
  loss?: number;
  note?: string;
  classNames: string[];
  hasInputs: boolean;
}

const LABELS: Record<Method, string> = {
  gradcam: 'Grad-CAM',
  saliency: 'Saliency',
  integrated_gradients: 'Integrated gradients',
  occlusion: 'Occlusion',
};

let open: HTMLDialogElement | null = null;

export function showExample(api: EvalApi, ex: ExampleRef): HTMLDialogElement {
  open?.remove();
  const name = (c: number | undefined): string => (c === undefined ? '–' : ex.classNames[c] ?? String(c));
  const wrong = ex.predicted !== undefined && ex.predicted !== ex.target;
  const facts = h(
    'dl',
    { class: 'ev-facts' },
    h('dt', {}, 'id'), h('dd', { class: 'mono' }, ex.id),
    h('dt', {}, 'label'), h('dd', {}, name(ex.target)),
    h('dt', {}, 'predicted'), h('dd', { class: wrong ? 'ev-wrong' : '' }, name(ex.predicted)),
    h('dt', {}, 'confidence'), h('dd', {}, pct(ex.confidence)),
    h('dt', {}, 'loss'), h('dd', {}, ex.loss === undefined ? '–' : ex.loss.toFixed(3)),
  );
  const maps = h('div', { class: 'ev-maps', 'data-testid': 'attribution-maps' });
  for (const method of METHODS) {
    const status = h('span', { class: 'ev-map-status muted small', 'data-testid': 'attribution-status' }, 'computing…');
    const img = h('img', { class: 'ev-map-img', alt: `${LABELS[method]} of ${ex.id}`, 'data-testid': 'attribution-img', 'data-method': method });
    img.addEventListener('load', () => { img.dataset.loaded = '1'; status.remove(); });
    img.addEventListener('error', () => {
      img.hidden = true;
      status.textContent = 'not available';
      void api.attributionProblem(ex.run, ex.split, ex.id, method).then((why) => {
        status.textContent = `not available: ${why}`;
      });
    });
    img.src = api.attributionUrl(ex.run, ex.split, ex.id, method);
    maps.append(h('figure', { class: 'ev-map' }, h('div', { class: 'ev-map-frame' }, img, status), h('figcaption', {}, LABELS[method])));
  }
  const close = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'viewer-close', 'aria-label': 'Close' }, '✕');
  const input = ex.hasInputs
    ? h('img', { class: 'ev-input', alt: `example ${ex.id}`, src: api.thumbUrl(ex.run, ex.split, ex.id) })
    : h('div', { class: 'ev-input ev-noimg' }, 'no image');
  const dialog = h(
    'dialog',
    { class: 'ev-dialog', 'data-testid': 'example-viewer', 'data-id': ex.id, 'data-state': 'loading' },
    h('div', { class: 'ev-dialog-head' }, h('strong', {}, `Example ${ex.id}`), h('span', { class: 'spacer' }), close),
    h('div', { class: 'ev-dialog-body' }, h('div', { class: 'ev-example' }, input, facts, ex.note ? h('p', { class: 'small muted' }, ex.note) : null), maps),
    h('p', { class: 'small muted ev-legend' }, 'Warm colours: pixels that raised the predicted class; blue (signed methods): lowered it.'),
  );
  // `data-state` turns `ready` once every image (the example, each map) has loaded or failed.
  const images = [...dialog.querySelectorAll('img')];
  let pending = images.length;
  maps.setAttribute('aria-busy', 'true');
  const settled = (): void => {
    if (--pending > 0) return;
    maps.removeAttribute('aria-busy');
    dialog.dataset.state = 'ready';
  };
  for (const img of images) {
    img.addEventListener('load', settled, { once: true });
    img.addEventListener('error', settled, { once: true });
  }
  // The close button and a click on the backdrop take the viewer out of the page at once, not a
  // task later when the browser fires `close` (which Escape still goes through).
  const dismiss = (): void => {
    if (dialog.open) dialog.close();
    dialog.remove();
    if (open === dialog) open = null;
  };
  close.addEventListener('click', dismiss);
  dialog.addEventListener('close', dismiss);
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dismiss(); });
  document.body.append(dialog);
  dialog.showModal();
  open = dialog;
  return dialog;
}
