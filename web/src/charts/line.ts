/**
 * The line chart: a thin wrapper around uPlot that draws one raw (faint) and one smoothed line
 * per run, marks non-finite values, shows a tooltip with every run's value at the cursor and turns
 * a drag into a zoom request. It does not fetch; its owner decides what data to give it.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './line.css';
import { withAlpha } from '../colors';
import { h } from '../dom';
import { formatAxisDuration, formatClock, formatCompact, formatCount, formatDuration, formatNumber, formatTimestamp, formatWallTick } from '../format';
import type { XAxis } from '../state';
import type { ChartTheme } from '../theme';
import { alignLines, nearestIndex, nonFiniteNear, placeMarkers, type ColumnRef, type RunLine } from './chart-data';

export interface LineChartOptions {
  xAxis: XAxis;
  logY: boolean;
  theme: ChartTheme;
  height: number;
  /** Charts with the same key share one cursor. */
  syncKey: string;
  /** What the chart shows, for screen readers (the canvas's label). */
  label: string;
  onZoom(lo: number, hi: number): void;
  onResetZoom(): void;
  onDraw(): void;
}

export type XRange = readonly [number, number];

const RELATIVE_INCRS = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
  86400, 172800, 345600, 604800, 1209600, 2592000,
];
const MIN_DRAG_PX = 4;
const MARKER_HIT_PX = 5;
const OUT_OF_RANGE_PX = 8;

/** The cursor's x in the tooltip header. */
export function formatX(x: number, kind: XAxis): string {
  if (kind === 'relative') return formatDuration(x);
  if (kind === 'wall') return `${formatTimestamp(x).slice(0, 10)} ${formatClock(x)}`;
  return `step ${formatCount(x)}`;
}

export class LineChart {
  private u: uPlot | null = null;
  private lines: RunLine[] = [];
  private columns: ColumnRef[] = [];
  private signature = '';
  private zoom: XRange | null = null;
  private hovered = false;
  private readonly tooltip: HTMLDivElement;
  private readonly resizeObserver: ResizeObserver;
  private lastWidth = 0;

  constructor(
    private readonly root: HTMLElement,
    private opts: LineChartOptions,
  ) {
    this.tooltip = h('div', { class: 'chart-tooltip', role: 'status', hidden: true });
    this.root.appendChild(this.tooltip);
    this.resizeObserver = new ResizeObserver(() => this.fitWidth());
    this.resizeObserver.observe(this.root);
  }

  /** The plot area's width in CSS pixels: what the server should downsample to. */
  plotWidth(): number {
    if (this.u) return Math.max(50, Math.round(this.u.bbox.width / uPlot.pxRatio));
    return Math.max(50, this.root.clientWidth - 60);
  }

  /** Shows `lines`; keeps the x window at `zoom` when given, otherwise fits the data. */
  setLines(lines: RunLine[], zoom: XRange | null): void {
    this.lines = lines;
    this.zoom = zoom;
    const { data, columns } = alignLines(lines);
    this.columns = columns;
    const signature = JSON.stringify(columns.map((c) => [lines[c.run]?.id, lines[c.run]?.color, c.kind]));
    const aligned = data as uPlot.AlignedData;
    if (!this.u || signature !== this.signature) {
      this.signature = signature;
      this.rebuild(aligned);
      return;
    }
    this.u.setData(aligned, zoom === null);
    if (zoom) this.u.setScale('x', { min: zoom[0], max: zoom[1] });
  }

  /** Changes the axis kind, log scale or theme; the next `setLines` rebuilds the chart when any differs. */
  setOptions(patch: Pick<LineChartOptions, 'xAxis' | 'logY' | 'theme'>): void {
    const o = this.opts;
    if (o.xAxis === patch.xAxis && o.logY === patch.logY && JSON.stringify(o.theme) === JSON.stringify(patch.theme)) return;
    this.opts = { ...o, ...patch };
    this.signature = '';
  }

  /** Narrows the view at once (the owner then refetches that range at full resolution). */
  showRange(range: XRange | null): void {
    this.zoom = range;
    if (!this.u) return;
    if (range) this.u.setScale('x', { min: range[0], max: range[1] });
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.u?.destroy();
    this.u = null;
    this.tooltip.remove();
  }

  private fitWidth(): void {
    const width = this.root.clientWidth;
    if (!this.u || width === this.lastWidth || width === 0) return;
    this.lastWidth = width;
    this.u.setSize({ width, height: this.opts.height });
  }

  private rebuild(data: uPlot.AlignedData): void {
    const old = this.u;
    this.lastWidth = this.root.clientWidth;
    // Built before the old one goes, in the same task, so the card never shows an empty frame.
    const u = new uPlot(this.options(), data, (self, init) => {
      this.root.insertBefore(self.root, this.tooltip);
      const canvas = self.root.querySelector('canvas');
      canvas?.setAttribute('role', 'img');
      canvas?.setAttribute('aria-label', this.opts.label);
      init();
    });
    old?.destroy();
    this.u = u;
    if (this.zoom) u.setScale('x', { min: this.zoom[0], max: this.zoom[1] });
    this.keyboard(u);
    u.over.addEventListener('mouseenter', () => (this.hovered = true));
    u.over.addEventListener('mouseleave', () => {
      this.hovered = false;
      this.tooltip.hidden = true;
    });
  }

  private options(): uPlot.Options {
    const { theme, xAxis, logY } = this.opts;
    const smoothed = new Set(this.columns.filter((c) => c.kind === 'smooth').map((c) => c.run));
    const series: uPlot.Series[] = [{}];
    for (const c of this.columns) {
      const line = this.lines[c.run];
      if (!line) continue;
      const faint = c.kind === 'raw' && smoothed.has(c.run);
      series.push({
        label: c.kind === 'raw' ? line.label : `${line.label} (smoothed)`,
        stroke: faint ? withAlpha(line.color, 0.28) : line.color,
        width: c.kind === 'smooth' ? 1.75 : faint ? 1 : 1.5,
        points: { show: false },
        spanGaps: false,
      });
    }
    const axis = {
      stroke: theme.text,
      font: theme.font,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1, size: 4 },
    };
    const xValues = (u: uPlot, splits: number[]): string[] => {
      if (xAxis === 'relative') return splits.map(formatAxisDuration);
      if (xAxis === 'wall') {
        const span = (u.scales['x']?.max ?? 0) - (u.scales['x']?.min ?? 0);
        return splits.map((v) => formatWallTick(v, span));
      }
      return splits.map(formatCompact);
    };
    const yValues = (_u: uPlot, splits: number[]): string[] => splits.map((v) => (v === null ? '' : formatNumber(v)));
    return {
      width: Math.max(100, this.root.clientWidth),
      height: this.opts.height,
      padding: [10, 12, 0, 4],
      legend: { show: false },
      scales: {
        x: { time: xAxis === 'wall' },
        y: logY ? { distr: 3, log: 10 } : { distr: 1 },
      },
      axes: [
        {
          ...axis,
          space: xAxis === 'wall' ? 90 : 70,
          size: 30,
          values: xValues,
          ...(xAxis === 'relative' ? { incrs: RELATIVE_INCRS } : {}),
        },
        {
          ...axis,
          values: yValues,
          size: (_u: uPlot, values: string[] | null) => {
            const longest = Math.max(3, ...(values ?? []).map((v) => (v ?? '').length));
            return Math.ceil(longest * 6.5 + 16);
          },
        },
      ],
      series,
      cursor: {
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
        sync: {
          key: this.opts.syncKey,
          setSeries: false,
          // Share the crosshair only; a drag or double-click belongs to the chart it happened on.
          filters: { pub: (type: string) => type === 'mousemove' || type === 'mouseleave' || type === 'mouseenter' },
        },
        bind: {
          dblclick: () => () => {
            this.opts.onResetZoom();
            return null;
          },
        },
      },
      hooks: {
        draw: [(u) => this.drawMarkers(u), () => this.opts.onDraw()],
        setSelect: [(u) => this.onSelect(u)],
        setCursor: [(u) => this.updateTooltip(u)],
      },
    };
  }

  /**
   * The plot by keyboard: focused, the arrow keys move the readout along x, + zooms into the middle
   * half around it, - or Escape resets the zoom (as a double-click does).
   */
  private keyboard(u: uPlot): void {
    u.over.tabIndex = 0;
    u.over.setAttribute('role', 'group');
    u.over.setAttribute('aria-label', `${this.opts.label}: arrow keys read values, + zooms in, - or Escape resets`);
    u.over.addEventListener('keydown', (ev) => {
      const width = u.over.clientWidth;
      const at = u.cursor.left !== undefined && u.cursor.left >= 0 ? u.cursor.left : width;
      if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
        const step = Math.max(1, width / 50) * (ev.key === 'ArrowLeft' ? -1 : 1);
        u.setCursor({ left: Math.min(width, Math.max(0, at + step)), top: u.over.clientHeight / 2 });
      } else if (ev.key === '+' || ev.key === '=') {
        const lo = u.scales['x']?.min ?? 0;
        const hi = u.scales['x']?.max ?? 1;
        const mid = u.posToVal(Math.min(at, width), 'x');
        const half = (hi - lo) / 4;
        const range: XRange = [Math.max(lo, mid - half), Math.min(hi, mid + half)];
        this.showRange(range);
        this.opts.onZoom(range[0], range[1]);
      } else if (ev.key === '-' || ev.key === 'Escape') {
        this.opts.onResetZoom();
      } else {
        return;
      }
      ev.preventDefault();
    });
    u.over.addEventListener('blur', () => u.setCursor({ left: -10, top: -10 }));
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width < MIN_DRAG_PX) return;
    const lo = u.posToVal(left, 'x');
    const hi = u.posToVal(left + width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.showRange([lo, hi]);
    this.opts.onZoom(lo, hi);
  }

  private drawMarkers(u: uPlot): void {
    const { left, top, width, height } = u.bbox;
    const markers = placeMarkers(this.lines, (x) => u.valToPos(x, 'x', true), left, left + width);
    if (markers.length === 0) return;
    const ctx = u.ctx;
    const s = 5 * uPlot.pxRatio;
    ctx.save();
    ctx.fillStyle = this.opts.theme.marker;
    for (const m of markers) {
      ctx.beginPath();
      if (m.side === 'top') {
        ctx.moveTo(m.px - s, top);
        ctx.lineTo(m.px + s, top);
        ctx.lineTo(m.px, top + s * 1.6);
      } else {
        const y = top + height;
        ctx.moveTo(m.px - s, y);
        ctx.lineTo(m.px + s, y);
        ctx.lineTo(m.px, y - s * 1.6);
      }
      ctx.closePath();
      ctx.fill();
    }
    ctx.restore();
  }

  private updateTooltip(u: uPlot): void {
    const { left, top } = u.cursor;
    const focused = document.activeElement === u.over;  // the keyboard's readout
    if ((!this.hovered && !focused) || left === undefined || top === undefined || left < 0 || this.lines.length === 0) {
      this.tooltip.hidden = true;
      return;
    }
    const x = u.posToVal(left, 'x');
    const radius = Math.abs(u.posToVal(left + MARKER_HIT_PX, 'x') - x);
    const reach = Math.abs(u.posToVal(left + OUT_OF_RANGE_PX, 'x') - x);
    const nonfinite = nonFiniteNear(this.lines, x, radius);
    const rows: HTMLElement[] = [];
    this.lines.forEach((line, run) => {
      const i = nearestIndex(line.x, x);
      const si = nearestIndex(line.sx, x);
      const raw = i >= 0 ? line.y[i] ?? null : null;
      const smooth = si >= 0 ? line.sy[si] ?? null : null;
      const bad = nonfinite.get(run);
      const first = line.x[0];
      const last = line.x[line.x.length - 1];
      // A run that ended before the cursor (or starts after it) has no value there.
      const inRange = first !== undefined && last !== undefined && x >= first - reach && x <= last + reach;
      if (!inRange && !bad) return;
      const badText = bad
        ? [bad.nan && `NaN ×${bad.nan}`, bad.posinf && `+Inf ×${bad.posinf}`, bad.neginf && `−Inf ×${bad.neginf}`].filter(Boolean).join(' ')
        : '';
      rows.push(
        h(
          'div',
          { class: 'tt-row' },
          h('span', { class: 'swatch', style: `background:${line.color}` }),
          h('span', { class: 'tt-name' }, line.label),
          inRange ? h('span', { class: 'tt-value' }, formatNumber(line.sx.length > 0 ? smooth : raw)) : null,
          inRange && line.sx.length > 0 ? h('span', { class: 'tt-raw', title: 'raw' }, formatNumber(raw)) : null,
          badText ? h('span', { class: 'tt-bad' }, badText) : null,
        ),
      );
    });
    this.tooltip.replaceChildren(h('div', { class: 'tt-x' }, formatX(x, this.opts.xAxis)), ...rows);
    this.tooltip.hidden = false;
    const over = u.over;
    const box = this.root.getBoundingClientRect();
    const ob = over.getBoundingClientRect();
    const tw = this.tooltip.offsetWidth;
    const th = this.tooltip.offsetHeight;
    const cx = ob.left - box.left + left;
    const cy = ob.top - box.top + top;
    let tx = cx + 14;
    if (tx + tw > box.width) tx = Math.max(0, cx - tw - 14);
    const ty = Math.min(Math.max(0, cy - th / 2), Math.max(0, box.height - th));
    this.tooltip.style.transform = `translate(${Math.round(tx)}px, ${Math.round(ty)}px)`;
  }
}
