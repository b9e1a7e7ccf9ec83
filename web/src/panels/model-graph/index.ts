/**
 * The model graph: a layered DAG (dagre) of the logged model, containers folded into boxes that
 * expand on click (and fold again from their cluster's label), tensor shapes on the edges,
 * parameters and FLOPs on hover, search by name, wheel zoom and drag to pan.
 */
import { h, icon, ICONS, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { insightApi, type ModelGraph } from '../insight/api';
import { compact, shape } from '../insight/format';
import { RunPicker } from '../insight/picker';
import '../insight/style.css';
import { buildView, layout, prefixes, type ViewNode } from './view';
import './style.css';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * An SVG element that acts as a button, named by its text: focusable, and run by a click, Enter or
 * Space; `aria-expanded` says whether it folds (true) or unfolds (false) its module.
 */
function onActivate(el: SVGElement, expanded: boolean, run: () => void): void {
  el.setAttribute('role', 'button');
  el.setAttribute('tabindex', '0');
  el.setAttribute('aria-expanded', String(expanded));
  el.addEventListener('click', run);
  el.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    ev.preventDefault();
    run();
  });
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = insightApi(ctx.api);
  let graph: ModelGraph | null = null;
  let expanded = new Set<string>();
  let request = 0;
  const search = h('input', { class: 'input', type: 'search', placeholder: 'Find a module', 'aria-label': 'Find a module', 'data-testid': 'graph-search', spellcheck: 'false' });
  const expandAll = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'graph-expand-all' }, 'Expand all');
  const collapseAll = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', 'data-testid': 'graph-collapse-all' }, 'Collapse all');
  const fit = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, 'Fit');
  const info = h('span', { class: 'muted small', 'data-testid': 'graph-info' });
  const picker = new RunPicker(ctx, () => void load(), 'graph');
  const toolbar = h('div', { class: 'toolbar' }, picker.el, h('label', { class: 'search' }, icon(ICONS.search, 14), search), expandAll, collapseAll, fit, h('span', { class: 'spacer' }), info);
  const empty = h('div', { class: 'empty', 'data-testid': 'graph-empty' }, 'Loading…');
  // A group, not an image: its folded modules and the labels of unfolded ones are buttons.
  const svgEl = svg('svg', { class: 'graph-svg', 'data-testid': 'graph-svg', role: 'group', 'aria-label': 'Model graph', tabindex: '0' });
  const viewport = svg('g');
  svgEl.append(viewport);
  const tip = h('div', { class: 'graph-tip', hidden: true, 'data-testid': 'graph-tip' });
  const stage = h('div', { class: 'graph-stage' }, svgEl, tip);
  root.append(toolbar, empty, stage);

  let zoom = { k: 1, x: 0, y: 0 };
  let size = { w: 1, h: 1 };
  const apply = (): void => viewport.setAttribute('transform', `translate(${zoom.x},${zoom.y}) scale(${zoom.k})`);
  const fitView = (): void => {
    const w = stage.clientWidth || 800;
    const hgt = stage.clientHeight || 600;
    const k = Math.min(1.2, w / size.w, Math.max(hgt / size.h, Math.min(1, 700 / size.h)));
    zoom = { k, x: (w - size.w * k) / 2, y: 8 };
    apply();
  };
  svgEl.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const r = svgEl.getBoundingClientRect();
    const mx = ev.clientX - r.left;
    const my = ev.clientY - r.top;
    const f = Math.exp(-ev.deltaY * 0.0015);
    const k = Math.min(4, Math.max(0.05, zoom.k * f));
    zoom = { k, x: mx - ((mx - zoom.x) * k) / zoom.k, y: my - ((my - zoom.y) * k) / zoom.k };
    apply();
  }, { passive: false });
  let drag: { x: number; y: number; zx: number; zy: number } | null = null;
  svgEl.addEventListener('pointerdown', (ev) => {
    if ((ev.target as Element).closest('.graph-node, .graph-cluster-label')) return;
    drag = { x: ev.clientX, y: ev.clientY, zx: zoom.x, zy: zoom.y };
    svgEl.setPointerCapture(ev.pointerId);
  });
  svgEl.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    zoom = { ...zoom, x: drag.zx + ev.clientX - drag.x, y: drag.zy + ev.clientY - drag.y };
    apply();
  });
  svgEl.addEventListener('pointerup', () => (drag = null));
  // The keyboard's pan and zoom, on the focused graph: arrows move, + and - zoom about the centre.
  svgEl.addEventListener('keydown', (ev) => {
    if (ev.target !== svgEl) return;
    const step = 60;
    const pan: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const by = pan[ev.key];
    const f = ev.key === '+' || ev.key === '=' ? 1.25 : ev.key === '-' ? 0.8 : 0;
    if (by) {
      zoom = { ...zoom, x: zoom.x + by[0], y: zoom.y + by[1] };
    } else if (f) {
      const k = Math.min(4, Math.max(0.05, zoom.k * f));
      const cx = stage.clientWidth / 2;
      const cy = stage.clientHeight / 2;
      zoom = { k, x: cx - ((cx - zoom.x) * k) / zoom.k, y: cy - ((cy - zoom.y) * k) / zoom.k };
    } else {
      return;
    }
    ev.preventDefault();
    apply();
  });

  const showTip = (n: ViewNode, ev: MouseEvent): void => {
    tip.replaceChildren(h('div', {},
      h('div', { class: 'graph-tip-title' }, n.path || n.label),
      h('div', { class: 'muted' }, n.sub || n.kind),
      n.shape ? h('div', {}, `output ${shape(n.shape)}`) : null,
      h('div', {}, `params ${compact(n.params)} · FLOPs ${compact(n.flops)}`),
      n.kind === 'group' ? h('div', { class: 'muted' }, `${n.members} ops · click to expand`) : null,
    ));
    const r = stage.getBoundingClientRect();
    tip.style.left = `${Math.min(ev.clientX - r.left + 12, r.width - 220)}px`;
    tip.style.top = `${ev.clientY - r.top + 12}px`;
    tip.hidden = false;
  };

  const render = (): void => {
    if (!graph) return;
    const t0 = performance.now();
    const view = buildView(graph, expanded);
    const placed = layout(view);
    size = { w: Math.max(placed.width, 1), h: Math.max(placed.height, 1) };
    const query = search.value.trim().toLowerCase();
    const edgeLayer = svg('g', { class: 'graph-edges' });
    const clusterLayer = svg('g');
    const nodeLayer = svg('g');
    const byId = new Map(view.nodes.map((n) => [n.id, n]));
    const clusterPaths = [...placed.clusters.keys()].sort((a, b) => a.split('.').length - b.split('.').length);
    for (const path of clusterPaths) {
      const c = placed.clusters.get(path)!;
      const g = svg('g', { class: 'graph-cluster' });
      g.append(svg('rect', { x: c.x - c.w / 2, y: c.y - c.h / 2, width: c.w, height: c.h, rx: 8 }));
      const label = svg('text', { class: 'graph-cluster-label', x: c.x - c.w / 2 + 8, y: c.y - c.h / 2 + 15 }, `▾ ${path}`);
      onActivate(label, true, () => {
        for (const p of [...expanded]) if (p === path || p.startsWith(`${path}.`)) expanded.delete(p);
        render();
      });
      g.append(label);
      clusterLayer.append(g);
    }
    for (const e of placed.edges) {
      if (e.points.length < 2) continue;
      const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
      edgeLayer.append(svg('path', { d, class: 'graph-edge', 'marker-end': 'url(#graph-arrow)' }));
      if (e.shape) {
        const mid = e.points[Math.floor(e.points.length / 2)]!;
        edgeLayer.append(svg('text', { class: 'graph-edge-label', x: mid.x + 5, y: mid.y - 2 }, shape(e.shape)));
      }
    }
    let matches = 0;
    for (const [id, p] of placed.nodes) {
      const n = byId.get(id)!;
      const hit = query !== '' && `${n.path} ${n.label} ${n.sub}`.toLowerCase().includes(query);
      if (hit) matches++;
      const g = svg('g', { class: `graph-node kind-${n.kind}${hit ? ' is-match' : ''}`, transform: `translate(${p.x - p.w / 2},${p.y - p.h / 2})`, 'data-testid': 'graph-node', 'data-node': id });
      g.append(svg('rect', { width: p.w, height: p.h, rx: n.kind === 'group' ? 8 : 5 }));
      g.append(svg('text', { class: 'graph-node-label', x: p.w / 2, y: n.sub ? 16 : 23 }, n.label));
      if (n.sub) g.append(svg('text', { class: 'graph-node-sub', x: p.w / 2, y: 30 }, n.kind === 'group' ? `${n.sub} ▸` : n.sub));
      g.addEventListener('mousemove', (ev) => showTip(n, ev));
      g.addEventListener('mouseleave', () => (tip.hidden = true));
      if (n.kind === 'group') {
        onActivate(g, false, () => {
          expanded.add(n.path);
          tip.hidden = true;
          render();
        });
      }
      nodeLayer.append(g);
    }
    const defs = svg('defs');
    const marker = svg('marker', { id: 'graph-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M0,0L10,5L0,10z', class: 'graph-arrow' }));
    defs.append(marker);
    viewport.replaceChildren(defs, clusterLayer, edgeLayer, nodeLayer);
    svgEl.dataset.nodes = String(view.nodes.length);
    setText(info, `${graph.method === 'fx' ? 'traced' : graph.method === 'hooks' ? 'from module hooks' : 'not traced'} · ${view.nodes.length} of ${graph.nodes.length} nodes${query ? ` · ${matches} match` : ''} · ${(performance.now() - t0).toFixed(0)} ms`);
  };

  const load = async (): Promise<void> => {
    const run = picker.run;
    const mine = ++request;
    if (!run) {
      setText(empty, 'Select a run that called run.log_model(model, example_input).');
      empty.hidden = false;
      stage.hidden = true;
      return;
    }
    try {
      const res = await api.graph(run, picker.model);
      if (mine !== request) return;
      picker.setModels(res.models, res.model);
      svgEl.setAttribute('aria-label', `Model graph of ${res.model}: arrow keys pan, + and - zoom`);
      graph = res.graph;
      expanded = new Set();
      empty.hidden = graph.nodes.length > 0;
      setText(empty, graph.error ? `The graph could not be built: ${graph.error}` : '');
      stage.hidden = graph.nodes.length === 0;
      render();
      fitView();
      ctx.clearError('model_graph');
    } catch (err) {
      if (mine !== request) return;
      graph = null;
      stage.hidden = true;
      empty.hidden = false;
      setText(empty, 'This run logged no model graph (run.log_model(model, example_input)).');
    }
  };

  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    if (graph && q) {
      // Unfold the containers of matching nodes so they can be seen.
      for (const n of graph.nodes) {
        const text = `${n.path ?? ''} ${n.label} ${n.type}`.toLowerCase();
        if (text.includes(q)) for (const p of prefixes(n.module)) expanded.add(p);
      }
    }
    render();
  });
  expandAll.addEventListener('click', () => {
    if (!graph) return;
    expanded = new Set(graph.modules.map((m) => m.path));
    render();
    fitView();
  });
  collapseAll.addEventListener('click', () => {
    expanded = new Set();
    render();
    fitView();
  });
  fit.addEventListener('click', fitView);
  void load();

  return {
    update(change) {
      if (change.changed.has('selected') || change.changed.has('runs')) {
        if (picker.sync()) void load();
      }
    },
    destroy() {
      request++;
      root.replaceChildren();
    },
  };
}

export const modelGraphPanel: Panel = { name: 'model_graph', title: 'Model graph', group: 'Model', mount };
