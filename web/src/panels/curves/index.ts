/** ROC and precision-recall curves per class (one vs rest); AUC / AP in the legend, click to toggle a class. */
import { h } from '../../dom';
import type { Panel } from '../../panel';
import type { Summary } from '../evaluation/api';
import { columns } from '../evaluation/controls';
import { mountEval } from '../evaluation/frame';
import { polyline } from '../evaluation/model';
import { axes, CLASS_COLORS, s } from '../evaluation/svg';
import './style.css';

const W = 260;
const H = 200;

function chart(title: string, xLabel: string, yLabel: string, lines: { cls: number; xs: number[]; ys: number[] }[], hidden: Set<number>, diagonal: boolean): HTMLElement {
  const svg = s('svg', { viewBox: `-44 -8 ${W + 54} ${H + 44}`, class: 'ev-chart', role: 'img', 'aria-label': title });
  svg.append(axes(W, H, xLabel, yLabel));
  if (diagonal) svg.append(s('line', { x1: 0, y1: H, x2: W, y2: 0, class: 'ev-diag' }));
  for (const l of lines) {
    if (hidden.has(l.cls)) continue;
    svg.append(s('polyline', { points: polyline(l.xs, l.ys, W, H), class: 'ev-line', stroke: CLASS_COLORS[l.cls % CLASS_COLORS.length] ?? '#888', 'data-class': l.cls }));
  }
  return h('figure', { class: 'ev-figure', 'data-testid': `curve-${title.toLowerCase().split(' ')[0]}` }, h('figcaption', {}, title), svg);
}

export const curvesPanel: Panel = {
  name: 'curves',
  title: 'ROC and precision-recall',
  group: 'Evaluation',
  mount(root, ctx) {
    const hidden = new Set<number>();
    return mountEval(root, ctx, 'curves', async (body, sel, frame) => {
      const summaries = await Promise.all(sel.runs.map((r) => frame.api.summary(r.id, sel.split, sel.step)));
      columns(body, sel, (col, run) => {
        const sm: Summary | undefined = summaries[sel.runs.findIndex((r) => r.id === run)];
        if (!sm) return;
        const roc = sm.roc.map((c) => ({ cls: c.class, xs: c.fpr, ys: c.tpr }));
        // Thresholds above every score have no prediction (TensorBoard reports precision 0 there): not drawn.
        const pr = sm.pr.map((c) => {
          const keep = c.recall.map((r, i) => r > 0 || (c.precision[i] ?? 0) > 0);
          return { cls: c.class, xs: c.recall.filter((_, i) => keep[i]), ys: c.precision.filter((_, i) => keep[i]) };
        });
        const legend = h('div', { class: 'ev-legend-list', 'data-testid': 'curve-legend' });
        sm.roc.forEach((c, k) => {
          const ap = sm.pr[k]?.ap;
          const sw = h('span', { class: 'swatch' });
          sw.style.background = CLASS_COLORS[c.class % CLASS_COLORS.length] ?? '#888';
          const item = h('button', { type: 'button', class: `ev-legend-item${hidden.has(c.class) ? ' is-off' : ''}`, 'data-testid': 'curve-legend-item', 'data-class': c.class, 'aria-pressed': String(!hidden.has(c.class)) },
            sw, h('span', {}, c.name), h('span', { class: 'mono muted small' }, ` AUC ${c.auc === null ? '–' : c.auc.toFixed(3)} · AP ${ap === null || ap === undefined ? '–' : ap.toFixed(3)}`));
          item.addEventListener('click', () => {
            if (hidden.has(c.class)) hidden.delete(c.class);
            else hidden.add(c.class);
            frame.redraw();
          });
          legend.append(item);
        });
        col.append(h('div', { class: 'ev-charts' }, chart('ROC (one vs rest)', 'false positive rate', 'true positive rate', roc, hidden, true), chart('Precision-recall', 'recall', 'precision', pr, hidden, false)), legend);
      });
    });
  },
};
