/**
 * Weight and gradient histograms over time for one layer: ridgelines (one curve per watched
 * step, oldest at the back) and shaded percentile bands (TensorBoard's distributions).
 */
import { h, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { insightApi, type Histograms } from '../insight/api';
import { sci } from '../insight/format';
import { cssVar, fitCanvas, RunPicker, watchedPanelHandle, viridis } from '../insight/picker';
import '../insight/style.css';

const PAD = { l: 56, r: 12, t: 10, b: 28 };

function axes(g: CanvasRenderingContext2D, w: number, hgt: number, x0: number, x1: number, xLabel: string): void {
  g.strokeStyle = cssVar('--chart-grid');
  g.fillStyle = cssVar('--chart-axis');
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'center';
  for (let i = 0; i <= 4; i++) {
    const x = PAD.l + ((w - PAD.l - PAD.r) * i) / 4;
    g.beginPath();
    g.moveTo(x, PAD.t);
    g.lineTo(x, hgt - PAD.b);
    g.stroke();
    g.fillText(sci(x0 + ((x1 - x0) * i) / 4), x, hgt - PAD.b + 14);
  }
  g.fillText(xLabel, PAD.l + (w - PAD.l - PAD.r) / 2, hgt - 2);
}

export function drawRidges(canvas: HTMLCanvasElement, d: Histograms, w: number, hgt: number): void {
  const g = fitCanvas(canvas, w, hgt);
  const n = d.steps.length;
  if (!n) return;
  axes(g, w, hgt, d.lo, d.hi, `${d.which === 'weights' ? 'weight' : 'gradient'} value`);
  const pick = Array.from(new Set(Array.from({ length: Math.min(28, n) }, (_, i) => Math.round((i * (n - 1)) / Math.max(1, Math.min(28, n) - 1)))));
  const rows = pick.length;
  const rowH = (hgt - PAD.t - PAD.b - 30) / Math.max(1, rows - 1 || 1);
  let peak = 1e-12;
  for (const i of pick) for (const v of d.density[i]!) peak = Math.max(peak, v ?? 0);
  const bins = d.density[0]!.length;
  const xs = (b: number): number => PAD.l + ((w - PAD.l - PAD.r) * (b + 0.5)) / bins;
  g.textAlign = 'right';
  pick.forEach((i, k) => {
    const base = PAD.t + 30 + k * rowH;
    g.beginPath();
    g.moveTo(xs(0), base);
    d.density[i]!.forEach((v, b) => g.lineTo(xs(b), base - ((v ?? 0) / peak) * 34));
    g.lineTo(xs(bins - 1), base);
    g.closePath();
    g.fillStyle = viridis(i / Math.max(1, n - 1));
    g.globalAlpha = 0.75;
    g.fill();
    g.globalAlpha = 1;
    g.strokeStyle = cssVar('--surface');
    g.lineWidth = 1;
    g.stroke();
    if (k % Math.max(1, Math.ceil(rows / 8)) === 0 || k === rows - 1) {
      g.fillStyle = cssVar('--chart-axis');
      g.fillText(String(d.steps[i]), PAD.l - 6, base + 3);
    }
  });
}

export function drawBands(canvas: HTMLCanvasElement, d: Histograms, w: number, hgt: number): void {
  const g = fitCanvas(canvas, w, hgt);
  const n = d.steps.length;
  if (!n) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of d.bands) for (const v of b) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi > lo)) hi = lo + 1;
  const s0 = d.steps[0]!;
  const s1 = d.steps[n - 1]! > s0 ? d.steps[n - 1]! : s0 + 1;
  const X = (s: number): number => PAD.l + ((w - PAD.l - PAD.r) * (s - s0)) / (s1 - s0);
  const Y = (v: number): number => hgt - PAD.b - ((hgt - PAD.t - PAD.b) * (v - lo)) / (hi - lo);
  axes(g, w, hgt, s0, s1, 'step');
  g.textAlign = 'right';
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    g.fillText(sci(v), PAD.l - 6, Y(v) + 3);
  }
  const accent = cssVar('--accent');
  for (const [a, b, alpha] of [[0, 8, 0.12], [1, 7, 0.2], [2, 6, 0.28], [3, 5, 0.36]] as const) {
    g.beginPath();
    d.steps.forEach((s, i) => (i ? g.lineTo(X(s), Y(d.bands[i]![b] ?? 0)) : g.moveTo(X(s), Y(d.bands[i]![b] ?? 0))));
    for (let i = n - 1; i >= 0; i--) g.lineTo(X(d.steps[i]!), Y(d.bands[i]![a] ?? 0));
    g.closePath();
    g.fillStyle = accent;
    g.globalAlpha = alpha;
    g.fill();
  }
  g.globalAlpha = 1;
  g.beginPath();
  d.steps.forEach((s, i) => (i ? g.lineTo(X(s), Y(d.bands[i]![4] ?? 0)) : g.moveTo(X(s), Y(d.bands[i]![4] ?? 0))));
  g.strokeStyle = accent;
  g.lineWidth = 1.6;
  g.stroke();
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = insightApi(ctx.api);
  let request = 0;
  let data: Histograms | null = null;
  const which = h('select', { class: 'select', 'aria-label': 'Weights or gradients', 'data-testid': 'hist-which' }, h('option', { value: 'weights' }, 'Weights'), h('option', { value: 'gradients' }, 'Gradients'));
  const layer = h('select', { class: 'select', 'aria-label': 'Layer', 'data-testid': 'hist-layer' });
  const picker = new RunPicker(ctx, () => void load(true), 'hist');
  const empty = h('div', { class: 'empty' }, 'Loading…');
  const ridges = h('canvas', { 'data-testid': 'hist-ridges', role: 'img', 'aria-label': 'Histogram ridgelines, one curve per watched step' });
  const bands = h('canvas', { 'data-testid': 'hist-bands', role: 'img', 'aria-label': 'Percentile bands over watched steps' });
  const grid = h('div', { class: 'insight-grid' },
    h('figure', { class: 'insight-card' }, h('figcaption', {}, 'Ridgelines', h('span', { class: 'muted small' }, ' · one curve per watched step')), ridges),
    h('figure', { class: 'insight-card' }, h('figcaption', {}, 'Percentiles', h('span', { class: 'muted small' }, ' · 0–100, 7–93, 16–84, 31–69, median')), bands));
  root.append(h('div', { class: 'toolbar' }, picker.el, h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Show'), which), h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Layer'), layer)), empty, grid);

  const draw = (): void => {
    if (!data) return;
    const w = Math.max(260, (grid.clientWidth - 16) / (grid.clientWidth > 760 ? 2 : 1) - 26);
    drawRidges(ridges, data, w, 300);
    drawBands(bands, data, w, 300);
    grid.dataset.steps = String(data.steps.length);
    grid.dataset.which = data.which;
  };
  const load = async (reset = false): Promise<void> => {
    const run = picker.run;
    const mine = ++request;
    if (!run) {
      setText(empty, 'Select a run that called run.watch(model).');
      empty.hidden = false;
      grid.hidden = true;
      return;
    }
    try {
      if (reset) picker.setModels(await api.watched(run));
      // A run that watched no model has nothing to ask for: straight to the empty state below.
      if (!picker.model) throw new Error('no watched model');
      const res = await api.histograms(run, picker.model, which.value, reset ? undefined : layer.value || undefined);
      if (mine !== request) return;
      data = res;
      if (layer.options.length !== res.layers.length || reset) layer.replaceChildren(...res.layers.map((l) => h('option', { value: l }, l)));
      layer.value = res.layer;
      empty.hidden = res.steps.length > 0;
      setText(empty, res.steps.length ? '' : 'No statistics for this layer yet.');
      grid.hidden = res.steps.length === 0;
      draw();
      ctx.clearError('histograms');
    } catch {
      if (mine !== request) return;
      data = null;
      grid.hidden = true;
      empty.hidden = false;
      setText(empty, 'This run watched no model (run.watch(model, every=N)).');
    }
  };
  which.addEventListener('change', () => void load());
  layer.addEventListener('change', () => void load());
  const ro = new ResizeObserver(() => draw());
  ro.observe(grid);
  void load(true);
  return watchedPanelHandle({
    root, picker, observer: ro,
    reload: () => void load(true),
    redraw: () => draw(),
    cancel: () => { request++; },
  });
}

export const histogramsPanel: Panel = { name: 'histograms', title: 'Weights and gradients', group: 'Training health', mount };
