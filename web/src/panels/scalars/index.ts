/**
 * The scalars panel: one chart per tag for the selected runs, grouped by the tag's prefix, with a
 * tag filter. Live `scalars` events refetch only the charts whose tags grew.
 */
import type { ScalarsEvent } from '../../api';
import { h, icon, ICONS, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import type { AppState, StateChange } from '../../state';
import { Limiter, throttle } from '../../throttle';
import { ChartCard } from './chart-card';
import { groupTags, tagMatcher } from './tags';
import './style.css';

const COLLAPSED_KEY = 'torchloupe.scalars.collapsed';
/** Requests in flight at once: enough to fill the page quickly without queueing behind the stream. */
const CONCURRENT_FETCHES = 6;

interface GroupView {
  name: string;
  section: HTMLElement;
  toggle: HTMLButtonElement;
  count: HTMLElement;
  grid: HTMLElement;
  collapsed: boolean;
}

function loadCollapsed(): Set<string> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(COLLAPSED_KEY) ?? '[]');
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

function saveCollapsed(names: Set<string>): void {
  try {
    localStorage.setItem(COLLAPSED_KEY, JSON.stringify([...names]));
  } catch {
    // Not remembered; the page still works.
  }
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const limiter = new Limiter(CONCURRENT_FETCHES);
  const cards = new Map<string, ChartCard>();
  const groups = new Map<string, GroupView>();
  const collapsed = loadCollapsed();
  let tagRuns = new Map<string, string[]>();
  let tagsLoaded = false;
  let tagsRequest = 0;
  let firstDraw = true;

  const filterInput = h('input', {
    class: 'input',
    type: 'search',
    placeholder: 'Filter tags (regex)',
    'aria-label': 'Filter tags',
    'data-testid': 'tag-filter',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const countEl = h('span', { class: 'muted small', 'data-testid': 'chart-count' });
  const expandAll = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, 'Expand all');
  const collapseAll = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, 'Collapse all');
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('label', { class: 'search' }, icon(ICONS.search, 14), filterInput),
    countEl,
    h('span', { class: 'spacer' }),
    expandAll,
    collapseAll,
  );
  const empty = h('div', { class: 'empty', 'data-testid': 'scalars-empty' }, 'Loading charts…');
  const body = h('div', { class: 'scalar-groups' });
  root.append(toolbar, empty, body);

  const deps = {
    api: ctx.api,
    state: ctx.state,
    limiter,
    reportError: (e: unknown, what: string) => ctx.reportError(e, what),
    clearError: (what: string) => ctx.clearError(what),
    onDrawn: () => {
      if (!firstDraw) return;
      firstDraw = false;
      window.__loupe.firstChartDrawnAt = performance.now();
    },
  };

  const groupView = (name: string): GroupView => {
    let g = groups.get(name);
    if (g) return g;
    const toggle = h('button', { class: 'group-toggle', type: 'button', 'aria-expanded': 'true', 'data-testid': 'group-toggle' });
    const count = h('span', { class: 'group-count' });
    toggle.append(icon(ICONS.chevron, 16), h('span', { class: 'group-name' }, name), count);
    const grid = h('div', { class: 'chart-grid' });
    const section = h('section', { class: 'chart-group', 'data-testid': 'chart-group', 'data-group': name }, toggle, grid);
    g = { name, section, toggle, count, grid, collapsed: collapsed.has(name) };
    const view = g;
    toggle.addEventListener('click', () => setCollapsed(view, !view.collapsed));
    groups.set(name, g);
    return g;
  };

  const setCollapsed = (g: GroupView, value: boolean): void => {
    g.collapsed = value;
    if (value) collapsed.add(g.name);
    else collapsed.delete(g.name);
    saveCollapsed(collapsed);
    applyFilter();
  };

  /** Shows the cards that match the filter in expanded groups; hidden ones stop fetching. */
  const applyFilter = (): void => {
    const matcher = tagMatcher(filterInput.value);
    filterInput.classList.toggle('is-literal', matcher.literal);
    let shown = 0;
    for (const g of groups.values()) {
      let matching = 0;
      for (const card of cards.values()) {
        if (card.el.parentElement !== g.grid) continue;
        const match = matcher.test(card.tag);
        if (match) matching++;
        card.setVisible(match && !g.collapsed);
      }
      shown += matching;
      g.section.hidden = matching === 0;
      g.section.classList.toggle('is-collapsed', g.collapsed);
      g.toggle.setAttribute('aria-expanded', String(!g.collapsed));
      setText(g.count, String(matching));
    }
    setText(countEl, cards.size === 0 ? '' : `${shown} of ${cards.size} charts`);
    updateEmpty(shown);
  };

  const updateEmpty = (shown: number): void => {
    const st = ctx.state.get();
    let text = '';
    if (!st.loaded) text = 'Loading charts…';
    else if (!st.runs.length) text = 'Charts appear here once a run logs scalars.';
    else if (st.selected.size === 0) text = 'Select runs in the table to compare their scalars.';
    else if (!tagsLoaded) text = 'Loading charts…';
    else if (cards.size === 0) text = 'The selected runs have not logged any scalars yet.';
    else if (shown === 0) text = `No charts match “${filterInput.value}”.`;
    setText(empty, text);
    empty.hidden = text === '';
    toolbar.hidden = cards.size === 0;
  };

  /** Rebuilds the groups from the tag list, reusing existing cards (their charts keep their state). */
  const syncCards = (): void => {
    const grouped = groupTags(tagRuns.keys());
    const wanted = new Set(tagRuns.keys());
    for (const [tag, card] of cards) {
      if (!wanted.has(tag)) {
        card.destroy();
        cards.delete(tag);
      }
    }
    const order: HTMLElement[] = [];
    for (const { name, tags } of grouped) {
      const g = groupView(name);
      order.push(g.section);
      tags.forEach((tag, i) => {
        let card = cards.get(tag);
        if (!card) {
          card = new ChartCard(tag, deps);
          cards.set(tag, card);
        }
        // Before the filter makes it visible, so that its first fetch already asks for the right runs.
        card.setRuns(tagRuns.get(tag) ?? []);
        // Only move nodes that are out of place: moving is cheap but not free.
        if (g.grid.children[i] !== card.el) g.grid.insertBefore(card.el, g.grid.children[i] ?? null);
      });
    }
    for (const [name, g] of groups) {
      if (!grouped.some((x) => x.name === name)) {
        g.section.remove();
        groups.delete(name);
      }
    }
    order.forEach((section, i) => {
      if (body.children[i] !== section) body.insertBefore(section, body.children[i] ?? null);
    });
    applyFilter();
  };

  const loadTags = async (): Promise<void> => {
    const selected = [...ctx.state.get().selected];
    const request = ++tagsRequest;
    if (selected.length === 0) {
      tagRuns = new Map();
      tagsLoaded = true;
      syncCards();
      return;
    }
    try {
      const tags = await ctx.api.tags(selected);
      if (request !== tagsRequest) return;
      const sel = new Set(selected);
      tagRuns = new Map(tags.map((t) => [t.tag, t.runs.filter((r) => sel.has(r))]));
      tagsLoaded = true;
      ctx.clearError('tags');
      syncCards();
    } catch (err) {
      if (request === tagsRequest) ctx.reportError(err, 'tags');
    }
  };
  const loadTagsSoon = throttle(() => void loadTags(), 1000);

  const onScalars = (ev: ScalarsEvent): void => {
    const selected = ctx.state.get().selected;
    let unknown = false;
    for (const [run, grew] of Object.entries(ev.runs)) {
      if (!selected.has(run)) continue;
      for (const key of grew.keys) {
        const card = cards.get(key);
        if (card && card.hasRun(run)) card.refresh();
        else unknown = true;
      }
    }
    if (unknown) loadTagsSoon();
  };

  filterInput.addEventListener('input', applyFilter);
  expandAll.addEventListener('click', () => {
    for (const g of groups.values()) g.collapsed = false;
    collapsed.clear();
    saveCollapsed(collapsed);
    applyFilter();
  });
  collapseAll.addEventListener('click', () => {
    for (const g of groups.values()) {
      g.collapsed = true;
      collapsed.add(g.name);
    }
    saveCollapsed(collapsed);
    applyFilter();
  });

  const offScalars = ctx.live.on('scalars', onScalars);
  const offResync = ctx.live.on('resync', () => {
    void loadTags();
    for (const card of cards.values()) card.refresh();
  });

  if (ctx.state.get().loaded) void loadTags();
  else updateEmpty(0);

  return {
    update(change: StateChange<AppState>) {
      if (change.changed.has('selected') || (change.changed.has('loaded') && change.state.loaded)) {
        void loadTags();
      }
      for (const card of cards.values()) card.onState(change);
      if (change.changed.has('runs') || change.changed.has('selected')) applyFilter();
    },
    destroy() {
      offScalars();
      offResync();
      loadTagsSoon.cancel();
      for (const card of cards.values()) card.destroy();
      cards.clear();
      root.replaceChildren();
    },
  };
}

export const scalarsPanel: Panel = { name: 'scalars', title: 'Scalars', mount };
