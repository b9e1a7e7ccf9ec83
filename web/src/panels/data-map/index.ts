/**
 * Data map (Dataset Cartography): for every example, the mean confidence in its label over the
 * logged steps against its variability, coloured by correctness; and the likely mislabelled.
 * A click on a point or a row opens the example.
 */
import { h, rovingFocus } from '../../dom';
import type { Panel } from '../../panel';
import type { Dynamics } from '../evaluation/api';
import { columns } from '../evaluation/controls';
import { mountEval } from '../evaluation/frame';
import { pct } from '../evaluation/model';
import { s } from '../evaluation/svg';
import { showExample } from '../evaluation/viewer';
import './style.css';

const W = 300;
const H = 220;
const XMAX = 0.5;

function open(api: Parameters<typeof showExample>[0], d: Dynamics, i: number, note?: string): void {
  showExample(api, { run: d.run, split: d.split, id: d.ids[i] ?? String(i), target: d.target[i] ?? 0, classNames: d.class_names, hasInputs: d.has_inputs, note: note ?? `confidence ${pct(d.confidence[i])}, variability ${(d.variability[i] ?? 0).toFixed(3)}, correct ${pct(d.correct[i])}, forgotten ${d.forgetting[i] ?? 0}×, AUM ${(d.aum[i] ?? 0).toFixed(3)}` });
}

export const dataMapPanel: Panel = {
  name: 'data-map',
  title: 'Training dynamics: data map',
  group: 'Evaluation',
  mount(root, ctx) {
    return mountEval(root, ctx, 'data-map', async (body, sel, frame) => {
      const all = await Promise.all(sel.runs.map((r) => frame.api.dynamics(r.id, sel.split, sel.info.steps.length)));
      columns(body, sel, (col, run) => {
        const d = all[sel.runs.findIndex((r) => r.id === run)];
        if (!d) return;
        const svg = s('svg', { viewBox: `-44 -8 ${W + 54} ${H + 44}`, class: 'ev-chart ev-map-chart', role: 'group', 'aria-label': 'Data map: confidence against variability', 'data-testid': 'data-map' });
        for (let i = 0; i <= 4; i++) {
          const t = i / 4;
          svg.append(
            s('line', { x1: t * W, x2: t * W, y1: 0, y2: H, class: 'ev-grid' }), s('line', { x1: 0, x2: W, y1: H - t * H, y2: H - t * H, class: 'ev-grid' }),
            s('text', { x: t * W, y: H + 14, 'text-anchor': 'middle', class: 'ev-tick' }, (t * XMAX).toFixed(2)),
            s('text', { x: -6, y: H - t * H + 3, 'text-anchor': 'end', class: 'ev-tick' }, t.toFixed(2)),
          );
        }
        svg.append(s('rect', { x: 0, y: 0, width: W, height: H, class: 'ev-frame' }),
          s('text', { x: W / 2, y: H + 30, 'text-anchor': 'middle', class: 'ev-label' }, 'variability'),
          s('text', { x: -H / 2, y: -32, transform: 'rotate(-90)', 'text-anchor': 'middle', class: 'ev-label' }, 'confidence'));
        const points = s('g', { role: 'listbox', 'aria-label': 'Examples: arrow keys move, Enter opens one' });
        const suspects = new Set(d.suspects.slice(0, 20).map((x) => x.index));
        d.confidence.forEach((c, i) => {
          const v = Math.min(d.variability[i] ?? 0, XMAX);
          const corr = d.correct[i] ?? 0;
          const dot = s('circle', { cx: (v / XMAX) * W, cy: H - c * H, r: suspects.has(i) ? 4 : 2.6, class: `ev-dot${suspects.has(i) ? ' is-suspect' : ''}`, 'data-testid': 'data-map-point', 'data-id': d.ids[i] ?? '' });
          dot.style.fill = `hsl(${Math.round(corr * 210)}, 70%, 50%)`;
          const text = `${d.ids[i]}: ${d.class_names[d.target[i] ?? 0]}, confidence ${pct(c)}, correct ${pct(corr)}`;
          dot.setAttribute('role', 'option');
          dot.setAttribute('aria-label', text);
          dot.append(s('title', {}, text));
          dot.addEventListener('click', () => open(frame.api, d, i));
          points.append(dot);
        });
        svg.append(points);
        rovingFocus(points, [...points.children] as SVGElement[]);
        const list = h('ol', { class: 'ev-suspects', 'data-testid': 'suspects' });
        for (const x of d.suspects.slice(0, 12)) {
          const row = h('li', {}, h('button', { type: 'button', class: 'ev-suspect', 'data-testid': 'suspect-row', 'data-id': x.id },
            h('span', { class: 'mono' }, x.id), h('span', {}, ` labelled ${d.class_names[x.target] ?? x.target}, looks like ${d.class_names[x.predicted] ?? x.predicted}`), h('span', { class: 'muted mono small' }, ` ${x.score.toFixed(2)}`)));
          row.querySelector('button')?.addEventListener('click', () => open(frame.api, d, x.index, x.reason));
          list.append(row);
        }
        col.append(
          h('div', { class: 'ev-stats small' }, h('span', { class: 'muted' }, `${d.ids.length} examples over ${d.steps.length} steps · colour: share of steps predicted right (red 0 → blue 1)`)),
          h('div', { class: 'ev-mapwrap' }, h('figure', { class: 'ev-figure' }, svg),
            h('div', { class: 'ev-suspects-box' }, h('strong', { class: 'small' }, 'Likely mislabelled'), d.suspects.length ? list : h('p', { class: 'small muted' }, 'None: every example was predicted right at some step.'))),
        );
      });
    });
  },
};
