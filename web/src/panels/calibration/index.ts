/** Reliability diagram: accuracy against confidence per bin, the gap to the diagonal shaded; ECE. */
import { h } from '../../dom';
import type { Panel } from '../../panel';
import { columns } from '../evaluation/controls';
import { mountEval } from '../evaluation/frame';
import { pct } from '../evaluation/model';
import { axes, s } from '../evaluation/svg';
import './style.css';

const W = 260;
const H = 200;

export const calibrationPanel: Panel = {
  name: 'calibration',
  title: 'Calibration',
  group: 'Evaluation',
  mount(root, ctx) {
    return mountEval(root, ctx, 'calibration', async (body, sel, frame) => {
      const summaries = await Promise.all(sel.runs.map((r) => frame.api.summary(r.id, sel.split, sel.step)));
      columns(body, sel, (col, run) => {
        const sm = summaries[sel.runs.findIndex((r) => r.id === run)];
        if (!sm) return;
        const r = sm.reliability;
        const svg = s('svg', { viewBox: `-44 -8 ${W + 54} ${H + 44}`, class: 'ev-chart', role: 'img', 'aria-label': 'Reliability diagram', 'data-testid': 'reliability' });
        svg.append(axes(W, H, 'confidence', 'accuracy'));
        r.count.forEach((count, i) => {
          const lo = r.edges[i] ?? 0;
          const hi = r.edges[i + 1] ?? 1;
          const acc = r.accuracy[i];
          const conf = r.confidence[i];
          if (!count || acc === null || acc === undefined || conf === null || conf === undefined) return;
          const x = lo * W + 1;
          const w = (hi - lo) * W - 2;
          const bar = s('rect', { x, width: w, y: H - acc * H, height: acc * H, class: 'ev-bar-acc' });
          bar.append(s('title', {}, `confidence ${lo.toFixed(2)}–${hi.toFixed(2)}: ${count} examples, accuracy ${pct(acc)}, mean confidence ${pct(conf)}`));
          const top = Math.max(acc, conf);
          const gap = s('rect', { x, width: w, y: H - top * H, height: Math.abs(conf - acc) * H, class: 'ev-bar-gap' });
          svg.append(bar, gap);
        });
        svg.append(s('line', { x1: 0, y1: H, x2: W, y2: 0, class: 'ev-diag' }));
        col.append(
          h('div', { class: 'ev-stats small' }, h('span', {}, 'ECE ', h('strong', { 'data-testid': 'ece' }, r.ece.toFixed(4))), h('span', { class: 'muted' }, `${r.count.length} bins · step ${sm.step}`)),
          h('figure', { class: 'ev-figure' }, svg, h('figcaption', { class: 'small muted' }, 'Bars: accuracy per confidence bin; shaded: the gap to the mean confidence (above the diagonal: under-confident).')),
        );
      });
    });
  },
};
