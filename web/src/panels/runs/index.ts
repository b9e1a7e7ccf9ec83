/**
 * The runs panel: a sortable, filterable table of runs with a checkbox per run to choose what
 * the other panels compare. Rows are keyed by run id and patched in place on live updates.
 */
import type { Run } from '../../api';
import { h, icon, ICONS, setText } from '../../dom';
import { formatDuration, formatTimestamp, formatValue } from '../../format';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import type { AppState, StateChange } from '../../state';
import { columnValue, filterRuns, flatRun, nextSort, runColumns, sortRuns, type Column, type SortSpec } from './model';
import './style.css';

interface RowView {
  tr: HTMLTableRowElement;
  checkbox: HTMLInputElement;
  swatch: HTMLElement;
  cells: Map<string, HTMLTableCellElement>;
}

const TICK_MS = 1000;

function cellText(run: Run, col: Column, now: number): string {
  switch (col.key) {
    case 'started': return formatTimestamp(run.started);
    case 'duration': return formatDuration(columnValue(run, 'duration', now) as number | null);
    case 'name': return run.name;
    case 'project': return run.project;
    case 'status': return run.status;
    default: return formatValue(flatRun(run)[col.key]);
  }
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  let sort: SortSpec | null = null;
  let query = '';
  let showExtra = true;
  let columns: Column[] = [];
  let columnsKey = '';
  const rows = new Map<string, RowView>();

  const search = h('input', {
    class: 'input',
    type: 'search',
    placeholder: 'Filter runs: name, project, id, config…',
    'aria-label': 'Filter runs',
    'data-testid': 'run-filter',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const summary = h('span', { class: 'muted small', 'data-testid': 'runs-summary' });
  const extraToggle = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'aria-pressed': 'true', 'data-testid': 'toggle-columns' });
  const newest = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', title: 'Select the ten newest runs' }, 'Newest 10');
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('label', { class: 'search' }, icon(ICONS.search, 14), search),
    summary,
    h('span', { class: 'spacer' }),
    newest,
    extraToggle,
  );
  const selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all shown runs', 'data-testid': 'run-select-all' });
  const thead = h('thead');
  const tbody = h('tbody');
  const table = h('table', { class: 'runs-table', 'data-testid': 'runs-table' }, thead, tbody);
  const scroller = h('div', { class: 'table-scroll' }, table);
  const empty = h('div', { class: 'empty', 'data-testid': 'runs-empty' });
  root.append(toolbar, scroller, empty);

  const select = (ids: Iterable<string>, on: boolean): void => {
    const next = new Set(ctx.state.get().selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    ctx.state.set({ selected: next, selectionPinned: true });
  };

  const renderHead = (): void => {
    const tr = h('tr', {}, h('th', { class: 'col-select sticky-1' }, selectAll));
    for (const col of columns) {
      if (col.kind !== 'fixed' && !showExtra) continue;
      const active = sort?.key === col.key;
      const th = h(
        'th',
        {
          class: `sortable col-${col.kind}${col.key === 'name' ? ' sticky-2' : ''}${active ? ' is-sorted' : ''}`,
          'data-key': col.key,
          'aria-sort': active ? (sort?.dir === 'asc' ? 'ascending' : 'descending') : 'none',
          title: col.key,
          tabindex: '0',
        },
        h('span', { class: 'th-label' }, col.label),
        h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort?.dir === 'asc' ? '▲' : '▼') : ''),
      );
      tr.append(th);
    }
    thead.replaceChildren(tr);
  };

  const newRow = (run: Run): RowView => {
    const checkbox = h('input', { type: 'checkbox', 'data-testid': 'run-select', 'aria-label': 'Compare this run' });
    checkbox.addEventListener('change', () => select([run.id], checkbox.checked));
    const swatch = h('span', { class: 'swatch' });
    const tr = h('tr', { 'data-testid': 'run-row', 'data-run-id': run.id });
    tr.append(h('td', { class: 'col-select sticky-1' }, h('label', { class: 'select-cell' }, checkbox, swatch)));
    const cells = new Map<string, HTMLTableCellElement>();
    for (const col of columns) {
      if (col.kind !== 'fixed' && !showExtra) continue;
      let td: HTMLTableCellElement;
      if (col.key === 'name') td = h('td', { class: 'col-name sticky-2', 'data-testid': 'run-name' });
      else if (col.key === 'status') td = h('td', { class: 'col-status' }, h('span', { class: 'badge' }));
      else td = h('td', { class: `col-${col.kind}${col.kind === 'fixed' ? '' : ' num'}` });
      cells.set(col.key, td);
      tr.append(td);
    }
    return { tr, checkbox, swatch, cells };
  };

  const patchRow = (view: RowView, run: Run, st: AppState, now: number): void => {
    view.checkbox.checked = st.selected.has(run.id);
    const color = st.colors.get(run.id) ?? 'transparent';
    if (view.swatch.style.backgroundColor !== color) view.swatch.style.backgroundColor = color;
    view.tr.classList.toggle('is-selected', st.selected.has(run.id));
    for (const [key, td] of view.cells) {
      const col = columns.find((c) => c.key === key);
      if (!col) continue;
      if (key === 'status') {
        const badge = td.firstElementChild as HTMLElement;
        badge.className = `badge badge-${run.status}`;
        setText(badge, run.status);
      } else if (key === 'name') {
        setText(td, run.name);
        td.title = run.error ? `${run.id} — ${run.error}` : run.id;
        td.classList.toggle('has-error', Boolean(run.error));
      } else {
        const text = cellText(run, col, now);
        setText(td, text);
        if (col.kind !== 'fixed' && td.title !== text) td.title = text;
      }
    }
  };

  const render = (): void => {
    const st = ctx.state.get();
    const now = Date.now() / 1000;
    const nextColumns = runColumns(st.runs);
    const key = `${showExtra}|${nextColumns.map((c) => c.key).join('\u0000')}`;
    if (key !== columnsKey) {
      // The column set changed: rows are rebuilt once; every other update only patches text.
      columns = nextColumns;
      columnsKey = key;
      for (const view of rows.values()) view.tr.remove();
      rows.clear();
    }
    renderHead();
    const shown = sortRuns(filterRuns(st.runs, query), sort, now);
    const ids = new Set(shown.map((r) => r.id));
    for (const [id, view] of rows) {
      if (!ids.has(id)) {
        view.tr.remove();
        rows.delete(id);
      }
    }
    shown.forEach((run, i) => {
      let view = rows.get(run.id);
      if (!view) {
        view = newRow(run);
        rows.set(run.id, view);
      }
      patchRow(view, run, st, now);
      if (tbody.children[i] !== view.tr) tbody.insertBefore(view.tr, tbody.children[i] ?? null);
    });

    const selectedShown = shown.filter((r) => st.selected.has(r.id)).length;
    selectAll.checked = shown.length > 0 && selectedShown === shown.length;
    selectAll.indeterminate = selectedShown > 0 && selectedShown < shown.length;
    const extra = columns.filter((c) => c.kind !== 'fixed').length;
    extraToggle.hidden = extra === 0;
    newest.hidden = st.runs.length === 0;
    setText(extraToggle, showExtra ? 'Hide config columns' : `Show ${extra} config columns`);
    extraToggle.setAttribute('aria-pressed', String(showExtra));
    const total = st.runs.length;
    setText(summary, total === 0 ? '' : `${shown.length === total ? total : `${shown.length} of ${total}`} ${total === 1 ? 'run' : 'runs'} · ${st.selected.size} selected`);

    let emptyText = '';
    if (!st.loaded) emptyText = 'Loading runs…';
    else if (total === 0) emptyText = 'No runs yet — start one with tl.init(...)';
    else if (shown.length === 0) emptyText = `No runs match “${query}”.`;
    setText(empty, emptyText);
    empty.hidden = emptyText === '';
    scroller.hidden = total === 0;
  };

  /** Only the running rows' durations change with time; the rest of the table stays untouched. */
  const tick = (): void => {
    const st = ctx.state.get();
    const now = Date.now() / 1000;
    const duration = columns.find((c) => c.key === 'duration');
    if (!duration || sort?.key === 'duration') return;
    for (const run of st.runs) {
      if (run.status !== 'running') continue;
      const td = rows.get(run.id)?.cells.get('duration');
      if (td) setText(td, cellText(run, duration, now));
    }
  };

  search.addEventListener('input', () => {
    query = search.value;
    render();
  });
  thead.addEventListener('click', (e) => {
    const th = (e.target as Element).closest('th[data-key]');
    const key = th?.getAttribute('data-key');
    if (!key) return;
    sort = nextSort(sort, key);
    render();
  });
  thead.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const key = (e.target as Element).closest('th[data-key]')?.getAttribute('data-key');
    if (!key) return;
    e.preventDefault();
    sort = nextSort(sort, key);
    render();
  });
  selectAll.addEventListener('change', () => {
    const st = ctx.state.get();
    select(filterRuns(st.runs, query).map((r) => r.id), selectAll.checked);
  });
  extraToggle.addEventListener('click', () => {
    showExtra = !showExtra;
    render();
  });
  newest.addEventListener('click', () => {
    const ids = [...ctx.state.get().runs].sort((a, b) => b.started - a.started).slice(0, 10).map((r) => r.id);
    ctx.state.set({ selected: new Set(ids), selectionPinned: false });
  });

  const timer = setInterval(tick, TICK_MS);
  render();

  return {
    update(change: StateChange<AppState>) {
      const c = change.changed;
      if (c.has('runs') || c.has('selected') || c.has('colors') || c.has('loaded')) render();
    },
    destroy() {
      clearInterval(timer);
      root.replaceChildren();
    },
  };
}

export const runsPanel: Panel = { name: 'runs', title: 'Runs', placement: 'top', mount };
