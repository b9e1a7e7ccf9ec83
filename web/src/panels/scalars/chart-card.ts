/**
 * One tag's chart card: it fetches the tag's series for the selected runs (the whole range, or
 * the zoomed range at full resolution), keeps the last response, and redraws from it when only
 * presentation changes (smoothing, colours, relative vs wall time).
 */
import { isReadable, type ApiClient, type Series, type ServerX } from '../../api';
import { lastX, prepareRun, type RunLine } from '../../charts/chart-data';
import { LineChart, type XRange } from '../../charts/line';
import { h, icon, ICONS, setText } from '../../dom';
import type { AppState, StateChange, Store, XAxis } from '../../state';
import { chartTheme } from '../../theme';
import { throttle, type Limiter, type Throttled } from '../../throttle';

export interface CardDeps {
  api: ApiClient;
  state: Store<AppState>;
  limiter: Limiter;
  reportError(error: unknown, what: string): void;
  clearError(what: string): void;
  /** Called after every draw of this card's chart. */
  onDrawn(): void;
}

/** Live updates refetch a chart at most this often. */
const REFRESH_MS = 500;

function serverX(axis: XAxis): ServerX {
  return axis === 'step' ? 'step' : 'wall';
}

function chartHeight(): number {
  return window.matchMedia?.('(max-width: 640px)').matches ? 190 : 220;
}

export class ChartCard {
  readonly el: HTMLElement;
  private readonly canvasEl: HTMLElement;
  private readonly emptyEl: HTMLElement;
  private readonly zoomBtn: HTMLButtonElement;
  private chart: LineChart | null = null;
  private runs: string[] = [];
  private data: Series[] | null = null;
  private dataX: ServerX | null = null;
  private zoom: XRange | null = null;
  private visible = false;
  private stale = true;
  private inflight: AbortController | null = null;
  private readonly refreshThrottled: Throttled;
  private pending: { count: number; lastX: number | null; theme: string } | null = null;
  private drawnLabels = '';

  constructor(
    readonly tag: string,
    private readonly deps: CardDeps,
  ) {
    this.zoomBtn = h('button', { class: 'btn btn-ghost btn-xs', type: 'button', title: 'Reset zoom (or double-click the chart)', hidden: true });
    this.zoomBtn.append(icon(ICONS.reset, 13), 'Reset');
    this.zoomBtn.addEventListener('click', () => this.resetZoom());
    this.canvasEl = h('div', { class: 'chart-canvas', 'data-testid': 'chart-canvas' });
    this.emptyEl = h('div', { class: 'chart-empty', hidden: true }, 'No finite values in range');
    this.el = h(
      'article',
      { class: 'card chart-card is-loading', 'data-testid': 'chart-card', 'data-tag': tag, 'data-series-count': '0' },
      h('header', { class: 'chart-head' }, h('h3', { class: 'chart-title', title: tag }, tag), this.zoomBtn),
      this.canvasEl,
      this.emptyEl,
    );
    this.refreshThrottled = throttle(() => void this.fetchNow(this.data === null), REFRESH_MS);
  }

  /** The selected runs that have this tag; a change refetches. */
  setRuns(runs: string[]): void {
    const same = runs.length === this.runs.length && runs.every((r, i) => r === this.runs[i]);
    if (same && this.data) return;
    this.runs = runs;
    this.refresh();
  }

  hasRun(run: string): boolean {
    return this.runs.includes(run);
  }

  /** Hidden cards (collapsed group, filtered out) do not fetch until shown. */
  setVisible(visible: boolean): void {
    this.el.hidden = !visible;
    if (visible === this.visible) return;
    this.visible = visible;
    if (!visible) return;
    if (this.stale) this.refresh();
    else this.render();
  }

  /** Refetch soon, at most once per REFRESH_MS. */
  refresh(): void {
    this.stale = true;
    if (this.visible) this.refreshThrottled();
  }

  onState(change: StateChange<AppState>): void {
    const c = change.changed;
    if (c.has('xAxis')) {
      this.zoom = null;
      this.zoomBtn.hidden = true;
      // Step and wall data differ: keep showing the old chart until the new data arrives.
      if (serverX(change.state.xAxis) !== this.dataX) {
        this.refresh();
        return;
      }
    }
    const redraw: Array<keyof AppState> = ['xAxis', 'smoothing', 'logScale', 'theme', 'colors', 'selected'];
    // A run list update (every status or summary change) redraws only when a label or start moved.
    if (redraw.some((k) => c.has(k)) || (c.has('runs') && this.labelsKey(change.state) !== this.drawnLabels)) this.render();
  }

  destroy(): void {
    this.refreshThrottled.cancel();
    this.inflight?.abort();
    this.chart?.destroy();
    this.el.remove();
  }

  private resetZoom(): void {
    if (!this.zoom) return;
    this.zoom = null;
    this.zoomBtn.hidden = true;
    void this.fetchNow(true);
  }

  private onZoom(lo: number, hi: number): void {
    this.zoom = [lo, hi];
    this.zoomBtn.hidden = false;
    void this.fetchNow(true);
  }

  /** `busy` shows the loading bar: for first loads and zooms, not for live refreshes (no flicker). */
  private async fetchNow(busy: boolean): Promise<void> {
    if (!this.visible) {
      this.stale = true;
      return;
    }
    this.inflight?.abort();
    const ctrl = new AbortController();
    this.inflight = ctrl;
    this.stale = false;
    const { xAxis, runs: allRuns } = this.deps.state.get();
    const x = serverX(xAxis);
    const zoom = this.zoom;
    const width = this.chart?.plotWidth() ?? Math.max(100, this.canvasEl.clientWidth - 60);
    const { api, limiter } = this.deps;
    if (this.runs.length === 0) {
      this.data = [];
      this.dataX = x;
      this.render();
      return;
    }
    if (busy) this.el.classList.add('is-loading');
    try {
      let series: Series[];
      if (zoom && xAxis === 'relative') {
        // Relative time shifts each run by its own start, so each run needs its own wall range.
        const started = new Map(allRuns.map((r) => [r.id, r.started]));
        const parts = await Promise.all(
          this.runs.map((id) => {
            const t0 = started.get(id) ?? 0;
            return limiter.run(() =>
              api.series({ tag: this.tag, runs: [id], x, width, lo: zoom[0] + t0, hi: zoom[1] + t0 }, ctrl.signal),
            );
          }),
        );
        series = parts.flatMap((p) => p.series).filter(isReadable);
      } else {
        const res = await limiter.run(() =>
          api.series(
            { tag: this.tag, runs: this.runs, x, width, ...(zoom ? { lo: zoom[0], hi: zoom[1] } : {}) },
            ctrl.signal,
          ),
        );
        // A run whose series could not be read is left off; the other runs still draw.
        series = res.series.filter(isReadable);
      }
      if (this.inflight !== ctrl) return;
      this.data = series;
      this.dataX = x;
      this.deps.clearError('scalars');
      this.render();
    } catch (err) {
      if (ctrl.signal.aborted) return;
      this.stale = true;
      if (!this.data) {
        setText(this.emptyEl, 'Could not load this chart');
        this.emptyEl.hidden = false;
      }
      this.deps.reportError(err, 'scalars');
    } finally {
      if (this.inflight === ctrl) {
        this.inflight = null;
        this.el.classList.remove('is-loading');
      }
    }
  }

  private lines(st: AppState): RunLine[] {
    if (!this.data) return [];
    const order = new Map(st.runs.map((r, i) => [r.id, i]));
    const byId = new Map(st.runs.map((r) => [r.id, r]));
    return this.data
      .filter((s) => st.selected.has(s.run))
      // Oldest first, so the newest run is drawn on top.
      .sort((a, b) => (order.get(b.run) ?? -1) - (order.get(a.run) ?? -1))
      .map((s) => {
        const run = byId.get(s.run);
        return prepareRun(
          s,
          { id: s.run, label: run?.name ?? s.run, color: st.colors.get(s.run) ?? '#888888' },
          { offset: st.xAxis === 'relative' ? run?.started ?? 0 : 0, smoothing: st.smoothing, logY: st.logScale },
        );
      });
  }

  private labelsKey(st: AppState): string {
    return st.runs
      .filter((r) => this.runs.includes(r.id))
      .map((r) => `${r.id}\u0000${r.name}\u0000${r.started}`)
      .join('\u0001');
  }

  private render(): void {
    const st = this.deps.state.get();
    this.drawnLabels = this.labelsKey(st);
    if (!this.data || this.dataX !== serverX(st.xAxis) || !this.visible) return;
    const lines = this.lines(st);
    const drawn = lines.filter((l) => l.x.length > 0 || l.nonfinite.length > 0);
    setText(this.emptyEl, lines.length === 0 ? 'No data for the selected runs' : 'No finite values in range');
    this.emptyEl.hidden = lines.some((l) => l.y.some((v) => v !== null));
    this.pending = { count: drawn.length, lastX: lastX(lines), theme: st.theme };
    if (!this.chart) {
      this.chart = new LineChart(this.canvasEl, {
        xAxis: st.xAxis,
        logY: st.logScale,
        theme: chartTheme(),
        height: chartHeight(),
        syncKey: 'torchloupe-scalars',
        label: `Line chart of ${this.tag} for the selected runs`,
        onZoom: (lo, hi) => this.onZoom(lo, hi),
        onResetZoom: () => this.resetZoom(),
        onDraw: () => this.afterDraw(),
      });
    }
    this.chart.setOptions({ xAxis: st.xAxis, logY: st.logScale, theme: chartTheme() });
    this.chart.setLines(lines, this.zoom);
  }

  /** The test hooks describe what is on the canvas, so they are written when it is drawn. */
  private afterDraw(): void {
    if (this.pending) {
      this.el.dataset['seriesCount'] = String(this.pending.count);
      this.el.dataset['lastX'] = this.pending.lastX === null ? '' : String(this.pending.lastX);
      this.el.dataset['theme'] = this.pending.theme;
      this.pending = null;
    }
    this.el.classList.remove('is-loading');
    this.deps.onDrawn();
  }
}
