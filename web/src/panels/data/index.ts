/**
 * The data panel: what `run.log_dataset` recorded for each split of a run. Class balance with the
 * difference between splits, samples per class (click a class to see all of its samples), mean
 * and standard-deviation images, value histograms per channel, sizes, and the suspicious samples:
 * near duplicates and likely-mislabelled examples. States when statistics come from a sample.
 */
import { h, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { categoryColor } from '../projector/colors';
import { className, countText, diffLevel, formatDiff, type Overview, samplingNote, shapeText, type SplitView } from './model';
import './style.css';

const ROW_THUMBS = 12;

function png(data: string, alt: string, cls = 'dp-img'): HTMLImageElement {
  // The server sends base64 PNG bytes it encoded itself; they only ever become an image source.
  return h('img', { class: cls, src: `data:image/png;base64,${data}`, alt, loading: 'lazy' });
}

function section(title: string, testid: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'dp-section', 'data-testid': testid }, h('h3', { class: 'dp-title' }, title), ...children);
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  let runsWithData: Record<string, string[]> = {};
  let view: Overview | null = null;
  let chosenClass: number | null = null;
  let chosenSplit = '';
  let request = 0;

  const runSel = h('select', { class: 'select', 'aria-label': 'Run', 'data-testid': 'data-run' });
  const splitSel = h('select', { class: 'select', 'aria-label': 'Split', 'data-testid': 'data-split' });
  const note = h('div', { class: 'dp-note small', 'data-testid': 'data-sampling-note', hidden: true });
  const toolbar = h('div', { class: 'toolbar' }, runSel, h('span', { class: 'muted small' }, 'Split'), splitSel);
  const empty = h('div', { class: 'empty', 'data-testid': 'data-empty' }, 'Loading datasets…');
  const body = h('div', { class: 'dp-body', 'data-testid': 'data-panel', hidden: true });
  root.append(toolbar, note, empty, body);

  const load = async (): Promise<void> => {
    const runs = [...ctx.state.get().selected];
    if (!runs.length) return showEmpty('Select a run to see its datasets.');
    try {
      runsWithData = (await ctx.api.getJson('data/runs', { runs: runs.join(',') })).runs;
      ctx.clearError('data');
    } catch (err) {
      ctx.reportError(err, 'data');
      return;
    }
    const ids = runs.filter((r) => runsWithData[r]);
    if (!ids.length) return showEmpty('No dataset logged in the selected runs. Record one with run.log_dataset(dataset, "train").');
    const names = new Map(ctx.state.get().runs.map((r) => [r.id, r.name]));
    const current = ids.includes(runSel.value) ? runSel.value : ids[0]!;
    runSel.replaceChildren(...ids.map((id) => h('option', { value: id, selected: id === current }, names.get(id) ?? id)));
    if (view?.run !== current) await loadRun(current);
  };

  const loadRun = async (run: string): Promise<void> => {
    const mine = ++request;
    try {
      const v = await ctx.api.getJson('data/overview', { run });
      if (mine !== request) return;
      view = v;
      ctx.clearError('data');
    } catch (err) {
      ctx.reportError(err, 'data');
      return;
    }
    const splits = view.splits.map((s) => s.split);
    if (!splits.includes(chosenSplit)) chosenSplit = splits[0] ?? '';
    splitSel.replaceChildren(...splits.map((s) => h('option', { value: s, selected: s === chosenSplit }, s)));
    render();
  };

  const showEmpty = (text: string): void => {
    setText(empty, text);
    empty.hidden = false;
    body.hidden = true;
    note.hidden = true;
  };

  const split = (): SplitView | undefined => view?.splits.find((s) => s.split === chosenSplit) ?? view?.splits[0];

  const render = (): void => {
    if (!view) return;
    const s = split();
    if (!s) return;
    empty.hidden = true;
    body.hidden = false;
    const notes = view.splits.map(samplingNote);
    note.hidden = false;
    note.replaceChildren(...notes.map((t, i) => h('div', { class: view!.splits[i]!.sampled ? 'dp-sampled' : '' }, t)));
    const parts: (HTMLElement | null)[] = [
      balanceSection(view),
      samplesSection(s),
      chosenClass === null ? null : classDetail(view, chosenClass),
      s.mean ? meanSection(s) : null,
      histogramSection(s),
      sizesSection(view),
      duplicatesSection(s),
      mislabelledSection(s),
    ];
    body.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  };

  const openClass = (k: number): void => {
    chosenClass = k;
    render();
    body.querySelector('[data-testid=class-samples]')?.scrollIntoView({ block: 'nearest', behavior: 'auto' });
  };

  const balanceSection = (v: Overview): HTMLElement => {
    const ref = v.balance.reference ?? '';
    const max = Math.max(1e-9, ...v.balance.classes.flatMap((c) => Object.values(c.shares)));
    const legend = h('div', { class: 'dp-legend small' }, ...v.balance.splits.map((sp, i) => {
      const dot = h('span', { class: 'dp-dot' });
      dot.style.background = categoryColor(i);
      return h('span', { class: 'dp-legend-item' }, dot, sp === ref ? `${sp} (reference)` : sp);
    }));
    const rows = v.balance.classes.map((c) => {
      const bars = h('div', { class: 'dp-bars' }, ...v.balance.splits.map((sp, i) => {
        const share = c.shares[sp] ?? 0;
        const bar = h('span', { class: 'dp-bar' });
        bar.style.width = `${(share / max) * 100}%`;
        bar.style.background = categoryColor(i);
        const diff = formatDiff(c.diff[sp] ?? 0, sp === ref);
        return h('div', { class: 'dp-bar-row', title: `${sp}: ${c.counts[sp] ?? 0} samples` },
          h('span', { class: 'dp-bar-track' }, bar),
          h('span', { class: 'dp-bar-value small mono' }, `${(share * 100).toFixed(1)}%`),
          h('span', { class: `dp-diff small mono dp-diff-${diffLevel(c.diff[sp] ?? 0)}` }, diff));
      }));
      const row = h('button', { type: 'button', class: 'dp-balance-row', 'data-testid': 'balance-row', 'data-class': c.class, 'aria-pressed': String(chosenClass === c.class) },
        h('span', { class: 'dp-class-name' }, c.name),
        h('span', { class: 'dp-class-count small muted mono' }, v.balance.splits.map((sp) => (c.counts[sp] ?? 0).toLocaleString('en-US')).join(' / ')),
        bars);
      row.addEventListener('click', () => openClass(c.class));
      return row;
    });
    return section('Class balance', 'data-balance', legend, h('div', { class: 'dp-balance' }, ...rows));
  };

  const samplesSection = (s: SplitView): HTMLElement | null => {
    if (!s.samples) return null;
    const rows = s.samples.map((items, k) => {
      const row = h('button', { type: 'button', class: 'dp-sample-row', 'data-testid': 'sample-row', 'data-class': k },
        h('span', { class: 'dp-class-name' }, className(s.class_names, k)),
        h('span', { class: 'dp-thumbs' }, ...items.slice(0, ROW_THUMBS).map((t) => png(t.png, `sample ${t.index}`))));
      row.addEventListener('click', () => openClass(k));
      return row;
    });
    return section(`Samples per class · ${s.split}`, 'data-samples', h('p', { class: 'muted small dp-hint' }, 'Click a class to see all of its samples.'), h('div', { class: 'dp-sample-rows' }, ...rows));
  };

  const classDetail = (v: Overview, k: number): HTMLElement => {
    const close = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', 'aria-label': 'Close' }, '✕');
    close.addEventListener('click', () => {
      chosenClass = null;
      render();
    });
    const blocks = v.splits.filter((s) => s.samples).map((s) => {
      const items = s.samples![k] ?? [];
      return h('div', { class: 'dp-detail-split' },
        h('div', { class: 'small muted' }, `${s.split} · ${items.length} shown of ${(s.class_counts[k] ?? s.sample_counts[k] ?? 0).toLocaleString('en-US')}`),
        h('div', { class: 'dp-grid' }, ...items.map((t) => h('figure', { class: 'dp-fig', 'data-testid': 'sample-thumb' }, png(t.png, `sample ${t.index}`, 'dp-img dp-img-lg'), h('figcaption', { class: 'small muted mono' }, `#${t.index}`)))));
    });
    const name = className(v.splits[0]?.class_names ?? [], k);
    return h('section', { class: 'dp-section dp-detail', 'data-testid': 'class-samples', 'data-class': k },
      h('div', { class: 'dp-detail-head' }, h('h3', { class: 'dp-title' }, `Class ${name}`), h('span', { class: 'spacer' }), close), ...blocks);
  };

  const meanSection = (s: SplitView): HTMLElement => {
    const cards = (s.mean ?? []).map((m, k) => h('div', { class: 'dp-mean-card' },
      h('div', { class: 'dp-mean-name' }, className(s.class_names, k)),
      h('div', { class: 'dp-mean-imgs' },
        h('figure', { class: 'dp-fig' }, png(m, `mean of ${className(s.class_names, k)}`, 'dp-img dp-img-lg'), h('figcaption', { class: 'small muted' }, 'mean')),
        s.std?.[k] ? h('figure', { class: 'dp-fig' }, png(s.std[k]!, `std of ${className(s.class_names, k)}`, 'dp-img dp-img-lg'), h('figcaption', { class: 'small muted' }, 'std')) : null)));
    return section(`Mean and standard deviation per class · ${s.split}`, 'data-mean', h('div', { class: 'dp-mean-grid' }, ...cards));
  };

  const histogramSection = (s: SplitView): HTMLElement => {
    const canvas = h('canvas', { class: 'dp-hist', 'data-testid': 'data-hist-canvas', height: 160, role: 'img', 'aria-label': `Pixel value histogram per channel · ${s.split}` });
    const chans = s.histogram.counts.length;
    const legend = chans > 1 ? h('div', { class: 'dp-legend small' }, ...s.histogram.counts.map((_, c) => {
      const dot = h('span', { class: 'dp-dot' });
      dot.style.background = ['#e5484d', '#30a46c', '#4f6bed', '#9a9a9a'][c] ?? '#888';
      return h('span', { class: 'dp-legend-item' }, dot, `channel ${c}`);
    })) : null;
    requestAnimationFrame(() => drawHistogram(canvas, s));
    return section(`Value histogram · ${s.split} (log scale)`, 'data-hist', legend, canvas,
      h('div', { class: 'dp-axis small muted mono' }, h('span', {}, fmt(s.histogram.edges[0] ?? 0)), h('span', {}, fmt(s.histogram.edges[s.histogram.edges.length - 1] ?? 1))));
  };

  const sizesSection = (v: Overview): HTMLElement => {
    const rows = v.splits.map((s) => h('tr', {},
      h('td', {}, s.split),
      h('td', { class: 'mono' }, `${countText(s.n_analysed)} / ${countText(s.n_total)}`),
      h('td', { class: 'mono' }, s.shapes.map((x) => `${shapeText(x.shape, s.kind)} (${x.count.toLocaleString('en-US')})`).join(', ')),
      h('td', { class: 'mono' }, `${fmt(s.value_range[0])} … ${fmt(s.value_range[1])}`)));
    return section('Sizes and channels', 'data-sizes', h('div', { class: 'table-scroll' }, h('table', { class: 'dp-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'split'), h('th', {}, 'analysed / total'), h('th', {}, 'shapes (C×H×W)'), h('th', {}, 'value range'))),
      h('tbody', {}, ...rows))));
  };

  const duplicatesSection = (s: SplitView): HTMLElement => {
    const items = s.duplicates.slice(0, 60).map((d) => h('div', { class: 'dp-suspect', 'data-testid': 'duplicate-item', 'data-index': d.index.join(',') },
      h('div', { class: 'dp-pair' }, ...(d.png ?? []).map((p, i) => png(p, `sample ${d.index[i]}`, 'dp-img dp-img-lg'))),
      h('div', { class: 'small mono' }, `#${d.index[0]} ≈ #${d.index[1]}`),
      h('div', { class: `small ${d.labels[0] !== d.labels[1] ? 'dp-warn' : 'muted'}` },
        d.labels[0] === d.labels[1] ? `both ${className(s.class_names, d.labels[0])}` : `labels differ: ${className(s.class_names, d.labels[0])} / ${className(s.class_names, d.labels[1])}`),
      h('div', { class: 'small muted' }, d.distance === 0 ? 'identical' : `distance ${d.distance.toFixed(3)} × median`)));
    return section(`Near duplicates · ${s.split} (${s.duplicates.length})`, 'data-duplicates',
      items.length ? h('div', { class: 'dp-suspects' }, ...items) : h('p', { class: 'muted small' }, 'None found among the analysed samples.'));
  };

  const mislabelledSection = (s: SplitView): HTMLElement => {
    const items = s.mislabelled.slice(0, 60).map((m) => h('div', { class: 'dp-suspect', 'data-testid': 'mislabelled-item', 'data-index': m.index },
      m.png ? png(m.png, `sample ${m.index}`, 'dp-img dp-img-lg') : null,
      h('div', { class: 'small mono' }, `#${m.index}`),
      h('div', { class: 'small' }, 'labelled ', h('strong', {}, className(s.class_names, m.label))),
      h('div', { class: 'small dp-warn' }, `neighbours say ${className(s.class_names, m.suggested)} (${Math.round(m.score * 100)}%)`)));
    return section(`Likely mislabelled · ${s.split} (${s.mislabelled.length})`, 'data-mislabelled',
      h('p', { class: 'muted small dp-hint' }, 'Samples whose nearest neighbours in pixel space (PCA) mostly carry another label.'),
      items.length ? h('div', { class: 'dp-suspects' }, ...items) : h('p', { class: 'muted small' }, 'None found among the analysed samples.'));
  };

  runSel.addEventListener('change', () => void loadRun(runSel.value));
  splitSel.addEventListener('change', () => {
    chosenSplit = splitSel.value;
    render();
  });
  void load();

  return {
    update(change) {
      if (change.changed.has('selected')) void load();
      if (change.changed.has('theme')) render();
    },
    reveal(detail) {
      const d = (detail ?? {}) as Record<string, unknown>;
      if (typeof d.split === 'string') chosenSplit = d.split;
      if (typeof d.class === 'number') chosenClass = d.class;
      if (typeof d.run === 'string' && d.run !== view?.run) void loadRun(d.run);
      else render();
    },
    destroy() {
      request++;
    },
  };
}

function drawHistogram(canvas: HTMLCanvasElement, s: SplitView): void {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const width = canvas.clientWidth || 600;
  const height = 160;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext('2d');
  if (!g) return;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  const colors = s.histogram.counts.length > 1 ? ['#e5484d', '#30a46c', '#4f6bed', '#9a9a9a'] : [getComputedStyle(canvas).getPropertyValue('--accent').trim() || '#4f6bed'];
  const top = Math.max(1, ...s.histogram.counts.flat());
  const ly = (v: number): number => (v <= 0 ? 0 : Math.log10(v + 1) / Math.log10(top + 1));
  s.histogram.counts.forEach((counts, c) => {
    const bw = width / counts.length;
    g.fillStyle = colors[c % colors.length]!;
    g.globalAlpha = s.histogram.counts.length > 1 ? 0.45 : 0.85;
    counts.forEach((v, i) => {
      const bh = ly(v) * (height - 6);
      g.fillRect(i * bw + 0.5, height - bh, Math.max(1, bw - 1), bh);
    });
  });
  g.globalAlpha = 1;
  canvas.dataset.drawn = 'true';
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toExponential(2) : String(Math.round(v * 1000) / 1000);
}

export const dataPanel: Panel = {
  name: 'data',
  title: 'Data',
  mount,
};
