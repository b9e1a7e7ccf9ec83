/** The model summary: every module with type, shapes, parameters, FLOPs and activation memory. */
import { h, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { insightApi, type ModelSummary } from '../insight/api';
import { bytes, compact, shape } from '../insight/format';
import { RunPicker } from '../insight/picker';
import '../insight/style.css';
import './style.css';

function table(s: ModelSummary, depth: number): HTMLElement {
  const head = h('tr', {}, ...['Module', 'Type', 'Input', 'Output', 'Params', 'Trainable', 'FLOPs', 'Act. memory'].map((t, i) => h('th', { class: i >= 4 ? 'num' : '' }, t)));
  const rows = s.rows.filter((r) => r.name !== '' && r.depth <= depth).map((r) =>
    h('tr', { class: r.leaf ? '' : 'is-container', 'data-testid': 'summary-row' },
      h('td', { class: 'mono', style: `padding-left:${(r.depth - 1) * 14 + 8}px` }, r.name.split('.').pop() ?? r.name),
      h('td', {}, r.type),
      h('td', { class: 'mono small' }, r.input_shapes.slice(0, 2).map(shape).join(', ')),
      h('td', { class: 'mono small' }, r.output_shapes.slice(0, 2).map(shape).join(', ')),
      h('td', { class: 'num' }, r.params ? compact(r.params) : '–'),
      h('td', { class: 'num' }, r.params ? compact(r.trainable) : '–'),
      h('td', { class: 'num' }, r.flops ? compact(r.flops) : '–'),
      h('td', { class: 'num' }, r.leaf && r.activation_bytes ? bytes(r.activation_bytes) : '')));
  const foot = h('tr', {}, h('td', {}, 'Total'), h('td', {}), h('td', { class: 'mono small' }, s.input_shapes.map(shape).join(', ')), h('td', {}),
    h('td', { class: 'num' }, compact(s.total_params)), h('td', { class: 'num' }, compact(s.trainable_params)),
    h('td', { class: 'num' }, compact(s.total_flops)), h('td', { class: 'num' }, bytes(s.activation_bytes)));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'insight-table', 'data-testid': 'summary-table' }, h('thead', {}, head), h('tbody', {}, ...rows), h('tfoot', {}, foot)));
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = insightApi(ctx.api);
  let request = 0;
  let models: { name: string; summary: ModelSummary }[] = [];
  const depthSel = h('select', { class: 'select', 'aria-label': 'Depth', 'data-testid': 'summary-depth' },
    ...[1, 2, 3, 99].map((d) => h('option', { value: String(d) }, d === 99 ? 'all levels' : `${d} level${d > 1 ? 's' : ''}`)));
  const picker = new RunPicker(ctx, () => void load(), 'summary');
  const cards = h('div', { class: 'summary-cards' });
  const empty = h('div', { class: 'empty' }, 'Loading…');
  const body = h('div');
  root.append(h('div', { class: 'toolbar' }, picker.el, h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Depth'), depthSel)), empty, cards, body);

  const render = (): void => {
    const chosen = models.find((m) => m.name === picker.model) ?? models[0];
    if (!chosen) return;
    const s = chosen.summary;
    const frozen = s.total_params - s.trainable_params;
    cards.replaceChildren(
      ...[
        ['Parameters', compact(s.total_params), frozen ? `${compact(frozen)} frozen` : 'all trainable'],
        ['FLOPs / forward', compact(s.total_flops), `input ${s.input_shapes.map(shape).join(', ')}`],
        ['Weights', bytes(s.param_bytes), `${s.rows.filter((r) => r.leaf && r.name).length} leaf modules`],
        ['Activations', bytes(s.activation_bytes), 'one forward pass'],
      ].map(([k, v, sub]) => h('div', { class: 'stat-card' }, h('div', { class: 'muted small' }, k!), h('div', { class: 'stat-value' }, v!), h('div', { class: 'muted small' }, sub!))),
    );
    body.replaceChildren(table(s, Number(depthSel.value)));
  };

  const load = async (): Promise<void> => {
    const run = picker.run;
    const mine = ++request;
    if (!run) {
      setText(empty, 'Select a run that called run.log_model(model, example_input).');
      empty.hidden = false;
      return;
    }
    try {
      const res = await api.summaries(run);
      if (mine !== request) return;
      models = res.models;
      picker.setModels(models.map((m) => m.name));
      empty.hidden = models.length > 0;
      setText(empty, 'This run logged no model (run.log_model(model, example_input)).');
      cards.hidden = body.hidden = models.length === 0;
      render();
      ctx.clearError('model_summary');
    } catch (err) {
      if (mine === request) ctx.reportError(err, 'model_summary');
    }
  };
  depthSel.addEventListener('change', render);
  picker.modelSel.addEventListener('change', render);
  void load();
  return {
    update(change) {
      if ((change.changed.has('selected') || change.changed.has('runs')) && picker.sync()) void load();
    },
    destroy() {
      request++;
      root.replaceChildren();
    },
  };
}

export const modelSummaryPanel: Panel = { name: 'model_summary', title: 'Model summary', group: 'Model', mount };
