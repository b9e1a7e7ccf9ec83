/**
 * Confusion matrix heatmap: rows are true classes, columns predictions; colour by the row's rate.
 * Hover shows counts and rates; a click opens the examples panel on exactly that cell.
 */
import { h } from '../../dom';
import type { Panel } from '../../panel';
import { columns } from '../evaluation/controls';
import { mountEval } from '../evaluation/frame';
import { pct, rowRates } from '../evaluation/model';
import './style.css';

export const confusionPanel: Panel = {
  name: 'confusion',
  title: 'Confusion matrix',
  group: 'Evaluation',
  mount(root, ctx) {
    return mountEval(root, ctx, 'confusion', async (body, sel, frame) => {
      const summaries = await Promise.all(sel.runs.map((r) => frame.api.summary(r.id, sel.split, sel.step)));
      columns(body, sel, (col, run) => {
        const s = summaries[sel.runs.findIndex((r) => r.id === run)];
        if (!s) return;
        const names = s.class_names;
        const n = names.length;
        const rates = rowRates(s.confusion);
        const colTotals = names.map((_, j) => s.confusion.reduce((a, row) => a + (row[j] ?? 0), 0));
        const grid = h('div', { class: 'cm-grid', 'data-testid': 'confusion-matrix', role: 'grid' });
        grid.style.gridTemplateColumns = `auto repeat(${n}, minmax(28px, 52px))`;
        grid.append(h('div', { class: 'cm-corner small muted' }, 'true ╲ pred'));
        for (const name of names) grid.append(h('div', { class: 'cm-head', title: name }, name));
        s.confusion.forEach((row, i) => {
          grid.append(h('div', { class: 'cm-head cm-row-head', title: names[i] ?? '' }, names[i] ?? String(i)));
          row.forEach((count, j) => {
            const rate = rates[i]?.[j] ?? 0;
            const colRate = colTotals[j] ? count / (colTotals[j] ?? 1) : 0;
            const cell = h('button', {
              type: 'button',
              class: `cm-cell${i === j ? ' is-diag' : ''}${rate > 0.55 ? ' is-dark' : ''}`,
              'data-testid': 'cm-cell', 'data-target': i, 'data-predicted': j, 'data-count': count,
              title: `true ${names[i]} → predicted ${names[j]}\n${count} examples\n${pct(rate)} of true ${names[i]} (row)\n${pct(colRate)} of predicted ${names[j]} (column)`,
              'aria-label': `true ${names[i]}, predicted ${names[j]}: ${count}`,
              disabled: count === 0,
            }, count ? String(count) : '');
            cell.style.setProperty('--rate', String(Math.round(rate * 100)));
            cell.addEventListener('click', () => {
              void ctx.open('examples', { run, split: sel.split, step: s.step, target: i, predicted: j });
            });
            grid.append(cell);
          });
        });
        col.append(
          h('div', { class: 'ev-stats small' },
            h('span', {}, 'accuracy ', h('strong', {}, pct(s.accuracy))),
            s.top5 !== null ? h('span', {}, 'top-5 ', h('strong', {}, pct(s.top5))) : null,
            h('span', {}, 'loss ', h('strong', {}, s.loss.toFixed(3))),
            h('span', { class: 'muted' }, `step ${s.step} · n = ${s.n}`)),
          h('div', { class: 'cm-scroll' }, grid),
        );
      });
    });
  },
};
