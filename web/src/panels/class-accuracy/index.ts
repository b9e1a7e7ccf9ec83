/**
 * Per-class accuracy over time: for one run and split, a line per true class across the steps the
 * run logged predictions for, with the overall accuracy dashed. The legend lists the classes worst
 * first; hovering or focusing a class brings its line forward, and clicking it opens the confusion
 * matrix on that class's row. The body's `data-state` is `loading`, `ready`, `empty` or `error`.
 */
import { PALETTE } from '../../colors';
import { h, setText } from '../../dom';
import type { RouteBody } from '../../api';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { change, lastValue, linePath, nearestStep, worstFirst, xScale, yScale, type Box, type ClassAccuracy } from './model';
import './style.css';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 280;
const EMPTY = 'No predictions for the selected runs: log them with run.log_predictions(targets, logits, split=...) and this panel shows each class over time.';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const colorOf = (c: number): string => PALETTE[c % PALETTE.length] ?? '#888';

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  let request = 0;
  let data: ClassAccuracy | null = null;
  let available: RouteBody<'class_accuracy/runs'>['runs'] = [];
  const runSel = h('select', { class: 'select', 'aria-label': 'Run', 'data-testid': 'ca-run' });
  const splitSel = h('select', { class: 'select', 'aria-label': 'Split', 'data-testid': 'ca-split' });
  const readout = h('output', { class: 'muted small mono', 'data-testid': 'ca-readout' });
  const chart = svg('svg', { class: 'ca-chart', role: 'img', 'data-testid': 'ca-chart' });
  const title = svg('title', {});
  chart.append(title);
  const legend = h('ul', { class: 'ca-legend', 'aria-label': 'Classes, worst final accuracy first', 'data-testid': 'ca-legend' });
  const empty = h('div', { class: 'empty', 'data-testid': 'class_accuracy-empty' }, 'Loading…');
  const body = h('div', { class: 'ca-body', 'data-testid': 'class_accuracy-body', 'data-state': 'loading' },
    h('figure', { class: 'ca-figure' }, chart, h('figcaption', { class: 'small muted' }, 'Accuracy of each true class at every logged step; dashed: all classes. ', readout)),
    legend);
  root.append(
    h('div', { class: 'toolbar' },
      h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Run'), runSel),
      h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Split'), splitSel)),
    empty, body);

  const lines = new Map<number, SVGPathElement>();
  const box = (): Box => ({ width: Math.max(280, body.clientWidth || 600), height: HEIGHT, left: 44, right: 12, top: 10, bottom: 28 });

  const highlight = (c: number | null): void => {
    chart.classList.toggle('has-focus', c !== null);
    for (const [k, el] of lines) el.classList.toggle('is-focus', k === c);
  };

  const draw = (): void => {
    if (!data) return;
    const d = data;
    const b = box();
    chart.setAttribute('viewBox', `0 0 ${b.width} ${b.height}`);
    chart.setAttribute('width', String(b.width));
    chart.setAttribute('height', String(b.height));
    chart.replaceChildren(title);
    setText(title, `Per-class accuracy of run ${d.run}, split ${d.split}, over ${d.steps.length} logged step${d.steps.length === 1 ? '' : 's'}`);
    const y = yScale(b);
    const x = xScale(d.steps, b);
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      chart.append(svg('line', { class: 'ca-grid', x1: b.left, x2: b.width - b.right, y1: y(v), y2: y(v) }));
      const t = svg('text', { class: 'ca-tick', x: b.left - 6, y: y(v) + 4, 'text-anchor': 'end' });
      t.textContent = `${v * 100}%`;
      chart.append(t);
    }
    const ticks = d.steps.length <= 6 ? d.steps : [0, 0.25, 0.5, 0.75, 1].map((f) => d.steps[Math.round(f * (d.steps.length - 1))]!);
    for (const s of new Set(ticks)) {
      const t = svg('text', { class: 'ca-tick', x: x(s), y: b.height - 8, 'text-anchor': 'middle' });
      t.textContent = String(s);
      chart.append(t);
    }
    lines.clear();
    d.accuracy.forEach((values, c) => {
      const p = svg('path', { class: 'ca-line', d: linePath(d.steps, values, b), 'data-class': c });
      p.style.stroke = colorOf(c);
      lines.set(c, p);
      chart.append(p);
    });
    chart.append(svg('path', { class: 'ca-overall', d: linePath(d.steps, d.overall, b) }));
    const rule = svg('line', { class: 'ca-rule', y1: b.top, y2: b.height - b.bottom, x1: -10, x2: -10 });
    chart.append(rule);
    chart.onpointermove = (ev) => {
      const r = chart.getBoundingClientRect();
      const i = nearestStep(d.steps, b, ((ev.clientX - r.left) / r.width) * b.width);
      if (i < 0) return;
      const s = d.steps[i]!;
      rule.setAttribute('x1', String(x(s)));
      rule.setAttribute('x2', String(x(s)));
      const worst = worstFirst({ ...d, accuracy: d.accuracy.map((v) => [v[i] ?? null]) })[0];
      setText(readout, `step ${s} · all ${pct(d.overall[i] ?? null)}${worst !== undefined ? ` · lowest ${d.class_names[worst]} ${pct(d.accuracy[worst]?.[i] ?? null)}` : ''}`);
    };
    chart.onpointerleave = () => setText(readout, '');

    const last = d.steps[d.steps.length - 1] ?? null;
    legend.replaceChildren(...worstFirst(d).map((c) => {
      const values = d.accuracy[c] ?? [];
      const delta = change(values);
      const swatch = h('span', { class: 'ca-swatch', 'aria-hidden': 'true' });
      swatch.style.background = colorOf(c);
      const button = h('button', {
        type: 'button', class: 'ca-class', 'data-testid': 'ca-class', 'data-class': c,
        // The visible text (class, last accuracy, change) is the accessible name; the title says what a click does.
        title: `${d.class_names[c]}: ${pct(lastValue(values))} at step ${last ?? '—'}${delta === null ? '' : `, ${delta >= 0 ? 'up' : 'down'} ${Math.abs(delta * 100).toFixed(1)} points since the first logged step`}. Open its row of the confusion matrix`,
      }, swatch, h('span', { class: 'ca-name' }, d.class_names[c] ?? String(c)),
      h('span', { class: 'ca-value mono' }, pct(lastValue(values))),
      h('span', { class: `ca-delta small mono${delta !== null && delta < 0 ? ' is-down' : ''}` },
        delta === null ? '' : `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)} pt`));
      for (const on of ['pointerenter', 'focus']) button.addEventListener(on, () => highlight(c));
      for (const off of ['pointerleave', 'blur']) button.addEventListener(off, () => highlight(null));
      button.addEventListener('click', () => {
        void ctx.open('confusion', { run: d.run, split: d.split, step: last, row: c });
      });
      return h('li', {}, button);
    }));
  };

  const show = (state: 'loading' | 'ready' | 'empty' | 'error', message?: string): void => {
    body.dataset.state = state;
    body.toggleAttribute('aria-busy', state === 'loading');
    body.hidden = state === 'empty' || state === 'error';
    empty.hidden = !message;
    if (message) setText(empty, message);
  };

  const loadData = async (): Promise<void> => {
    const mine = ++request;
    const run = runSel.value;
    const split = splitSel.value;
    if (!run || !split) {
      data = null;
      show('empty', EMPTY);
      return;
    }
    show('loading');
    try {
      const res = await ctx.api.getJson('class_accuracy', { run, split });
      if (mine !== request) return;
      data = res;
      body.dataset.run = run;
      draw();
      show('ready');
      ctx.clearError('class_accuracy');
    } catch (err) {
      if (mine !== request) return;
      show('error', 'Could not load the per-class accuracy.');
      ctx.reportError(err, 'class_accuracy');
    }
  };

  const fillSplits = (): void => {
    const entry = available.find((r) => r.run === runSel.value);
    const before = splitSel.value;
    splitSel.replaceChildren(...(entry?.splits ?? []).map((s) => h('option', { value: s }, s)));
    if (entry?.splits.includes(before)) splitSel.value = before;
    else if (entry?.splits.includes('test')) splitSel.value = 'test';
  };

  const loadRuns = async (): Promise<void> => {
    const st = ctx.state.get();
    const selected = st.runs.filter((r) => st.selected.has(r.id));
    const mine = ++request;
    if (selected.length === 0) {
      available = [];
      runSel.replaceChildren();
      show('empty', EMPTY);
      return;
    }
    try {
      const res = await ctx.api.getJson('class_accuracy/runs', { runs: selected.map((r) => r.id).join(',') });
      if (mine !== request) return;
      available = res.runs;
      const before = runSel.value;
      const names = new Map(selected.map((r) => [r.id, r.name]));
      runSel.replaceChildren(...available.map((r) => h('option', { value: r.run }, names.get(r.run) ?? r.run)));
      if (available.some((r) => r.run === before)) runSel.value = before;
      fillSplits();
      await loadData();
    } catch (err) {
      if (mine !== request) return;
      show('error', 'Could not list the runs with predictions.');
      ctx.reportError(err, 'class_accuracy');
    }
  };

  runSel.addEventListener('change', () => {
    fillSplits();
    void loadData();
  });
  splitSel.addEventListener('change', () => void loadData());
  const ro = new ResizeObserver(() => draw());
  ro.observe(body);
  const offResync = ctx.live.on('resync', () => void loadRuns());
  void loadRuns();
  return {
    update(change) {
      if (change.changed.has('runs') || change.changed.has('selected')) void loadRuns();
      else if (change.changed.has('theme')) draw();
    },
    destroy() {
      request++;
      ro.disconnect();
      offResync();
    },
  };
}

export const classAccuracyPanel: Panel = { name: 'class_accuracy', title: 'Per-class accuracy over time', group: 'Evaluation', mount };
