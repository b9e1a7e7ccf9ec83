/**
 * The embedding projector: a WebGL scatter of one logged embedding (PCA at once; t-SNE and UMAP
 * computed by the server in the background, with progress), 2-D or 3-D, coloured by label,
 * prediction, correctness or a metadata column. Hover shows the thumbnail, lasso/box selection
 * opens a gallery, a click shows the point, its nearest neighbours in the original space and a link
 * to its prediction. A step slider replays the embedding over training.
 *
 * `reveal({ run, tag?, step?, id? | index? })` focuses a point (the way back from other panels).
 */
import { h, icon, ICONS, setText } from '../../dom';
import type { Panel, PanelContext, PanelHandle } from '../../panel';
import { ProjectorApi, type ColumnDesc, type EmbeddingInfo, type JobState, type PointInfo, type Where } from './api';
import { categoryColor, CORRECTNESS_COLORS, pointColors, pointSize, rampColor, type ColumnValues } from './colors';
import { normalize } from './geometry';
import { type Mode, Scatter } from './scatter';
import './style.css';

const GALLERY_MAX = 240;
const METHODS = [
  ['pca', 'PCA'],
  ['tsne', 't-SNE'],
  ['umap', 'UMAP'],
] as const;

interface Reveal {
  run?: string;
  tag?: string;
  step?: number | null;
  id?: number;
  index?: number;
}

function segmented<T extends string>(name: string, options: readonly (readonly [T, string])[], value: T, onChange: (v: T) => void): { el: HTMLElement; set(v: T): void } {
  const buttons = options.map(([v, label]) => {
    const b = h('button', { type: 'button', class: 'pj-seg-btn', 'data-value': v, 'data-testid': `projector-${name}-${v}`, 'aria-pressed': String(v === value) }, label);
    b.addEventListener('click', () => {
      set(v);
      onChange(v);
    });
    return b;
  });
  const set = (v: T): void => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.value === v));
  };
  return { el: h('div', { class: 'pj-seg', role: 'group', 'aria-label': name }, ...buttons), set };
}

function mount(root: HTMLElement, ctx: PanelContext): PanelHandle {
  const api = new ProjectorApi(ctx.api);
  let tagRuns = new Map<string, string[]>();
  let where: Where | null = null;
  let info: EmbeddingInfo | null = null;
  let method: string = 'pca';
  let dims: 2 | 3 = 2;
  let colorBy = '';
  let column: ColumnValues = { kind: 'none', n: 0 };
  let desc: ColumnDesc | null = null;
  let selected: Uint8Array | null = null;
  let focus = -1;
  let neighbors: number[] = [];
  let pollTimer = 0;
  let generation = 0;
  let loadStarted = 0;
  let firstDraw = true;
  // New points are on screen once a complete frame has drawn them: the stage's data-state then
  // turns from `loading` to `ready` (data-step, data-method and data-dims say what it shows).
  let awaitingDraw = false;
  let pendingReveal: Reveal | null = null;
  const points = new Map<string, PointInfo>();

  // -- toolbar ---------------------------------------------------------------------------
  const runSel = h('select', { class: 'select', 'aria-label': 'Run', 'data-testid': 'projector-run' });
  const tagSel = h('select', { class: 'select', 'aria-label': 'Embedding', 'data-testid': 'projector-tag' });
  const methodSeg = segmented('method', METHODS, 'pca', (v) => {
    method = v;
    void loadProjection();
  });
  const dimsSeg = segmented('dims', [['2', '2-D'], ['3', '3-D']] as const, '2', (v) => {
    dims = v === '3' ? 3 : 2;
    void loadProjection();
  });
  const colorSel = h('select', { class: 'select', 'aria-label': 'Colour by', 'data-testid': 'projector-color' });
  const search = h('input', { class: 'input', type: 'search', placeholder: 'Search metadata (e.g. id:42)', 'aria-label': 'Search metadata', 'data-testid': 'projector-search', spellcheck: 'false', autocomplete: 'off' });
  const stepInput = h('input', { type: 'range', class: 'range pj-step', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Step', 'data-testid': 'projector-step' });
  const stepLabel = h('span', { class: 'muted small mono pj-step-label' });
  const status = h('span', { class: 'muted small', 'data-testid': 'projector-status' });
  const progress = h('div', { class: 'pj-progress', hidden: true, 'data-testid': 'projector-progress' }, h('div', { class: 'pj-progress-bar' }));
  const progressText = h('span', { class: 'small muted' });
  const progressWrap = h('div', { class: 'pj-progress-wrap', hidden: true }, progress, progressText);

  const toolbar = h(
    'div',
    { class: 'toolbar pj-toolbar' },
    runSel,
    tagSel,
    methodSeg.el,
    dimsSeg.el,
    h('label', { class: 'pj-field' }, h('span', { class: 'muted small' }, 'Colour'), colorSel),
    h('label', { class: 'search pj-search' }, icon(ICONS.search, 14), search),
  );
  const stepRow = h('div', { class: 'pj-steprow' }, h('span', { class: 'muted small' }, 'Step'), stepInput, stepLabel, progressWrap, h('span', { class: 'spacer' }), status);

  // -- stage -----------------------------------------------------------------------------
  const stage = h('div', { class: 'pj-stage', 'data-testid': 'projector-stage' });
  let mode: Mode = 'pan';
  const modeSeg = segmented('mode', [['pan', 'Pan'], ['lasso', 'Lasso'], ['box', 'Box']] as const, 'pan', (v: Mode) => {
    mode = v;
    scatter?.setMode(v);
  });
  const reset = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', title: 'Reset the view', 'aria-label': 'Reset the view' }, icon(ICONS.reset, 14));
  const tools = h('div', { class: 'pj-tools' }, modeSeg.el, reset);
  const legend = h('div', { class: 'pj-legend', 'data-testid': 'projector-legend', hidden: true });
  const tipImg = h('img', { class: 'pj-tip-img', alt: '', 'data-testid': 'projector-thumb', hidden: true });
  const tipText = h('div', { class: 'pj-tip-text' });
  const tooltip = h('div', { class: 'pj-tip', hidden: true, 'data-testid': 'projector-tooltip' }, tipImg, tipText);
  const empty = h('div', { class: 'empty', 'data-testid': 'projector-empty' }, 'Loading embeddings…');
  stage.append(tools, legend, tooltip);

  // -- side: details + gallery -----------------------------------------------------------
  const details = h('div', { class: 'pj-details', 'data-testid': 'point-details', hidden: true });
  const galleryHead = h('div', { class: 'pj-gallery-head' });
  const gallery = h('div', { class: 'pj-gallery', 'data-testid': 'projector-gallery' });
  const gallerySection = h('section', { class: 'pj-gallery-wrap', hidden: true }, galleryHead, gallery);
  const hint = h('div', { class: 'pj-hint', 'data-testid': 'projector-hint' },
    h('strong', {}, 'Explore'),
    h('ul', {},
      h('li', {}, 'Hover a point for its thumbnail and metadata.'),
      h('li', {}, 'Click a point for its details, nearest neighbours in the original space and its prediction.'),
      h('li', {}, 'Lasso or Box (or Shift+drag) selects points into a gallery; click a legend entry to select a class.'),
      h('li', {}, 'Drag to pan (rotate in 3-D), scroll to zoom; the step slider replays training.')));
  const layout = h('div', { class: 'pj-layout', hidden: true }, stage, h('div', { class: 'pj-side' }, details, gallerySection, hint));
  root.append(toolbar, stepRow, empty, layout);

  let scatter: Scatter | null = null;
  try {
    scatter = new Scatter(stage, {
      hover: (i, x, y) => hover(i, x, y),
      click: (i) => setFocus(i),
      select: (idx) => select(idx, mode === 'box' ? 'box' : 'lasso'),
    });
    scatter.canvas.setAttribute('data-testid', 'projector-canvas');
    scatter.onDrawn = (ms, complete) => {
      if (!scatter) return;
      scatter.canvas.dataset.points = String(scatter.count);
      scatter.canvas.dataset.frameMs = ms.toFixed(1);
      if (complete) scatter.canvas.dataset.fullFrameMs = ms.toFixed(1);
      if (complete && awaitingDraw) {
        awaitingDraw = false;
        stage.dataset.state = 'ready';
      }
      if (firstDraw && scatter.count > 0) {
        firstDraw = false;
        scatter.canvas.dataset.firstDrawMs = (performance.now() - loadStarted).toFixed(1);
        scatter.canvas.dataset.firstDrawAt = performance.now().toFixed(1);
      }
    };
    (window as unknown as Record<string, unknown>).__loupeProjector = { screenOf: (i: number) => scatter?.screenOf(i) ?? null };
  } catch (err) {
    ctx.reportError(err, 'projector');
  }
  reset.addEventListener('click', () => scatter?.resetView());

  const key = (i: number): string => (where ? `${where.run}/${where.tag}/${where.step}/${i}` : '');

  // -- loading ---------------------------------------------------------------------------
  const loadTags = async (): Promise<void> => {
    const runs = [...ctx.state.get().selected];
    if (!runs.length) {
      showEmpty('Select a run to see its embeddings.');
      return;
    }
    try {
      const res = await api.tags(runs);
      ctx.clearError('projector');
      tagRuns = new Map(res.tags.map((t) => [t.tag, t.runs]));
    } catch (err) {
      ctx.reportError(err, 'projector');
      return;
    }
    if (!tagRuns.size) {
      showEmpty('No embeddings in the selected runs. Record one with run.log_embedding("penultimate", features, labels=…).');
      return;
    }
    fillSelectors();
  };

  const fillSelectors = (): void => {
    const tags = [...tagRuns.keys()];
    const tag = pendingReveal?.tag && tagRuns.has(pendingReveal.tag) ? pendingReveal.tag : tags.includes(tagSel.value) ? tagSel.value : tags[0]!;
    tagSel.replaceChildren(...tags.map((t) => h('option', { value: t, selected: t === tag }, t)));
    const runs = tagRuns.get(tag) ?? [];
    const names = new Map(ctx.state.get().runs.map((r) => [r.id, r.name]));
    const run = pendingReveal?.run && runs.includes(pendingReveal.run) ? pendingReveal.run : runs.includes(runSel.value) ? runSel.value : runs[0]!;
    runSel.replaceChildren(...runs.map((r) => h('option', { value: r, selected: r === run }, names.get(r) ?? r)));
    if (!where || where.run !== run || where.tag !== tag) void loadInfo(run, tag, pendingReveal?.step ?? null);
    else if (pendingReveal) applyReveal();
  };

  const loadInfo = async (run: string, tag: string, step: number | null): Promise<void> => {
    const mine = ++generation;
    try {
      info = await api.info({ run, tag, step });
    } catch (err) {
      ctx.reportError(err, 'projector');
      return;
    }
    if (mine !== generation) return;
    where = { run, tag, step: info.step };
    stepInput.max = String(Math.max(0, info.steps.length - 1));
    stepInput.value = String(Math.max(0, info.steps.indexOf(info.step ?? -1)));
    stepInput.disabled = info.steps.length < 2;
    setText(stepLabel, `${info.step ?? '–'}`);
    const cols: [string, string][] = [['', 'None'], ...info.columns.map((c) => [c.name, c.name] as [string, string])];
    if (!colorBy || !cols.some(([v]) => v === colorBy)) colorBy = info.columns.some((c) => c.name === 'label') ? 'label' : '';
    colorSel.replaceChildren(...cols.map(([v, label]) => h('option', { value: v, selected: v === colorBy }, label)));
    clearSelection();
    await loadProjection();
  };

  const loadProjection = async (): Promise<void> => {
    if (!where || !info) return;
    window.clearTimeout(pollTimer);
    const mine = ++generation;
    const w = where;
    loadStarted = performance.now();
    awaitingDraw = false;
    stage.dataset.state = 'loading';
    let res: Float32Array | JobState;
    try {
      [res] = await Promise.all([api.projection(w, method, dims), loadColumn(w)]);
    } catch (err) {
      ctx.reportError(err, 'projector');
      return;
    }
    if (mine !== generation) return;
    ctx.clearError('projector');
    if (!(res instanceof Float32Array)) {
      showJob(res);
      if (res.state !== 'error') pollTimer = window.setTimeout(() => void loadProjection(), 600);
      return;
    }
    progressWrap.hidden = true;
    empty.hidden = true;
    layout.hidden = false;
    const xyz = normalize(res, info.n, dims);
    scatter?.setDims(dims);
    scatter?.setPoints(xyz, colors(), pointSize(info.n));
    stage.dataset.method = method;
    stage.dataset.dims = String(dims);
    stage.dataset.step = w.step === null ? '' : String(w.step);
    awaitingDraw = true;
    setText(status, `${info.n.toLocaleString()} points · ${info.dim} dims · ${METHODS.find((m) => m[0] === method)![1]}`);
    if (pendingReveal) applyReveal();
    else if (focus >= 0) setFocus(focus);
  };

  const showJob = (job: JobState): void => {
    progressWrap.hidden = false;
    progress.hidden = false;
    (progress.firstElementChild as HTMLElement).style.width = `${Math.round(job.progress * 100)}%`;
    progress.dataset.state = job.state;
    const label = METHODS.find((m) => m[0] === method)![1];
    setText(progressText, job.state === 'error' ? `${label} failed: ${job.error ?? ''}` : `${label}: ${job.message || job.state} · ${Math.round(job.progress * 100)}% · ${job.seconds.toFixed(0)} s`);
  };

  const loadColumn = async (w: Where): Promise<void> => {
    if (!colorBy) {
      column = { kind: 'none', n: info?.n ?? 0 };
      desc = null;
    } else {
      const d = await api.column(w, colorBy);
      const values = await api.columnValues(w, d);
      desc = d;
      column = d.kind === 'category'
        ? d.name === 'correct'
          ? { kind: 'category', codes: values as Int32Array, palette: CORRECTNESS_COLORS, faded: 1 }
          : { kind: 'category', codes: values as Int32Array }
        : { kind: 'number', values: values as Float32Array, range: d.range };
    }
    renderLegend();
  };

  const colors = (): Uint8Array => pointColors(column, selected);

  const recolor = async (): Promise<void> => {
    if (!where) return;
    try {
      await loadColumn(where);
      scatter?.setColors(colors());
    } catch (err) {
      ctx.reportError(err, 'projector');
    }
  };

  const renderLegend = (): void => {
    legend.replaceChildren();
    if (!desc) {
      legend.hidden = true;
      return;
    }
    legend.hidden = false;
    legend.append(h('div', { class: 'pj-legend-title' }, desc.name));
    if (desc.kind === 'number') {
      const bar = h('div', { class: 'pj-ramp' });
      bar.style.background = `linear-gradient(90deg, ${[0, 0.25, 0.5, 0.75, 1].map((t) => `rgb(${rampColor(t).join(',')})`).join(',')})`;
      legend.append(bar, h('div', { class: 'pj-ramp-labels small muted' }, h('span', {}, fmt(desc.range[0])), h('span', {}, fmt(desc.range[1]))));
      return;
    }
    const palette = desc.name === 'correct' ? CORRECTNESS_COLORS : undefined;
    const codes = column.kind === 'category' ? column.codes : new Int32Array(0);
    const counts = new Map<number, number>();
    for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
    desc.categories.slice(0, 40).forEach((name, c) => {
      const item = h('button', { type: 'button', class: 'pj-legend-item', title: `Select ${name}`, 'data-testid': 'legend-item' },
        h('span', { class: 'pj-dot' }), h('span', { class: 'pj-legend-name' }, name), h('span', { class: 'muted' }, String(counts.get(c) ?? 0)));
      (item.firstElementChild as HTMLElement).style.background = categoryColor(c, palette);
      item.addEventListener('click', () => {
        const idx: number[] = [];
        codes.forEach((v, i) => v === c && idx.push(i));
        select(idx, `${desc?.name ?? ''} = ${name}`);
      });
      legend.append(item);
    });
  };

  // -- interaction -----------------------------------------------------------------------
  let hoverTimer = 0;
  const hover = (i: number, x: number, y: number): void => {
    window.clearTimeout(hoverTimer);
    if (i < 0 || !where || !info) {
      tooltip.hidden = true;
      if (focus < 0) scatter?.setFocus(neighbors);
      return;
    }
    scatter?.setFocus([i, ...(focus >= 0 ? [focus] : [])]);
    tooltip.hidden = false;
    const left = x + 16 + 180 > stage.clientWidth ? x - 196 : x + 16;
    tooltip.style.left = `${Math.max(4, left)}px`;
    tooltip.style.top = `${Math.max(4, Math.min(y - 20, stage.clientHeight - 150))}px`;
    tooltip.dataset.index = String(i);
    const cached = points.get(key(i));
    renderTip(i, cached ?? null);
    if (info.has_images) {
      // Thumbnails load lazily: only for the point the pointer rests on.
      tipImg.hidden = false;
      const src = api.thumb(where, i);
      if (tipImg.getAttribute('src') !== src) tipImg.src = src;
    }
    if (!cached) hoverTimer = window.setTimeout(() => void fetchPoint(i).then((p) => p && tooltip.dataset.index === String(i) && renderTip(i, p)), 60);
  };

  const fetchPoint = async (i: number): Promise<PointInfo | null> => {
    if (!where) return null;
    const k = key(i);
    const hit = points.get(k);
    if (hit) return hit;
    try {
      const p = await api.point(where, i);
      if (points.size > 2000) points.clear();
      points.set(k, p);
      return p;
    } catch (err) {
      ctx.reportError(err, 'projector');
      return null;
    }
  };

  const renderTip = (i: number, p: PointInfo | null): void => {
    const rows: HTMLElement[] = [h('div', { class: 'pj-tip-title' }, p ? `id ${p.id}` : `#${i}`)];
    if (p) rows.push(...pointRows(p).slice(0, 6).map(([k, v, cls]) => h('div', { class: 'pj-tip-row' }, h('span', { class: 'muted' }, k), h('span', { class: cls ?? '' }, v))));
    tipText.replaceChildren(...rows);
  };

  const pointRows = (p: PointInfo): [string, string, string?][] => {
    const rows: [string, string, string?][] = [];
    if (p.label_name !== undefined) rows.push(['label', p.label_name]);
    if (p.predicted_name !== undefined) rows.push(['predicted', p.predicted_name, p.correct ? 'pj-ok' : 'pj-bad']);
    for (const [k, v] of Object.entries(p.metadata)) rows.push([k, typeof v === 'number' ? fmt(v) : String(v)]);
    return rows;
  };

  const setFocus = (i: number): void => {
    focus = i;
    neighbors = [];
    if (i < 0 || !where) {
      details.hidden = true;
      scatter?.setFocus([]);
      return;
    }
    scatter?.setFocus([i]);
    details.hidden = false;
    details.dataset.index = String(i);
    void fetchPoint(i).then((p) => p && focus === i && renderDetails(p));
  };

  const renderDetails = (p: PointInfo): void => {
    if (!where || !info) return;
    const w = where;
    const img = info.has_images ? h('img', { class: 'pj-detail-img', src: api.thumb(w, p.index), alt: `example ${p.id}` }) : null;
    const table = h('dl', { class: 'pj-kv' });
    for (const [k, v, cls] of [['id', String(p.id)] as [string, string, string?], ...pointRows(p)]) table.append(h('dt', {}, k), h('dd', { class: cls ?? '' }, v));
    const nbBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'neighbors-btn' }, 'Nearest neighbours');
    nbBtn.addEventListener('click', () => {
      void api.neighbors(w, p.index).then((res) => {
        if (focus !== p.index) return;
        neighbors = res.neighbors.map((n) => n.index);
        scatter?.setFocus([p.index, ...neighbors]);
        showGallery(neighbors, `${neighbors.length} nearest neighbours of id ${p.id} (original space)`, res.neighbors.map((n) => n.distance));
      }).catch((err: unknown) => ctx.reportError(err, 'projector'));
    });
    const actions = h('div', { class: 'pj-actions' }, nbBtn);
    if (p.predicted !== undefined) {
      const open = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'open-prediction' }, 'Open prediction');
      open.addEventListener('click', () => {
        void ctx.open('examples', { run: w.run, split: p.predictions_tag ?? info?.split, step: p.predictions_step ?? null, target: p.label, predicted: p.predicted, id: p.id });
      });
      actions.append(open);
    }
    const close = h('button', { type: 'button', class: 'btn btn-ghost btn-xs pj-close', 'aria-label': 'Close' }, '✕');
    close.addEventListener('click', () => setFocus(-1));
    details.replaceChildren(h('div', { class: 'pj-details-head' }, h('strong', {}, `Example ${p.id}`), close), h('div', { class: 'pj-details-body' }, img, table), actions);
  };

  const select = (idx: number[], what: string): void => {
    if (!info) return;
    if (!idx.length) {
      clearSelection();
      return;
    }
    selected = new Uint8Array(info.n);
    for (const i of idx) selected[i] = 1;
    scatter?.setColors(colors());
    showGallery(idx, `${idx.length.toLocaleString()} selected · ${what}`);
  };

  const clearSelection = (): void => {
    selected = null;
    gallerySection.hidden = true;
    if (info) scatter?.setColors(colors());
  };

  const showGallery = (idx: number[], title: string, distances?: number[]): void => {
    if (!where || !info) return;
    const w = where;
    const clear = h('button', { type: 'button', class: 'btn btn-ghost btn-xs', 'data-testid': 'gallery-clear' }, 'Clear');
    clear.addEventListener('click', () => clearSelection());
    galleryHead.replaceChildren(h('span', { 'data-testid': 'gallery-title' }, title), h('span', { class: 'spacer' }), clear);
    const items = idx.slice(0, GALLERY_MAX).map((i, k) => {
      const item = h('button', { type: 'button', class: 'pj-gallery-item', 'data-testid': 'gallery-item', 'data-index': i, title: `#${i}` });
      if (info?.has_images) item.append(h('img', { src: api.thumb(w, i), alt: `example ${i}`, loading: 'lazy' }));
      else item.append(h('span', { class: 'mono small' }, `#${i}`));
      if (distances) item.append(h('span', { class: 'pj-dist small' }, fmt(distances[k] ?? 0)));
      item.addEventListener('click', () => setFocus(i));
      return item;
    });
    gallery.replaceChildren(...items);
    if (idx.length > GALLERY_MAX) gallery.append(h('div', { class: 'muted small pj-more' }, `and ${(idx.length - GALLERY_MAX).toLocaleString()} more`));
    gallerySection.hidden = false;
    gallerySection.dataset.count = String(idx.length);
  };

  const applyReveal = (): void => {
    const r = pendingReveal;
    if (!r || !where || !info) return;
    pendingReveal = null;
    if (typeof r.index === 'number') {
      setFocus(r.index);
      return;
    }
    if (typeof r.id === 'number') {
      void api.search(where, `id:${r.id}`).then((res) => {
        const i = res.indices[0];
        if (i !== undefined) setFocus(i);
      });
    }
  };

  const showEmpty = (text: string): void => {
    setText(empty, text);
    empty.hidden = false;
    layout.hidden = true;
  };

  // -- wiring ----------------------------------------------------------------------------
  runSel.addEventListener('change', () => void loadInfo(runSel.value, tagSel.value, null));
  tagSel.addEventListener('change', () => fillSelectors());
  colorSel.addEventListener('change', () => {
    colorBy = colorSel.value;
    void recolor();
  });
  stepInput.addEventListener('input', () => {
    if (!info || !where) return;
    const step = info.steps[Number(stepInput.value)] ?? null;
    setText(stepLabel, String(step ?? '–'));
    where = { ...where, step };
    info = { ...info, step };
    points.clear();
    void loadProjection();
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || !where) return;
    const q = search.value.trim();
    if (!q) {
      clearSelection();
      return;
    }
    void api.search(where, q).then((res) => {
      if (res.count === 0) {
        clearSelection();
        galleryHead.replaceChildren(h('span', { 'data-testid': 'gallery-title' }, `No example matches “${q}”.`));
        gallery.replaceChildren();
        gallerySection.hidden = false;
        return;
      }
      select(res.indices, `search “${q}”`);
    }).catch((err: unknown) => ctx.reportError(err, 'projector'));
  });

  void loadTags();

  return {
    update(change) {
      if (change.changed.has('selected')) void loadTags();
      if (change.changed.has('theme')) scatter?.setFocus(focus >= 0 ? [focus, ...neighbors] : neighbors);
    },
    reveal(detail) {
      const d = (detail ?? {}) as Record<string, unknown>;
      pendingReveal = {
        run: typeof d.run === 'string' ? d.run : undefined,
        tag: typeof d.tag === 'string' ? d.tag : undefined,
        step: typeof d.step === 'number' ? d.step : undefined,
        id: typeof d.id === 'number' ? d.id : undefined,
        index: typeof d.index === 'number' ? d.index : undefined,
      };
      if (tagRuns.size) fillSelectors();
    },
    destroy() {
      window.clearTimeout(pollTimer);
      window.clearTimeout(hoverTimer);
      generation++;
      scatter?.destroy();
      delete (window as unknown as Record<string, unknown>).__loupeProjector;
    },
  };
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Math.round(v * 1000) / 1000);
}

export const projectorPanel: Panel = {
  name: 'projector',
  title: 'Projector',
  mount,
};
