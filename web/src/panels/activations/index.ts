/**
 * Activation statistics per leaf layer over time: a layer × step heatmap of the chosen
 * statistic (mean, std, min, max, fraction of zeros, dead units, NaN/Inf), values on hover.
 */
import { h, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { insightApi, type Activations } from '../insight/api';
import { sci } from '../insight/format';
import { cssVar, fitCanvas, RunPicker, watchedPanelHandle, viridis } from '../insight/picker';
import '../insight/style.css';

const LABELS: Record<string, string> = { mean: 'Mean', std: 'Std', min: 'Min', max: 'Max', zeros: 'Fraction of zeros', dead: 'Dead units', nonfinite: 'NaN/Inf' };
const ROW = 18;
const LEFT = 190;

function draw(canvas: HTMLCanvasElement, d: Activations, stat: string, w: number): void {
  const z = d.stats[stat] ?? [];
  const hgt = 24 + d.layers.length * ROW;
  const g = fitCanvas(canvas, w, hgt);
  const cols = d.steps.length;
  const cw = (w - LEFT - 8) / Math.max(1, cols);
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of z) for (const v of row) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (stat === 'zeros' || stat === 'dead' || stat === 'nonfinite') {
    lo = 0;
    hi = 1;
  }
  if (!(hi > lo)) hi = lo + 1;
  g.font = '11px system-ui, sans-serif';
  const fractions = stat === 'zeros' || stat === 'dead' || stat === 'nonfinite';
  d.layers.forEach((name, i) => {
    // Fractions share one 0-1 scale; other statistics use each layer's own range, so that a
    // layer's drift shows even when another layer's values are far larger.
    let rlo = lo;
    let rhi = hi;
    if (!fractions) {
      const vals = z[i]!.filter((v): v is number => v !== null);
      rlo = Math.min(...vals);
      rhi = Math.max(...vals);
      if (!(rhi > rlo)) rhi = rlo + 1;
    }
    g.fillStyle = cssVar('--text-muted');
    g.textAlign = 'right';
    const label = `${name} · ${d.types[i]}`;
    g.fillText(label.length > 30 ? `…${label.slice(-29)}` : label, LEFT - 8, 14 + i * ROW + 12);
    z[i]!.forEach((v, j) => {
      g.fillStyle = v === null ? cssVar('--surface-2') : viridis((v - rlo) / (rhi - rlo));
      g.fillRect(LEFT + j * cw, 14 + i * ROW, Math.max(1, cw - 1), ROW - 2);
    });
  });
  g.fillStyle = cssVar('--chart-axis');
  g.textAlign = 'left';
  g.fillText(`step ${d.steps[0] ?? ''}`, LEFT, 10);
  g.textAlign = 'right';
  g.fillText(`step ${d.steps[cols - 1] ?? ''} · ${fractions ? 'scale 0 – 1' : `each layer on its own scale (all: ${sci(lo)} – ${sci(hi)})`}`, w - 8, 10);
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = insightApi(ctx.api);
  let request = 0;
  let data: Activations | null = null;
  const stat = h('select', { class: 'select', 'aria-label': 'Statistic', 'data-testid': 'act-stat' }, ...Object.entries(LABELS).map(([k, v]) => h('option', { value: k }, v)));
  const picker = new RunPicker(ctx, () => void load(true), 'act');
  const readout = h('span', { class: 'muted small mono', 'data-testid': 'act-readout' });
  const canvas = h('canvas', { 'data-testid': 'act-canvas', role: 'img', 'aria-label': 'Activation statistics per layer over time' });
  const empty = h('div', { class: 'empty' }, 'Loading…');
  const card = h('figure', { class: 'insight-card' }, h('figcaption', {}, 'Per layer over time ', readout), canvas);
  root.append(h('div', { class: 'toolbar' }, picker.el, h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Statistic'), stat)), empty, card);
  const redraw = (): void => {
    if (data) draw(canvas, data, stat.value, Math.max(320, card.clientWidth - 26));
  };
  canvas.addEventListener('mousemove', (ev) => {
    if (!data) return;
    const r = canvas.getBoundingClientRect();
    const i = Math.floor((ev.clientY - r.top - 14) / ROW);
    const cw = (r.width - LEFT - 8) / Math.max(1, data.steps.length);
    const j = Math.floor((ev.clientX - r.left - LEFT) / cw);
    const v = data.stats[stat.value]?.[i]?.[j];
    setText(readout, i >= 0 && j >= 0 && i < data.layers.length && j < data.steps.length ? `${data.layers[i]} · step ${data.steps[j]} · ${LABELS[stat.value]} ${sci(v)}` : '');
  });
  const load = async (reset = false): Promise<void> => {
    const run = picker.run;
    const mine = ++request;
    if (!run) {
      setText(empty, 'Select a run that called run.watch(model).');
      empty.hidden = false;
      card.hidden = true;
      return;
    }
    try {
      if (reset) picker.setModels(await api.watched(run));
      // A run that watched no model has nothing to ask for: straight to the empty state below.
      if (!picker.model) throw new Error('no watched model');
      const res = await api.activations(run, picker.model);
      if (mine !== request) return;
      data = res;
      empty.hidden = res.layers.length > 0;
      setText(empty, res.layers.length ? '' : 'No activation statistics (compiled models record parameters only).');
      card.hidden = res.layers.length === 0;
      card.dataset.layers = String(res.layers.length);
      redraw();
    } catch {
      if (mine !== request) return;
      data = null;
      card.hidden = true;
      empty.hidden = false;
      setText(empty, 'This run watched no model (run.watch(model, every=N)).');
    }
  };
  stat.addEventListener('change', redraw);
  const ro = new ResizeObserver(redraw);
  ro.observe(card);
  void load(true);
  return watchedPanelHandle({
    root, picker, observer: ro,
    reload: () => void load(true),
    redraw: () => redraw(),
    cancel: () => { request++; },
  });
}

export const activationsPanel: Panel = { name: 'activations', title: 'Activations', group: 'Training health', mount };
