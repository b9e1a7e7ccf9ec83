/** Per-class precision, recall, F1 and support in a sortable table, with macro and weighted averages. */
import { h } from '../../dom';
import type { Panel } from '../../panel';
import type { ClassRow } from '../evaluation/api';
import { columns } from '../evaluation/controls';
import { mountEval } from '../evaluation/frame';
import { sortRows, type SortKey } from '../evaluation/model';
import './style.css';

const COLS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Class' }, { key: 'precision', label: 'Precision' }, { key: 'recall', label: 'Recall' },
  { key: 'f1', label: 'F1' }, { key: 'support', label: 'Support' },
];

export const classMetricsPanel: Panel = {
  name: 'class-metrics',
  title: 'Per-class metrics',
  group: 'Evaluation',
  mount(root, ctx) {
    let sortKey: SortKey = 'f1';
    let descending = false;
    return mountEval(root, ctx, 'class-metrics', async (body, sel, frame) => {
      const summaries = await Promise.all(sel.runs.map((r) => frame.api.summary(r.id, sel.split, sel.step)));
      columns(body, sel, (col, run) => {
        const s = summaries[sel.runs.findIndex((r) => r.id === run)];
        if (!s) return;
        const table = h('table', { class: 'table ev-table', 'data-testid': 'metrics-table' });
        const paint = (): void => {
          const head = h('tr', {}, ...COLS.map((c) => {
            const th = h('th', { class: c.key === 'name' ? '' : 'num', 'aria-sort': c.key === sortKey ? (descending ? 'descending' : 'ascending') : 'none' },
              h('button', { type: 'button', class: 'ev-sort', 'data-testid': `sort-${c.key}` }, c.label, c.key === sortKey ? (descending ? ' ↓' : ' ↑') : ''));
            th.querySelector('button')?.addEventListener('click', () => {
              descending = c.key === sortKey ? !descending : c.key !== 'name';
              sortKey = c.key;
              frame.redraw();
            });
            return th;
          }));
          const cell = (r: ClassRow, k: SortKey): HTMLElement => {
            const v = r[k];
            if (typeof v === 'string') return h('td', {}, v);
            if (k === 'support') return h('td', { class: 'num mono' }, String(v));
            const bar = h('span', { class: 'ev-bar' });
            bar.style.width = `${Math.round(v * 100)}%`;
            return h('td', { class: 'num mono' }, h('span', { class: 'ev-barwrap' }, bar), v.toFixed(3));
          };
          const rows = sortRows(s.metrics.classes, sortKey, descending).map((r) => h('tr', { 'data-testid': 'metrics-row', 'data-class': r.class }, ...COLS.map((c) => cell(r, c.key))));
          const avg = (label: string, a: { precision: number; recall: number; f1: number }): HTMLElement =>
            h('tr', { class: 'ev-avg' }, h('td', {}, label), h('td', { class: 'num mono' }, a.precision.toFixed(3)), h('td', { class: 'num mono' }, a.recall.toFixed(3)), h('td', { class: 'num mono' }, a.f1.toFixed(3)), h('td', { class: 'num mono' }, String(s.n)));
          table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows), h('tfoot', {}, avg('macro avg', s.metrics.macro), avg('weighted avg', s.metrics.weighted)));
        };
        paint();
        col.append(h('div', { class: 'ev-table-scroll' }, table));
      });
    });
  },
};
