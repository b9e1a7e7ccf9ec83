/**
 * Examples: the highest-loss examples of a split (top losses), or those of one confusion-matrix
 * cell when the confusion panel links here. A click on an example opens its attribution maps.
 */
import { h } from '../../dom';
import type { Panel } from '../../panel';
import { columns } from '../evaluation/controls';
import { mountEval } from '../evaluation/frame';
import { gallery } from '../evaluation/gallery';
import './style.css';

export const examplesPanel: Panel = {
  name: 'examples',
  title: 'Top losses and examples',
  group: 'Evaluation',
  mount(root, ctx) {
    let cell: { target: number; predicted: number } | null = null;
    return mountEval(
      root,
      ctx,
      'examples',
      async (body, sel, frame) => {
        const filter = cell;
        const data = await Promise.all(sel.runs.map((r) => frame.api.examples({ run: r.id, split: sel.split, step: sel.step, target: filter?.target, predicted: filter?.predicted })));
        columns(body, sel, (col, run) => {
          const d = data[sel.runs.findIndex((r) => r.id === run)];
          if (!d) return;
          const names = d.class_names;
          const head = h('div', { class: 'ev-stats small' });
          if (filter) {
            const clear = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', 'data-testid': 'cell-clear', 'aria-label': 'Show top losses' }, '✕');
            clear.addEventListener('click', () => { cell = null; frame.redraw(); });
            head.append(h('span', { class: 'ev-chip', 'data-testid': 'cell-filter' }, `true ${names[filter.target] ?? filter.target} → predicted ${names[filter.predicted] ?? filter.predicted}`, clear));
          } else {
            head.append(h('strong', {}, 'Top losses'));
          }
          head.append(h('span', { class: 'muted', 'data-testid': 'examples-count' }, `${d.examples.length} of ${d.total} · step ${d.step}`));
          col.append(head, d.examples.length ? gallery(frame.api, d) : h('div', { class: 'empty' }, 'No examples here.'));
        });
      },
      (detail) => {
        const t = detail.target;
        const p = detail.predicted;
        cell = typeof t === 'number' && typeof p === 'number' ? { target: t, predicted: p } : null;
      },
    );
  },
};
