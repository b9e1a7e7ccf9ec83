/**
 * Gradient flow at one watched step: per layer, max |g| (light) and mean |g| (dark) bars on a log
 * axis, with the vanishing and exploding zones shaded; a step slider walks through time.
 */
import { h, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { insightApi, type GradientFlow } from '../insight/api';
import { sci } from '../insight/format';
import { cssVar, fitCanvas, RunPicker, watchedPanelHandle } from '../insight/picker';
import '../insight/style.css';

export function draw(canvas: HTMLCanvasElement, d: GradientFlow, w: number, hgt: number): void {
  const g = fitCanvas(canvas, w, hgt);
  const pad = { l: 56, r: 10, t: 12, b: 110 };
  const vals = [...d.max_abs, ...d.mean_abs].filter((v): v is number => v !== null && v > 0);
  const lo = Math.log10(Math.min(d.zones.vanishing / 10, ...vals));
  const hi = Math.log10(Math.max(d.zones.exploding * 10, ...vals));
  const Y = (v: number): number => hgt - pad.b - ((hgt - pad.t - pad.b) * (Math.log10(Math.max(v, 10 ** lo)) - lo)) / (hi - lo);
  const n = d.layers.length;
  const bw = (w - pad.l - pad.r) / Math.max(1, n);
  g.fillStyle = 'rgba(253,174,107,0.22)';
  g.fillRect(pad.l, Y(d.zones.vanishing), w - pad.l - pad.r, hgt - pad.b - Y(d.zones.vanishing));
  g.fillStyle = 'rgba(222,45,38,0.14)';
  g.fillRect(pad.l, pad.t, w - pad.l - pad.r, Y(d.zones.exploding) - pad.t);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = cssVar('--chart-axis');
  g.textAlign = 'right';
  g.strokeStyle = cssVar('--chart-grid');
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e += Math.max(1, Math.round((hi - lo) / 6))) {
    const y = Y(10 ** e);
    g.beginPath();
    g.moveTo(pad.l, y);
    g.lineTo(w - pad.r, y);
    g.stroke();
    g.fillText(`1e${e}`, pad.l - 6, y + 3);
  }
  g.textAlign = 'left';
  g.fillStyle = '#d9480f';
  g.fillText('vanishing', pad.l + 4, hgt - pad.b - 4);
  g.fillStyle = '#c92a2a';
  g.fillText('exploding', pad.l + 4, pad.t + 12);
  const accent = cssVar('--accent');
  d.layers.forEach((name, i) => {
    const x = pad.l + i * bw;
    const mx = d.max_abs[i];
    const mean = d.mean_abs[i];
    if (mx !== null && mx !== undefined) {
      g.fillStyle = accent;
      g.globalAlpha = 0.3;
      g.fillRect(x + bw * 0.1, Y(mx), bw * 0.8, hgt - pad.b - Y(mx));
    }
    if (mean !== null && mean !== undefined) {
      g.globalAlpha = 1;
      g.fillStyle = accent;
      g.fillRect(x + bw * 0.28, Y(mean), bw * 0.44, hgt - pad.b - Y(mean));
    }
    g.globalAlpha = 1;
    if (bw >= 9 || i % Math.ceil(9 / bw) === 0) {
      g.save();
      g.translate(x + bw / 2 + 3, hgt - pad.b + 6);
      g.rotate(-Math.PI / 3);
      g.fillStyle = cssVar('--text-muted');
      g.textAlign = 'right';
      g.fillText(name.length > 22 ? `…${name.slice(-21)}` : name, 0, 0);
      g.restore();
    }
  });
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = insightApi(ctx.api);
  let request = 0;
  let data: GradientFlow | null = null;
  const picker = new RunPicker(ctx, () => void load(undefined, true), 'gradflow');
  const slider = h('input', { type: 'range', class: 'range', min: '0', max: '0', step: '1', 'aria-label': 'Step', 'data-testid': 'gradflow-step' });
  const stepLabel = h('output', { class: 'mono small' });
  const total = h('span', { class: 'muted small', 'data-testid': 'gradflow-total' });
  const canvas = h('canvas', { 'data-testid': 'gradflow-canvas', role: 'img', 'aria-label': 'Mean and max absolute gradient per layer, log scale' });
  const empty = h('div', { class: 'empty' }, 'Loading…');
  const card = h('figure', { class: 'insight-card' }, h('figcaption', {}, 'Mean and max |gradient| per layer ', total), canvas);
  root.append(h('div', { class: 'toolbar' }, picker.el, h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Step'), slider, stepLabel)), empty, card);

  const redraw = (): void => {
    if (data) draw(canvas, data, Math.max(300, card.clientWidth - 26), 380);
  };
  const load = async (step?: number, reset = false): Promise<void> => {
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
      const res = await api.gradientFlow(run, picker.model, step);
      if (mine !== request) return;
      data = res;
      slider.max = String(res.steps.length - 1);
      slider.value = String(res.steps.indexOf(res.step));
      setText(stepLabel, String(res.step));
      const i = res.total.steps.indexOf(res.step);
      setText(total, i >= 0 ? `· total norm ${sci(res.total.norm[i])}` : '');
      empty.hidden = true;
      card.hidden = false;
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
  slider.addEventListener('input', () => {
    const s = data?.steps[Number(slider.value)];
    if (s !== undefined) void load(s);
  });
  const ro = new ResizeObserver(redraw);
  ro.observe(card);
  void load(undefined, true);
  return watchedPanelHandle({
    root, picker, observer: ro,
    reload: () => void load(undefined, true),
    redraw: () => redraw(),
    cancel: () => { request++; },
  });
}

export const gradientFlowPanel: Panel = { name: 'gradient_flow', title: 'Gradient flow', group: 'Training health', mount };
