/**
 * Confusion matrix heatmap: rows are true classes, columns predictions; colour by the row's rate.
 * Hover shows counts and rates; a click opens the examples panel on exactly that cell. Another panel
 * can open it on one true class (`ctx.open('confusion', { run, split, step, row })`): that row is
 * marked (`aria-selected`, `data-revealed-row` on the grid) and holds the grid's tab stop.
 */
import { h } from '../../dom';
import type { Panel } from '../../panel';
import { columns } from '../evaluation/controls';
import { mountEval } from '../evaluation/frame';
import { pct, rowRates } from '../evaluation/model';
import './style.css';

/**
 * The WAI-ARIA grid pattern: one tab stop (the last focused cell, first the top-left one), the
 * arrow keys move between cells, Home/End to the row's ends, Enter or Space opens a cell.
 */
function gridKeys(grid: HTMLElement, n: number, start = 0): void {
  const cells = [...grid.querySelectorAll<HTMLElement>('[role=gridcell]')];
  const first = cells[start] ?? cells[0];
  if (first) first.tabIndex = 0;
  grid.addEventListener('keydown', (e) => {
    const i = cells.indexOf(e.target as HTMLElement);
    if (i < 0) return;
    const r = Math.floor(i / n);
    const c = i % n;
    const to: Record<string, number> = {
      ArrowRight: c < n - 1 ? i + 1 : i, ArrowLeft: c > 0 ? i - 1 : i,
      ArrowDown: i + n < cells.length ? i + n : i, ArrowUp: i - n >= 0 ? i - n : i,
      Home: r * n, End: r * n + n - 1,
    };
    const next = cells[to[e.key] ?? -1];
    if (!next) return;
    e.preventDefault();
    for (const cell of cells) cell.tabIndex = cell === next ? 0 : -1;
    next.focus();
  });
}

export const confusionPanel: Panel = {
  name: 'confusion',
  title: 'Confusion matrix',
  group: 'Evaluation',
  mount(root, ctx) {
    let revealed: number | null = null;
    return mountEval(root, ctx, 'confusion', async (body, sel, frame) => {
      const summaries = await Promise.all(sel.runs.map((r) => frame.api.summary(r.id, sel.split, sel.step)));
      columns(body, sel, (col, run) => {
        const s = summaries[sel.runs.findIndex((r) => r.id === run)];
        if (!s) return;
        const names = s.class_names;
        const n = names.length;
        const rates = rowRates(s.confusion);
        const colTotals = names.map((_, j) => s.confusion.reduce((a, row) => a + (row[j] ?? 0), 0));
        const label = `Confusion matrix of ${sel.runs.find((r) => r.id === run)?.name ?? run}: rows true class, columns predicted class`;
        const marked = revealed !== null && revealed < n ? revealed : null;
        const grid = h('div', {
          class: 'cm-grid', 'data-testid': 'confusion-matrix', role: 'grid', 'aria-label': label,
          'data-revealed-row': marked,
        });
        grid.style.gridTemplateColumns = `auto repeat(${n}, minmax(28px, 52px))`;
        // Rows are `display: contents`: the cells stay items of the CSS grid, the rows exist for ARIA.
        grid.append(h('div', { class: 'cm-row', role: 'row' },
          h('div', { class: 'cm-corner small muted', role: 'columnheader' }, 'true ╲ pred'),
          ...names.map((name) => h('div', { class: 'cm-head', title: name, role: 'columnheader' }, name))));
        s.confusion.forEach((row, i) => {
          const cells = row.map((count, j) => {
            const rate = rates[i]?.[j] ?? 0;
            const colRate = colTotals[j] ? count / (colTotals[j] ?? 1) : 0;
            const cell = h('button', {
              type: 'button',
              role: 'gridcell',
              class: `cm-cell${i === j ? ' is-diag' : ''}`,
              'data-testid': 'cm-cell', 'data-target': i, 'data-predicted': j, 'data-count': count,
              title: `true ${names[i]} → predicted ${names[j]}\n${count} examples\n${pct(rate)} of true ${names[i]} (row)\n${pct(colRate)} of predicted ${names[j]} (column)`,
              'aria-label': `true ${names[i]}, predicted ${names[j]}: ${count}`,
              // Empty cells stay focusable so that the arrow keys walk the whole matrix.
              'aria-disabled': count === 0 ? 'true' : null,
              tabindex: '-1',
            }, count ? String(count) : '');
            cell.style.setProperty('--rate', String(Math.round(rate * 100)));
            cell.addEventListener('click', () => {
              if (count === 0) return;
              void ctx.open('examples', { run, split: sel.split, step: s.step, target: i, predicted: j });
            });
            return cell;
          });
          grid.append(h('div', { class: `cm-row${i === marked ? ' is-revealed' : ''}`, role: 'row', 'aria-selected': i === marked ? 'true' : null },
            h('div', { class: 'cm-head cm-row-head', title: names[i] ?? '', role: 'rowheader' }, names[i] ?? String(i)), ...cells));
        });
        gridKeys(grid, n, marked === null ? 0 : marked * n);
        col.append(
          h('div', { class: 'ev-stats small' },
            h('span', {}, 'accuracy ', h('strong', {}, pct(s.accuracy))),
            s.top5 !== null ? h('span', {}, 'top-5 ', h('strong', {}, pct(s.top5))) : null,
            h('span', {}, 'loss ', h('strong', {}, s.loss.toFixed(3))),
            h('span', { class: 'muted' }, `step ${s.step} · n = ${s.n}`)),
          h('div', { class: 'cm-scroll' }, grid),
        );
      });
    }, (detail) => {
      revealed = typeof detail.row === 'number' && Number.isInteger(detail.row) && detail.row >= 0 ? detail.row : null;
    });
  },
};
