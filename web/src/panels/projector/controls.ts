/** The projector's toolbar and step row: selectors, method and dimension switches, search, step slider, job progress. */
import { h, icon, ICONS, setText } from '../../dom';
import { colorOptions, progressOf, runsOf, statusOf, stepOf } from './selectors';
import { type Action, type Dims, METHODS, type Method, type ProjectorState } from './state';

type Dispatch = (a: Action) => void;

/** A row of toggle buttons, one pressed (`aria-pressed`), keyboard-operable as plain buttons. */
export function segmented<T extends string>(name: string, label: string, options: readonly (readonly [T, string])[], onChoose: (v: T) => void): { el: HTMLElement; set(v: T): void } {
  const buttons = options.map(([v, text]) => {
    const b = h('button', { type: 'button', class: 'pj-seg-btn', 'data-value': v, 'data-testid': `projector-${name}-${v}`, 'aria-pressed': 'false' }, text);
    b.addEventListener('click', () => onChoose(v));
    return b;
  });
  const set = (v: T): void => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.value === v));
  };
  return { el: h('div', { class: 'pj-seg', role: 'group', 'aria-label': label }, ...buttons), set };
}

/** Replaces a select's options only when they differ, so an open menu or keyboard focus is not disturbed. */
function fillSelect(sel: HTMLSelectElement, options: readonly (readonly [string, string])[], value: string): void {
  const same = sel.options.length === options.length && options.every(([v, text], i) => sel.options[i]!.value === v && sel.options[i]!.text === text);
  if (!same) sel.replaceChildren(...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  if (sel.value !== value) sel.value = value;
}

export interface Controls {
  toolbar: HTMLElement;
  stepRow: HTMLElement;
  render(s: ProjectorState, prev: ProjectorState | null): void;
}

/** Builds the controls; `runName` turns a run id into its display name. */
export function controls(dispatch: Dispatch, runName: (id: string) => string): Controls {
  const runSel = h('select', { class: 'select', 'aria-label': 'Run', 'data-testid': 'projector-run' });
  const tagSel = h('select', { class: 'select', 'aria-label': 'Embedding', 'data-testid': 'projector-tag' });
  const methodSeg = segmented<Method>('method', 'Projection method', METHODS, (method) => dispatch({ type: 'setMethod', method }));
  const dimsSeg = segmented<'2' | '3'>('dims', 'Dimensions', [['2', '2-D'], ['3', '3-D']], (v) => dispatch({ type: 'setDims', dims: (v === '3' ? 3 : 2) as Dims }));
  const colorSel = h('select', { class: 'select', 'aria-label': 'Colour by', 'data-testid': 'projector-color' });
  const search = h('input', { class: 'input', type: 'search', placeholder: 'Search metadata (e.g. id:42)', 'aria-label': 'Search metadata (Enter to select the matches)', 'data-testid': 'projector-search', spellcheck: 'false', autocomplete: 'off' });
  const stepInput = h('input', { type: 'range', class: 'range pj-step', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Step', 'data-testid': 'projector-step' });
  const stepLabel = h('span', { class: 'muted small mono pj-step-label', 'aria-hidden': 'true' });
  const status = h('span', { class: 'muted small', 'data-testid': 'projector-status', role: 'status' });
  const bar = h('div', { class: 'pj-progress-bar' });
  const progress = h('div', { class: 'pj-progress', 'data-testid': 'projector-progress', role: 'progressbar', 'aria-label': 'Projection progress', 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar);
  const progressText = h('span', { class: 'small muted', 'aria-live': 'polite' });
  const progressWrap = h('div', { class: 'pj-progress-wrap', hidden: true }, progress, progressText);

  runSel.addEventListener('change', () => dispatch({ type: 'chooseRun', run: runSel.value }));
  tagSel.addEventListener('change', () => dispatch({ type: 'chooseTag', tag: tagSel.value }));
  colorSel.addEventListener('change', () => dispatch({ type: 'setColor', colorBy: colorSel.value }));
  stepInput.addEventListener('input', () => dispatch({ type: 'setStep', index: Number(stepInput.value) }));
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') dispatch({ type: 'search', q: search.value });
  });

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
  const stepRow = h('div', { class: 'pj-steprow' }, h('span', { class: 'muted small', 'aria-hidden': 'true' }, 'Step'), stepInput, stepLabel, progressWrap, h('span', { class: 'spacer' }), status);

  const render = (s: ProjectorState, prev: ProjectorState | null): void => {
    if (!prev || s.tagRuns !== prev.tagRuns || s.tag !== prev.tag) fillSelect(tagSel, [...s.tagRuns.keys()].map((t) => [t, t] as const), s.tag);
    if (!prev || s.tagRuns !== prev.tagRuns || s.tag !== prev.tag || s.run !== prev.run) fillSelect(runSel, runsOf(s).map((r) => [r, runName(r)] as const), s.run);
    if (!prev || s.method !== prev.method) methodSeg.set(s.method);
    if (!prev || s.dims !== prev.dims) dimsSeg.set(String(s.dims) as '2' | '3');
    if (!prev || s.info !== prev.info || s.colorBy !== prev.colorBy) fillSelect(colorSel, colorOptions(s), s.colorBy);
    if (!prev || s.info !== prev.info) {
      const st = stepOf(s);
      stepInput.max = String(st.max);
      if (stepInput.value !== String(st.value)) stepInput.value = String(st.value);
      stepInput.disabled = st.disabled;
      stepInput.setAttribute('aria-valuetext', `step ${st.label}`);
      setText(stepLabel, st.label);
    }
    if (!prev || s.job !== prev.job) {
      const p = progressOf(s);
      progressWrap.hidden = !p;
      if (p) {
        bar.style.width = `${p.percent}%`;
        progress.dataset.state = p.state;
        progress.setAttribute('aria-valuenow', String(p.percent));
        setText(progressText, p.text);
      }
    }
    if (!prev || s.points !== prev.points) setText(status, statusOf(s));
  };
  return { toolbar, stepRow, render };
}
