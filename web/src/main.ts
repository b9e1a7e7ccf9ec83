/**
 * The page: header and shared controls, the error banner, the run list and the live stream, then
 * the panels the server lists, mounted in its order.
 */
import './style.css';
import { ApiError, createApiClient, type PanelInfo, type Run } from './api';
import { assignColors } from './colors';
import { h, icon, ICONS, setText } from './dom';
import type { Panel, PanelContext, PanelHandle } from './panel';
import { PANELS } from './panels';
import { loadPrefs, savePrefs } from './prefs';
import { reconcileSelection, Store, type AppState, type XAxis } from './state';
import { connectStream, LiveBus, type LiveStatus } from './stream';
import { applyTheme, initialTheme } from './theme';
import { chooseTab, visibleTabs } from './tab-visibility';
import { throttle } from './throttle';
import { resolveToken } from './token';

/** How many of the newest runs are compared until the user picks. */
const DEFAULT_SELECTED = 10;

window.__loupe = { ready: false, firstChartDrawnAt: null };

const LOGO = ['M10.5 3.5a7 7 0 1 0 0 14a7 7 0 1 0 0-14z', 'M15.6 15.6 21 21', 'M6.5 12.5l2.2-2.4 2 1.6 3.3-3.7'];

function storage(kind: 'session' | 'local'): Storage | null {
  try {
    return kind === 'session' ? window.sessionStorage : window.localStorage;
  } catch {
    return null;
  }
}

function sameColors(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** The banner shows the most recent failure; each source clears its own message once it recovers. */
class ErrorBanner {
  readonly el: HTMLElement;
  private readonly text: HTMLElement;
  private readonly errors = new Map<string, string>();

  constructor() {
    this.text = h('span', { class: 'banner-text' });
    const close = h('button', { class: 'btn btn-ghost btn-xs', type: 'button', 'aria-label': 'Dismiss' }, '✕');
    close.addEventListener('click', () => {
      this.errors.clear();
      this.render();
    });
    this.el = h('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error-banner', hidden: true }, this.text, close);
  }

  report(error: unknown, what: string): void {
    let message: string;
    if (error instanceof ApiError) {
      message = error.status === 401 || error.status === 403
        ? 'access denied. Open the link with ?token=… that torchloupe ui printed.'
        : `${error.message} (${error.type}${error.status ? `, HTTP ${error.status}` : ''})`;
    } else {
      message = error instanceof Error ? error.message : String(error);
    }
    this.errors.delete(what);
    this.errors.set(what, message);
    this.render();
  }

  clear(what: string): void {
    if (this.errors.delete(what)) this.render();
  }

  private render(): void {
    const last = [...this.errors.values()].pop();
    this.el.hidden = last === undefined;
    setText(this.text, last === undefined ? '' : `Cannot load data: ${last}`);
  }
}

function buildControls(store: Store<AppState>): HTMLElement {
  const st = store.get();
  const smoothing = h('input', {
    type: 'range', min: '0', max: '0.999', step: '0.001', value: String(st.smoothing),
    'data-testid': 'smoothing', 'aria-label': 'Smoothing', class: 'range',
  });
  const smoothingValue = h('output', { class: 'mono small', 'data-testid': 'smoothing-value' }, st.smoothing.toFixed(3));
  const onSmoothing = (): void => {
    const v = Math.min(0.999, Math.max(0, Number(smoothing.value) || 0));
    setText(smoothingValue, v.toFixed(3));
    store.set({ smoothing: v });
  };
  smoothing.addEventListener('input', onSmoothing);
  smoothing.addEventListener('change', onSmoothing);

  const xAxis = h(
    'select',
    { 'data-testid': 'x-axis', 'aria-label': 'X axis', class: 'select' },
    h('option', { value: 'step' }, 'Step'),
    h('option', { value: 'relative' }, 'Relative time'),
    h('option', { value: 'wall' }, 'Wall time'),
  );
  xAxis.value = st.xAxis;
  xAxis.addEventListener('change', () => store.set({ xAxis: xAxis.value as XAxis }));

  const logScale = h('input', { type: 'checkbox', 'data-testid': 'log-scale' });
  logScale.checked = st.logScale;
  logScale.addEventListener('change', () => store.set({ logScale: logScale.checked }));

  return h(
    'div',
    { class: 'controls', role: 'toolbar', 'aria-label': 'Chart settings' },
    h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Smoothing'), smoothing, smoothingValue),
    h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'X axis'), xAxis),
    h('label', { class: 'control check' }, logScale, h('span', {}, 'Log scale')),
  );
}

function buildHeader(store: Store<AppState>, bus: LiveBus): HTMLElement {
  const themeBtn = h('button', { class: 'btn btn-icon', type: 'button', 'data-testid': 'theme-toggle' });
  const paintTheme = (): void => {
    const dark = store.get().theme === 'dark';
    themeBtn.replaceChildren(icon(dark ? ICONS.sun : ICONS.moon, 18));
    themeBtn.title = dark ? 'Switch to light theme' : 'Switch to dark theme';
    themeBtn.setAttribute('aria-label', themeBtn.title);
  };
  paintTheme();
  themeBtn.addEventListener('click', () => {
    store.set({ theme: store.get().theme === 'dark' ? 'light' : 'dark' });
    paintTheme();
  });

  const liveText = h('span', {}, 'Connecting');
  const live = h('span', { class: 'live is-connecting', 'data-testid': 'live-status', title: 'Live updates' }, h('span', { class: 'dot' }), liveText);
  const labels: Record<LiveStatus, string> = { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting…' };
  bus.on('status', ({ status }) => {
    live.className = `live is-${status}`;
    setText(liveText, labels[status]);
  });

  return h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'topbar-row' },
      h('a', { class: 'brand', href: './' }, icon(LOGO, 22), h('span', {}, 'torchloupe')),
      live,
      h('span', { class: 'spacer' }),
      buildControls(store),
      themeBtn,
    ),
  );
}

/**
 * Panels in place: `top` panels stacked above a tab bar; the others in tabs, one per panel or per
 * `group`, mounted the first time their tab is shown. The open tab follows the URL's hash
 * (#scalars), so a link opens a tab and the browser's back button returns to the previous one.
 * Tabs whose panels all have no data for the selected runs are hidden (`showData`). The tab bar
 * follows the WAI-ARIA tabs pattern: one tab stop, arrows, Home and End move between tabs.
 */
class Tabs {
  private readonly bar: HTMLElement;
  private readonly entries = new Map<string, { panel: Panel; section: HTMLElement; body: HTMLElement; tabKey: string | null; handle: PanelHandle | null }>();
  private readonly tabs = new Map<string, { tab: HTMLElement; panels: string[] }>();
  private current: string | null = null;
  /** The tabs shown, in order; null until the server said which panels have data: all of them. */
  private visible: string[] | null = null;
  private readonly noData: HTMLElement;

  constructor(
    private readonly main: HTMLElement,
    private readonly ctx: PanelContext,
    private readonly handles: PanelHandle[],
    private readonly report: (err: unknown, what: string) => void,
  ) {
    this.bar = h('nav', { class: 'tabbar', role: 'tablist', 'aria-label': 'Panels', 'data-testid': 'tabbar', hidden: true });
    this.bar.addEventListener('keydown', (ev) => this.onKey(ev));
    this.noData = h('p', { class: 'empty', 'data-testid': 'no-data', hidden: true }, 'Nothing to show yet: the selected runs logged nothing beyond the runs table.');
  }

  add(panel: Panel, title: string): void {
    const body = h('div', { class: 'panel-body' });
    const top = (panel.placement ?? 'tab') === 'top';
    const tabKey = top ? null : tabKeyOf(panel);
    const section = h(
      'section',
      {
        class: `panel panel-${panel.name}`, 'data-testid': `panel-${panel.name}`, 'data-panel': panel.name,
        id: `panel-${panel.name}`, role: tabKey === null ? null : 'tabpanel', 'aria-labelledby': tabKey === null ? null : `tab-${tabKey}`,
      },
      h('h2', { class: 'panel-title' }, title),
      body,
    );
    this.entries.set(panel.name, { panel, section, body, tabKey, handle: null });
    if (tabKey === null) {
      this.main.append(section);
      this.mount(panel.name);
      return;
    }
    let tab = this.tabs.get(tabKey);
    if (!tab) {
      const label = panel.group ?? title;
      const el = h('a', { class: 'tab', role: 'tab', href: `#${tabKey}`, id: `tab-${tabKey}`, tabindex: '-1', 'data-testid': `tab-${tabKey}` }, label);
      tab = { tab: el, panels: [] };
      this.tabs.set(tabKey, tab);
      if (this.bar.childElementCount === 0) this.main.append(this.bar, this.noData);
      this.bar.append(el);
      this.bar.hidden = this.bar.childElementCount < 2;
    }
    tab.panels.push(panel.name);
    tab.tab.setAttribute('aria-controls', tab.panels.map((name) => `panel-${name}`).join(' '));
    section.hidden = true;
    this.main.append(section);
  }

  start(): void {
    window.addEventListener('hashchange', () => this.show(this.fromHash()));
    this.show(this.fromHash());
  }

  /**
   * Shows only the tabs with a panel that may have data (`has_data` in `GET /api/v1/panels`); when
   * the open tab goes, the URL's tab or else the first shown one opens.
   */
  showData(listed: readonly PanelInfo[]): void {
    const visible = visibleTabs(new Map([...this.tabs].map(([key, t]) => [key, t.panels])), listed);
    this.visible = visible;
    for (const [key, t] of this.tabs) t.tab.hidden = !visible.includes(key);
    this.bar.hidden = visible.length < 2;
    this.noData.hidden = visible.length > 0 || this.tabs.size === 0;
    this.show(this.fromHash());
  }

  async open(name: string, detail?: unknown): Promise<boolean> {
    const entry = this.entries.get(name);
    if (!entry) return false;
    if (entry.tabKey !== null) {
      if (window.location.hash !== `#${entry.tabKey}`) window.history.pushState(null, '', `#${entry.tabKey}`);
      this.show(entry.tabKey);
    }
    entry.handle?.reveal?.(detail);
    entry.section.scrollIntoView({ block: 'start' });
    return true;
  }

  private fromHash(): string | null {
    const key = decodeURIComponent(window.location.hash.replace(/^#/, '').split('/')[0] ?? '');
    const entry = this.entries.get(key);  // a panel's name opens its group's tab
    const wanted = this.tabs.has(key) ? key : entry?.tabKey ?? null;
    return chooseTab(wanted, this.visible ?? [...this.tabs.keys()]);
  }

  /** The WAI-ARIA tabs pattern: arrows (wrapping), Home and End open and focus a shown tab. */
  private onKey(ev: KeyboardEvent): void {
    const shown = this.visible ?? [...this.tabs.keys()];
    const at = shown.indexOf(this.current ?? '');
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: shown.length - 1 };
    const to = moves[ev.key];
    if (to === undefined || shown.length === 0) {
      if (ev.key === ' ' && ev.target instanceof HTMLAnchorElement) {
        ev.preventDefault();  // Space activates a tab as Enter does
        ev.target.click();
      }
      return;
    }
    ev.preventDefault();
    const key = shown[(to + shown.length) % shown.length]!;
    const tab = this.tabs.get(key)!.tab;
    tab.click();
    tab.focus();
  }

  private show(key: string | null): void {
    if (key === this.current) return;
    this.current = key;
    for (const [k, t] of this.tabs) {
      const active = k === key;
      t.tab.classList.toggle('is-active', active);
      t.tab.setAttribute('aria-selected', String(active));
      t.tab.tabIndex = active ? 0 : -1;
      for (const name of t.panels) {
        const entry = this.entries.get(name);
        if (entry) entry.section.hidden = !active;
      }
    }
    if (key !== null) for (const name of this.tabs.get(key)?.panels ?? []) this.mount(name);
  }

  private mount(name: string): void {
    const entry = this.entries.get(name);
    if (!entry || entry.handle) return;
    try {
      entry.handle = entry.panel.mount(entry.body, this.ctx);
      this.handles.push(entry.handle);
    } catch (err) {
      this.report(err, `panel:${name}`);
    }
  }
}

/** The tab of a panel: its group's slug, or its own name. */
export function tabKeyOf(panel: Pick<Panel, 'name' | 'group'>): string {
  return panel.group ? panel.group.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') : panel.name;
}

async function start(): Promise<void> {
  const { token, cleanHref } = resolveToken(window.location.href, storage('session'));
  if (cleanHref !== window.location.href) window.history.replaceState(null, '', cleanHref);
  const api = createApiClient(new URL('api/v1/', cleanHref).toString(), token);

  const prefs = loadPrefs();
  const theme = initialTheme();
  applyTheme(theme, false);
  const store = new Store<AppState>({
    loaded: false,
    runs: [],
    selected: new Set(),
    selectionPinned: false,
    colors: new Map(),
    theme,
    ...prefs,
  });
  const bus = new LiveBus();
  const banner = new ErrorBanner();
  const main = h('main', { class: 'panels' });
  document.body.replaceChildren(buildHeader(store, bus), banner.el, main);

  let tabsRef: Tabs | null = null;
  const ctx: PanelContext = {
    api,
    state: store,
    live: bus,
    reportError: (e, what) => banner.report(e, what),
    clearError: (what) => banner.clear(what),
    open: async (name, detail) => (tabsRef ? tabsRef.open(name, detail) : false),
  };

  const setRuns = (runs: Run[]): void => {
    const st = store.get();
    const oldestFirst = [...runs].sort((a, b) => a.started - b.started).map((r) => r.id);
    const colors = assignColors(oldestFirst);
    store.set({
      runs,
      loaded: true,
      colors: sameColors(colors, st.colors) ? st.colors : colors,
      selected: reconcileSelection(st.selected, runs, st.selectionPinned, DEFAULT_SELECTED),
    });
  };
  const loadRuns = async (): Promise<void> => {
    try {
      setRuns(await api.runs());
      banner.clear('runs');
    } catch (err) {
      banner.report(err, 'runs');
    }
  };

  const handles: PanelHandle[] = [];
  store.subscribe((change) => {
    if (change.changed.has('theme')) applyTheme(change.state.theme, true);
    if (['xAxis', 'smoothing', 'logScale'].some((k) => change.changed.has(k as keyof AppState))) {
      savePrefs({ xAxis: change.state.xAxis, smoothing: change.state.smoothing, logScale: change.state.logScale });
    }
    for (const handle of handles) handle.update?.(change);
  });
  bus.on('runs', (ev) => setRuns(ev.runs));
  bus.on('resync', () => void loadRuns());

  // The run list is requested alongside the registry: the first chart waits on both.
  const runsLoaded = loadRuns();
  let listed: PanelInfo[];
  try {
    listed = await api.panels();
  } catch (err) {
    // Without the registry the page still shows what it knows, in its own order.
    banner.report(err, 'panels');
    listed = PANELS.map((p) => ({ name: p.name, title: p.title, has_data: true }));
  }
  const known = new Map<string, Panel>(PANELS.map((p) => [p.name, p]));
  const tabs = new Tabs(main, ctx, handles, (err, what) => banner.report(err, what));
  tabsRef = tabs;
  for (const info of listed) {
    const panel = known.get(info.name);
    if (panel) tabs.add(panel, info.title || panel.title);
  }
  tabs.start();
  // A server that says which panels have data is asked again for the selected runs whenever the
  // selection or the run list changes; an older one is not.
  if (listed.some((p) => p.has_data !== undefined)) {
    tabs.showData(listed);
    let asked = 0;
    const ask = async (): Promise<void> => {
      const mine = ++asked;
      const selected = [...store.get().selected];
      try {
        const fresh = await api.panels(selected.length > 0 ? selected : undefined);
        if (mine === asked) tabs.showData(fresh);
        banner.clear('panels');
      } catch (err) {
        banner.report(err, 'panels');
      }
    };
    const askSoon = throttle(() => void ask(), 500);
    store.subscribe((change) => {
      if (change.changed.has('selected') || change.changed.has('runs')) askSoon();
    });
    await runsLoaded;
    askSoon();
  }

  await runsLoaded;
  connectStream(api.streamUrl(), bus);
  window.__loupe.ready = true;
}

void start();
